//! Keyness: is a word's change in frequency between two corpora more than noise, and how big is it?
//!
//! The three statistics corpus linguists report (as the UCREL log-likelihood wizard, AntConc,
//! WordSmith and quanteda do), for a word counted `new_count` times in NEW (`new_tokens` tokens)
//! and `old_count` times in OLD (`old_tokens` tokens). In the UCREL wizard's notation NEW is
//! corpus 1 (a = frequency, c = size) and OLD corpus 2 (b, d), so positive effect sizes mean
//! "more frequent in NEW":
//!
//! - log-likelihood G2 (Rayson & Garside 2000), the wizard's two-term form:
//!   E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d), G2 = 2(a ln(a/E1) + b ln(b/E2)); a zero count
//!   contributes 0. Significance: G2 >= 3.84 p < 0.05, 6.63 p < 0.01, 10.83 p < 0.001,
//!   15.13 p < 0.0001 (chi-squared, 1 degree of freedom).
//! - Log Ratio (Hardie 2014): log2((a/c) / (b/d)); a zero count is replaced by 0.5 so the ratio
//!   stays finite. 1 means twice as frequent in NEW, -1 half as frequent.
//! - %DIFF (Gabrielatos & Marchi 2012): (nf_new - nf_old) * 100 / nf_old on normalised
//!   frequencies. Undefined when the word is absent from OLD: see [`Keyness::pct_diff`].

use serde::Serialize;

use crate::frequency::WordCounts;

/// The four significance thresholds of G2 (1 d.f.) with their marks and p values, strictest first.
pub const SIGNIFICANCE_LEVELS: [(f64, &str, f64); 4] = [
    (15.13, "****", 0.0001),
    (10.83, "***", 0.001),
    (6.63, "**", 0.01),
    (3.84, "*", 0.05),
];

/// How a word's frequency moved from OLD to NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Absent from OLD, present in NEW.
    New,
    /// Present in OLD, absent from NEW.
    Gone,
    /// Higher relative frequency in NEW.
    Up,
    /// Lower relative frequency in NEW.
    Down,
    /// The same relative frequency (including absent from both).
    Same,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Gone => "gone",
            Status::Up => "up",
            Status::Down => "down",
            Status::Same => "same",
        }
    }

    /// +1 more frequent in NEW, -1 less frequent, 0 unchanged.
    pub fn direction(self) -> i8 {
        match self {
            Status::New | Status::Up => 1,
            Status::Gone | Status::Down => -1,
            Status::Same => 0,
        }
    }
}

/// Keyness of one word between OLD and NEW.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Keyness {
    pub old_count: u64,
    pub new_count: u64,
    pub old_tokens: u64,
    pub new_tokens: u64,
    /// Expected count in NEW under the null hypothesis (the wizard's E1).
    pub expected_new: f64,
    /// Expected count in OLD (E2).
    pub expected_old: f64,
    /// Log-likelihood G2; 0 when the relative frequencies are equal.
    pub log_likelihood: f64,
    /// log2 of NEW's relative frequency over OLD's, zero counts replaced by 0.5; 0 when the word
    /// is absent from both. Positive: more frequent in NEW.
    pub log_ratio: f64,
    /// %DIFF: the change in relative frequency as a percentage of OLD's. `None` when the word is
    /// absent from OLD but present in NEW (an increase from nothing has no percentage; the
    /// status says `new`). 0 when absent from both. -100 when gone.
    pub pct_diff: Option<f64>,
    pub status: Status,
}

/// Rate per 10,000 tokens (0 for an empty corpus).
pub fn per_10k(count: u64, tokens: u64) -> f64 {
    if tokens == 0 {
        0.0
    } else {
        count as f64 * 10_000.0 / tokens as f64
    }
}

/// `x ln(x / expected)`, the term of G2, with 0 ln 0 = 0.
fn g2_term(observed: f64, expected: f64) -> f64 {
    if observed == 0.0 || expected == 0.0 {
        0.0
    } else {
        observed * (observed / expected).ln()
    }
}

/// Log-likelihood G2 (UCREL two-term form) of `a` hits in `c` tokens against `b` hits in `d`.
/// 0 when both counts are zero or both corpora are empty.
pub fn log_likelihood(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (e1, e2) = expected(a, b, c, d);
    let g2 = 2.0 * (g2_term(a as f64, e1) + g2_term(b as f64, e2));
    // Rounding can leave a tiny negative value for equal frequencies; G2 is never negative.
    g2.max(0.0)
}

