//! Keyness: is a word's change in frequency between two corpora more than noise, and how big is it?
//!
//! The statistics corpus linguists report (as the UCREL log-likelihood wizard, AntConc,
//! WordSmith and quanteda do), for a word counted `new_count` times in NEW (`new_tokens` tokens)
//! and `old_count` times in OLD (`old_tokens` tokens). In the UCREL wizard's notation NEW is
//! corpus 1 (a = frequency, c = size) and OLD corpus 2 (b, d), so positive effect sizes mean
//! "more frequent in NEW":
//!
//! - log-likelihood G2 in one of two forms ([`LlForm`]): the two-term form of Rayson & Garside
//!   (2000) that the UCREL wizard computes, E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d),
//!   G2 = 2(a ln(a/E1) + b ln(b/E2)); or the four-term form over the whole 2×2 table (cells a, b,
//!   c−a, d−b), AntConc's default for keyword lists. A zero cell contributes 0. Its p value is the
//!   chi-squared (1 degree of freedom) upper tail, from `statrs`.
//! - Log Ratio (Hardie 2014): log2((a/c) / (b/d)); a zero count is replaced by 0.5 so the ratio
//!   stays finite. 1 means twice as frequent in NEW, -1 half as frequent.
//! - %DIFF (Gabrielatos & Marchi 2012): (nf_new - nf_old) * 100 / nf_old on normalised
//!   frequencies. Undefined when the word is absent from OLD: see [`Keyness::pct_diff`].
//! - BIC (the wizard's Bayes factor approximation): G2 − ln N with N = c + d. Negative BIC for a
//!   significant G2 means the evidence for a difference is weak: the corpora are so large that
//!   even a tiny difference reaches significance.
//! - ELL (Johnston et al. 2006): G2 / (N · ln Emin), Emin the smaller of E1 and E2; undefined
//!   when Emin <= 1.
//!
//! With many words compared at once, the significance level is corrected for the number of
//! comparisons ([`Correction`]): Bonferroni α/m or Šidák 1 − (1 − α)^(1/m).

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::frequency::WordCounts;

/// The four conventional significance levels with their marks, strictest first. The mark of a
/// G2 value is that of the strictest level its exact p value is below (so G2 = 15.13, the usual
/// table value for p < 0.0001, has p = 0.0001004 and gets `***`).
pub const SIGNIFICANCE_LEVELS: [(f64, &str); 4] =
    [(0.0001, "****"), (0.001, "***"), (0.01, "**"), (0.05, "*")];

/// Which log-likelihood G2 is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LlForm {
    /// Rayson & Garside (2000), the UCREL wizard: the word's two cells only.
    #[default]
    TwoTerm,
    /// The whole 2×2 table (the word and all other words in each corpus), as AntConc.
    FourTerm,
}

impl LlForm {
    pub const ALL: [LlForm; 2] = [LlForm::TwoTerm, LlForm::FourTerm];

    pub fn name(self) -> &'static str {
        match self {
            LlForm::TwoTerm => "two-term",
            LlForm::FourTerm => "four-term",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            LlForm::TwoTerm => "the word's two cells (Rayson & Garside 2000, the UCREL wizard)",
            LlForm::FourTerm => "the whole 2x2 table (AntConc's keyword lists)",
        }
    }
}

/// How the significance level is corrected when many words are tested at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// α / m.
    #[default]
    Bonferroni,
    /// 1 − (1 − α)^(1/m): exact for independent tests, slightly less strict than Bonferroni.
    Sidak,
    /// α as given.
    None,
}

impl Correction {
    pub const ALL: [Correction; 3] = [Correction::Bonferroni, Correction::Sidak, Correction::None];

