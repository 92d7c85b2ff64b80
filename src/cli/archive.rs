//! `cadre export`, `cadre import`, `cadre backup` and `cadre restore`.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cadre::archive;
use cadre::export::What;
use cadre::import::Kind;
use cadre::store::{Location, Store};
use clap::Subcommand;

use super::progress_bar;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Everyone in service on a date.
    People(TableArgs),
    /// Everyone's levels, latest appraisal and gaps against the targets on a date.
    Status(TableArgs),
    /// Every fact about everyone effective by a date, one row per event.
    History(TableArgs),
    /// The whole log as JSON Lines (`cadre log` objects plus their stored bytes), which
    /// `cadre import events` turns back into an identical store.
    Events {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl ExportCommand {
    /// The request that gives the same records from a running server.
    pub fn endpoint(&self) -> String {
        let as_of = |args: &TableArgs| args.as_of.map(|d| d.to_string());
        match self {
            ExportCommand::People(args) | ExportCommand::Status(args) => {
                let people = super::open::with_query("GET /people", &[("as_of", as_of(args))]);
                format!("{people} (a page at a time)")
            }
            ExportCommand::History(_) => "GET /people/{id}/history (one person at a time)".into(),
            ExportCommand::Events { .. } => "GET /export/events".into(),
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    /// Print an empty template (headers and one example row) for people,
    /// qualifications, trainings, rotations or appraisals.
    #[arg(long, value_name = "KIND", value_parser = kind)]
    template: Option<Kind>,
    /// The template as CSV, or as XLSX with drop-down lists and a notes sheet.
    #[arg(long, value_enum, default_value = "csv", requires = "template")]
    format: TemplateFormat,
    /// The language of an XLSX template's headers, lists and notes.
    #[arg(long, value_enum, default_value = "vi", requires = "template")]
    lang: super::read::LangArg,
    /// Write the template here instead of standard output (required for xlsx).
    #[arg(long, requires = "template")]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<ImportCommand>,
}

#[derive(Debug, clap::Args)]
pub struct TableArgs {
    #[arg(long, value_enum, default_value = "csv")]
    format: TableFormat,
    /// The business date, dd/mm/yyyy or yyyy-mm-dd (default today).
    #[arg(long, value_parser = super::read::date)]
    as_of: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "vi")]
    lang: super::read::LangArg,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TableFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Events exported by `cadre export events`, with the same positions, ids and hashes.
    Events { file: PathBuf },
    /// Staff: code, name, birth date, gender, ethnicity, category, unit, post, …
    People(FileArgs),
    /// Qualifications held: code, track, level, field, institution, certificate, …
    Qualifications(FileArgs),
    /// Training attended: code, programme, from, to, result, …
    Trainings(FileArgs),
    /// Rotations, transfers and secondments: code, kind, to unit and post, dates, outcome
    Rotations(FileArgs),
    /// Yearly appraisals: code, year, classification, score, date
    Appraisals(FileArgs),
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    /// A CSV (UTF-8 or Windows-1258, comma or semicolon) or XLSX file; see docs/import.md.
    file: PathBuf,
    /// Validate only; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also write the rows with errors here, as CSV.
    #[arg(long)]
    errors: Option<PathBuf>,
    /// The file's date (dd/mm/yyyy): when the changes of people rows without an
    /// effective date took effect.
    #[arg(long, value_name = "DATE", value_parser = super::read::date)]
    date: Option<chrono::NaiveDate>,
    /// The language of the summary, the problems and the errors file.
    #[arg(long, value_enum, default_value = "vi")]
    lang: super::read::LangArg,
}

fn kind(text: &str) -> Result<Kind, String> {
    Kind::parse(text).ok_or_else(|| {
        format!("{text:?} is not people, qualifications, trainings, rotations or appraisals")
    })
}

pub fn export(store: &Store, command: ExportCommand, quiet: bool) -> Result<ExitCode> {
    let (what, args) = match command {
        ExportCommand::Events { out } => return export_events(store, out, quiet),
        ExportCommand::People(args) => (What::People, args),
        ExportCommand::Status(args) => (What::Status, args),
        ExportCommand::History(args) => (What::History, args),
    };
    let format = match args.format {
        TableFormat::Csv => cadre::export::Format::Csv,
        TableFormat::Xlsx => cadre::export::Format::Xlsx,
        TableFormat::Json => cadre::export::Format::Json,
    };
    if format == cadre::export::Format::Xlsx && args.out.is_none() {
        bail!("--format xlsx needs --out FILE");
    }
    let model = super::read::model_at(store, None, quiet)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let table = cadre::export::table(store, &model, what, as_of, args.lang.into())?;
    let bytes = cadre::export::render(&table, format).map_err(anyhow::Error::msg)?;
    match args.out {
        Some(path) => {
            let partial = path.with_extension("partial");
            std::fs::write(&partial, &bytes)
                .with_context(|| format!("Failed to write {}", partial.display()))?;
            std::fs::rename(&partial, &path)
                .with_context(|| format!("Failed to move the export to {}", path.display()))?;
            println!("exported {} rows to {}", table.rows.len(), path.display());
        }
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn export_events(store: &Store, out: Option<PathBuf>, quiet: bool) -> Result<ExitCode> {
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

pub fn import(
    store: impl FnOnce() -> Result<Store>,
    args: ImportArgs,
    quiet: bool,
) -> Result<ExitCode> {
    if let Some(kind) = args.template {
        return template(kind, args.format, args.lang.into(), args.out);
    }
    let (kind, file_args) = match args.command {
        None => bail!(
            "name what to import (events, people, qualifications, trainings, rotations, appraisals) or ask for a --template"
        ),
        Some(ImportCommand::Events { file }) => return import_events(store()?, &file, quiet),
        Some(ImportCommand::People(a)) => (Kind::People, a),
        Some(ImportCommand::Qualifications(a)) => (Kind::Qualifications, a),
        Some(ImportCommand::Trainings(a)) => (Kind::Trainings, a),
        Some(ImportCommand::Rotations(a)) => (Kind::Rotations, a),
        Some(ImportCommand::Appraisals(a)) => (Kind::Appraisals, a),
    };
    import_rows(&store()?, kind, file_args, quiet)
}

fn template(
    kind: Kind,
    format: TemplateFormat,
    lang: cadre::domain::vocab::Lang,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
    let bytes = match format {
        TemplateFormat::Csv => cadre::import::template(kind).into_bytes(),
        TemplateFormat::Xlsx => cadre::import::template::xlsx(kind, lang)
            .context("Failed to write the XLSX template")?,
    };
    match out {
        Some(path) => std::fs::write(&path, &bytes)
            .with_context(|| format!("Failed to write {}", path.display()))?,
        None if format == TemplateFormat::Xlsx => bail!("--format xlsx needs --out FILE"),
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn import_rows(store: &Store, kind: Kind, args: FileArgs, quiet: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("Failed to read {}", args.file.display()))?;
    let table = cadre::import::table::read(&bytes)?;
    let bar = progress_bar(table.rows.len() as u64, quiet, "importing rows");
    let ledger = cadre::ledger::Ledger::new(store.clone());
    let actor = format!(
        "import:{}",
        args.file
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let today = chrono::Utc::now().date_naive();
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let lang = args.lang.into();
    let request = cadre::import::Request {
        kind,
        table: &table,
        actor: &actor,
        dry_run: args.dry_run,
        today,
        date: args.date,
        lang,
    };
    let mut progress = |done, _| bar.set_position(done);
    let result = runtime.block_on(cadre::import::import(&ledger, request, &mut progress));
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            if let Some(note) = summary.header_note(lang) {
                println!("{note}");
            }
            println!("{}", summary.describe(lang));
            Ok(ExitCode::SUCCESS)
        }
        Err(cadre::import::ImportError::Rows(errors)) => {
            eprintln!("{}", cadre::import::messages::refused(errors.len(), lang));
            for e in &errors {
                eprintln!("  {}", e.line(lang));
            }
            if let Some(path) = args.errors {
                std::fs::write(&path, cadre::import::errors_csv(&errors, lang))
                    .with_context(|| format!("Failed to write {}", path.display()))?;
                eprintln!("the list is also in {}", path.display());
            }
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}

fn import_events(store: Store, file: &Path, quiet: bool) -> Result<ExitCode> {
    let input =
        std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?;
    let bar = progress_bar(0, quiet, "importing");
    let (store, written) = archive::import_whole(store, BufReader::new(input), &mut |done, _| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let head = store.head();
    store.close()?;
    println!(
        "imported {written} events ({} already stored); verified; head {head}",
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

pub fn restore(location: &Location, dir: &Path, force: bool, quiet: bool) -> Result<ExitCode> {
    let bar = progress_bar(0, quiet, "restoring");
    let restored =
        archive::restore_backup(location, dir, force, &mut |done, _| bar.set_position(done));
    bar.finish_and_clear();
    let store = match restored {
        Err(e @ archive::ArchiveError::NotEmpty { .. }) => bail!(
            "{e}: restore into an empty store, or add --force to replace them once the backup is restored beside them"
        ),
        other => other?,
    };
    let head = store.head();
    store.close()?;
    println!(
        "restored {} events from {}; verified; head {head}",
        head.position,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
