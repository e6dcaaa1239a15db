//! FOLDER of `termtally serve FOLDER`: its documents, and the one check every path from the
//! browser passes before a file is opened — inside FOLDER once symlinks are resolved, with no
//! `..` even percent-encoded.

use std::path::{Component, Path, PathBuf};

/// A folder whose documents the browser may ask for, by path relative to it.
#[derive(Debug, Clone)]
pub struct Folder {
    /// Absolute, symlinks resolved.
    root: PathBuf,
}

impl Folder {
    pub fn open(path: &Path) -> anyhow::Result<Folder> {
        let root =
            std::fs::canonicalize(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if !root.is_dir() {
            anyhow::bail!("{}: is not a folder", path.display());
        }
        Ok(Folder { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The documents termtally reads in FOLDER and its subfolders (as `count FOLDER` finds
    /// them: links out of the folder are skipped), as paths relative to it, sorted.
    pub fn documents(&self) -> Vec<String> {
        let Ok(gathered) = crate::inputs::gather(std::slice::from_ref(&self.root), None) else {
            return Vec::new();
        };
        gathered
            .files
            .iter()
            .filter_map(|f| f.strip_prefix(&self.root).ok())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    /// The file `relative` names inside FOLDER, or why it is refused: an absolute path, a `..`
    /// (also as `%2e%2e`), or a path that leaves FOLDER once symlinks are resolved.
    pub fn resolve(&self, relative: &str) -> Result<PathBuf, String> {
        let refuse = || format!("{relative}: not a document of the served folder");
        let decoded = percent_decoded(relative);
        for text in [relative, decoded.as_str()] {
            let plain = Path::new(text)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            if text.is_empty() || text.contains('\0') || text.contains('\\') || !plain {
                return Err(refuse());
            }
        }
        let resolved = std::fs::canonicalize(self.root.join(relative)).map_err(|_| refuse())?;
        if !resolved.starts_with(&self.root) || !resolved.is_file() {
            return Err(refuse());
        }
        Ok(resolved)
    }
}

/// `text` with `%XX` escapes decoded (repeatedly, so `%252e` is seen as `.` too).
fn percent_decoded(text: &str) -> String {
    let mut current = text.to_string();
    for _ in 0..4 {
        let bytes = current.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        let next = String::from_utf8_lossy(&out).to_string();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_out_of_the_folder_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "inside").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("link.txt"),
        )
        .unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        assert!(folder.resolve("sub/a.txt").is_ok());
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "sub/../../secret.txt",
            "%2e%2e/%2e%2e/etc/passwd",
            "%252e%252e/etc/passwd",
            "sub/%2E%2E/%2e%2e/etc/passwd",
            "link.txt",
            "sub",
            "",
            "nonexistent.txt",
        ] {
            assert!(folder.resolve(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(folder.documents(), ["sub/a.txt"]);
    }
}