    pub fn name(self) -> &'static str {
        match self {
            Correction::Bonferroni => "bonferroni",
            Correction::Sidak => "sidak",
            Correction::None => "none",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Correction::Bonferroni => "α / m",
            Correction::Sidak => "1 − (1 − α)^(1/m), a little less strict",
            Correction::None => "α as given",
        }
    }
}

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
    /// A change that is not significant at the chosen level (see [`Keyness::status_at`]).
    #[serde(rename = "no significant change")]
    NoSignificantChange,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Gone => "gone",
            Status::Up => "up",
            Status::Down => "down",
            Status::Same => "same",
            Status::NoSignificantChange => "no significant change",
        }
    }

    /// +1 more frequent in NEW, -1 less frequent, 0 unchanged (or not significantly changed).
    pub fn direction(self) -> i8 {
        match self {
            Status::New | Status::Up => 1,
            Status::Gone | Status::Down => -1,
            Status::Same | Status::NoSignificantChange => 0,
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
    /// Which form `log_likelihood` is.
    pub ll_form: LlForm,
    /// Log-likelihood G2 in form `ll_form`; 0 when the relative frequencies are equal.
    pub log_likelihood: f64,
    /// The chi-squared (1 d.f.) probability of a G2 at least this large by chance.
    pub p_value: f64,
    /// log2 of NEW's relative frequency over OLD's, zero counts replaced by 0.5; 0 when the word
    /// is absent from both. Positive: more frequent in NEW.
    pub log_ratio: f64,
    /// %DIFF: the change in relative frequency as a percentage of OLD's. `None` when the word is
    /// absent from OLD but present in NEW (an increase from nothing has no percentage; the
    /// status says `new`). 0 when absent from both. -100 when gone.
    pub pct_diff: Option<f64>,
    /// BIC = G2 − ln(old_tokens + new_tokens).
    pub bic: f64,
    /// ELL = G2 / (N ln Emin); `None` when Emin <= 1.
    pub ell: Option<f64>,
    /// The direction of the change, whether significant or not.
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

/// `O ln(O / E)`, a term of G2, with 0 ln 0 = 0. Written as O ln(1 + (O−E)/E) so that the large
/// cells of the four-term form, where O/E is within a millionth of 1, keep their precision.
fn g2_term(observed: f64, expected: f64) -> f64 {
    if observed == 0.0 || expected == 0.0 {
        0.0
    } else {
        observed * ((observed - expected) / expected).ln_1p()
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

/// Log-likelihood G2 over the 2×2 table: the word (`a`, `b`) and every other token (`c − a`,
/// `d − b`) in each corpus. 0 when the corpora are empty.
pub fn log_likelihood_four_term(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let total = (c + d) as f64;
    if total == 0.0 {
        return 0.0;
    }
    let (c_other, d_other) = (c.saturating_sub(a), d.saturating_sub(b));
    let word_row = (a + b) as f64;
    let other_row = (c_other + d_other) as f64;
    let (cf, df) = (c as f64, d as f64);
    let g2 = 2.0
        * (g2_term(a as f64, cf * word_row / total)
            + g2_term(b as f64, df * word_row / total)
            + g2_term(c_other as f64, cf * other_row / total)
            + g2_term(d_other as f64, df * other_row / total));
    g2.max(0.0)
}

/// G2 in the chosen form.
pub fn log_likelihood_in(form: LlForm, a: u64, b: u64, c: u64, d: u64) -> f64 {
    match form {
        LlForm::TwoTerm => log_likelihood(a, b, c, d),
        LlForm::FourTerm => log_likelihood_four_term(a, b, c, d),
    }
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

/// BIC (UCREL wizard): G2 − ln N, N the two corpora's tokens together (1 degree of freedom).
pub fn bic(g2: f64, total_tokens: u64) -> f64 {
    if total_tokens == 0 {
        g2
    } else {
        g2 - (total_tokens as f64).ln()
    }
}

/// ELL (Johnston et al. 2006): G2 / (N ln Emin), Emin the smaller expected count of the word.
/// `None` when Emin <= 1, where ln Emin is 0 or negative and the measure means nothing.
pub fn ell(g2: f64, a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    let (e1, e2) = expected(a, b, c, d);
    let e_min = e1.min(e2);
    (e_min > 1.0).then(|| g2 / ((c + d) as f64 * e_min.ln()))
}

/// The chi-squared distribution with 1 degree of freedom, which G2 follows under the null.
fn chi_squared_1() -> ChiSquared {
    ChiSquared::new(1.0).expect("1 degree of freedom is valid")
}

/// The probability of a G2 at least `g2` when the word's rate is the same in both corpora.
pub fn p_value(g2: f64) -> f64 {
    if g2 <= 0.0 {
        1.0
    } else {
        chi_squared_1().sf(g2)
    }
}

/// The smallest G2 significant at level `alpha` (3.84 for 0.05).
pub fn critical_g2(alpha: f64) -> f64 {
    chi_squared_1().inverse_cdf(1.0 - alpha)
}

/// The per-test level that keeps the chance of any false positive among `m` tests at `alpha`.
pub fn corrected_alpha(alpha: f64, m: usize, correction: Correction) -> f64 {
    if m <= 1 {
        return alpha;
    }
    match correction {
        Correction::Bonferroni => alpha / m as f64,
        // 1 − (1 − α)^(1/m), as −expm1(ln(1 − α) / m) so a tiny result keeps its digits.
        Correction::Sidak => -((-alpha).ln_1p() / m as f64).exp_m1(),
        Correction::None => alpha,
    }
}

/// The significance mark of a p value: `*` (p < 0.05) to `****` (p < 0.0001), or "".
pub fn significance_mark(p: f64) -> &'static str {
    SIGNIFICANCE_LEVELS
        .iter()
        .find(|(level, _)| p < *level)
        .map_or("", |(_, mark)| mark)
}

/// The strictest conventional level (0.05 ... 0.0001) a p value is below, or `None`.
pub fn p_below(p: f64) -> Option<f64> {
    SIGNIFICANCE_LEVELS
        .iter()
        .find(|(level, _)| p < *level)
        .map(|(level, _)| *level)
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
    /// All statistics for one word, G2 in form `form`.
    pub fn compute(
        form: LlForm,
        old_count: u64,
        new_count: u64,
        old_tokens: u64,
        new_tokens: u64,
    ) -> Keyness {
        let (a, b, c, d) = (new_count, old_count, new_tokens, old_tokens);
        let (expected_new, expected_old) = expected(a, b, c, d);
        let status = status(old_count, new_count, old_tokens, new_tokens);
        // Exactly equal rates give exactly 0 (the formulas leave rounding noise).
        let same = status == Status::Same;
        let log_likelihood = if same {
            0.0
        } else {
            log_likelihood_in(form, a, b, c, d)
        };
        Keyness {
            old_count,
            new_count,
            old_tokens,
            new_tokens,
            expected_new,
            expected_old,
            ll_form: form,
            log_likelihood,
            p_value: p_value(log_likelihood),
            log_ratio: if same { 0.0 } else { log_ratio(a, b, c, d) },
            pct_diff: if same {
                Some(0.0)
            } else {
                pct_diff(a, b, c, d)
            },
            bic: bic(log_likelihood, c + d),
            ell: ell(log_likelihood, a, b, c, d),
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

    /// `*` to `****` by the exact p value (uncorrected conventional levels).
    pub fn significance(&self) -> &'static str {
        significance_mark(self.p_value)
    }

    /// Whether the change is significant at level `alpha` (p < alpha).
    pub fn is_significant_at(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }

    /// The status to report at level `alpha`: new, gone, up or down when significant, else
    /// "no significant change" (also for equal rates, whose p is 1).
    pub fn status_at(&self, alpha: f64) -> Status {
        if self.is_significant_at(alpha) {
            self.status
        } else {
            Status::NoSignificantChange
        }
    }
}

/// One compared word: (word, keyness).
pub type WordRow = (String, Keyness);

/// Keyness of every word type of either side (`diff --all-words`), G2 in form `form`.
pub fn compare_words(
    form: LlForm,
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
            Keyness::compute(form, o, n, old_tokens, new_tokens),
        ));
    }
    for (word, n) in new.iter() {
        if old.get(word).is_none() {
            rows.push((
                word.to_string(),
                Keyness::compute(form, 0, n, old_tokens, new_tokens),
            ));
        }
    }
    rows
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
        let k = Keyness::compute(LlForm::TwoTerm, b, a, d, c);
        assert_eq!(k.status, Status::Up);
        assert!(close(k.expected_new, 16.5293, 5e-5));
        assert!(close(k.expected_old, 557.4707, 5e-5));
        assert!(close(k.log_likelihood, 2.3306, 5e-5));
        assert!(close(k.log_ratio, 0.4935, 5e-5));
        assert!(close(k.pct_diff.unwrap(), 40.78, 5e-3));
        assert_eq!(k.significance(), "", "G2 2.33 < 3.84 is not significant");
        assert!(!k.is_significant_at(0.05));
        assert_eq!(k.status_at(0.05), Status::NoSignificantChange);

        // Swapping the corpora: G2 symmetric, Log Ratio negated, %DIFF relative to the other side.
        let swapped = Keyness::compute(LlForm::TwoTerm, a, b, c, d);
        assert_eq!(swapped.status, Status::Down);
        assert!(close(swapped.log_likelihood, 2.3306, 5e-5));
        assert!(close(swapped.log_ratio, -0.4935, 5e-5));
        // (551/8870 - 23/263) * 100 / (23/263) = -28.9677
        assert!(close(swapped.pct_diff.unwrap(), -28.9677, 5e-4));
    }

    #[test]
    fn rates_per_ten_thousand() {
        let k = Keyness::compute(LlForm::TwoTerm, 551, 23, 8870, 263);
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
        let k = Keyness::compute(LlForm::TwoTerm, 0, 10, 2000, 1000);
        assert_eq!(k.status, Status::New);
        assert!(close(k.log_likelihood, 20.0 * 3f64.ln(), 1e-9));
        assert!(close(k.log_ratio, 40f64.log2(), 1e-9));
        assert_eq!(
            k.pct_diff, None,
            "an increase from nothing has no percentage"
        );
        assert_eq!(k.significance(), "****");
        assert_eq!(k.status_at(0.0001), Status::New);

        // Gone from NEW: the mirror image.
        let k = Keyness::compute(LlForm::TwoTerm, 10, 0, 1000, 2000);
        assert_eq!(k.status, Status::Gone);
        assert!(close(k.log_likelihood, 20.0 * 3f64.ln(), 1e-9));
        assert!(close(k.log_ratio, -(40f64.log2()), 1e-9));
        assert_eq!(k.pct_diff, Some(-100.0));
        assert_eq!(k.status.direction(), -1);
    }

    #[test]
    fn both_zero() {
        let k = Keyness::compute(LlForm::TwoTerm, 0, 0, 5000, 7000);
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
        let k = Keyness::compute(LlForm::TwoTerm, 0, 3, 0, 100);
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
            let k = Keyness::compute(LlForm::TwoTerm, count, count, tokens, tokens);
            assert_eq!(k.status, Status::Same);
            assert_eq!(k.log_likelihood, 0.0);
            assert_eq!(k.log_ratio, 0.0);
            assert_eq!(k.pct_diff, Some(0.0));
            assert_eq!(log_likelihood(count, count, tokens, tokens), 0.0);
        }
        // Equal rates in corpora of different sizes are also unchanged.
        let k = Keyness::compute(LlForm::TwoTerm, 3, 6, 1000, 2000);
        assert_eq!(k.status, Status::Same);
        assert_eq!(k.log_likelihood, 0.0);
    }

    #[test]
    fn significance_marks_follow_the_exact_p_value() {
        let mark = |g2: f64| significance_mark(p_value(g2));
        assert_eq!(mark(3.83), "");
        // The table values are rounded: 3.84 is p = 0.05004, just not below 0.05.
        assert_eq!(mark(3.84), "");
        assert_eq!(mark(3.8415), "*");
        assert_eq!(mark(6.64), "**");
        assert_eq!(mark(10.83), "***");
        assert_eq!(mark(15.13), "***", "p = 0.0001004 is not below 0.0001");
        assert_eq!(mark(15.14), "****");
        assert_eq!(p_below(p_value(7.0)), Some(0.01));
        assert_eq!(p_below(p_value(1.0)), None);
        assert_eq!(p_value(0.0), 1.0);
    }

    /// The UCREL log-likelihood wizard's example: a = 10, b = 5, c = 10,000, d = 20,000.
    #[test]
    fn ucrel_wizard_example() {
        let (a, b, c, d) = (10, 5, 10_000, 20_000);
        let two = log_likelihood(a, b, c, d);
        assert!(close(two, 6.931472, 5e-7), "two-term {two}");
        let four = log_likelihood_four_term(a, b, c, d);
        assert!(close(four, 6.935224, 5e-7), "four-term {four}");
        assert!(close(log_ratio(a, b, c, d), 2.0, 1e-12));
        assert!(close(pct_diff(a, b, c, d).unwrap(), 300.0, 1e-9));
        assert!(close(bic(two, c + d), -3.377481, 5e-7));
        assert!(close(ell(two, a, b, c, d).unwrap(), 0.000144, 5e-7));
        // Through Keyness (NEW is corpus 1), in both forms.
        let k = Keyness::compute(LlForm::TwoTerm, b, a, d, c);
        assert!(close(k.log_likelihood, 6.931472, 5e-7));
        assert!(close(k.bic, -3.377481, 5e-7));
        assert!(close(k.ell.unwrap(), 0.000144, 5e-7));
        assert_eq!(k.status_at(0.05), Status::Up);
        assert_eq!(k.status_at(0.001), Status::NoSignificantChange);
        let k = Keyness::compute(LlForm::FourTerm, b, a, d, c);
        assert!(close(k.log_likelihood, 6.935224, 5e-7));
        assert!(close(k.bic, 6.935224 - 30_000f64.ln(), 5e-7));
    }

    /// AntConc's keyword example: 23 hits in 263 tokens against 551 in 8,870.
    #[test]
    fn antconc_example_in_both_forms() {
        let (a, b, c, d) = (23, 551, 263, 8870);
        assert!(close(log_likelihood(a, b, c, d), 2.330552, 5e-7));
        assert!(close(log_likelihood_four_term(a, b, c, d), 2.506973, 5e-7));
        assert!(close(log_ratio(a, b, c, d), 0.493453, 5e-7));
        assert!(close(pct_diff(a, b, c, d).unwrap(), 40.781020, 5e-6));
        for form in [LlForm::TwoTerm, LlForm::FourTerm] {
            let k = Keyness::compute(form, b, a, d, c);
            assert_eq!(k.status, Status::Up);
            assert_eq!(k.status_at(0.05), Status::NoSignificantChange, "{form:?}");
            assert_eq!(k.status_at(0.05).name(), "no significant change");
        }
    }

    #[test]
    fn chi_squared_p_values_and_critical_values() {
        assert!(close(p_value(15.13), 0.0001004, 5e-8), "{}", p_value(15.13));
        assert!(close(critical_g2(0.05), 3.841459, 5e-6));
        assert!(close(critical_g2(0.0001), 15.136705, 5e-5));
        let m = 10_000;
        let bonferroni = corrected_alpha(0.05, m, Correction::Bonferroni);
        assert!(close(bonferroni, 5e-6, 1e-18));
        assert!(
            close(critical_g2(bonferroni), 20.837, 5e-4),
            "{}",
            critical_g2(bonferroni)
        );
        let sidak = corrected_alpha(0.05, m, Correction::Sidak);
        assert!(
            close(critical_g2(sidak), 20.788, 5e-4),
            "{}",
            critical_g2(sidak)
        );
        assert!(sidak > bonferroni, "Šidák is a little less strict");
        assert_eq!(corrected_alpha(0.05, m, Correction::None), 0.05);
        assert_eq!(corrected_alpha(0.05, 1, Correction::Bonferroni), 0.05);
        assert_eq!(corrected_alpha(0.05, 0, Correction::Sidak), 0.05);
        // The critical value is where p crosses alpha.
        let g = critical_g2(bonferroni);
        assert!(close(p_value(g), bonferroni, 1e-9));
    }

    #[test]
    fn ell_is_undefined_for_small_expected_counts_and_four_term_handles_large_corpora() {
        // E1 = 1000 * 2 / 3000 < 1.
        assert_eq!(ell(5.0, 1, 1, 1000, 2000), None);
        // Emin exactly 1: ln 1 = 0.
        assert_eq!(ell(5.0, 1, 2, 1000, 2000), None);
        // Four-term on a billion tokens stays close to two-term for a rare word (the other
        // cells add almost nothing) and is never negative.
        let (a, b, c, d) = (300, 100, 1_000_000_000, 1_000_000_000);
        let two = log_likelihood(a, b, c, d);
        let four = log_likelihood_four_term(a, b, c, d);
        assert!(four >= two && four - two < 1e-3, "{two} {four}");
        assert_eq!(log_likelihood_four_term(0, 0, 0, 0), 0.0);
        assert_eq!(log_likelihood_four_term(5, 5, 100, 100), 0.0);
    }

    #[test]
    fn status_compares_rates_exactly() {
        assert_eq!(status(1, 2, 100, 199), Status::Up);
        assert_eq!(status(1, 2, 100, 201), Status::Down);
        assert_eq!(status(1, 2, 100, 200), Status::Same);
    }
}
