//! Documents given twice: files with the same bytes (SHA-256), found before anything is
//! extracted so a copy under another name is not counted twice. Only files of equal size are
//! read and hashed, so a batch of distinct files costs one `stat` each.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A file whose content is that of an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Index of the copy in the list given.
    pub index: usize,
    /// Index of the first file with the same content.
    pub first: usize,
}

/// The files of `paths` whose bytes equal those of an earlier file (the same path given twice
/// included), in order. `-` (standard input) and files that cannot be read are never
/// duplicates: reading them is left to extraction, which reports the problem.
pub fn find_duplicates(paths: &[PathBuf]) -> Vec<Duplicate> {
    let mut by_size: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, path) in paths.iter().enumerate() {
        if path.as_os_str() == "-" {
            continue;
        }
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_file() {
                by_size.entry(meta.len()).or_default().push(i);
            }
        }
    }
    let mut duplicates = Vec::new();
    for (&size, same_size) in by_size.iter().filter(|(_, v)| v.len() > 1) {
        // Files of a size are told apart by their first 4 KB first (the parts of a split file,
        // a folder of reports, differ there); only those whose beginnings are the same are
        // read whole.
        let mut same_start: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
        for &i in same_size {
            if let Ok(digest) = sha256_of(&paths[i], Some(PREFIX_BYTES)) {
                same_start.entry(digest).or_default().push(i);
            }
        }
        let mut first_of: HashMap<[u8; 32], usize> = HashMap::new();
        for (start, same) in same_start.iter().filter(|(_, v)| v.len() > 1) {
            for &i in same {
                // A file no longer than the prefix has been hashed whole already.
                let digest = if size <= PREFIX_BYTES {
                    *start
                } else {
                    let Ok(digest) = sha256_of(&paths[i], None) else {
                        continue;
                    };
                    digest
                };
                match first_of.get(&digest) {
                    Some(&first) => duplicates.push(Duplicate { index: i, first }),
                    None => {
                        first_of.insert(digest, i);
                    }
                }
            }
        }
    }
    duplicates.sort_by_key(|d| d.index);
    duplicates
}

/// How much of each file of a shared size is hashed before the whole file is.
const PREFIX_BYTES: u64 = 1 << 12;

/// The SHA-256 of a file's bytes (of its first `limit` bytes at most), read in blocks.
fn sha256_of(path: &Path, limit: Option<u64>) -> std::io::Result<[u8; 32]> {
    let file = std::fs::File::open(path)?;
    let mut reader = file.take(limit.unwrap_or(u64::MAX));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_under_other_names_are_found_and_distinct_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let a = write("a.txt", "same words");
        let b = write("b.txt", "other text");
        let c = write("c.txt", "same words");
        let d = write("d.txt", "same wordz"); // same size, other content
        // Larger than the prefix hashed first: the same beginning, another end.
        let long = "x".repeat(PREFIX_BYTES as usize + 10);
        let e = write("e.txt", &format!("{long}end"));
        let f = write("f.txt", &format!("{long}END"));
        let g = write("g.txt", &format!("{long}end"));
        let paths = vec![a.clone(), b, c, d, a, PathBuf::from("-"), e, f, g];
        assert_eq!(
            find_duplicates(&paths),
            vec![
                Duplicate { index: 2, first: 0 },
                Duplicate { index: 4, first: 0 },
                Duplicate { index: 8, first: 6 },
            ]
        );
    }
}
