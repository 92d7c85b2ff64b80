//! Spreadsheet imports: people, qualifications, trainings, rotations and appraisals from
//! CSV or XLSX, validated whole before anything is written, appended as one
//! all-or-nothing batch, and idempotent (each row's events get ids derived from its
//! natural key, so a file imported twice, or overlapping an earlier one, adds only what is
//! new).
//!
//! Owns: reading files (`table`), finding the header row and each column (`headers`), the
//! columns of each kind and rows → commands (`columns`), a people row against the person
//! as recorded (`edits`: what an exported file edited and imported back records), what a
//! problem says in Vietnamese or English (`messages`), the XLSX templates (`template`),
//! and planning the whole file on one ledger work set.
//! Must not: decide anything itself (the rules run in `domain::decide`, through the work
//! set), or write anything but one batch.

pub mod columns;
mod edits;
pub mod headers;
pub mod messages;
pub mod table;
pub mod template;

use crate::domain::command::{ChangeSessionCapacity, Enrol, ScheduleSession};
use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::command::RegisterPerson;
use crate::domain::reference::{Names, Unresolved};
use crate::domain::vocab::{Lang, fold};
use crate::domain::{
    Command, DomainError, Event, PersonId, ProgrammeId, SessionId, StaffCode, UnitId,
};
use crate::ledger::{Ledger, LedgerError, WorkSet};
use crate::spreadsheet::CsvWriter;
use crate::store::StoreError;
use columns::{Cells, Keyed};
use headers::Layout;
use messages::Words;
pub use table::{Encoding, Table};

/// The kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    People,
    Qualifications,
    Trainings,
    Rotations,
    Appraisals,
}

impl Kind {
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "people" => Kind::People,
            "qualifications" => Kind::Qualifications,
            "trainings" => Kind::Trainings,
            "rotations" => Kind::Rotations,
            "appraisals" => Kind::Appraisals,
            _ => return None,
        })
    }
}

/// A bad cell or a refused row, in words a clerk can act on (in the import's language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based, as the spreadsheet shows it (title rows above the header count).
    pub row: usize,
    /// The column's header as the file writes it (empty: the row as a whole).
    pub column: String,
    pub value: String,
    /// What is wrong and what is expected.
    pub why: String,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(String),
    #[error("{} problems in the file; nothing was imported", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// What the file held (absent only in a summary made by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    pub rows: usize,
    /// Rows recorded now: in a people file, the people registered.
    pub new: usize,
    /// People rows that move a registered person to another unit or post, or change
    /// their category or leadership (one assignment each).
    pub reassigned: usize,
    /// People rows that record a registered person's separation.
    pub separated: usize,
    /// Rows that add nothing: their events are in the log already (in a people file, the
    /// person stands as the row says).
    pub already_recorded: usize,
    pub events: usize,
    /// The highest position written (0 for a dry run or nothing new).
    pub position: u64,
    pub dry_run: bool,
    /// The encoding a CSV was read in (absent for XLSX), so that a clerk sees which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// The row the headers were found on (below any title rows).
    pub header_row: usize,
}

impl Summary {
    /// Where the header was, when title rows above it were skipped.
    pub fn header_note(&self, lang: Lang) -> Option<String> {
        let row = self.header_row;
        (row > 1).then(|| match lang {
            Lang::Vi => format!("dòng tiêu đề ở dòng {row}; các dòng phía trên được bỏ qua"),
            Lang::En => format!("header found on row {row}; the rows above it were skipped"),
        })
    }
}

