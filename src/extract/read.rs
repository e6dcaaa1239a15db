//! A document's bytes, read within bounds: the size is checked before a whole read, the first
//! block is sniffed before the rest is read (a binary file is refused after 4 KiB, not read
//! whole), devices, FIFOs and standard input are read up to [`MAX_UNSIZED_BYTES`], and a FIFO or
//! device (not `-`) that sends nothing for `--timeout` seconds is given up on — opening a FIFO
//! without a writer would otherwise block forever.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::extract::{ExtractError, ExtractOptions, MAX_DOCUMENT_BYTES, io_error, sniff_head};

/// Most bytes read from something whose size is not known in advance: a device, a FIFO,
/// standard input. Such input cannot be streamed, so it is held in memory whole.
pub const MAX_UNSIZED_BYTES: u64 = 1 << 30;
/// The block sniffed before the rest is read.
const HEAD_BYTES: usize = 4096;

/// Reads the document at `path`.
pub fn read_document(path: &Path, opts: &ExtractOptions) -> Result<Vec<u8>, ExtractError> {
    // `metadata` does not open the file: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(ExtractError::IsDirectory);
    }
    if meta.is_file() {
        if meta.len() > MAX_DOCUMENT_BYTES {
            return Err(ExtractError::TooLarge(format!(
                "{} MB; termtally reads documents of up to {} MB",
                meta.len() >> 20,
                MAX_DOCUMENT_BYTES >> 20
            )));
        }
        let mut file = File::open(path).map_err(|e| io_error(&e))?;
        return read_bounded(&mut file, MAX_DOCUMENT_BYTES, meta.len(), opts, None);
    }
    let mut file = open_without_blocking(path).map_err(|e| io_error(&e))?;
    read_unsized(&mut file, opts)
}

/// Reads standard input (`-`): as a device or FIFO, but waiting as long as it takes.
pub fn read_stdin(opts: &ExtractOptions) -> Result<Vec<u8>, ExtractError> {
    read_bounded(
        &mut std::io::stdin().lock(),
        MAX_UNSIZED_BYTES,
        0,
        opts,
        None,
    )
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn read_unsized(file: &mut File, opts: &ExtractOptions) -> Result<Vec<u8>, ExtractError> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    read_bounded(file, MAX_UNSIZED_BYTES, 0, opts, Some(fd))
}

#[cfg(not(unix))]
fn read_unsized(file: &mut File, opts: &ExtractOptions) -> Result<Vec<u8>, ExtractError> {
    read_bounded(file, MAX_UNSIZED_BYTES, 0, opts, None)
}

#[cfg(unix)]
type Fd = std::os::fd::RawFd;
#[cfg(not(unix))]
type Fd = i32;

/// Reads to the end or to `cap` bytes (then refuses), refusing at the first block what
/// [`sniff_head`] refuses. With `wait_on`, a file opened without blocking: each read first waits
/// up to `opts.timeout` for data. `size_hint`: the expected size, to allocate once.
fn read_bounded(
    reader: &mut impl Read,
    cap: u64,
    size_hint: u64,
    opts: &ExtractOptions,
    wait_on: Option<Fd>,
) -> Result<Vec<u8>, ExtractError> {
    let mut bytes = Vec::with_capacity(usize::try_from(size_hint.min(cap)).unwrap_or(0) + 1);
    let mut sniffed = false;
    let mut block = vec![0u8; 64 << 10];
    loop {
        if let Some(fd) = wait_on {
            if !wait_readable(fd, opts.timeout).map_err(|e| io_error(&e))? {
                return Err(ExtractError::NoData(opts.timeout.as_secs()));
            }
        }
        let got = match reader.read(&mut block) {
            Ok(got) => got,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) =>
            {
                continue;
            }
            Err(e) => return Err(io_error(&e)),
        };
        bytes.extend_from_slice(&block[..got]);
        let at_end = got == 0;
        if !sniffed && (bytes.len() >= HEAD_BYTES || at_end) {
            sniffed = true;
            if let Some(Err(refused)) =
                sniff_head(&bytes[..bytes.len().min(HEAD_BYTES)], opts.encoding)
            {
                return Err(refused);
            }
            // A regular file of known size: the rest in one read.
            if wait_on.is_none() && size_hint > 0 && !at_end {
                reader
                    .take(cap + 1 - bytes.len() as u64)
                    .read_to_end(&mut bytes)
                    .map_err(|e| io_error(&e))?;
                check_cap(bytes.len(), cap)?;
                return Ok(bytes);
            }
        }
        check_cap(bytes.len(), cap)?;
        if at_end {
            return Ok(bytes);
        }
    }
}

fn check_cap(len: usize, cap: u64) -> Result<(), ExtractError> {
    if len as u64 > cap {
        return Err(ExtractError::TooLarge(format!(
            "more than {} MB; termtally reads up to {} MB from a device, pipe or standard input \
             (save it to a file: count reads large text files in chunks)",
            cap >> 20,
            cap >> 20
        )));
    }
    Ok(())
}

/// Waits until `fd` has data (or its writer has gone); false after `timeout` with neither.
#[cfg(unix)]
fn wait_readable(fd: Fd, timeout: Duration) -> std::io::Result<bool> {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    loop {
        // SAFETY: `poll` points to one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, millis) };
        if ready >= 0 {
            return Ok(ready > 0);
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

#[cfg(not(unix))]
fn wait_readable(_fd: Fd, _timeout: Duration) -> std::io::Result<bool> {
    Ok(true)
}
