//! Headings as structure: every block learns the nearest heading above it, from the blocks the
//! extractors marked as headings (`Block::heading_level`: PDF type set larger than the body,
//! HTML `h1`–`h4`, DOCX heading styles, CLML Part/Chapter/cross-heading/section titles).
//! Run once per document after normalisation, so a heading's text is cleaned like any other
//! text and a running header removed there is never taken for a heading.

use crate::document::Block;

/// Fills `Block::heading` of every block: the text of the last heading block at or above it;
/// `None` before the first heading. A heading block is under itself.
pub fn carry(blocks: &mut [Block]) {
    let mut current: Option<String> = None;
    for block in blocks {
        if block.heading_level.is_some() {
            current = Some(block.text.clone());
        }
        block.heading.clone_from(&current);
    }
}

/// Levels 1, 2, … for heading font sizes, the largest size level 1: `sizes` are the sizes of
/// the heading blocks, in any order; sizes within 0.5 pt are one level.
pub fn levels_by_size(sizes: &[f64]) -> Vec<u8> {
    let mut distinct: Vec<f64> = Vec::new();
    let mut sorted = sizes.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for size in sorted {
        if distinct.last().is_none_or(|last| last - size > 0.5) {
            distinct.push(size);
        }
    }
    sizes
        .iter()
        .map(|size| {
            let rank = distinct
                .iter()
                .position(|d| d - size <= 0.5)
                .unwrap_or(distinct.len());
            u8::try_from(rank + 1).unwrap_or(u8::MAX)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_block_is_under_the_last_heading_above_it() {
        let block = |text: &str, level: Option<u8>| Block {
            text: text.into(),
            heading_level: level,
            ..Block::default()
        };
        let mut blocks = vec![
            block("Preface", None),
            block("Findings", Some(1)),
            block("Text", None),
            block("Detail", Some(2)),
            block("More text", None),
        ];
        carry(&mut blocks);
        let headings: Vec<Option<&str>> = blocks.iter().map(|b| b.heading.as_deref()).collect();
        assert_eq!(
            headings,
            [
                None,
                Some("Findings"),
                Some("Findings"),
                Some("Detail"),
                Some("Detail")
            ]
        );
    }

    #[test]
    fn larger_type_is_a_higher_level() {
        assert_eq!(levels_by_size(&[14.0, 18.0, 14.2, 12.0]), [2, 1, 2, 3]);
    }
}