impl Summary {
    /// What the import records, in `lang`: "3 new, 2 reassigned, 1 separated, 2,888
    /// unchanged" for people; "5 new, 3 already recorded" for the other kinds.
    pub fn describe(&self, lang: Lang) -> String {
        let n = |count: usize| lang.count(count as u64);
        let words = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
        let mut parts = vec![format!("{} {}", n(self.new), words("mới", "new"))];
        if self.kind == Some(Kind::People) {
            parts.push(format!(
                "{} {}",
                n(self.reassigned),
                words("điều động/bổ nhiệm lại", "reassigned")
            ));
            parts.push(format!(
                "{} {}",
                n(self.separated),
                words("nghỉ việc", "separated")
            ));
            parts.push(format!(
                "{} {}",
                n(self.already_recorded),
                words("không đổi", "unchanged")
            ));
        } else {
            parts.push(format!(
                "{} {}",
                n(self.already_recorded),
                words("đã ghi nhận trước", "already recorded")
            ));
        }
        let mut line = format!(
            "{}{} {}: {} ({} {})",
            if self.dry_run {
                words("chạy thử, chưa ghi gì — ", "dry run, nothing written — ")
            } else {
                ""
            },
            n(self.rows),
            words("dòng", "rows"),
            parts.join(", "),
            n(self.events),
            words("sự kiện", "events"),
        );
        if let Some(encoding) = self.encoding {
            line.push_str(&format!(
                "; {}: {}",
                words("bảng mã", "encoding"),
                encoding.name()
            ));
        }
        line
    }
}

/// Units and programmes by code or name, programmes' names for messages, who holds each
/// staff code (the codes' streams) and who was registered under which name, birth date and
/// unit: read from the log so that files can name them as people do.
#[derive(Debug, Default)]
pub struct Directory {
    units: Names<UnitId>,
    programmes: Names<ProgrammeId>,
    titles: HashMap<ProgrammeId, String>,
    codes: HashMap<StaffCode, PersonId>,
    registered: HashMap<Likeness, (PersonId, Option<StaffCode>)>,
}

/// What makes two registrations look alike: folded name, birth date, unit.
type Likeness = (String, NaiveDate, UnitId);

fn likeness(full_name: &str, birth_date: NaiveDate, unit: UnitId) -> Likeness {
    (fold(full_name), birth_date, unit)
}

impl Directory {
    /// Reads every unit, programme, staff code claim and registration from the log.
    pub fn read(ledger: &Ledger) -> Result<Directory, ImportError> {
        let mut directory = Directory::default();
        let store = ledger.store();
        store.scan(1, u64::MAX, |event| {
            if !matches!(
                event.event_type,
                "UnitRegistered"
                    | "ProgrammeRegistered"
                    | "StaffCodeClaimed"
                    | "StaffCodeReleased"
                    | "PersonRegistered"
            ) {
                return Ok(());
            }
            match crate::stored::decode_ref(&event) {
                Ok(Event::UnitRegistered(u)) => directory.units.add_unit(&u),
                Ok(Event::ProgrammeRegistered(p)) => {
                    directory.programmes.add_programme(&p);
                    directory.titles.insert(p.programme, p.name);
                }
                Ok(other) => directory.note_person(other),
                _ => {}
            }
            Ok::<(), ImportError>(())
        })?;
        Ok(directory)
    }

    pub fn unit(&self, text: &str) -> Result<UnitId, Unresolved> {
        self.units.find(text)
    }

    pub fn programme(&self, text: &str) -> Result<ProgrammeId, Unresolved> {
        self.programmes.find(text)
    }

    /// The person holding the staff code `text`, whoever registered them.
    pub fn person(&self, text: &str) -> Option<PersonId> {
        let code = StaffCode::parse(text).ok()?;
        self.codes.get(&code).copied()
    }

    /// The person registered earlier under the same name, birth date and unit as `c`, and
    /// their code. Best effort: registrations as recorded (not later moves or departures);
    /// a row confirms a duplicate to go past it.
    pub fn lookalike(&self, c: &RegisterPerson) -> Option<&(PersonId, Option<StaffCode>)> {
        self.registered
            .get(&likeness(&c.full_name, c.birth_date, c.unit))
            .filter(|(person, _)| *person != c.person)
    }

    /// Keeps what a code claim, release or registration says about people.
    fn note_person(&mut self, event: Event) {
        match event {
            Event::StaffCodeClaimed(e) => {
                self.codes.insert(e.code, e.person);
            }
            Event::StaffCodeReleased(e) => {
                self.codes.remove(&e.code);
            }
            Event::PersonRegistered(e) => {
                let key = likeness(&e.full_name, e.birth_date, e.unit);
                self.registered.insert(key, (e.person, e.staff_code));
            }
            _ => {}
        }
    }
}

