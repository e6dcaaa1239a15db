//! Output files: written atomically (temporary file in the same directory, fsync, rename), never
//! clobbered without `--force`, and never left half-written by Ctrl-C.
//!
//! Every file termtally writes (`-o FILE`, downloads into the cache) goes through [`AtomicFile`],
//! whose temporary path is kept in a process-wide registry so a signal can delete it.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, bail};
use tempfile::NamedTempFile;

use crate::render::{OutputFormat, RenderOptions, UTF8_BOM, color_allowed_by_env, render};
use crate::table::Report;

/// Temporary files being written right now; a signal deletes them.
static LIVE_TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temp_files() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Files this run has finished writing (renamed into place). A signal that lands after the
/// rename cannot undo it, so its message says the file is complete rather than leave the user
/// to guess whether an interrupted run left a partial one. Only touched under
/// `live_temp_files()`'s lock, so a signal sees every rename that happened before it.
static WRITTEN_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn written_files() -> MutexGuard<'static, Vec<PathBuf>> {
    WRITTEN_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Private temporary folders (`termtally serve`'s uploads); a signal deletes them too.
static LIVE_TEMP_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temp_dirs() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMP_DIRS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `dir` is removed, with everything in it, if a signal ends termtally.
pub fn register_temp_dir(dir: &Path) {
    live_temp_dirs().push(dir.to_path_buf());
}

/// `dir` has been removed (or is kept) by its owner.
pub fn unregister_temp_dir(dir: &Path) {
    live_temp_dirs().retain(|d| d != dir);
}

/// Deletes the temporary output files being written, says `termtally: {message}` and exits with
/// `code`: what a signal does (see `crate::signals`). Holding the registry's lock until exit
/// keeps `AtomicFile::commit` from renaming a file being deleted, and new temporary files from
/// appearing.
pub fn remove_temp_files_and_exit(message: &str, code: i32) -> ! {
    let live = live_temp_files();
    for path in live.iter() {
        let _ = std::fs::remove_file(path);
    }
    for dir in live_temp_dirs().iter() {
        let _ = std::fs::remove_dir_all(dir);
    }
    let written = written_files();
    match written.as_slice() {
        [] => eprintln!("termtally: {message}"),
        files => {
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            eprintln!(
                "termtally: {message}; {} had already been written in full",
                names.join(", ")
            );
        }
    }
    std::process::exit(code);
}

/// The user-facing refusal to overwrite.
fn exists_error(dest: &Path) -> anyhow::Error {
    anyhow::anyhow!("{}: file exists; use --force to overwrite", dest.display())
}

/// Where and how results are written: shared by every command that prints a table.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format; with -o, taken from the file extension unless given.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE given with -o if it exists.
    #[arg(long)]
    pub force: bool,
    /// CSV/TSV files: write cells exactly, without the `'` that stops a spreadsheet from reading
    /// a cell starting with = + - @ as a formula.
    #[arg(long)]
    pub raw_csv: bool,
}

impl clap::ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &OutputFormat::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        Some(match self.description() {
            Some(help) => value.help(help),
            None => value,
        })
    }
}

/// The output of one run, resolved once where the command starts: the format, the file (or
/// standard output) and whether that is a terminal. Everything downstream reads this value.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: OutputFormat,
    /// `-o FILE`; `None` for standard output (also `-o -`).
    pub file: Option<PathBuf>,
    pub force: bool,
    /// Standard output is the destination and it is a terminal (colour, width, fitting).
    pub terminal: bool,
    /// `--raw-csv`: no formula guard in CSV/TSV files.
    pub raw_csv: bool,
}

