//! The private folder uploads are kept in: mode 0700 in the system's temporary folder, files
//! under names termtally makes (never the upload's name), removed when the app ends — on exit,
//! Ctrl-C or SIGTERM (registered with `output`, which the signal handler empties) — and, if a
//! crash left one behind, at the next start.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Folders are named `termtally-serve-PID-RANDOM`.
const PREFIX: &str = "termtally-serve-";

/// The private upload folder of this run.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    next: AtomicU64,
}

impl Store {
    /// Creates a new private folder in `parent` (the system's temporary folder in the app),
    /// first removing the folders of runs whose process is gone.
    pub fn create(parent: &Path) -> io::Result<Store> {
        remove_stale(parent);
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = parent.join(format!("{PREFIX}{}-{hex}", std::process::id()));
        let mut builder = DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        crate::output::register_temp_dir(&dir);
        Ok(Store {
            dir,
            next: AtomicU64::new(1),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to a new file named by a counter and `extension` (one of the document
    /// extensions termtally knows, else `bin`), readable by this user only.
    pub fn save(&self, bytes: &[u8], extension: &str) -> io::Result<PathBuf> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self
            .dir
            .join(format!("{n:06}.{}", safe_extension(extension)));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        file.write_all(bytes)?;
        Ok(path)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        crate::output::unregister_temp_dir(&self.dir);
    }
}

/// The extension of an upload's name if termtally reads that kind of file, else `bin` (the
/// format is sniffed from the bytes either way; the extension only tells text from HTML).
pub fn safe_extension(name_or_extension: &str) -> &'static str {
    let ext = name_or_extension
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    const KNOWN: [&str; 12] = [
        "pdf", "xml", "html", "htm", "docx", "txt", "text", "md", "toml", "yml", "yaml", "dic",
    ];
    KNOWN.into_iter().find(|k| *k == ext).unwrap_or("bin")
}

/// Removes `termtally-serve-PID-*` folders in `parent` whose process no longer runs.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !process_is_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_is_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_private_named_by_us_and_removed_on_drop() {
        let parent = tempfile::tempdir().unwrap();
        // A folder left by a process that is gone (pid 0x7ffffff0 does not exist).
        let stale = parent.path().join(format!("{PREFIX}2147483632-00"));
        fs::create_dir(&stale).unwrap();
        let live = parent
            .path()
            .join(format!("{PREFIX}{}-11", std::process::id()));
        fs::create_dir(&live).unwrap();
        let store = Store::create(parent.path()).unwrap();
        assert!(!stale.exists(), "a stale folder is removed at start");
        assert!(live.exists(), "a running process's folder is kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.dir()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let path = store.save(b"hello", "../../evil<script>.txt").unwrap();
        assert_eq!(path.parent(), Some(store.dir()));
        assert_eq!(path.file_name().unwrap(), "000001.txt");
        let path = store.save(b"x", "report.exe").unwrap();
        assert!(path.ends_with("000002.bin"));
        let dir = store.dir().to_path_buf();
        drop(store);
        assert!(!dir.exists());
    }
}
