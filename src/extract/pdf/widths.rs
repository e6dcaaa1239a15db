//! Rewrites the glyph widths of CID fonts into the form `pdf-extract` reads right.
//!
//! A CIDFont's `/W` array (PDF 32000-1, 9.7.4.3) gives widths in two forms: `c [w1 w2 …]` for
//! the CIDs from `c` on, and `c_first c_last w` for every CID of a range. `pdf-extract` 0.12
//! reads the second form wrongly: it takes `c_first` for the last CID and for the width and
//! leaves the range out, so those glyphs fall back to `/DW` (500, or 0 as Skia often writes it).
//! It also takes a `/DW` that is not an integer for 1000. Skia (Chrome's print to PDF) writes
//! digits and runs of letters of one width as ranges, so words drifted apart or ran together.
//! Widths set a glyph's right edge for the word gaps, and where a string of several glyphs is
//! shown, where the next glyph goes. So before the pages are read, every range is rewritten
//! into the list form and a real `/DW` rounded to an integer.

use pdf_extract::{Document, Object, ObjectId};

/// CIDs run from 0 to 65535: a longer range is damage and is left as it is.
const MAX_RANGE: i64 = 1 << 16;
/// Widths written out per document at most, so a hostile file cannot make us allocate without
/// bound (a few fonts of 65536 glyphs each fit).
const MAX_WIDTHS: usize = 1 << 20;

/// Where a CIDFont dictionary is: an object of its own, or written directly inside a Type0
/// font's `/DescendantFonts` array (as some producers do), which a scan of the objects alone
/// would miss and leave misread.
enum FontAt {
    Object(ObjectId),
    Descendant(ObjectId, usize),
}

/// The keys of one font dictionary to set, with their new values.
type FontChanges = Vec<(&'static [u8], Object)>;

/// Rewrites `/W` ranges and real `/DW`s of every CIDFont in the document.
pub fn normalise_cid_widths(doc: &mut Document) {
    let mut budget = MAX_WIDTHS;
    let mut changes: Vec<(FontAt, FontChanges)> = Vec::new();
    for (&id, object) in &doc.objects {
        let Object::Dictionary(dict) = object else {
            continue;
        };
        if is_cid_font(dict) {
            changes.push((FontAt::Object(id), font_changes(doc, dict, &mut budget)));
        } else if let Ok(Object::Array(descendants)) = dict.get(b"DescendantFonts") {
            for (i, descendant) in descendants.iter().enumerate() {
                if let Object::Dictionary(font) = descendant
                    && is_cid_font(font)
                {
                    let found = font_changes(doc, font, &mut budget);
                    changes.push((FontAt::Descendant(id, i), found));
                }
            }
        }
    }
    for (at, font_changes) in changes {
        let dict = match at {
            FontAt::Object(id) => doc
                .get_object_mut(id)
                .ok()
                .and_then(|o| o.as_dict_mut().ok()),
            FontAt::Descendant(id, i) => doc
                .get_object_mut(id)
                .ok()
                .and_then(|o| o.as_dict_mut().ok())
                .and_then(|d| d.get_mut(b"DescendantFonts").ok())
                .and_then(|a| a.as_array_mut().ok())
                .and_then(|a| a.get_mut(i))
                .and_then(|f| f.as_dict_mut().ok()),
        };
        if let Some(dict) = dict {
            for (key, value) in font_changes {
                dict.set(key, value);
            }
        }
    }
}

fn is_cid_font(dict: &pdf_extract::Dictionary) -> bool {
    dict.get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|name| name == b"CIDFontType2" || name == b"CIDFontType0")
}

/// The new `/DW` and `/W` of one CIDFont, where they need rewriting.
fn font_changes(doc: &Document, dict: &pdf_extract::Dictionary, budget: &mut usize) -> FontChanges {
    let mut changes = Vec::new();
    if let Ok(&Object::Real(dw)) = dict.get(b"DW") {
        changes.push((&b"DW"[..], Object::Integer(f64::from(dw).round() as i64)));
    }
    let widths = dict
        .get(b"W")
        .ok()
        .and_then(|w| doc.dereference(w).ok())
        .and_then(|(_, w)| w.as_array().ok());
    if let Some(listed) = widths.and_then(|w| as_lists(doc, w, budget)) {
        changes.push((&b"W"[..], Object::Array(listed)));
    }
    changes
}