/// The commands of every readable row, and the errors of the others.
type ReadRows = (Vec<(usize, Vec<Keyed>)>, Vec<RowError>);

fn rows_to_commands(layout: &Layout, data: &[headers::Row], directory: &Directory) -> ReadRows {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (row, cells) in data {
        let mut reader = Cells::new(*row, cells, layout);
        let commands = columns::commands(layout.kind, &mut reader, directory);
        if reader.errors.is_empty() {
            rows.push((*row, commands));
        } else {
            errors.extend(reader.errors);
        }
    }
    (rows, errors)
}

/// What a file asks of a session: how many of its rows enrol into it, and the largest
/// capacity a row gives it (0: none given).
#[derive(Debug, Clone, Copy, Default)]
struct Wanted {
    rows: u32,
    capacity: u32,
}

/// What the file asks of each session it names.
fn wanted_per_session(rows: &[(usize, Vec<Keyed>)]) -> HashMap<SessionId, Wanted> {
    let mut wanted: HashMap<SessionId, Wanted> = HashMap::new();
    for keyed in rows.iter().flat_map(|(_, commands)| commands) {
        match &keyed.command {
            Command::Enrol(Enrol { session, .. }) => {
                wanted.entry(*session).or_default().rows += 1;
            }
            Command::ScheduleSession(ScheduleSession {
                session, capacity, ..
            }) => {
                let entry = wanted.entry(*session).or_default();
                entry.capacity = entry.capacity.max(*capacity);
            }
            _ => {}
        }
    }
    wanted
}

/// What a row's `ScheduleSession` stands for, with its key, once per file: a session not
/// in the log is scheduled with the capacity the file gives it, or a seat per row; one in
/// the log has its capacity raised when the file gives a larger one. `None` when there is
/// nothing to do; the row's other commands stand for themselves (`Err`).
fn session_command(
    keyed: &Keyed,
    ledger: &Ledger,
    wanted: &HashMap<SessionId, Wanted>,
    seen: &HashMap<String, usize>,
) -> Result<Option<(String, Command)>, LedgerError> {
    let Command::ScheduleSession(schedule) = &keyed.command else {
        return Ok(Some((keyed.key.clone(), keyed.command.clone())));
    };
    if seen.contains_key(&keyed.key) {
        return Ok(None);
    }
    let want = wanted.get(&schedule.session).copied().unwrap_or_default();
    let Some(capacity) = ledger.session(schedule.session)?.state.capacity() else {
        let capacity = if want.capacity > 0 {
            want.capacity
        } else {
            want.rows.max(1)
        };
        let command = ScheduleSession {
            capacity,
            ..schedule.clone()
        };
        return Ok(Some((keyed.key.clone(), command.into())));
    };
    if want.capacity <= capacity {
        return Ok(None);
    }
    let raise = ChangeSessionCapacity {
        session: schedule.session,
        capacity: want.capacity,
        reason: format!("raised from {capacity} by an import of trainings"),
        effective_date: schedule.effective_date,
    };
    let key = format!("{}:capacity:{}", keyed.key, want.capacity);
    Ok(Some((key, raise.into())))
}

/// Why a row cannot take a seat (`full`, a `SessionFull`): the session, by programme and
/// start, and the seats it had free before this file.
fn session_full(
    ledger: &Ledger,
    directory: &Directory,
    commands: &[Keyed],
    full: &DomainError,
) -> Result<Words, LedgerError> {
    let schedule = commands.iter().find_map(|k| match &k.command {
        Command::ScheduleSession(s) => Some(s),
        _ => None,
    });
    let (Some(schedule), DomainError::SessionFull { capacity, .. }) = (schedule, full) else {
        return Ok(full.to_string().into());
    };
    let before = ledger.session(schedule.session)?.state;
    let free = if before.capacity().is_some() {
        before.free()
    } else {
        *capacity
    };
    let programme = directory
        .titles
        .get(&schedule.programme)
        .map_or_else(|| schedule.programme.to_string(), Clone::clone);
    Ok(messages::session_full(
        &programme,
        schedule.starts_on,
        *capacity,
        free,
    ))
}

