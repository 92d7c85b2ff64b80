//! The `cadre` command: parses arguments, calls the library, prints the error chain.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
