//! Which text of a page is set in a bold font, for finding headings set bold at body size.
//!
//! `pdf-extract` tells its output device each glyph's size but not its font. So the page's
//! content is walked here the way `pdf-extract` walks it (operators in order, `q`/`Q` saving and
//! restoring the font, a form XObject's content where `Do` draws it, each string of `Tj` and
//! `TJ` one `show_text`, announced to the device by `begin_word`), noting for each string
//! whether its font is bold: its `BaseFont` names a bold weight or its descriptor's
//! `FontWeight` is 600 or more. The layout then matches the strings to the `begin_word` calls;
//! when the numbers differ the page is taken to have no bold text rather than guessed.

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId};

/// Form XObjects drawn inside form XObjects are followed this deep (a cycle stops here).
const MAX_FORM_DEPTH: u32 = 8;

/// For each string the page shows, in drawing order: whether its font is bold.
pub fn bold_strings(doc: &Document, page: ObjectId) -> Vec<bool> {
    let mut out = Vec::new();
    let Ok(content) = doc.get_page_content(page) else {
        return out;
    };
    let resources = page_resources(doc, page);
    walk(doc, &content, resources, 0, &mut out);
    out
}

fn page_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(resources) = dict.get(b"Resources") {
            return doc.dereference(resources).ok()?.1.as_dict().ok();
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn walk(
    doc: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
    depth: u32,
    out: &mut Vec<bool>,
) {
    let Ok(content) = Content::decode(content) else {
        return;
    };
    let mut bold = false;
    let mut saved = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => saved.push(bold),
            "Q" => bold = saved.pop().unwrap_or(bold),
            "Tf" => {
                bold = op
                    .operands
                    .first()
                    .and_then(|name| name.as_name().ok())
                    .and_then(|name| resource(doc, resources, b"Font", name))
                    .is_some_and(|font| is_bold(doc, font));
            }
            "Tj" => out.push(bold),
            "TJ" => {
                if let Some(Ok(items)) = op.operands.first().map(Object::as_array) {
                    let strings = items
                        .iter()
                        .filter(|o| matches!(o, Object::String(..)))
                        .count();
                    out.extend(std::iter::repeat_n(bold, strings));
                }
            }
            "Do" if depth < MAX_FORM_DEPTH => {
                let form = op
                    .operands
                    .first()
                    .and_then(|name| name.as_name().ok())
                    .and_then(|name| resource(doc, resources, b"XObject", name))
                    .and_then(|o| o.as_stream().ok());
                if let Some(form) = form {
                    let inner = form
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| doc.dereference(r).ok())
                        .and_then(|(_, r)| r.as_dict().ok())
                        .or(resources);
                    let bytes = form
                        .decompressed_content()
                        .unwrap_or_else(|_| form.content.clone());
                    walk(doc, &bytes, inner, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// `resources[kind][name]`, references followed.
fn resource<'a>(
    doc: &'a Document,
    resources: Option<&'a Dictionary>,
    kind: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    let group = doc.dereference(resources?.get(kind).ok()?).ok()?.1;
    let object = group.as_dict().ok()?.get(name).ok()?;
    Some(doc.dereference(object).ok()?.1)
}

/// A font is bold when its name says so ("Arial-BoldMT", "ABCDEF+Calibri-Bold",
/// "Helvetica-Black") or its descriptor gives a weight of 600 or more.
fn is_bold(doc: &Document, font: &Object) -> bool {
    let Ok(font) = font.as_dict() else {
        return false;
    };
    let name = font
        .get(b"BaseFont")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
        .unwrap_or_default();
    // The style follows the family: "Arial-BoldMT", "Calibri,Bold", "SegoeUI-Semibold".
    let style = name.rsplit(['-', ',', '+']).next().unwrap_or_default();
    let named_bold = ["bold", "black", "heavy", "semibold", "demi"]
        .iter()
        .any(|w| style.contains(w));
    let weight = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(|d| doc.dereference(d).ok())
        .and_then(|(_, d)| d.as_dict().ok())
        .and_then(|d| d.get(b"FontWeight").ok())
        .and_then(|w| w.as_float().ok())
        .unwrap_or(0.0);
    named_bold || weight >= 600.0
}