impl OutputArgs {
    /// Resolves the options into the one [`Output`] of the run, checking before any work is done
    /// that `-o FILE` can be written: not an existing file (unless `--force`), not a directory,
    /// in a directory that exists, with a format termtally can tell. So a long run does not end
    /// in "file exists".
    pub fn resolve(&self, default: OutputFormat) -> anyhow::Result<Output> {
        let file = self.output.clone().filter(|p| p.as_os_str() != "-");
        if let Some(dest) = &file {
            check_file(dest, self.force)?;
        }
        let format = resolve_format(self, default)?;
        let terminal = file.is_none() && io::stdout().is_terminal();
        if format == OutputFormat::Xlsx && terminal {
            bail!(
                "an xlsx workbook is a binary file, not for the terminal: write it with -o \
                 FILE.xlsx (or redirect: > FILE.xlsx)"
            );
        }
        Ok(Output {
            format,
            terminal,
            file,
            force: self.force,
            raw_csv: self.raw_csv,
        })
    }
}

/// Checks `-o FILE` (see [`OutputArgs::resolve`]), for callers that resolve later.
pub fn check_destination(out: &OutputArgs) -> anyhow::Result<()> {
    out.resolve(OutputFormat::Table).map(|_| ())
}

fn check_file(dest: &Path, force: bool) -> anyhow::Result<()> {
    if dest.is_dir() {
        bail!("{}: is a directory; give a file name", dest.display());
    }
    if dest.exists() && !force {
        return Err(exists_error(dest));
    }
    let dir = parent_dir(dest);
    if !dir.is_dir() {
        bail!(
            "{}: directory {} does not exist",
            dest.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The format to write: `--format`, else the extension of `-o FILE`, else `default` (the command's
/// choice, usually `table`).
pub fn resolve_format(out: &OutputArgs, default: OutputFormat) -> anyhow::Result<OutputFormat> {
    if let Some(format) = out.format {
        return Ok(format);
    }
    match &out.output {
        Some(path) if path.as_os_str() != "-" => match OutputFormat::from_extension(path) {
            Some(format) => Ok(format),
            None => bail!(
                "{}: cannot tell the output format from the file name; end it in .csv, .tsv, \
                 .json, .md, .tex, .txt or .xlsx, or give --format",
                path.display()
            ),
        },
        _ => Ok(default),
    }
}

/// Renders `report` as `out` says (a convenience for callers without a resolved [`Output`]).
pub fn write_report(
    report: &Report,
    out: &OutputArgs,
    default: OutputFormat,
) -> anyhow::Result<()> {
    out.resolve(default)?.write(report)
}

impl Output {
    /// How display formats are drawn here: colour and width only on a terminal.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            color: self.terminal && color_allowed_by_env(),
            // comfy-table reports the terminal's width when stdout is one; None otherwise.
            width: if self.terminal {
                comfy_table::Table::new().width()
            } else {
                None
            },
            // Files are for people (spreadsheets); standard output stays exact for pipes.
            formula_guard: self.file.is_some() && !self.raw_csv,
        }
    }

    /// Renders `report` to `-o FILE` (atomically) or standard output. The one output path of
    /// every command.
    pub fn write(&self, report: &Report) -> anyhow::Result<()> {
        let mut dest = Destination::open(self)?;
        let options = self.render_options();
        let written = (|| -> io::Result<()> {
            if dest.is_file() && matches!(self.format, OutputFormat::Csv | OutputFormat::Tsv) {
                dest.write_all(UTF8_BOM)?;
            }
            render(report, self.format, &mut dest, &options)
        })();
        match ignore_broken_pipe(written) {
            // `dest` dropped here: a file's temporary copy is deleted, the destination untouched.
            Err(e) => Err(anyhow::Error::new(e).context(match &self.file {
                Some(p) => format!("{}: cannot write", p.display()),
                None => "cannot write to standard output".to_string(),
            })),
            Ok(()) => dest.finish(),
        }
    }
}

/// The directory a relative or absolute file path lives in (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A file written atomically: a temporary file beside the destination, renamed over it on
/// [`AtomicFile::commit`]. Dropped without commit (error, panic), the temporary file is deleted
/// and the destination untouched.
pub struct AtomicFile {
    writer: Option<BufWriter<NamedTempFile>>,
    temp_path: PathBuf,
    dest: PathBuf,
    overwrite: bool,
}

impl AtomicFile {
    /// Starts writing `dest`. Fails at once if it exists and `overwrite` is false.
    pub fn create(dest: &Path, overwrite: bool) -> anyhow::Result<AtomicFile> {
        if !overwrite && dest.exists() {
            return Err(exists_error(dest));
        }
        let dir = parent_dir(dest);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // NamedTempFile defaults to 0600; an output file should get the usual mode (0666
            // less the umask), or keep the mode of the file it replaces.
            let mode = std::fs::metadata(dest)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0o666);
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        // Registered under the lock so an interrupt cannot fall between creating and registering.
        let mut live = live_temp_files();
        let temp = builder.tempfile_in(dir).with_context(|| {
            format!(
                "{}: cannot create a file in {}",
                dest.display(),
                dir.display()
            )
        })?;
        let temp_path = temp.path().to_path_buf();
        live.push(temp_path.clone());
        drop(live);
        Ok(AtomicFile {
            writer: Some(BufWriter::new(temp)),
            temp_path,
            dest: dest.to_path_buf(),
            overwrite,
        })
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes, fsyncs and renames the temporary file to the destination (refusing to replace a
    /// file that appeared meanwhile unless `overwrite`).
    pub fn commit(mut self) -> anyhow::Result<()> {
        let dest = self.dest.clone();
        let writer = self
            .writer
            .take()
            .ok_or_else(|| anyhow::anyhow!("{}: already written", dest.display()))?;
        let temp = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("{}: cannot write", dest.display()))?;
        temp.as_file()
            .sync_all()
            .with_context(|| format!("{}: cannot write", dest.display()))?;
        let mut live = live_temp_files();
        let result = if self.overwrite {
            temp.persist(&dest)
        } else {
            temp.persist_noclobber(&dest)
        };
        live.retain(|p| p != &self.temp_path);
        if result.is_ok() {
            written_files().push(dest.clone());
        }
        drop(live);
        match result {
            Ok(_) => {
                sync_dir(parent_dir(&dest));
                Ok(())
            }
            // Someone created the file while we worked.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(exists_error(&dest)),
            Err(e) => {
                Err(anyhow::Error::new(e.error)
                    .context(format!("{}: cannot write", dest.display())))
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            let mut live = live_temp_files();
            // Dropping the NamedTempFile deletes it; the BufWriter's pending bytes are lost, as
            // intended for an abandoned file.
            let (temp, _) = writer.into_parts();
            drop(temp);
            live.retain(|p| p != &self.temp_path);
        }
    }
}

/// Makes the rename itself durable (best effort: not every filesystem allows it).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Where a report goes: standard output, or a file written atomically.
pub enum Destination {
    Stdout(BufWriter<StdoutLock<'static>>),
    File(AtomicFile),
}

impl Destination {
    /// Opens `-o FILE` (atomically, honouring `--force`) or standard output.
    pub fn open(out: &Output) -> anyhow::Result<Destination> {
        match &out.file {
            Some(path) => Ok(Destination::File(AtomicFile::create(path, out.force)?)),
            None => Ok(Destination::Stdout(BufWriter::new(io::stdout().lock()))),
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self, Destination::File(_))
    }

    /// Flushes standard output, or commits the file. A closed pipe (`| head`) is not an error.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Destination::Stdout(mut w) => ignore_broken_pipe(w.flush()).map_err(Into::into),
            Destination::File(f) => f.commit(),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(w) => w.write(buf),
            Destination::File(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(w) => w.flush(),
            Destination::File(f) => f.flush(),
        }
    }
}

/// `termtally ... | head` closes the pipe early: the reader has what it wanted, so stop quietly.
pub fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `dest` atomically with whatever `write` produces (downloads, `extract -o DIR`, anything
/// that is not a report). Nothing is left at `dest` or beside it if `write` fails.
pub fn write_file_atomically<E>(
    dest: &Path,
    overwrite: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> anyhow::Result<()>
where
    anyhow::Error: From<E>,
{
    let mut file = AtomicFile::create(dest, overwrite)?;
    write(&mut file).map_err(anyhow::Error::from)?;
    file.commit()
}

/// Temporary files currently registered (for tests of the cleanup).
pub fn live_temp_file_count() -> usize {
    live_temp_files().len()
}
