//! `cadre export`, `cadre import`, `cadre backup` and `cadre restore`.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cadre::archive;
use cadre::store::Store;
use clap::Subcommand;

use super::progress_bar;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The whole log as JSON Lines (`cadre log` objects plus their stored bytes), which
    /// `cadre import events` turns back into an identical store.
    Events {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Events exported by `cadre export events`, with the same positions, ids and hashes.
    Events { file: PathBuf },
}

pub fn export(store: &Store, command: ExportCommand, quiet: bool) -> Result<ExitCode> {
    let ExportCommand::Events { out } = command;
    let bar = progress_bar(store.head().position, quiet || out.is_none(), "exporting");
    let mut progress = |done, _| bar.set_position(done);
    let head = match &out {
        Some(path) => {
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("Failed to create {}", partial.display()))?;
            let mut writer = BufWriter::new(file);
            let head = archive::export_events(store, &mut writer, u64::MAX, &mut progress)?;
            writer.flush()?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("Failed to move the export to {}", path.display()))?;
            head
        }
        None => {
            let mut stdout = BufWriter::new(std::io::stdout().lock());
            let head = archive::export_events(store, &mut stdout, u64::MAX, &mut progress)?;
            stdout.flush()?;
            head
        }
    };
    bar.finish_and_clear();
    if out.is_some() {
        println!("exported {} events; head {head}", head.position);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import(store: &Store, command: ImportCommand, quiet: bool) -> Result<ExitCode> {
    let ImportCommand::Events { file } = command;
    let input =
        std::fs::File::open(&file).with_context(|| format!("Failed to open {}", file.display()))?;
    let bar = progress_bar(0, quiet, "importing");
    let (written, head) = archive::import_events(store, BufReader::new(input), &mut |done, _| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let report = store.verify(None, &mut |_, _| {})?;
    if let Some(fault) = report.fault {
        bail!(
            "the imported log does not verify at position {}: {}",
            fault.position,
            fault.message
        );
    }
    println!(
        "imported {written} events ({} already stored); head {head}",
        head.position - written
    );
    Ok(ExitCode::SUCCESS)
}

pub fn backup(store: &Store, dir: &Path, quiet: bool) -> Result<ExitCode> {
    let bar = progress_bar(store.head().position, quiet, "backing up");
    let head = archive::backup(store, dir, &mut |done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    println!(
        "backed up {} events to {}; head {head}",
        head.position,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(data: &Path, dir: &Path, force: bool, quiet: bool) -> Result<ExitCode> {
    let mut store = Store::open(data)
        .with_context(|| format!("Failed to open the data folder {}", data.display()))?;
    if store.head().position > 0 {
        if !force {
            bail!(
                "the data folder {} already holds {} events: restore into an empty folder, or add --force to replace them",
                data.display(),
                store.head().position
            );
        }
        drop(store);
        std::fs::remove_dir_all(data.join("store")).context("Failed to clear the data folder")?;
        store = Store::open(data)?;
    }
    let bar = progress_bar(0, quiet, "restoring");
    let head = archive::restore_backup(&store, dir, &mut |done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    let report = store.verify(None, &mut |_, _| {})?;
    if let Some(fault) = report.fault {
        bail!(
            "the restored log does not verify at position {}: {}",
            fault.position,
            fault.message
        );
    }
    store.close()?;
    println!(
        "restored {} events from {}; verified; head {head}",
        head.position,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
