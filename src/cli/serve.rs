//! `cadre serve` and `cadre token`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use cadre::http::{self, Role, Tokens};
use cadre::store::{Location, Store};
use clap::{Args, Subcommand};

use super::progress_bar;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless tokens are configured).
    #[arg(long, env = "CADRE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Load the demo district first when the data folder is empty.
    #[arg(long)]
    demo: bool,
    /// The prefix of the staff codes given to registrations that name none (`DB-000124`).
    #[arg(long, env = "CADRE_CODE_PREFIX", default_value = cadre::ledger::DEFAULT_CODE_PREFIX)]
    code_prefix: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token (printed once; only its hash is kept).
    Add {
        name: String,
        /// clerk, auditor or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List tokens (names, roles, whether revoked; never the tokens).
    List,
    /// Revoke a token by its holder's name.
    Revoke { name: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text:?} is not clerk, auditor or viewer"))
}

/// Tokens are kept in the data folder, whichever engine keeps the log. Adding one may
/// create the folder (tokens come before the first `serve` on a public address); listing or
/// revoking reads it, so a folder with neither tokens nor a store is the wrong folder —
/// unless the log is in PostgreSQL (`store`), where the folder holds only tokens.
pub fn token(data: &Path, store: &Location, command: TokenCommand) -> Result<ExitCode> {
    let adding = matches!(command, TokenCommand::Add { .. });
    if adding {
        std::fs::create_dir_all(data)
            .with_context(|| format!("Failed to create {}", data.display()))?;
    }
    let tokens = Tokens::open(data)?;
    // With the log in PostgreSQL, a data folder without tokens is simply one without tokens.
    let folder_store = matches!(store, Location::Folder(_));
    if !adding && tokens.list().is_empty() && folder_store && !Store::exists(data) {
        return Err(super::open::no_data(&Location::Folder(data.to_path_buf())));
    }
    match command {
        TokenCommand::Add { name, role } => {
            let token = tokens.add(&name, role)?;
            println!("{token}");
            eprintln!("token for {name} ({role:?}); it is shown only now");
        }
        TokenCommand::List => {
            for t in tokens.list() {
                let state = if t.revoked { "revoked" } else { "active" };
                println!(
                    "{:<24} {:<8} {:<8} {}",
                    t.name,
                    format!("{:?}", t.role).to_lowercase(),
                    state,
                    t.created_at
                );
            }
        }
        TokenCommand::Revoke { name } => {
            tokens.revoke(&name)?;
            println!("revoked the token of {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Serves `store`; the tokens are in the data folder `data`, whatever the store's engine.
pub fn serve(store: Store, data: &Path, args: ServeArgs, quiet: bool) -> Result<ExitCode> {
    if !matches!(store.location(), Location::Folder(_)) {
        std::fs::create_dir_all(data)
            .with_context(|| format!("Failed to create {}", data.display()))?;
    }
    let tokens = Tokens::open(data)?;
    if !args.listen.ip().is_loopback() && tokens.is_open() {
        bail!(
            "refusing to listen on {} without a token: add one with `cadre token add NAME --role clerk`, or listen on 127.0.0.1",
            args.listen
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let stopping = Stopping::default();
    let served = runtime.block_on(async {
        if args.demo && store.head().position == 0 {
            let bar = progress_bar(0, quiet, "loading the demo district");
            let ledger = super::ledger(&store, &args.code_prefix)?;
            let mut progress = |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            };
            cadre::demo::load(&ledger, 2017, 1.0, &mut progress).await?;
            bar.finish_and_clear();
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let ledger = super::ledger(&store, &args.code_prefix)?;
        let state = http::state_with(ledger, tokens, stopped)?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("Failed to listen on {}", args.listen))?;
        eprintln!(
            "cadre serving {} on http://{} (head {})",
            store.location(),
            listener.local_addr()?,
            store.head()
        );
        let signalled = {
            let stopping = stopping.clone();
            async move {
                shutdown_signal().await;
                stopping.at("finishing the requests in flight and saving the read models");
            }
        };
        http::serve(listener, state, stop, signalled).await?;
        anyhow::Ok(())
    });
    stopping.at("closing the store");
    served?;
    store.close()?;
    eprintln!("stopped cleanly; head {}", store.head());
    Ok(ExitCode::SUCCESS)
}

/// How long `serve` may take to stop once told to: finish the requests in flight, save
/// the read models and close the store. Past it the process ends anyway (a disk that
/// stopped answering leaves sled waiting in its flush for ever).
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(7);

/// The shutdown's watchdog: started by the signal, or by the server ending without one,
/// it ends the process with status 2, saying what the shutdown was doing, if the process
/// is still running [`SHUTDOWN_LIMIT`] later. Every acknowledged append is durable by
/// then: what is lost is the saved read models (rebuilt from the log at the next start)
/// and the store's clean close.
#[derive(Clone, Default)]
struct Stopping {
    started: Arc<AtomicBool>,
    stage: Arc<Mutex<&'static str>>,
}

impl Stopping {
    /// The shutdown is now doing `stage`; the first call starts the watchdog.
    fn at(&self, stage: &'static str) {
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = stage;
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let now = self.stage.clone();
        let watchdog = std::thread::Builder::new()
            .name("cadre-shutdown".into())
            .spawn(move || {
                std::thread::sleep(SHUTDOWN_LIMIT);
                let stage = *now.lock().unwrap_or_else(|p| p.into_inner());
                tracing::error!(
                    "shutdown did not finish within {} s ({stage}); exiting without closing the store cleanly",
                    SHUTDOWN_LIMIT.as_secs()
                );
                std::process::exit(2);
            });
        if let Err(e) = watchdog {
            tracing::warn!(error = %e, "no watchdog for the shutdown: it may wait on the disk");
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
