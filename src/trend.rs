//! Editions over time: one term's count in each of N ordered editions (each edition one corpus of
//! one or more documents), and the change from each edition to the next with the keyness
//! statistics of `diff` ([`crate::keyness`]): edition k is NEW, edition k−1 OLD.

use crate::keyness::{Keyness, LlForm, per_10k};

/// A term's count in one edition and the size of that edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionCount {
    pub count: u64,
    pub tokens: u64,
}

/// A term in one edition: its count and rate, and the change from the edition before (`None`
/// for the first edition).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub count: u64,
    pub tokens: u64,
    pub per_10k: f64,
    pub change: Option<Keyness>,
}

/// The series of one term over the editions, in their order.
pub fn series(form: LlForm, editions: &[EditionCount]) -> Vec<Point> {
    let mut points = Vec::with_capacity(editions.len());
    for (i, edition) in editions.iter().enumerate() {
        let change = i.checked_sub(1).map(|previous| {
            let before = editions[previous];
            Keyness::compute(
                form,
                before.count,
                edition.count,
                before.tokens,
                edition.tokens,
            )
        });
        points.push(Point {
            count: edition.count,
            tokens: edition.tokens,
            per_10k: per_10k(edition.count, edition.tokens),
            change,
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyness::Status;

    #[test]
    fn each_step_is_a_diff_of_consecutive_editions() {
        let editions = [
            EditionCount {
                count: 5,
                tokens: 20_000,
            },
            EditionCount {
                count: 10,
                tokens: 10_000,
            },
            EditionCount {
                count: 10,
                tokens: 10_000,
            },
            EditionCount {
                count: 0,
                tokens: 5_000,
            },
        ];
        let points = series(LlForm::TwoTerm, &editions);
        assert_eq!(points.len(), 4);
        assert_eq!(points[0].change, None);
        assert_eq!(points[0].per_10k, 2.5);
        // Step 1 is the UCREL wizard's example: 10 in 10,000 (NEW) against 5 in 20,000 (OLD).
        let step = points[1].change.unwrap();
        assert!((step.log_likelihood - 6.931472).abs() < 5e-7);
        assert_eq!(step.log_ratio, 2.0);
        assert_eq!(step.status_at(0.05), Status::Up);
        assert_eq!(
            step,
            Keyness::compute(LlForm::TwoTerm, 5, 10, 20_000, 10_000)
        );
        // Unchanged rate.
        let step = points[2].change.unwrap();
        assert_eq!(step.status, Status::Same);
        assert_eq!(step.status_at(0.05), Status::NoSignificantChange);
        // Gone.
        let step = points[3].change.unwrap();
        assert_eq!(step.status, Status::Gone);
        assert_eq!(step.pct_diff, Some(-100.0));
        // The four-term form carries through.
        let four = series(LlForm::FourTerm, &editions);
        assert!((four[1].change.unwrap().log_likelihood - 6.935224).abs() < 5e-7);
    }

    #[test]
    fn one_edition_has_no_change() {
        let points = series(
            LlForm::TwoTerm,
            &[EditionCount {
                count: 3,
                tokens: 0,
            }],
        );
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].per_10k, 0.0);
        assert!(points[0].change.is_none());
    }
}
