//! Caps on what one request may upload, so that many uploads cannot exhaust the machine: bytes
//! per file, files per request, bytes per request, and bytes a DOCX (a zip) unpacks to.

/// The caps. The defaults fit a few hundred long reports; `TERMTALLY_SERVE_MAX_*` variables
/// (bytes, or a count) change them, for tests and unusual corpora.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_request_bytes: u64,
    /// Total uncompressed bytes of the DOCX files of one request, as their zip directories
    /// declare them.
    pub max_unpacked_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 << 20,
            max_files: 200,
            max_request_bytes: 1 << 30,
            max_unpacked_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// The defaults, less or more where a `TERMTALLY_SERVE_MAX_*` variable says so.
    pub fn from_env() -> Limits {
        let read = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(default)
        };
        let d = Limits::default();
        Limits {
            max_file_bytes: read("TERMTALLY_SERVE_MAX_FILE_BYTES", d.max_file_bytes),
            max_files: read("TERMTALLY_SERVE_MAX_FILES", d.max_files as u64) as usize,
            max_request_bytes: read("TERMTALLY_SERVE_MAX_REQUEST_BYTES", d.max_request_bytes),
            max_unpacked_bytes: read("TERMTALLY_SERVE_MAX_UNPACKED_BYTES", d.max_unpacked_bytes),
        }
    }

    /// The message for a file over the per-file cap.
    pub fn file_too_large(&self, name: &str) -> String {
        format!(
            "{name}: larger than {} (the largest file termtally serve accepts)",
            bytes_text(self.max_file_bytes)
        )
    }

    /// The message for a request with too many files.
    pub fn too_many_files(&self) -> String {
        format!(
            "more than {} files in one upload: add them in smaller groups",
            self.max_files
        )
    }

    /// The message for DOCX files that unpack to more than the cap.
    pub fn unpacks_too_large(&self) -> String {
        format!(
            "the DOCX files of this upload unpack to more than {}: add them in smaller groups",
            bytes_text(self.max_unpacked_bytes)
        )
    }
}

/// The bytes a zip file (DOCX) declares it unpacks to; `None` when `bytes` is not a zip (or not
/// a readable one: extraction then says what is wrong).
pub fn unpacked_bytes(bytes: &[u8]) -> Option<u64> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).ok()?;
        total = total.saturating_add(entry.size());
    }
    Some(total)
}

/// 100 MB, 512 KB, 10 bytes.
pub fn bytes_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_zip_declares_what_it_unpacks_to() {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("word/document.xml", options).unwrap();
            zip.write_all(&vec![b'a'; 300_000]).unwrap();
            zip.start_file("other.xml", options).unwrap();
            zip.write_all(&vec![b'b'; 5_000]).unwrap();
            zip.finish().unwrap();
        }
        let bytes = buffer.into_inner();
        assert!(bytes.len() < 10_000, "compressed well: {}", bytes.len());
        assert_eq!(unpacked_bytes(&bytes), Some(305_000));
        assert_eq!(unpacked_bytes(b"%PDF-1.4"), None);
        assert_eq!(bytes_text(100 << 20), "100 MB");
        assert_eq!(bytes_text(2048), "2 KB");
    }
}
