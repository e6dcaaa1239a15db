//! The `termtally` binary: parse the command line, run the command, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory_for_the_next_document();
    termtally::cli::main()
}

/// glibc's malloc gives freed memory back to the system as soon as 128 KiB are free at the top
/// of the heap, and serves allocations over 128 KiB with their own `mmap`: in a folder of
/// documents each one's buffers (its bytes, text and blocks) are then mapped, touched page by
/// page and unmapped again, document after document. Keeping up to 64 MiB free at the top and
/// mapping only allocations over 32 MiB took 4,000 files of 256 KiB from 0.76 to 0.46 s of
/// system time and 3.92 to 3.50 s of wall time (BENCHMARKS.md, fifth round), peak RSS 17 -> 20
/// MB; single large files were unchanged. (mimalloc, tried instead, doubled the peak RSS of a
/// 1 GiB file.)
fn keep_freed_memory_for_the_next_document() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}
