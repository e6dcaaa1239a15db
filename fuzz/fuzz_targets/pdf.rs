//! PDF bytes through termtally's in-process wrapper (the code the `__pdf-worker` runs): it must
//! turn every input into a document or a `WorkerFailure`. Panics inside `pdf-extract` are caught
//! by the wrapper and are not findings; a panic in termtally's own layout code, an abort, a
//! stack overflow or a hang is.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((document, _warnings)) =
        termtally::extract::pdf::extract_in_process("fuzz.pdf", data, None)
    {
        common::exercise(document);
    }
});
