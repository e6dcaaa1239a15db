//! Recognising paragraph numbers at the start of a block ("4.9", "379.") in statutory guidance.

use std::sync::LazyLock;

use regex::Regex;

/// A paragraph number opens a block: dotted decimals ("4.9", "1.2.3", "2.10.") or a short integer
/// followed by a full stop ("379."), or an annex's lettered number ("A.1"), then white space and the start of a sentence. Years and
/// references inside sentences ("2017 (the Act)", "1989 Act") do not match.
static PARAGRAPH_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:((?:[A-Z]\.)?\d{1,3}(?:\.\d{1,3})+|[A-Z]\.\d{1,3})\.?|(\d{1,4})\.)[ \t\u{a0}]+[\p{Lu}\p{N}“‘'\x22(]")
        .expect("valid regex")
});

/// The paragraph number a block starts with, without a trailing full stop.
pub fn paragraph_number(text: &str) -> Option<String> {
    let text = text.trim_start();
    // Every block of every document is asked: most are ruled out by their first two bytes
    // before the regex runs ("4", "A."; `\d` is any Unicode digit, so a non-ASCII numeric
    // character passes too).
    let may_be_numbered = match text.as_bytes() {
        [b'0'..=b'9', ..] | [b'A'..=b'Z', b'.', ..] => true,
        [0x80..=0xff, ..] => text.chars().next().is_some_and(char::is_numeric),
        _ => false,
    };
    if !may_be_numbered {
        return None;
    }
    // A match without captures runs on the regex's fast automaton. The number is the text
    // before the first space, less the one full stop after it (neither group ends with one).
    if !PARAGRAPH_NUMBER.is_match(text) {
        return None;
    }
    let number = &text[..text.find([' ', '\t', '\u{a0}'])?];
    Some(number.strip_suffix('.').unwrap_or(number).to_string())
}

/// A heading that opens a new division ("Chapter 9: Complaints", "Annex A", "Appendix 2"):
/// text after it no longer belongs to the last numbered paragraph.
static DIVISION_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Chapter|CHAPTER|Annex|ANNEX|Appendix|APPENDIX|Part|PART|Schedule|SCHEDULE|Section|SECTION)\s+[0-9A-Z]")
        .expect("valid regex")
});

fn is_division_heading(text: &str) -> bool {
    // The regex runs only on text starting with the first letter of one of its words.
    matches!(text.as_bytes().first(), Some(b'C' | b'A' | b'P' | b'S'))
        && DIVISION_HEADING.is_match(text)
}

/// Gives every block without a number of its own the number of the paragraph it continues, so
/// a bullet list or a table under paragraph 4.9 is cited as para 4.9. The carried number stops at
/// a chapter, annex or appendix heading.
pub fn carry_forward(blocks: &mut [crate::document::Block]) {
    carry_numbers(blocks, None, |_| false);
}

/// As [`carry_forward`], for blocks that continue earlier text whose number was `carried` (a
/// chunk of a streamed file after the one before it).
pub fn carry_forward_from(blocks: &mut [crate::document::Block], carried: Option<String>) {
    carry_numbers(blocks, carried, |_| false);
}

/// As [`carry_forward`], and the carried number also stops at every block for which
/// `is_heading(index)` is true (formats that know their headings, e.g. from font sizes).
pub fn carry_forward_until(
    blocks: &mut [crate::document::Block],
    is_heading: impl Fn(usize) -> bool,
) {
    carry_numbers(blocks, None, is_heading);
}

/// [`carry_forward_until`] starting with `current` as the number carried in.
fn carry_numbers(
    blocks: &mut [crate::document::Block],
    mut current: Option<String>,
    is_heading: impl Fn(usize) -> bool,
) {
    for (i, block) in blocks.iter_mut().enumerate() {
        match &block.section {
            Some(number) => current = Some(number.clone()),
            None => {
                let text = block.text.trim_start();
                if is_heading(i) || text.len() < 160 && is_division_heading(text) {
                    current = None;
                }
                block.section.clone_from(&current);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::paragraph_number;

    #[test]
    fn finds_numbered_paragraphs() {
        assert_eq!(
            paragraph_number("4.9 Local authorities must").as_deref(),
            Some("4.9")
        );
        assert_eq!(
            paragraph_number("1.10. Research and practice").as_deref(),
            Some("1.10")
        );
        assert_eq!(
            paragraph_number("379. The local authority").as_deref(),
            Some("379")
        );
        assert_eq!(
            paragraph_number("12. Designated teachers").as_deref(),
            Some("12")
        );
        // Digits of other scripts are digits to the regex too (found in review).
        assert_eq!(
            paragraph_number("\u{664}.9 Local authorities").as_deref(),
            Some("\u{664}.9")
        );
        assert_eq!(
            paragraph_number("\u{ff14}.9 Local authorities").as_deref(),
            Some("\u{ff14}.9")
        );
    }

    #[test]
    fn carried_numbers_stop_at_a_new_division() {
        use crate::document::Block;
        let block = |text: &str| Block {
            section: paragraph_number(text),
            text: text.to_string(),
            ..Block::default()
        };
        let mut blocks = vec![
            block("9.15 Complaints must be heard."),
            block("• a bullet under 9.15"),
            block("Appendix A"),
            block("Knowledge of a repertoire"),
        ];
        super::carry_forward(&mut blocks);
        let sections: Vec<Option<&str>> = blocks.iter().map(|b| b.section.as_deref()).collect();
        assert_eq!(sections, [Some("9.15"), Some("9.15"), None, None]);
    }

    /// The number is read off the text after a match; it must be what the regex's groups hold.
    #[test]
    fn the_number_is_the_regexs_group() {
        let by_groups = |text: &str| {
            let caps = super::PARAGRAPH_NUMBER.captures(text.trim_start())?;
            caps.get(1)
                .or_else(|| caps.get(2))
                .map(|m| m.as_str().to_string())
        };
        let pieces = [
            "4", "9", "12", "1000", "A", "B", ".", ".", " ", "\t", "\u{a0}", "L", "l", "“", "(",
            "\u{664}", "x", "-",
        ];
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        let mut numbered = 0;
        for _ in 0..100_000 {
            let text: String = (0..next() % 9)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let expected = by_groups(&text);
            numbered += usize::from(expected.is_some());
            assert_eq!(paragraph_number(&text), expected, "{text:?}");
        }
        assert!(numbered > 200, "{numbered}");
    }

    #[test]
    fn ignores_numbers_inside_sentences() {
        assert_eq!(paragraph_number("2017 (“the 2017 Act”)."), None);
        assert_eq!(paragraph_number("1989 Act and regulation 9 of the"), None);
        assert_eq!(paragraph_number("25 and qualifies for advice"), None);
        assert_eq!(paragraph_number("3.5 per cent of children"), None);
    }
}
