//! Whether a PDF page shows an image: what tells a scanned page (an image, no text) from a blank
//! one. Kept apart from the glyph layout in `pdf.rs`.

use pdf_extract::{Dictionary, Document, Object, ObjectId};

/// Form XObjects nested deeper than this are not looked into (they would be unusual, and a
/// cycle must end).
const MAX_FORM_DEPTH: usize = 4;

/// Whether page `page_id` of `pdf` draws an image XObject, directly or inside a form XObject,
/// from its own resources or inherited ones. Inline images (`BI`…`EI`) are not seen: such a page
/// is called blank.
pub fn page_has_images(pdf: &Document, page_id: ObjectId) -> bool {
    let Ok((own, inherited)) = pdf.get_page_resources(page_id) else {
        return false;
    };
    own.into_iter()
        .chain(
            inherited
                .iter()
                .filter_map(|&id| pdf.get_dictionary(id).ok()),
        )
        .any(|resources| resources_have_images(pdf, resources, 0))
}

fn resources_have_images(pdf: &Document, resources: &Dictionary, depth: usize) -> bool {
    let Some(xobjects) = resources
        .get(b"XObject")
        .ok()
        .and_then(|x| resolve(pdf, x).as_dict().ok())
    else {
        return false;
    };
    xobjects.iter().any(|(_, value)| {
        let Ok(stream) = resolve(pdf, value).as_stream() else {
            return false;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => true,
            Ok(b"Form") if depth < MAX_FORM_DEPTH => stream
                .dict
                .get(b"Resources")
                .ok()
                .and_then(|r| resolve(pdf, r).as_dict().ok())
                .is_some_and(|r| resources_have_images(pdf, r, depth + 1)),
            _ => false,
        }
    })
}

/// The object a reference points to (the object itself when it is not a reference).
fn resolve<'a>(pdf: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => pdf.get_object(*id).unwrap_or(object),
        other => other,
    }
}
