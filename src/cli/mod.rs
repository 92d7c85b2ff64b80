//! Command-line interface: argument parsing and printing only; the work is in the library.

mod archive;
mod open;
mod read;
mod serve;

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cadre::store::{Direction, Head, RecordedEvent, Store, StreamId};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Parser)]
#[command(
    name = "cadre",
    version,
    about = "An event-sourced ledger of public-sector personnel training, qualifications, rotations and appraisals"
)]
struct Cli {
    /// The data folder.
    #[arg(
        long,
        global = true,
        env = "CADRE_DATA",
        default_value = "./cadre-data"
    )]
    data: PathBuf,

    /// Keep the log in PostgreSQL instead of the data folder: a connection URL,
    /// `postgres://user@host:5432/database` (several hosts: `host1:5432,host2:5432`, with
    /// `?target_session_attrs=read-write`). The data folder still holds the tokens.
    #[arg(long, global = true, env = "CADRE_STORE", value_name = "URL")]
    store: Option<String>,

    /// No progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the log as JSON Lines, one event per line (also the export format).
    Log {
        /// First position to print.
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// Only this stream's events.
        #[arg(long)]
        stream: Option<String>,
    },
    /// Recompute the hash chain and check the indexes; non-zero exit on any fault.
    Verify {
        /// A head written down earlier, `POSITION:HASH`: the log up to it must be unchanged.
        #[arg(long, value_name = "POSITION:HASH")]
        expect_head: Option<String>,
    },
    /// Event and stream counts (by event type), size on disk, and the head.
    Stats,
    /// Build the year-end report by replaying the log.
    Report(read::ReportArgs),
    /// Fill a statistics form (Biểu số 10-BTCTW, BM01/BNV, BM02/BNV) by replaying the log.
    Form(read::FormArgs),
    /// Rebuild the read models from position 1 and save them.
    Rebuild,
    /// One person's status (JSON), as of a date and as known at a point of the log.
    Status(read::StatusArgs),
    /// Compliance with the targets in force (JSON), district-wide or for one unit.
    Compliance(read::ComplianceArgs),
    /// One person's Sơ yếu lý lịch (Mẫu 2C), as HTML to print or XLSX.
    Cv(read::CvArgs),
    /// Serve the HTTP API (loads the demo district first with --demo on an empty folder).
    Serve(serve::ServeArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(serve::TokenCommand),
    /// Export records.
    #[command(subcommand)]
    Export(archive::ExportCommand),
    /// Import records: spreadsheets of people, qualifications, trainings, rotations or
    /// appraisals, or an events export.
    Import(archive::ImportArgs),
    /// Copy the log into a backup folder (events.jsonl and HEAD).
    Backup { dir: PathBuf },
    /// Restore a backup folder into the data folder (empty, or --force to replace it).
    Restore {
        dir: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Load the demo district (about 3,200 staff, 2012–2017) into an empty data folder.
    Demo {
        /// The generator's seed: the same seed gives the same district.
        #[arg(long, default_value_t = 2017)]
        seed: u64,
        /// Head-count multiplier (1.0 ≈ 3,200 staff).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// The prefix of the demo's staff codes (`DB-000001`, …).
        #[arg(long, env = "CADRE_CODE_PREFIX", default_value = cadre::ledger::DEFAULT_CODE_PREFIX)]
        code_prefix: String,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CADRE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli.data.as_path();
    let location = open::location(data, cli.store.as_deref())?;
    let read = |instead: String| open::existing(&location, &instead);
    let write = || open::or_create(&location);
    match cli.command {
        Command::Log { from, stream } => {
            let feed = format!("GET /events?from={from}, or GET /export/events for all of it");
            log(&read(open::ask(&feed))?, from, stream)
        }
        Command::Verify { expect_head } => {
            let body = serde_json::json!({ "expect_head": expect_head });
            let check = format!("POST /verify with the body {body}");
            verify(&read(open::ask(&check))?, expect_head, cli.quiet)
        }
        Command::Stats => stats(&read(open::ask("GET /head"))?),
        Command::Demo {
            seed,
            scale,
            code_prefix,
        } => demo(write()?, seed, scale, &code_prefix, cli.quiet),
        Command::Serve(args) => serve::serve(write()?, data, args, cli.quiet),
        Command::Token(command) => serve::token(data, &location, command),
        Command::Export(command) => {
            let store = read(open::ask(&command.endpoint()))?;
            archive::export(&store, command, cli.quiet)
        }
        Command::Import(args) => archive::import(write, args, cli.quiet),
        Command::Backup { dir } => {
            let store = read(open::ask("GET /export/events (the backup's events.jsonl)"))?;
            archive::backup(&store, &dir, cli.quiet)
        }
        Command::Restore { dir, force } => archive::restore(&location, &dir, force, cli.quiet),
        Command::Report(args) => read::report(&read(open::ask(&args.endpoint()))?, args, cli.quiet),
        Command::Form(args) => read::form(&read(open::ask(&args.endpoint()))?, args, cli.quiet),
        Command::Rebuild => {
            let instead = "it keeps the read models current itself; stop it to rebuild them";
            read::rebuild(&read(instead.to_string())?, cli.quiet)
        }
        Command::Status(args) => read::status(&read(open::ask(&args.endpoint()))?, args, cli.quiet),
        Command::Compliance(args) => {
            read::compliance(&read(open::ask(&args.endpoint()))?, args, cli.quiet)
        }
        Command::Cv(args) => read::cv(&read(open::ask(&args.endpoint()))?, args, cli.quiet),
    }
}

fn log(store: &Store, from: u64, stream: Option<String>) -> Result<ExitCode> {
    let out = io::stdout().lock();
    let mut out = BufWriter::new(out);
    let mut print = |event: RecordedEvent| -> Result<()> {
        serde_json::to_writer(&mut out, &cadre::feed::event_json(&event))?;
        out.write_all(b"\n")?;
        Ok(())
    };
    match stream {
        Some(stream) => {
            let stream = StreamId::parse(stream)?;
            let events = store.read_stream(&stream, 0, Direction::Forwards, usize::MAX)?;
            for event in events {
                if event.position >= from {
                    print(event)?;
                }
            }
        }
        None => {
            for event in store.read_all(from) {
                print(event?)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn progress_bar(total: u64, quiet: bool, what: &str) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        // Hidden by indicatif when stderr is not a terminal.
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {human_pos}/{human_len}, {per_sec}, eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

fn verify(store: &Store, expect_head: Option<String>, quiet: bool) -> Result<ExitCode> {
    let expect: Option<Head> = expect_head.map(|h| h.parse()).transpose()?;
    let bar = progress_bar(store.head().position, quiet, "verifying");
    let report = store.verify(expect, &mut |done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    for state in &report.damaged_states {
        println!(
            "FAULT in the saved state {}: {}; it is discarded and rebuilt from the log when next opened",
            state.name, state.message
        );
    }
    match &report.fault {
        None => {
            println!(
                "ok: {} events, hash chain and indexes intact; head {}",
                report.events_checked, report.head
            );
            if let Some(expect) = expect {
                println!("the log up to {expect} is unchanged");
            }
        }
        Some(fault) => {
            println!("FAULT at position {}: {}", fault.position, fault.message);
            println!(
                "checked {} events before it; last good head {}",
                report.events_checked, report.head
            );
        }
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn stats(store: &Store) -> Result<ExitCode> {
    let stats = store.stats()?;
    println!("events        {}", stats.events);
    println!("streams       {}", stats.streams);
    println!("chunks        {}", stats.chunks);
    println!("size on disk  {} bytes", stats.size_on_disk);
    println!("head          {}", stats.head);
    let counts = store.type_counts()?;
    if !counts.is_empty() {
        println!();
        println!("events by type");
        for (event_type, count) in counts {
            println!("  {event_type:<22} {count}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A ledger on `store` giving staff codes of `prefix`.
fn ledger(store: &Store, prefix: &str) -> Result<cadre::ledger::Ledger> {
    cadre::ledger::Ledger::new(store.clone())
        .with_code_prefix(prefix)
        .context("--code-prefix")
}

fn demo(store: Store, seed: u64, scale: f64, prefix: &str, quiet: bool) -> Result<ExitCode> {
    if !(0.01..=10.0).contains(&scale) {
        anyhow::bail!("--scale must be between 0.01 and 10");
    }
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let ledger = ledger(&store, prefix)?;
    let started = std::time::Instant::now();
    let bar = progress_bar(0, quiet, "loading the demo district");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = runtime
        .block_on(cadre::demo::load(&ledger, seed, scale, &mut progress))
        .context("Failed to load the demo district")?;
    bar.finish_and_clear();
    store.close()?;
    println!(
        "loaded the demo district (seed {seed}): {} people, {} commands, {} events in {:.1} s; head {}",
        summary.people,
        summary.commands,
        summary.events,
        started.elapsed().as_secs_f64(),
        store.head()
    );
    Ok(ExitCode::SUCCESS)
}
