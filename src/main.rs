//! The `cadre` command: parses arguments, calls the library, prints the error chain.

mod cli;

use std::process::ExitCode;

// Replays keep millions of small allocations alive; glibc's allocator spent a third of a
// rebuild faulting in fresh pages and sorting its bins (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