/// Decides every new row on one work set: the batch to append, or every refusal.
fn plan<'a>(
    ledger: &'a Ledger,
    request: &Request<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(WorkSet<'a>, Summary), ImportError> {
    let (layout, data) =
        headers::locate(request.kind, request.table, request.lang).map_err(ImportError::Rows)?;
    let directory = Directory::read(ledger)?;
    let (rows, mut errors) = rows_to_commands(&layout, data, &directory);
    let mut work = WorkSet::new(ledger, request.today);
    let mut summary = Summary {
        kind: Some(request.kind),
        rows: data.len(),
        header_row: layout.header_row,
        encoding: request.table.encoding,
        ..Summary::default()
    };
    let (lang, code_column) = (layout.lang, layout.title("code"));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut alike: HashMap<Likeness, usize> = HashMap::new();
    let wanted = wanted_per_session(&rows);
    let total = rows.len() as u64;
    for (done, (row, commands)) in rows.into_iter().enumerate() {
        if done % 1000 == 0 {
            progress(done as u64, total);
        }
        let commands = match request.kind {
            Kind::People => {
                match people_row(&mut work, &layout, &mut seen, row, commands, request.date)? {
                    Ok(commands) => commands,
                    Err(refused) => {
                        errors.extend(refused);
                        continue;
                    }
                }
            }
            _ => commands,
        };
        let mut recorded = 0;
        let mut decided = Decided::default();
        for keyed in &commands {
            let is_schedule = matches!(keyed.command, Command::ScheduleSession(_));
            let Some((key, command)) = session_command(keyed, ledger, &wanted, &seen)? else {
                continue;
            };
            if is_schedule {
                seen.insert(keyed.key.clone(), row);
            } else if let Some(first) = seen.insert(keyed.key.clone(), row) {
                errors.push(RowError {
                    row,
                    column: code_column.clone(),
                    value: keyed.code.clone(),
                    why: messages::repeats(first).say(lang),
                });
                continue;
            }
            if ledger.earlier_answer(&key)?.is_some() {
                recorded += 1;
                continue;
            }
            if let Some(why) = duplicate(&directory, &mut alike, keyed, row) {
                errors.push(RowError {
                    row,
                    column: layout.title("confirm_duplicate"),
                    value: keyed.code.clone(),
                    why: why.say(lang),
                });
                continue;
            }
            match work.decide(&command, Some(&key)) {
                Ok(events) => {
                    decided.note(&command);
                    summary.events += events;
                }
                Err(LedgerError::Domain(crate::domain::DomainError::NotRegistered(_))) => errors
                    .push(RowError {
                        row,
                        column: code_column.clone(),
                        value: keyed.code.clone(),
                        why: messages::not_registered().say(lang),
                    }),
                Err(LedgerError::Domain(full @ DomainError::SessionFull { .. })) => {
                    errors.push(RowError {
                        row,
                        column: code_column.clone(),
                        value: keyed.code.clone(),
                        why: session_full(ledger, &directory, &commands, &full)?.say(lang),
                    })
                }
                Err(LedgerError::Domain(e)) => errors.push(RowError {
                    row,
                    column: String::new(),
                    value: keyed.code.clone(),
                    why: e.say(lang),
                }),
                Err(other) => return Err(other.into()),
            }
        }
        summary.new += usize::from(decided.new);
        summary.reassigned += usize::from(decided.reassigned);
        summary.separated += usize::from(decided.separated);
        let changed = decided.new || decided.reassigned || decided.separated;
        // A people row that records nothing is unchanged; another row, already recorded.
        if !changed && (recorded > 0 || request.kind == Kind::People) {
            summary.already_recorded += 1;
        }
    }
    if errors.is_empty() {
        Ok((work, summary))
    } else {
        errors.sort_by_key(|e| e.row);
        Err(ImportError::Rows(errors))
    }
}

/// What a row's decided commands record, for the summary.
#[derive(Debug, Default)]
struct Decided {
    new: bool,
    reassigned: bool,
    separated: bool,
}

impl Decided {
    fn note(&mut self, command: &Command) {
        match command {
            Command::AssignPerson(_) => self.reassigned = true,
            Command::Separate(_) => self.separated = true,
            _ => self.new = true,
        }
    }
}

