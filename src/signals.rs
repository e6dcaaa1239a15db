//! Ending on a signal. SIGINT (Ctrl-C), SIGTERM and SIGHUP kill the PDF workers, delete the
//! temporary output files being written (so an interrupted run leaves the complete old file or
//! nothing, never a partial one) and exit with 128 + the signal's number, as shells report it:
//! 130, 143, 129.
//!
//! signal-hook rather than ctrlc: its iterator says which signal arrived (a ctrlc handler is told
//! nothing, so every signal ended in 130), and the work runs on an ordinary thread rather than
//! in the signal handler, so it may take locks and print.

use std::process::{Child, Command};
use std::sync::{Mutex, MutexGuard};

/// Process ids of the PDF workers running now.
static WORKERS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn workers() -> MutexGuard<'static, Vec<u32>> {
    WORKERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts handling the signals. Called first thing in `cli::main`.
pub fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    // Failing to install (unlikely) leaves the default: the signal ends termtally, and each
    // worker notices its parent has gone (see `die_with_parent`).
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until exit: no worker starts after this.
                let workers = workers();
                for &pid in workers.iter() {
                    kill(pid);
                }
                let what = match signal {
                    SIGINT => "interrupted",
                    SIGTERM => "terminated (SIGTERM)",
                    _ => "hung up (SIGHUP)",
                };
                crate::output::remove_temp_files_and_exit(what, 128 + signal);
            }
        });
}

#[cfg(unix)]
fn kill(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory effects; at worst the process has already exited.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

#[cfg(not(unix))]
fn kill(_pid: u32) {}

/// Starts a worker process, registered so a signal kills it too. Registered under the lock, so
/// a signal cannot fall between the start and the registration.
pub fn spawn_worker(command: &mut Command) -> std::io::Result<Child> {
    let mut workers = workers();
    let child = command.spawn()?;
    workers.push(child.id());
    Ok(child)
}

/// The worker `pid` has ended (and been waited for).
pub fn worker_done(pid: u32) {
    workers().retain(|&p| p != pid);
}

/// In a worker: ends it when its parent dies, however the parent died (even SIGKILL, which no
/// handler sees). Linux only; elsewhere the parent's handler and the time limit remain.
pub fn die_with_parent() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) only sets a flag of this process; getppid cannot fail.
    unsafe {
        let parent = libc::getppid();
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The parent died before the flag was set: the worker is now another process's child.
        if libc::getppid() != parent {
            libc::_exit(1);
        }
    }
}
