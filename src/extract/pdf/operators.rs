//! Rewrites the text operators `pdf-extract` does not know into ones it does.
//!
//! `pdf-extract` 0.12 interprets `Tj`, `TJ`, `T*`, `Tc` and `Tw` but silently drops `'` and `"`,
//! the "next line, then show" operators that ghostscript, CUPS and groff draw every regularly
//! spaced line with. By the PDF specification (9.4.3) they are exact abbreviations:
//! `string '` is `T* string Tj` and `aw ac string "` is `aw Tw ac Tc string '`. So before the pages
//! are interpreted, every content stream that uses them (pages and form XObjects) is rewritten
//! into the long forms.

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

/// Rewrites `'` and `"` in the content of the given pages and in every form XObject. Streams
/// without either byte are never decoded, so ordinary PDFs pay one byte scan per stream.
pub fn expand_quote_operators(doc: &mut Document, pages: &[ObjectId]) {
    for &page in pages {
        let Ok(content) = doc.get_page_content(page) else {
            continue;
        };
        let Some(rewritten) = expand(&content) else {
            continue;
        };
        let stream = doc.add_object(Stream::new(Dictionary::new(), rewritten));
        if let Ok(Object::Dictionary(dict)) = doc.get_object_mut(page) {
            dict.set("Contents", stream);
        }
    }
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let is_form = stream
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|name| name == b"Form");
        if !is_form {
            continue;
        }
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        if let Some(rewritten) = expand(&content) {
            stream.set_plain_content(rewritten);
        }
    }
}

/// The content with `'` and `"` expanded, or `None` when it has neither (or cannot be parsed,
/// in which case `pdf-extract` reports the page itself).
pub fn expand(content: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr2(b'\'', b'"', content)?;
    let decoded = Content::decode(content).ok()?;
    if !decoded
        .operations
        .iter()
        .any(|op| op.operator == "'" || op.operator == "\"")
    {
        return None;
    }
    let mut operations = Vec::with_capacity(decoded.operations.len() + 16);
    for op in decoded.operations {
        match (op.operator.as_str(), op.operands.as_slice()) {
            ("'", [text]) => {
                operations.push(Operation::new("T*", vec![]));
                operations.push(Operation::new("Tj", vec![text.clone()]));
            }
            ("\"", [word_spacing, char_spacing, text]) => {
                operations.push(Operation::new("Tw", vec![word_spacing.clone()]));
                operations.push(Operation::new("Tc", vec![char_spacing.clone()]));
                operations.push(Operation::new("T*", vec![]));
                operations.push(Operation::new("Tj", vec![text.clone()]));
            }
            // A malformed one shows nothing, as in other readers.
            ("'" | "\"", _) => {}
            _ => operations.push(op),
        }
    }
    Content { operations }.encode().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operators(content: &[u8]) -> Vec<String> {
        Content::decode(content)
            .unwrap()
            .operations
            .into_iter()
            .map(|op| op.operator)
            .collect()
    }

    #[test]
    fn quote_operators_become_next_line_and_show() {
        let out = expand(b"BT /F1 12 Tf 14 TL 72 700 Td (a b) Tj (c d) ' 1 2 (e f) \" ET").unwrap();
        assert_eq!(
            operators(&out),
            [
                "BT", "Tf", "TL", "Td", "Tj", "T*", "Tj", "Tw", "Tc", "T*", "Tj", "ET"
            ]
        );
        let ops = Content::decode(&out).unwrap().operations;
        assert_eq!(ops[7].operands, vec![Object::Integer(1)]);
        assert_eq!(ops[8].operands, vec![Object::Integer(2)]);
        assert_eq!(ops[10].operands[0].as_str().unwrap(), b"e f");
    }

    #[test]
    fn content_without_quote_operators_is_left_alone() {
        assert_eq!(expand(b"BT /F1 12 Tf (it's) Tj ET"), None);
        assert_eq!(expand(b"BT /F1 12 Tf (plain) Tj ET"), None);
    }
}
