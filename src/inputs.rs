//! Stage 0: the command line's inputs → the list of files to read.
//!
//! Every command that reads documents gathers them here, so each accepts the same things:
//!
//! - a file: taken as given (its format is sniffed from its bytes, whatever its name);
//! - `-`: standard input;
//! - a folder: walked recursively in a stable order (paths sorted), hidden files and folders
//!   (name starting with `.`) left out, symbolic links taken only when they point to a file inside
//!   the folder (never followed out of it, never into another folder, so no loops); files with
//!   the extensions termtally reads ([`DOCUMENT_EXTENSIONS`]) are taken, the others skipped and
//!   counted (`SHA256SUMS`, `README.md`);
//! - a quoted glob (`"reports/*.pdf"`, `"reports/**/*.pdf"`; `reports\*.pdf` on Windows, where
//!   the shell does not expand globs): expanded here, sorted; a glob that matches nothing fails
//!   like an unreadable document ("no file matches reports/*.pdf"). A matched folder is walked as above; a matched file
//!   is taken if its extension is one termtally reads or the pattern spells its extension out
//!   (`"notes/*.md"` takes Markdown files, `"notes/*"` only documents);
//! - `--files-from LIST`: one path per line (`-` reads the list from standard input), each
//!   treated as if given on the command line except that it is never a glob (file names may
//!   contain `[` or `*`).
//!
//! Crates: `walkdir` (BurntSushi's, the walker `ignore` is built on, without `ignore`'s
//! .gitignore rules, which would silently drop a researcher's files) and `glob` (rust-lang's, which
//! walks and matches in one step and treats `\` as a separator on Windows).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Extensions (lower case) of the files a folder walk takes.
pub const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "xml", "html", "htm", "docx", "txt"];

/// The files to read, and those left out of folders and globs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Gathered {
    /// In command-line order; each folder's and glob's files sorted by path.
    pub files: Vec<PathBuf>,
    /// Files found in folders or by globs that are not documents termtally reads (or links out of
    /// their folder), in the order found.
    pub skipped: Vec<PathBuf>,
    /// Inputs that gave no file, each as a message for stderr ("no file matches reports/*.pdf"):
    /// like a document that cannot be read, they fail while the others go on.
    pub problems: Vec<String>,
}

impl Gathered {
    /// The one-line summary of the skipped files, for stderr: "skipped 1 file that is not a
    /// document termtally reads (SHA256SUMS)". `None` when nothing was skipped.
    pub fn skipped_summary(&self) -> Option<String> {
        let n = self.skipped.len();
        if n == 0 {
            return None;
        }
        const SHOWN: usize = 5;
        let mut names: Vec<String> = self
            .skipped
            .iter()
            .take(SHOWN)
            .map(|p| p.display().to_string())
            .collect();
        if n > SHOWN {
            names.push(format!("and {} more", n - SHOWN));
        }
        let (files, verb) = if n == 1 {
            ("file", "is")
        } else {
            ("files", "are")
        };
        Some(format!(
            "skipped {n} {files} that {verb} not a document termtally reads (.{}): {}",
            DOCUMENT_EXTENSIONS.join(" ."),
            names.join(", ")
        ))
    }
}

/// Expands the command line's `args` (and the paths listed in `files_from`, if given) into the
/// files to read. A glob or folder that gives no document is a problem of [`Gathered`]; an
/// unreadable list, a malformed pattern or standard input used twice are errors.
pub fn gather(args: &[PathBuf], files_from: Option<&Path>) -> anyhow::Result<Gathered> {
    let mut gathered = Gathered::default();
    for arg in args {
        add_arg(arg, true, &mut gathered)?;
    }
    if let Some(list) = files_from {
        for path in read_list(list)? {
            add_arg(&path, false, &mut gathered)?;
        }
    }
    let stdin_uses = gathered
        .files
        .iter()
        .filter(|f| f.as_os_str() == "-")
        .count();
    if stdin_uses > 1 || (stdin_uses == 1 && files_from.is_some_and(|l| l.as_os_str() == "-")) {
        bail!("standard input (-) can be given only once");
    }
    Ok(gathered)
}