/// The `/W` array with every `c_first c_last w` range written as `c_first [w w …]` and
/// indirect objects inside it resolved (`pdf-extract` reads neither), or `None` when it has
/// neither or is malformed (then `pdf-extract` reads it as it stands).
fn as_lists(doc: &Document, w: &[Object], budget: &mut usize) -> Option<Vec<Object>> {
    let changed = std::cell::Cell::new(false);
    let resolve = |o: &Object| {
        if matches!(o, Object::Reference(_)) {
            changed.set(true);
        }
        doc.dereference(o).ok().map(|(_, o)| o.clone())
    };
    let mut out = Vec::with_capacity(w.len());
    // Widths of the list form copied so far: charged to the budget only if this /W is rewritten
    // (kept), but checked before each copy, so a list shared by thousands of fonts cannot be
    // copied for each without bound.
    let mut listed = 0usize;
    let mut i = 0;
    while i < w.len() {
        let first = resolve(&w[i])?.as_i64().ok()?;
        match resolve(w.get(i + 1)?)? {
            Object::Array(list) => {
                listed = listed.checked_add(list.len()).filter(|&n| n <= *budget)?;
                let list = list.iter().map(resolve).collect::<Option<Vec<_>>>()?;
                if list.iter().any(|w| w.as_float().is_err()) {
                    return None;
                }
                out.push(Object::Integer(first));
                out.push(Object::Array(list));
                i += 2;
            }
            last => {
                let last = last.as_i64().ok()?;
                let width = resolve(w.get(i + 2)?)?;
                width.as_float().ok()?;
                let count = last.checked_sub(first)?.checked_add(1)?;
                if !(1..=MAX_RANGE).contains(&count) || count as usize + listed > *budget {
                    return None;
                }
                *budget -= count as usize;
                out.push(Object::Integer(first));
                out.push(Object::Array(vec![width; count as usize]));
                changed.set(true);
                i += 3;
            }
        }
    }
    if changed.get() {
        *budget -= listed;
        Some(out)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pdf_extract::Dictionary;

    fn widths_of(doc: &Document, id: ObjectId) -> Vec<Object> {
        doc.get_dictionary(id)
            .unwrap()
            .get(b"W")
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn cid_font(doc: &mut Document, w: Object) -> ObjectId {
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Font".to_vec()));
        dict.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
        dict.set("DW", Object::Real(499.6));
        dict.set("W", w);
        doc.add_object(Object::Dictionary(dict))
    }

    #[test]
    fn ranges_become_lists_and_lists_stay() {
        let mut doc = Document::with_version("1.4");
        let w = vec![
            Object::Integer(3),
            Object::Array(vec![Object::Real(250.0), Object::Integer(333)]),
            Object::Integer(19),
            Object::Integer(21),
            Object::Real(556.0),
        ];
        let id = cid_font(&mut doc, Object::Array(w));
        normalise_cid_widths(&mut doc);
        let w = widths_of(&doc, id);
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], Object::Integer(3));
        assert_eq!(w[2], Object::Integer(19));
        assert_eq!(w[3], Object::Array(vec![Object::Real(556.0); 3]));
        let dw = doc.get_dictionary(id).unwrap().get(b"DW").unwrap().clone();
        assert_eq!(dw, Object::Integer(500));
    }

    #[test]
    fn a_cid_font_written_inside_its_type0_font_is_rewritten_too() {
        let mut doc = Document::with_version("1.4");
        let mut font = Dictionary::new();
        font.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
        let range = [Object::Integer(0), Object::Integer(1), Object::Integer(600)];
        font.set("W", Object::Array(range.to_vec()));
        let mut type0 = Dictionary::new();
        type0.set("Subtype", Object::Name(b"Type0".to_vec()));
        type0.set(
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(font)]),
        );
        let id = doc.add_object(Object::Dictionary(type0));
        normalise_cid_widths(&mut doc);
        let type0 = doc.get_dictionary(id).unwrap();
        let descendants = type0.get(b"DescendantFonts").unwrap().as_array().unwrap();
        let w = descendants[0].as_dict().unwrap().get(b"W").unwrap();
        assert_eq!(
            w.as_array().unwrap()[1],
            Object::Array(vec![Object::Integer(600); 2])
        );
    }

    #[test]
    fn a_long_list_shared_by_many_fonts_is_copied_within_the_budget() {
        let mut doc = Document::with_version("1.4");
        let mut w = vec![
            Object::Integer(0),
            Object::Array(vec![Object::Integer(500); 600_000]),
        ];
        w.extend([
            Object::Integer(700_000),
            Object::Integer(700_001),
            Object::Integer(600),
        ]);
        let shared = doc.add_object(Object::Array(w));
        let fonts: Vec<ObjectId> = (0..5)
            .map(|_| cid_font(&mut doc, Object::Reference(shared)))
            .collect();
        normalise_cid_widths(&mut doc);
        let rewritten = fonts
            .iter()
            .filter(|&&id| {
                !matches!(
                    doc.get_dictionary(id).unwrap().get(b"W"),
                    Ok(Object::Reference(_))
                )
            })
            .count();
        // 600,002 widths each against a budget of 1,048,576: one font, not five.
        assert_eq!(rewritten, 1);
    }

    #[test]
    fn a_referenced_array_is_read_and_damage_left_alone() {
        let mut doc = Document::with_version("1.4");
        let array = doc.add_object(Object::Array(vec![
            Object::Integer(0),
            Object::Integer(1),
            Object::Integer(600),
        ]));
        let id = cid_font(&mut doc, Object::Reference(array));
        // A range of four billion CIDs would be gigabytes of widths.
        let huge = vec![
            Object::Integer(0),
            Object::Integer(i64::from(u32::MAX)),
            Object::Integer(600),
        ];
        let damaged = cid_font(&mut doc, Object::Array(huge.clone()));
        normalise_cid_widths(&mut doc);
        assert_eq!(
            widths_of(&doc, id)[1],
            Object::Array(vec![Object::Integer(600); 2])
        );
        assert_eq!(widths_of(&doc, damaged), huge);
    }
}
