//! Lenient repair of PDFs whose cross-reference table is wrong, as poppler and qpdf do it.
//!
//! lopdf reads the file from its `startxref` pointer and gives up when that pointer or the table
//! it points to is wrong (an editor appended a second `%%EOF`, a tool rewrote the objects without
//! updating the offsets, an FTP transfer changed line ends). poppler then scans the file for
//! `N G obj` headers instead; so does this module: it appends a fresh cross-reference table and
//! trailer built from the object headers it finds, and lopdf loads the result normally. Objects
//! inside object streams need no entry: lopdf unpacks every object stream it loads.

use regex::bytes::Regex;
use std::sync::LazyLock;

/// How far from the end of the file the final `%%EOF` must be for the file to count as
/// complete. A download cut short has none there, and stays refused: repairing it would count
/// the pages that happened to arrive as if they were the whole document.
const TAIL: usize = 1024;

static OBJECT_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(?:^|[\s>\]])(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")
        .unwrap()
});
static ROOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/Root\s*(\d{1,10})\s+(\d{1,5})\s+R").unwrap());
static INFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/Info\s*(\d{1,10})\s+(\d{1,5})\s+R").unwrap());
static ENCRYPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/Encrypt\s*(\d{1,10})\s+(\d{1,5})\s+R").unwrap());
static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)/ID\s*\[[^\]]{0,200}\]").unwrap());
static CATALOG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)/Type\s*/Catalog\b").unwrap());

/// Whether the file ends like a complete PDF (a `%%EOF` near its end).
pub fn looks_complete(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(TAIL)..];
    memchr::memmem::rfind(tail, b"%%EOF").is_some()
}

/// The file up to the first `%%EOF` after its last `startxref`, when something follows it
/// (lopdf looks for `startxref` only just before the very last `%%EOF`).
pub fn trim_after_eof(bytes: &[u8]) -> Option<&[u8]> {
    let tail_start = bytes.len().saturating_sub(TAIL);
    let startxref = tail_start + memchr::memmem::rfind(&bytes[tail_start..], b"startxref")?;
    let eof = startxref + memchr::memmem::find(&bytes[startxref..], b"%%EOF")? + 5;
    (bytes[eof..].iter().any(|b| !b.is_ascii_whitespace())).then(|| &bytes[..eof])
}

/// The file with a rebuilt cross-reference table appended, or `None` when no object headers or
/// no document catalogue can be found. Offsets count from `%PDF-`, as lopdf reads them.
pub fn rebuild_xref(bytes: &[u8]) -> Option<Vec<u8>> {
    let start = memchr::memmem::find(bytes, b"%PDF-")?;
    let body = &bytes[start..];
    // A later header for the same number wins, as in an incremental update.
    let mut offsets: std::collections::BTreeMap<u32, (u16, usize)> = Default::default();
    for caps in OBJECT_HEADER.captures_iter(body) {
        let (Some(id), Some(generation)) = (
            number(caps.get(1)?.as_bytes()),
            number(caps.get(2)?.as_bytes()),
        ) else {
            continue;
        };
        let Ok(generation) = u16::try_from(generation) else {
            continue;
        };
        offsets.insert(id, (generation, caps.get(1)?.start()));
    }
    let max_id = *offsets.keys().next_back()?;
    let root = last_reference(&ROOT, body).or_else(|| catalog(body, &offsets))?;
    let mut out = Vec::with_capacity(body.len() + 32 * offsets.len() + 256);
    out.extend_from_slice(body);
    out.push(b'\n');
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", max_id + 1).as_bytes());
    for id in 1..=max_id {
        match offsets.get(&id) {
            Some((generation, offset)) => {
                out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes())
            }
            None => out.extend_from_slice(b"0000000000 65535 f\r\n"),
        }
    }
    let mut trailer = format!(
        "trailer\n<< /Size {} /Root {} {} R",
        max_id + 1,
        root.0,
        root.1
    );
    if let Some((id, generation)) = last_reference(&INFO, body) {
        trailer.push_str(&format!(" /Info {id} {generation} R"));
    }
    if let Some((id, generation)) = last_reference(&ENCRYPT, body) {
        trailer.push_str(&format!(" /Encrypt {id} {generation} R"));
    }
    out.extend_from_slice(trailer.as_bytes());
    // The file identifier is part of the encryption key: keep it when there is one.
    if let Some(id) = ID.find_iter(body).last() {
        out.push(b' ');
        out.extend_from_slice(id.as_bytes());
    }
    out.extend_from_slice(format!(" >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    Some(out)
}

fn number(digits: &[u8]) -> Option<u32> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn last_reference(pattern: &Regex, body: &[u8]) -> Option<(u32, u16)> {
    let caps = pattern.captures_iter(body).last()?;
    Some((number(&caps[1])?, u16::try_from(number(&caps[2])?).ok()?))
}

/// The object whose dictionary says `/Type /Catalog`, for a file that has lost its trailer.
fn catalog(
    body: &[u8],
    offsets: &std::collections::BTreeMap<u32, (u16, usize)>,
) -> Option<(u32, u16)> {
    let found = CATALOG.find_iter(body).last()?.start();
    offsets
        .iter()
        .filter(|(_, (_, offset))| *offset < found)
        .max_by_key(|(_, (_, offset))| *offset)
        .map(|(&id, &(generation, _))| (id, generation))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &[&str] = &[
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ];

    fn pdf(xref_offset_error: usize) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = vec![];
        for (i, object) in OBJECTS.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                xref + xref_offset_error
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn a_wrong_startxref_is_repaired_by_scanning() {
        let broken = pdf(7);
        assert!(lopdf_loads(&pdf(0)));
        assert!(!lopdf_loads(&broken), "the fixture must defeat lopdf");
        let repaired = rebuild_xref(&broken).expect("repairable");
        let doc = pdf_extract::Document::load_mem(&repaired).expect("repaired loads");
        assert_eq!(doc.get_pages().len(), 1);
    }

    #[test]
    fn truncated_files_do_not_look_complete() {
        let whole = pdf(0);
        assert!(looks_complete(&whole));
        assert!(!looks_complete(&whole[..whole.len() - 40]));
    }

    fn lopdf_loads(bytes: &[u8]) -> bool {
        pdf_extract::Document::load_mem(bytes).is_ok()
    }
}