/// A people row's commands given who is registered (see `edits`), or why it is refused;
/// a code given twice in the file is refused at its second row.
fn people_row(
    work: &mut WorkSet<'_>,
    layout: &headers::Layout,
    seen: &mut HashMap<String, usize>,
    row: usize,
    commands: Vec<Keyed>,
    file_date: Option<NaiveDate>,
) -> Result<Result<Vec<Keyed>, Vec<RowError>>, LedgerError> {
    if let Some(keyed) = commands.first()
        && let Some(first) = seen.insert(format!("code:{}", keyed.code), row)
    {
        return Ok(Err(vec![RowError {
            row,
            column: layout.title("code"),
            value: keyed.code.clone(),
            why: messages::repeats(first).say(layout.lang),
        }]));
    }
    edits::resolve(work, layout, row, commands, file_date)
}

/// A registration row that looks like a person registered before or an earlier row of
/// the file (same name, birth date and unit), unless the row confirms it: what is wrong,
/// in `lang`.
fn duplicate(
    directory: &Directory,
    alike: &mut HashMap<Likeness, usize>,
    keyed: &Keyed,
    row: usize,
) -> Option<messages::Words> {
    let Command::RegisterPerson(c) = &keyed.command else {
        return None;
    };
    if keyed.confirm_duplicate {
        return None;
    }
    Some(match directory.lookalike(c) {
        Some((person, code)) => {
            messages::looks_like_person(code.as_ref().map(StaffCode::as_str), &person.to_string())
        }
        None => messages::looks_like_row(
            alike.insert(likeness(&c.full_name, c.birth_date, c.unit), row)?,
        ),
    })
}

/// What an import is asked to do.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub kind: Kind,
    pub table: &'a Table,
    /// Who records the events.
    pub actor: &'a str,
    /// Only validate.
    pub dry_run: bool,
    /// "Today" for the date rules.
    pub today: NaiveDate,
    /// The file's date: when the changes of people rows without an effective date took
    /// effect (without it, such rows are refused).
    pub date: Option<NaiveDate>,
    /// The language of the problems reported.
    pub lang: Lang,
}

/// Imports a table; with `dry_run`, only validates. `progress(rows done, rows)` is called
/// while deciding. Another writer changing the same streams meanwhile makes it plan again
/// (three tries).
pub async fn import(
    ledger: &Ledger,
    request: Request<'_>,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Summary, ImportError> {
    for _ in 0..3 {
        let (work, mut summary) = plan(ledger, &request, progress)?;
        summary.dry_run = request.dry_run;
        if request.dry_run || work.is_empty() {
            return Ok(summary);
        }
        let batch = work.batch(request.actor)?;
        match ledger.store().append(batch).await {
            Ok(outcome) => {
                summary.position = outcome.last_position();
                return Ok(summary);
            }
            Err(StoreError::WrongExpectedVersion { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ImportError::Ledger(LedgerError::Contended))
}

/// A template for `kind`: the Vietnamese headers and one example row, as CSV.
pub fn template(kind: Kind) -> String {
    let columns = columns::columns(kind);
    csv_text(|writer| {
        writer.row(columns.iter().map(|c| c.headers[0]))?;
        writer.row(columns.iter().map(|c| c.example))
    })
}

/// Row errors as CSV, for a clerk to open beside the file, headed in `lang`.
pub fn errors_csv(errors: &[RowError], lang: Lang) -> String {
    let header = match lang {
        Lang::Vi => ["dòng", "cột", "giá trị", "lỗi"],
        Lang::En => ["row", "column", "value", "why"],
    };
    csv_text(|writer| {
        writer.row(header)?;
        for e in errors {
            writer.row([&e.row.to_string(), &e.column, &e.value, &e.why])?;
        }
        Ok(())
    })
}

/// The rows `write` writes, as text. Writing into memory fails only on text that is not
/// UTF-8, which `&str` cells cannot hold.
fn csv_text(write: impl FnOnce(&mut CsvWriter) -> Result<(), csv::Error>) -> String {
    let mut writer = CsvWriter::default();
    let written = write(&mut writer).and_then(|()| writer.finish());
    written
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}