/// The paths of a `--files-from` list: one per line, blank lines ignored, a Windows line end
/// (`\r`) removed.
fn read_list(list: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let text = if list.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("--files-from -: cannot read the list from standard input")?;
        text
    } else {
        std::fs::read_to_string(list)
            .with_context(|| format!("{}: cannot read this list of files", list.display()))?
    };
    Ok(text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect())
}

fn add_arg(arg: &Path, may_be_glob: bool, gathered: &mut Gathered) -> anyhow::Result<()> {
    if arg.as_os_str() == "-" || arg.is_file() {
        gathered.files.push(arg.to_path_buf());
    } else if arg.is_dir() {
        let before = gathered.files.len();
        walk_folder(arg, gathered)?;
        if gathered.files.len() == before {
            gathered.problems.push(format!(
                "{}: the folder holds no document termtally reads (.{})",
                arg.display(),
                DOCUMENT_EXTENSIONS.join(" .")
            ));
        }
    } else if may_be_glob && is_glob(arg) {
        expand_glob(arg, gathered)?;
    } else {
        // Missing files are reported by extraction, one line each, and the others go on.
        gathered.files.push(arg.to_path_buf());
    }
    Ok(())
}

/// True when `path` has glob characters (`*`, `?`, `[`) and so is a pattern the shell did not
/// expand (quoted, or a Windows shell).
fn is_glob(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '['])
}

fn expand_glob(pattern: &Path, gathered: &mut Gathered) -> anyhow::Result<()> {
    let text = pattern.to_string_lossy();
    let options = glob::MatchOptions {
        case_sensitive: cfg!(not(windows)),
        require_literal_separator: true,
        // `*` does not match hidden files, as in the shell.
        require_literal_leading_dot: true,
    };
    let matches =
        glob::glob_with(&text, options).with_context(|| format!("{text}: not a valid pattern"))?;
    let mut found: Vec<PathBuf> = Vec::new();
    for entry in matches {
        match entry {
            Ok(path) => found.push(path),
            // An unreadable folder on the way: say so, as the shell would not.
            Err(e) => eprintln!(
                "termtally: {}: cannot read ({})",
                e.path().display(),
                e.error()
            ),
        }
    }
    found.sort();
    let spelled_extension = literal_extension(&text);
    let before = gathered.files.len();
    for path in found {
        if path.is_dir() {
            walk_folder(&path, gathered)?;
        } else if spelled_extension.is_some() || is_document_name(&path) {
            gathered.files.push(path);
        } else {
            gathered.skipped.push(path);
        }
    }
    if gathered.files.len() == before {
        gathered.problems.push(format!("no file matches {text}"));
    }
    Ok(())
}

/// The extension the last component of a pattern spells out without wildcards (`*.md` → `md`).
fn literal_extension(pattern: &str) -> Option<&str> {
    let last = pattern.rsplit(['/', std::path::MAIN_SEPARATOR]).next()?;
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && !ext.contains(['*', '?', '[', ']'])).then_some(ext)
}

