//! A PostgreSQL primary and its synchronous streaming standby on loopback ports, in a temp
//! folder, for the failover tests: initdb, `pg_basebackup -R`, `synchronous_standby_names`,
//! then a SIGKILL of the primary's postmaster and the promotion of the standby.
//!
//! It needs Debian's PostgreSQL binaries (`/usr/lib/postgresql/*/bin`), not the test
//! cluster: without them the tests skip, in CI they fail. The servers run as the `postgres`
//! user when the tests run as root (PostgreSQL refuses root), and never outlive the value.

use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::Session;

/// How long a server may take to start, to catch up or to be promoted.
const PATIENCE: Duration = Duration::from_secs(30);

/// The standby's name, as the primary's `synchronous_standby_names` waits for it.
const STANDBY_NAME: &str = "standby1";

/// A primary and a synchronous standby; dropped, both are stopped and their folders removed.
pub struct Replicated {
    /// The newest installed server's `bin` folder.
    bin: PathBuf,
    primary: Server,
    standby: Server,
    /// Owned by `postgres`: both data folders, their logs and their Unix sockets.
    root: TempDir,
}

/// One server of the pair.
struct Server {
    data: PathBuf,
    log: PathBuf,
    port: u16,
    /// Whether its postmaster may be running (started, neither stopped nor killed).
    running: bool,
}

impl Replicated {
    /// Starts the pair and waits until the primary reports the standby as synchronous:
    /// from then on every commit acknowledged by the primary is on the standby's disk too.
    /// `None` when PostgreSQL is not installed (outside CI only).
    pub fn start() -> Option<Replicated> {
        let bin = binaries()?;
        let root = tempfile::tempdir().expect("temp dir");
        give_to_owner(root.path());
        let mut pair = Replicated {
            bin,
            primary: Server::new(root.path(), "primary"),
            standby: Server::new(root.path(), "standby"),
            root,
        };
        pair.init_primary();
        pair.primary.start(&pair.bin);
        pair.clone_standby();
        pair.standby.start(&pair.bin);
        pair.wait_until_synchronous();
        Some(pair)
    }

    pub fn primary_url(&self) -> String {
        self.primary.url()
    }

    pub fn standby_url(&self) -> String {
        self.standby.url()
    }

