//! The `termtally` binary: parse the command line, run the command, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    termtally::cli::main()
}