/// Expected counts (E1, E2) of the UCREL wizard.
pub fn expected(a: u64, b: u64, c: u64, d: u64) -> (f64, f64) {
    let total = (c + d) as f64;
    if total == 0.0 {
        return (0.0, 0.0);
    }
    let hits = (a + b) as f64;
    (c as f64 * hits / total, d as f64 * hits / total)
}

/// Log Ratio (Hardie 2014): log2((a/c) / (b/d)), a zero count replaced by 0.5. 0 when both counts
/// are zero or either corpus is empty (no comparison is possible).
pub fn log_ratio(a: u64, b: u64, c: u64, d: u64) -> f64 {
    if (a == 0 && b == 0) || c == 0 || d == 0 {
        return 0.0;
    }
    let adjust = |x: u64| if x == 0 { 0.5 } else { x as f64 };
    ((adjust(a) / c as f64) / (adjust(b) / d as f64)).log2()
}

/// %DIFF (Gabrielatos & Marchi 2012) of NEW (`a` in `c` tokens) over OLD (`b` in `d` tokens).
/// `None` when OLD's frequency is 0 and NEW's is not (undefined; the original paper substitutes
/// a tiny number, which only gives an enormous meaningless figure), or when a corpus is empty.
pub fn pct_diff(a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    if c == 0 || d == 0 {
        return None;
    }
    let nf_new = a as f64 / c as f64;
    let nf_old = b as f64 / d as f64;
    if b == 0 {
        return (a == 0).then_some(0.0);
    }
    Some((nf_new - nf_old) * 100.0 / nf_old)
}

/// The significance mark of a G2 value: `*` (p < 0.05) to `****` (p < 0.0001), or "".
pub fn significance_mark(g2: f64) -> &'static str {
    SIGNIFICANCE_LEVELS
        .iter()
        .find(|(threshold, _, _)| g2 >= *threshold)
        .map_or("", |(_, mark, _)| mark)
}

/// The p value a G2 value is below (0.05 ... 0.0001), or `None` when not significant.
pub fn p_below(g2: f64) -> Option<f64> {
    SIGNIFICANCE_LEVELS
        .iter()
        .find(|(threshold, _, _)| g2 >= *threshold)
        .map(|(_, _, p)| *p)
}

/// Whether G2 reaches p < 0.05.
pub fn is_significant(g2: f64) -> bool {
    g2 >= SIGNIFICANCE_LEVELS[3].0
}

/// Classifies the change by comparing relative frequencies exactly (cross-multiplied integers,
/// so identical rates are `same` without floating-point doubt).
pub fn status(old_count: u64, new_count: u64, old_tokens: u64, new_tokens: u64) -> Status {
    match (old_count, new_count) {
        (0, 0) => Status::Same,
        (0, _) => Status::New,
        (_, 0) => Status::Gone,
        _ => {
            let new_side = new_count as u128 * old_tokens as u128;
            let old_side = old_count as u128 * new_tokens as u128;
            match new_side.cmp(&old_side) {
                std::cmp::Ordering::Greater => Status::Up,
                std::cmp::Ordering::Less => Status::Down,
                std::cmp::Ordering::Equal => Status::Same,
            }
        }
    }
}

impl Keyness {
    /// All statistics for one word.
    pub fn compute(old_count: u64, new_count: u64, old_tokens: u64, new_tokens: u64) -> Keyness {
        let (a, b, c, d) = (new_count, old_count, new_tokens, old_tokens);
        let (expected_new, expected_old) = expected(a, b, c, d);
        let status = status(old_count, new_count, old_tokens, new_tokens);
        Keyness {
            old_count,
            new_count,
            old_tokens,
            new_tokens,
            expected_new,
            expected_old,
            // Exactly equal rates give exactly 0 (the formula leaves rounding noise).
            log_likelihood: if status == Status::Same {
                0.0
            } else {
                log_likelihood(a, b, c, d)
            },
            log_ratio: if status == Status::Same {
                0.0
            } else {
                log_ratio(a, b, c, d)
            },
            pct_diff: if status == Status::Same {
                Some(0.0)
            } else {
                pct_diff(a, b, c, d)
            },
            status,
        }
    }

    pub fn old_rate(&self) -> f64 {
        per_10k(self.old_count, self.old_tokens)
    }

    pub fn new_rate(&self) -> f64 {
        per_10k(self.new_count, self.new_tokens)
    }

    /// NEW's rate minus OLD's, per 10,000 tokens.
    pub fn rate_change(&self) -> f64 {
        self.new_rate() - self.old_rate()
    }