    /// Both servers, the writable one chosen at connection time (libpq's host list).
    pub fn multi_host_url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/postgres?target_session_attrs=read-write",
            self.primary.port, self.standby.port
        )
    }

    /// SIGKILL to the primary's postmaster (that process only); returns once its port
    /// refuses connections.
    pub fn kill_primary(&mut self) {
        self.primary.kill();
    }

    /// Promotes the standby and waits until it accepts writes.
    pub fn promote_standby(&mut self) {
        let promoted = run(self
            .standby
            .pg_ctl(&self.bin, "promote")
            .args(["-w", "-t", "30"]));
        self.standby.check(&promoted, "pg_ctl promote");
        let url = self.standby.url();
        self.standby.wait_for("the promotion", || {
            let session = Session::connect(&url).ok()?;
            let in_recovery = session.value("SELECT pg_is_in_recovery()").ok()??;
            (in_recovery == "f").then_some(())
        });
    }

    fn init_primary(&self) {
        let initdb = run(as_owner(&self.bin.join("initdb"))
            .arg("--no-sync")
            .arg("-D")
            .arg(&self.primary.data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"]));
        self.primary.check(&initdb, "initdb");
        let socket = self.root.path().display();
        append(
            &self.primary.data.join("postgresql.conf"),
            &format!(
                "listen_addresses = '127.0.0.1'\n\
                 unix_socket_directories = '{socket}'\n\
                 fsync = on\n\
                 synchronous_commit = on\n\
                 wal_level = replica\n\
                 max_wal_senders = 5\n\
                 wal_keep_size = '256MB'\n\
                 synchronous_standby_names = 'FIRST 1 ({STANDBY_NAME})'\n\
                 shared_buffers = 32MB\n\
                 max_connections = 100\n"
            ),
        );
        append(
            &self.primary.data.join("pg_hba.conf"),
            "host replication postgres 127.0.0.1/32 trust\n",
        );
    }

    /// The standby: a base backup of the running primary that streams from it under the
    /// name the primary waits for, and that waits for no standby itself once promoted.
    fn clone_standby(&self) {
        let port = self.primary.port.to_string();
        let backup = run(as_owner(&self.bin.join("pg_basebackup"))
            .args(["-R", "-X", "stream", "--no-sync", "-D"])
            .arg(&self.standby.data)
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres"]));
        self.primary.check(&backup, "pg_basebackup");
        // postgresql.auto.conf is read last and its last setting wins over the one -R wrote.
        append(
            &self.standby.data.join("postgresql.auto.conf"),
            &format!(
                "primary_conninfo = 'host=127.0.0.1 port={port} user=postgres \
                 application_name={STANDBY_NAME}'\n"
            ),
        );
        append(
            &self.standby.data.join("postgresql.conf"),
            "synchronous_standby_names = ''\n",
        );
    }

    fn wait_until_synchronous(&self) {
        let url = self.primary.url();
        let query = format!(
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = '{STANDBY_NAME}'"
        );
        let waited = wait(|| {
            let state = Session::connect(&url).ok()?.value(&query).ok()??;
            (state == "sync").then_some(())
        });
        if waited.is_none() {
            panic!(
                "the standby did not become synchronous within {PATIENCE:?}\n\
                 primary's log ({}):\n{}\nstandby's log ({}):\n{}",
                self.primary.log.display(),
                tail(&self.primary.log),
                self.standby.log.display(),
                tail(&self.standby.log)
            );
        }
    }
}

impl Drop for Replicated {
    fn drop(&mut self) {
        self.standby.stop(&self.bin);
        self.primary.stop(&self.bin);
    }
}

impl Server {
    fn new(root: &Path, name: &str) -> Server {
        Server {
            data: root.join(name),
            log: root.join(format!("{name}.log")),
            port: 0,
            running: false,
        }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self, bin: &Path, action: &str) -> Command {
        let mut command = as_owner(&bin.join("pg_ctl"));
        command.arg(action).arg("-D").arg(&self.data);
        command
    }

    /// Starts it on a free loopback port (another one if that port is taken meanwhile) and
    /// waits until it accepts connections.
    fn start(&mut self, bin: &Path) {
        for _ in 0..3 {
            self.port = free_port();
            // The last `port` line of the file wins.
            append(
                &self.data.join("postgresql.conf"),
                &format!("port = {}\n", self.port),
            );
            let started = run(self
                .pg_ctl(bin, "start")
                .arg("-l")
                .arg(&self.log)
                .args(["-w", "-t", "30"]));
            self.running = true;
            if started.status.success() {
                let url = self.url();
                self.wait_for("connections", || Session::connect(&url).ok().map(drop));
                return;
            }
            self.running = self.postmaster_pid().is_some();
            if !tail(&self.log).contains("could not bind") {
                self.check(&started, "pg_ctl start");
            }
        }
        panic!("no free port for {}", self.data.display());
    }

    /// `pg_ctl stop -m immediate`; a postmaster that outlives it gets SIGKILL.
    fn stop(&mut self, bin: &Path) {
        if !self.running {
            return;
        }
        self.running = false;
        let stopped = run(self
            .pg_ctl(bin, "stop")
            .args(["-m", "immediate", "-w", "-t", "30"]));
        if !stopped.status.success()
            && let Some(pid) = self.postmaster_pid()
        {
            signal_kill(&pid);
        }
    }

    fn kill(&mut self) {
        let pid = self
            .postmaster_pid()
            .unwrap_or_else(|| panic!("no postmaster.pid in {}", self.data.display()));
        signal_kill(&pid);
        // Not `stop` later: a killed postmaster's pid file stays, naming a dead process.
        self.running = false;
        let address = ("127.0.0.1", self.port);
        self.wait_for(
            "the killed primary to close its port",
            || match TcpStream::connect(address) {
                Err(error) if error.kind() == ErrorKind::ConnectionRefused => Some(()),
                _ => None,
            },
        );
    }

    /// The first line of `postmaster.pid`: the postmaster's process id.
    fn postmaster_pid(&self) -> Option<String> {
        let file = std::fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        let pid = file.lines().next()?.trim();
        (!pid.is_empty() && pid.bytes().all(|byte| byte.is_ascii_digit())).then(|| pid.to_string())
    }

    /// Waits (at most [`PATIENCE`]) until `ready` gives a value; panics naming what it
    /// waited for and the end of this server's log.
    fn wait_for(&self, what: &str, ready: impl FnMut() -> Option<()>) {
        if wait(ready).is_none() {
            panic!(
                "{} waited {PATIENCE:?} for {what}; the end of {}:\n{}",
                self.data.display(),
                self.log.display(),
                tail(&self.log)
            );
        }
    }

    /// Panics when `output` is a failure, with its stderr and the end of this server's log.
    fn check(&self, output: &Output, what: &str) {
        assert!(
            output.status.success(),
            "{what} failed for {}: {}{}\nthe end of {}:\n{}",
            self.data.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log.display(),
            tail(&self.log)
        );
    }
}

/// The newest installed server's `bin` folder; `None` (said once) when there is none,
/// except in CI, where the tests needing it must run.
fn binaries() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let newest = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let major: u32 = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").exists().then_some((major, bin))
            })
            .max();
        if newest.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL's binaries are needed under /usr/lib/postgresql/*/bin \
                 (bash scripts/pg-cluster.sh installs Debian's postgresql, as .ci/run does)"
            );
            eprintln!("skipped: no PostgreSQL under /usr/lib/postgresql");
        }
        newest.map(|(_, bin)| bin)
    });
    bin.clone()
}

fn running_as_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
    })
}

/// `program` run as the servers' owner: `postgres` when we are root, else ourselves. It
/// starts in `/`, which that user can always enter (our working folder it may not).
fn as_owner(program: &Path) -> Command {
    let mut command = if running_as_root() {
        let mut runuser = Command::new("runuser");
        runuser.args(["-u", "postgres", "--"]).arg(program);
        runuser
    } else {
        Command::new(program)
    };
    command.current_dir("/");
    command
}

fn give_to_owner(path: &Path) {
    if running_as_root() {
        let given = run(Command::new("chown").arg("postgres:").arg(path));
        assert!(
            given.status.success(),
            "chown postgres: {}: {}",
            path.display(),
            String::from_utf8_lossy(&given.stderr)
        );
    }
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("run {command:?}: {error}"))
}

/// SIGKILL to one process (never a group).
fn signal_kill(pid: &str) {
    let _ = Command::new("kill").args(["-KILL", pid]).output();
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// Appends to a file the servers own (the owner stays `postgres`: the file exists).
fn append(path: &Path, text: &str) {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(format!("\n{text}").as_bytes()))
        .unwrap_or_else(|error| panic!("append to {}: {error}", path.display()));
}

/// The last 30 lines of a log (empty when it cannot be read).
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Calls `ready` every 100 ms until it gives a value, for at most [`PATIENCE`].
fn wait<T>(mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