fn is_document_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Adds the documents under `root` to `gathered` (see the module documentation for the rules).
fn walk_folder(root: &Path, gathered: &mut Gathered) -> anyhow::Result<()> {
    let canonical_root = root
        .canonicalize()
        .with_context(|| format!("{}: cannot read this folder", root.display()))?;
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(root).display().to_string();
                bail!("{path}: cannot read this folder ({e})");
            }
        };
        let kind = entry.file_type();
        let take = if kind.is_file() {
            true
        } else if kind.is_symlink() {
            // A link is taken only when it leads to a file inside the walked folder.
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => true,
                _ => {
                    gathered.skipped.push(entry.path().to_path_buf());
                    continue;
                }
            }
        } else {
            continue;
        };
        if take && is_document_name(entry.path()) {
            found.push(entry.into_path());
        } else {
            gathered.skipped.push(entry.into_path());
        }
    }
    found.sort();
    gathered.files.extend(found);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"text").unwrap();
    }

    #[test]
    fn folders_are_walked_sorted_without_hidden_or_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.pdf",
            "a.TXT",
            "sub/c.docx",
            ".hidden.pdf",
            ".git/d.pdf",
            "SHA256SUMS",
            "notes.md",
        ] {
            touch(&root.join(name));
        }
        let got = gather(&[root.to_path_buf()], None).unwrap();
        assert_eq!(
            got.files,
            vec![
                root.join("a.TXT"),
                root.join("b.pdf"),
                root.join("sub/c.docx")
            ]
        );
        assert_eq!(
            got.skipped,
            vec![root.join("SHA256SUMS"), root.join("notes.md")]
        );
        let summary = got.skipped_summary().unwrap();
        assert!(
            summary.starts_with("skipped 2 files that are not"),
            "{summary}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        touch(&outside.path().join("secret.pdf"));
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("in.pdf"));
        std::os::unix::fs::symlink(outside.path().join("secret.pdf"), root.join("out.pdf"))
            .unwrap();
        std::os::unix::fs::symlink(root.join("in.pdf"), root.join("again.pdf")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("elsewhere")).unwrap();
        let got = gather(&[root.to_path_buf()], None).unwrap();
        assert_eq!(got.files, vec![root.join("again.pdf"), root.join("in.pdf")]);
        assert_eq!(
            got.skipped,
            vec![root.join("elsewhere"), root.join("out.pdf")]
        );
    }

    #[test]
    fn globs_expand_and_say_when_nothing_matches() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["x.pdf", "y.pdf", "z.md", "SHA256SUMS"] {
            touch(&root.join(name));
        }
        let pattern = root.join("*.pdf");
        let got = gather(std::slice::from_ref(&pattern), None).unwrap();
        assert_eq!(got.files, vec![root.join("x.pdf"), root.join("y.pdf")]);
        let all = gather(&[root.join("*")], None).unwrap();
        assert_eq!(all.files, vec![root.join("x.pdf"), root.join("y.pdf")]);
        assert_eq!(
            all.skipped,
            vec![root.join("SHA256SUMS"), root.join("z.md")]
        );
        let md = gather(&[root.join("*.md")], None).unwrap();
        assert_eq!(md.files, vec![root.join("z.md")]);
        let none = root.join("*.docx");
        let got = gather(&[none.clone(), root.join("x.pdf")], None).unwrap();
        assert_eq!(got.files, vec![root.join("x.pdf")]);
        assert_eq!(
            got.problems,
            vec![format!("no file matches {}", none.display())]
        );
    }

    #[test]
    fn explicit_files_are_taken_whatever_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let sums = dir.path().join("SHA256SUMS");
        touch(&sums);
        let missing = dir.path().join("missing.pdf");
        let got = gather(&[sums.clone(), missing.clone()], None).unwrap();
        assert_eq!(got.files, vec![sums, missing]);
    }

    #[test]
    fn files_from_lists_paths_one_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a[1].pdf");
        touch(&a);
        let elsewhere = tempfile::tempdir().unwrap();
        let list = elsewhere.path().join("list.txt");
        std::fs::write(
            &list,
            format!("{}\r\n\n{}\n", a.display(), dir.path().display()),
        )
        .unwrap();
        let got = gather(&[], Some(&list)).unwrap();
        // The bracket is part of the name, not a pattern; the folder is walked.
        assert_eq!(got.files, vec![a.clone(), a]);
    }

    #[test]
    fn literal_extensions_of_patterns() {
        assert_eq!(literal_extension("notes/*.md"), Some("md"));
        assert_eq!(literal_extension("notes/*"), None);
        assert_eq!(literal_extension("notes/*.*"), None);
        assert_eq!(literal_extension("a.b/*"), None);
    }
}
