//! What every benchmark shares: the binary's allocator, so that what is measured is what
//! runs, and reading `--flag value` arguments.

// Each benchmark compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::str::FromStr;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The word after `--name` on the command line, if given.
pub fn value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

/// The value after `--name`, or `default` when absent or unreadable.
pub fn flag<T: FromStr>(name: &str, default: T) -> T {
    value(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Whether `--name` was given.
pub fn switch(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}