    pub fn significance(&self) -> &'static str {
        significance_mark(self.log_likelihood)
    }

    pub fn is_significant(&self) -> bool {
        is_significant(self.log_likelihood)
    }
}

/// One compared word: (word, keyness).
pub type WordRow = (String, Keyness);

/// Keyness of every word type of either side (`diff --all-words`).
pub fn compare_words(
    old: &WordCounts,
    new: &WordCounts,
    old_tokens: u64,
    new_tokens: u64,
) -> Vec<WordRow> {
    let mut rows: Vec<WordRow> = Vec::with_capacity(old.len().max(new.len()));
    for (word, o) in old.iter() {
        let n = new.get(word).unwrap_or(0);
        rows.push((
            word.to_string(),
            Keyness::compute(o, n, old_tokens, new_tokens),
        ));
    }
    for (word, n) in new.iter() {
        if old.get(word).is_none() {
            rows.push((
                word.to_string(),
                Keyness::compute(0, n, old_tokens, new_tokens),
            ));
        }
    }
    rows
}

/// The 95% Wilson score interval of a proportion `successes / trials`, as percentages (Wilson
/// 1927; Newcombe 1998, method 3): unlike the normal approximation it stays inside 0..100 and
/// is sensible for small counts and shares near 0 or 100%. `None` when `trials` is 0.
pub fn wilson_interval(successes: u64, trials: u64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054; // the 97.5th percentile of the standard normal
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((
        ((centre - half) * 100.0).max(0.0),
        ((centre + half) * 100.0).min(100.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64, tolerance: f64) -> bool {
        (x - y).abs() <= tolerance
    }

    /// The worked example of the issue, checked by hand against the UCREL formulas: a = 23 hits
    /// in c = 263 tokens (corpus 1, NEW), b = 551 hits in d = 8870 tokens (corpus 2, OLD).
    #[test]
    fn wilson_interval_matches_newcombe_1998() {
        // Newcombe (1998), Table I, method 3 (score interval without continuity correction).
        let (lo, hi) = wilson_interval(81, 263).unwrap();
        assert!(
            (lo - 25.53).abs() < 0.01 && (hi - 36.62).abs() < 0.01,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson_interval(15, 148).unwrap();
        assert!(
            (lo - 6.24).abs() < 0.01 && (hi - 16.05).abs() < 0.01,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson_interval(0, 20).unwrap();
        assert!(lo == 0.0 && (hi - 16.11).abs() < 0.01, "{lo} {hi}");
        assert_eq!(wilson_interval(1, 0), None);
    }

    #[test]
    fn worked_example() {
        let (a, b, c, d) = (23, 551, 263, 8870);
        let (e1, e2) = expected(a, b, c, d);
        assert!(close(e1, 16.5293, 5e-5), "E1 = {e1}");
        assert!(close(e2, 557.4707, 5e-5), "E2 = {e2}");
        let g2 = log_likelihood(a, b, c, d);
        assert!(close(g2, 2.3306, 5e-5), "G2 = {g2}");
        let lr = log_ratio(a, b, c, d);
        assert!(close(lr, 0.4935, 5e-5), "Log Ratio = {lr}");
        let pd = pct_diff(a, b, c, d).unwrap();
        assert!(close(pd, 40.78, 5e-3), "%DIFF = {pd}");

        // The same through Keyness: NEW is corpus 1.
        let k = Keyness::compute(b, a, d, c);
        assert_eq!(k.status, Status::Up);
        assert!(close(k.expected_new, 16.5293, 5e-5));
        assert!(close(k.expected_old, 557.4707, 5e-5));
        assert!(close(k.log_likelihood, 2.3306, 5e-5));
        assert!(close(k.log_ratio, 0.4935, 5e-5));
        assert!(close(k.pct_diff.unwrap(), 40.78, 5e-3));
        assert_eq!(k.significance(), "", "G2 2.33 < 3.84 is not significant");
        assert!(!k.is_significant());

        // Swapping the corpora: G2 symmetric, Log Ratio negated, %DIFF relative to the other side.
        let swapped = Keyness::compute(a, b, c, d);
        assert_eq!(swapped.status, Status::Down);
        assert!(close(swapped.log_likelihood, 2.3306, 5e-5));
        assert!(close(swapped.log_ratio, -0.4935, 5e-5));
        // (551/8870 - 23/263) * 100 / (23/263) = -28.9677
        assert!(close(swapped.pct_diff.unwrap(), -28.9677, 5e-4));
    }

    #[test]
    fn rates_per_ten_thousand() {
        let k = Keyness::compute(551, 23, 8870, 263);
        assert!(close(k.old_rate(), 621.1950, 5e-4));
        assert!(close(k.new_rate(), 874.5247, 5e-4));
        assert!(close(k.rate_change(), 253.3297, 1e-3));
        assert_eq!(per_10k(5, 0), 0.0);
    }

    #[test]
    fn zero_in_one_corpus() {
        // New in NEW: 10 hits in 1000 tokens, none in 2000. By hand: E1 = 1000*10/3000 = 3.3333,
        // G2 = 2 * 10 ln(10/3.3333) = 20 ln 3 = 21.9722; Log Ratio = log2((10/1000)/(0.5/2000)) =
        // log2(40) = 5.3219.
        let k = Keyness::compute(0, 10, 2000, 1000);
        assert_eq!(k.status, Status::New);
        assert!(close(k.log_likelihood, 20.0 * 3f64.ln(), 1e-9));
        assert!(close(k.log_ratio, 40f64.log2(), 1e-9));
        assert_eq!(
            k.pct_diff, None,
            "an increase from nothing has no percentage"
        );
        assert_eq!(k.significance(), "****");

        // Gone from NEW: the mirror image.
        let k = Keyness::compute(10, 0, 1000, 2000);
        assert_eq!(k.status, Status::Gone);
        assert!(close(k.log_likelihood, 20.0 * 3f64.ln(), 1e-9));
        assert!(close(k.log_ratio, -(40f64.log2()), 1e-9));
        assert_eq!(k.pct_diff, Some(-100.0));
        assert_eq!(k.status.direction(), -1);
    }

    #[test]
    fn both_zero() {
        let k = Keyness::compute(0, 0, 5000, 7000);
        assert_eq!(k.status, Status::Same);
        assert_eq!(k.log_likelihood, 0.0);
        assert_eq!(k.log_ratio, 0.0);
        assert_eq!(k.pct_diff, Some(0.0));
        assert_eq!(k.significance(), "");
        assert_eq!(log_likelihood(0, 0, 5000, 7000), 0.0);
        assert_eq!(log_ratio(0, 0, 5000, 7000), 0.0);
        assert_eq!(pct_diff(0, 0, 5000, 7000), Some(0.0));
    }

    #[test]
    fn empty_corpora_give_no_statistics_and_no_panic() {
        let k = Keyness::compute(0, 3, 0, 100);
        assert_eq!(k.log_ratio, 0.0);
        assert_eq!(k.pct_diff, None);
        assert!(k.log_likelihood.is_finite());
        assert_eq!(log_likelihood(0, 0, 0, 0), 0.0);
    }

    #[test]
    fn identical_documents_give_zero_for_every_word() {
        for (count, tokens) in [
            (1, 10),
            (23, 263),
            (551, 8870),
            (999_999, 1_000_000),
            (7, 3_000_001),
        ] {
            let k = Keyness::compute(count, count, tokens, tokens);
            assert_eq!(k.status, Status::Same);
            assert_eq!(k.log_likelihood, 0.0);
            assert_eq!(k.log_ratio, 0.0);
            assert_eq!(k.pct_diff, Some(0.0));
            assert_eq!(log_likelihood(count, count, tokens, tokens), 0.0);
        }
        // Equal rates in corpora of different sizes are also unchanged.
        let k = Keyness::compute(3, 6, 1000, 2000);
        assert_eq!(k.status, Status::Same);
        assert_eq!(k.log_likelihood, 0.0);
    }

    #[test]
    fn significance_thresholds() {
        assert_eq!(significance_mark(3.83), "");
        assert_eq!(significance_mark(3.84), "*");
        assert_eq!(significance_mark(6.63), "**");
        assert_eq!(significance_mark(10.83), "***");
        assert_eq!(significance_mark(15.12), "***");
        assert_eq!(significance_mark(15.13), "****");
        assert_eq!(p_below(7.0), Some(0.01));
        assert_eq!(p_below(1.0), None);
        assert!(is_significant(3.84));
        assert!(!is_significant(3.8399));
    }

    #[test]
    fn status_compares_rates_exactly() {
        assert_eq!(status(1, 2, 100, 199), Status::Up);
        assert_eq!(status(1, 2, 100, 201), Status::Down);
        assert_eq!(status(1, 2, 100, 200), Status::Same);
    }
}
