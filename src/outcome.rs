//! Batch outcome: one line per failed document, a summary, and the exit code.
//!
//! Exit codes: 0 all documents processed; 1 some failed (results for the others were still
//! produced); 2 usage error, or nothing could be processed.

use std::process::ExitCode;
use std::sync::Mutex;

/// `text` on one line: control characters (a newline or escape in a file name) written as
/// escapes (`\n`, `\u{1b}`), so every message is one line and cannot move the terminal's cursor.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Default)]
pub struct Outcome {
    inner: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    ok: usize,
    failed: usize,
    /// (document, reason) of each failure, in the order reported (for `termtally report`'s
    /// Method section).
    failures: Vec<(String, String)>,
}

impl Outcome {
    pub fn new() -> Outcome {
        Outcome::default()
    }

    /// Reports a document that could not be processed, in words a non-programmer understands.
    pub fn fail(&self, name: &str, reason: impl std::fmt::Display) {
        let (name, reason) = (one_line(name), one_line(&reason.to_string()));
        eprintln!("termtally: {name}: {reason}");
        let mut counts = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        counts.failed += 1;
        counts.failures.push((name, reason));
    }

    /// An input that gave no document (an empty folder, a glob matching nothing): `message` is
    /// the whole line after "termtally: ".
    pub fn fail_input(&self, message: &str) {
        eprintln!("termtally: {message}");
        let mut counts = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        counts.failed += 1;
        counts
            .failures
            .push((message.to_string(), "no document was read".to_string()));
    }

    /// A document that was read but whose result could not be written: it counts as failed.
    pub fn fail_after_success(&self, name: &str, reason: impl std::fmt::Display) {
        eprintln!(
            "termtally: {}: {}",
            one_line(name),
            one_line(&reason.to_string())
        );
        let mut counts = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        counts.ok = counts.ok.saturating_sub(1);
        counts.failed += 1;
        counts.failures.push((name.to_string(), reason.to_string()));
    }

    /// The documents that failed, with the reason, in the order they were reported.
    pub fn failures(&self) -> Vec<(String, String)> {
        let counts = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        counts.failures.clone()
    }

    pub fn succeed(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).ok += 1;
    }

    pub fn failed(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).failed
    }

    pub fn succeeded(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).ok
    }

    /// The summary line of a batch in which something failed ("2 of 5 documents failed"), for
    /// the command to print; `None` when nothing failed or only one document was read.
    pub fn summary(&self) -> Option<String> {
        let (ok, failed) = (self.succeeded(), self.failed());
        let total = ok + failed;
        (failed > 0 && total > 1).then(|| format!("{failed} of {total} documents failed"))
    }

    /// 0 when every document was processed, 1 when some failed, 2 when all failed.
    pub fn exit_code(&self) -> ExitCode {
        let (ok, failed) = (self.succeeded(), self.failed());
        if failed == 0 {
            ExitCode::SUCCESS
        } else if ok == 0 {
            ExitCode::from(2)
        } else {
            ExitCode::from(1)
        }
    }
}
