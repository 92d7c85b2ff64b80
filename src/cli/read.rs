//! The read side of the CLI: reports, statistics forms, rebuilds, status and compliance.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cadre::dates::DateError;
use cadre::domain::vocab::Lang;
use cadre::domain::{PersonId, PolicySet, StaffCode, UnitId};
use cadre::forms::{self, FormName};
use cadre::projection::{self, District, views};
use cadre::report::{self, Format, KnownAt};
use cadre::store::Store;
use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};

use super::open::with_query;
use super::progress_bar;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Vi,
    En,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Json,
    Csv,
    Md,
    Html,
    Xlsx,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Md => Format::Md,
            FormatArg::Html => Format::Html,
            FormatArg::Xlsx => Format::Xlsx,
        }
    }
}

/// A date option: dd/mm/yyyy or yyyy-mm-dd (`cadre::dates`), or why the text is not one.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    cadre::dates::parse(text).map_err(|e| e.to_string())
}

/// Which part of the log to read: a position, a date (end of day, UTC) or an RFC 3339 time.
fn known_at(text: &str) -> Result<KnownAt, String> {
    if let Some(known_at) = KnownAt::parse(text) {
        return Ok(known_at);
    }
    match cadre::dates::parse(text) {
        Ok(day) => KnownAt::end_of(day).ok_or_else(|| format!("{text:?} is out of range")),
        Err(DateError::Form) => Err(format!(
            "{text:?} is not a date (dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017), a position or a time (RFC 3339)"
        )),
        Err(impossible) => Err(impossible.to_string()),
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The year to report on.
    #[arg(long)]
    year: i32,
    /// Only what was recorded up to this position, date (dd/mm/yyyy or yyyy-mm-dd) or
    /// time (RFC 3339).
    #[arg(long, value_parser = known_at)]
    as_known_at: Option<KnownAt>,
    #[arg(long, value_enum, default_value = "vi")]
    lang: LangArg,
    #[arg(long, value_enum, default_value = "md")]
    format: FormatArg,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The issuing office's header and signature block (JSON, see docs/reports.md);
    /// default: the shipped policies/office.json.
    #[arg(long)]
    office: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The person's staff code (e.g. DB-000123) or id.
    person: String,
    /// Facts effective on or before this date, dd/mm/yyyy or yyyy-mm-dd (default: today).
    #[arg(long, value_parser = date)]
    as_of: Option<NaiveDate>,
    /// Only what was recorded up to this position, date (dd/mm/yyyy or yyyy-mm-dd) or
    /// time (RFC 3339).
    #[arg(long, value_parser = known_at)]
    as_known_at: Option<KnownAt>,
    #[arg(long, value_enum, default_value = "vi")]
    lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// Facts effective on or before this date, dd/mm/yyyy or yyyy-mm-dd (default: today).
    #[arg(long, value_parser = date)]
    as_of: Option<NaiveDate>,
    /// Only this unit.
    #[arg(long)]
    unit: Option<UnitId>,
    /// Only what was recorded up to this position, date (dd/mm/yyyy or yyyy-mm-dd) or
    /// time (RFC 3339).
    #[arg(long, value_parser = known_at)]
    as_known_at: Option<KnownAt>,
    #[arg(long, value_enum, default_value = "vi")]
    lang: LangArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CvFormat {
    Html,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct CvArgs {
    /// The person's staff code (e.g. DB-000123) or id.
    person: String,
    /// Only what was recorded up to this position, date (dd/mm/yyyy or yyyy-mm-dd) or
    /// time (RFC 3339).
    #[arg(long, value_parser = known_at)]
    as_known_at: Option<KnownAt>,
    #[arg(long, value_enum, default_value = "html")]
    format: CvFormat,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
}

impl CvArgs {
    /// The request that gives the same record from a running server.
    pub fn endpoint(&self) -> String {
        with_query(
            &format!("GET /people/{}/cv", self.person),
            &[("format", value_name(self.format))],
        )
    }
}

impl ReportArgs {
    /// The request that gives the same report from a running server.
    pub fn endpoint(&self) -> String {
        with_query(
            &format!("GET /reports/{}", self.year),
            &[
                ("format", value_name(self.format)),
                ("lang", value_name(self.lang)),
            ],
        )
    }
}

/// How an option's value is spelt on the command line (and in the API's queries).
fn value_name(value: impl ValueEnum) -> Option<String> {
    value.to_possible_value().map(|v| v.get_name().to_string())
}

impl StatusArgs {
    /// The request that gives the same status from a running server.
    pub fn endpoint(&self) -> String {
        let as_of = self.as_of.map(|d| d.to_string());
        with_query(&format!("GET /people/{}", self.person), &[("as_of", as_of)])
    }
}

impl ComplianceArgs {
    /// The request that gives the same answer from a running server.
    pub fn endpoint(&self) -> String {
        let as_of = self.as_of.map(|d| d.to_string());
        let unit = self.unit.map(|u| u.to_string());
        with_query("GET /compliance", &[("as_of", as_of), ("unit", unit)])
    }
}

pub fn report(store: &Store, args: ReportArgs, quiet: bool) -> Result<ExitCode> {
    let format = Format::from(args.format);
    if format == Format::Xlsx && args.out.is_none() {
        bail!("--format xlsx needs --out FILE");
    }
    let office = match &args.office {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("Failed to read {}", path.display()))?;
            report::Office::parse(&json)
                .with_context(|| format!("Failed to read the office file {}", path.display()))?
        }
        None => report::Office::default_office(),
    };
    let bar = progress_bar(store.head().position, quiet, "replaying the log");
    let options = report::Options {
        year: args.year,
        as_known_at: args.as_known_at,
        lang: args.lang.into(),
    };
    let built = report::build(store, options, &mut |done, _| bar.set_position(done))
        .context("Failed to build the report")?
        .with_office(office);
    bar.finish_and_clear();
    let bytes = report::render(&built, format)?;
    match args.out {
        Some(path) => write_atomically(&path, &bytes)?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormArg {
    /// Biểu số 10-BTCTW: training statistics of a year.
    #[value(name = "10-btctw")]
    Training,
    /// BM01/BNV: headcount and quality of district-level staff.
    Bm01,
    /// BM02/BNV: headcount and quality of commune staff.
    Bm02,
}

impl From<FormArg> for FormName {
    fn from(form: FormArg) -> FormName {
        match form {
            FormArg::Training => FormName::Training,
            FormArg::Bm01 => FormName::Bm01,
            FormArg::Bm02 => FormName::Bm02,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormFormatArg {
    Html,
    Xlsx,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("when").required(true).args(["year", "as_of"]))]
pub struct FormArgs {
    form: FormArg,
    /// The year: the training of that year, the headcount on its 31 December.
    #[arg(long)]
    year: Option<i32>,
    /// The day the headcount is counted on (dd/mm/yyyy or yyyy-mm-dd); the training
    /// form counts that day's year.
    #[arg(long, value_parser = date)]
    as_of: Option<NaiveDate>,
    /// Only what was recorded up to this position, date (dd/mm/yyyy or yyyy-mm-dd) or
    /// time (RFC 3339).
    #[arg(long, value_parser = known_at)]
    as_known_at: Option<KnownAt>,
    #[arg(long, value_enum, default_value = "html")]
    format: FormFormatArg,
    #[arg(long, value_enum, default_value = "vi")]
    lang: LangArg,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
}

impl FormArgs {
    /// The request that gives the same form from a running server.
    pub fn endpoint(&self) -> String {
        with_query(
            &format!("GET /forms/{}", FormName::from(self.form).code()),
            &[
                ("year", self.year.map(|y| y.to_string())),
                ("as_of", self.as_of.map(|d| d.to_string())),
                ("format", value_name(self.format)),
                ("lang", value_name(self.lang)),
            ],
        )
    }
}

pub fn form(store: &Store, args: FormArgs, quiet: bool) -> Result<ExitCode> {
    let format = match args.format {
        FormFormatArg::Html => forms::Format::Html,
        FormFormatArg::Xlsx => forms::Format::Xlsx,
    };
    if format == forms::Format::Xlsx && args.out.is_none() {
        bail!("--format xlsx needs --out FILE");
    }
    let Some(as_of) = args.as_of.or(args.year.map(forms::year_end)) else {
        bail!("give --year or --as-of");
    };
    let bar = progress_bar(store.head().position, quiet, "replaying the log");
    let options = forms::Options {
        form: args.form.into(),
        as_of,
        as_known_at: args.as_known_at,
        lang: args.lang.into(),
    };
    let built = forms::build(store, options, &mut |done, _| bar.set_position(done))
        .context("Failed to fill the form")?;
    bar.finish_and_clear();
    let bytes = forms::render(&built, format).context("Failed to write the form")?;
    match args.out {
        Some(path) => write_atomically(&path, &bytes)?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes beside the target and renames, so a failed run never leaves half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .with_context(|| format!("Failed to write {}", partial.display()))?;
    std::fs::rename(&partial, path)
        .with_context(|| format!("Failed to move the report to {}", path.display()))
}

pub fn rebuild(store: &Store, quiet: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let head = store.head().position;
    let bar = progress_bar(head, quiet, "rebuilding");
    let model = projection::replay(store, head, &mut |done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    projection::save(store, &model)?;
    println!(
        "rebuilt the read models from {} events in {:.1} s and saved them at position {}",
        head,
        started.elapsed().as_secs_f64(),
        model.position
    );
    Ok(ExitCode::SUCCESS)
}

/// The model as known at `known_at` (a replay), or now (the saved state caught up).
pub(crate) fn model_at(store: &Store, known_at: Option<KnownAt>, quiet: bool) -> Result<District> {
    let head = store.head().position;
    let bar = progress_bar(head, quiet, "reading the log");
    let mut progress = |done, _| bar.set_position(done);
    let model = match known_at {
        None => {
            let mut model = projection::load_saved(store)?;
            projection::catch_up(store, &mut model, head, &mut progress)?;
            model
        }
        Some(KnownAt::Position(p)) => projection::replay(store, p, &mut progress)?,
        Some(KnownAt::Time(t)) => projection::replay(store, store.position_at(t)?, &mut progress)?,
    };
    bar.finish_and_clear();
    Ok(model)
}

fn print_json(value: &impl serde::Serialize) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    Ok(ExitCode::SUCCESS)
}

pub fn status(store: &Store, args: StatusArgs, quiet: bool) -> Result<ExitCode> {
    let model = model_at(store, None, quiet)?;
    let as_of = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let policies = PolicySet::default_set();
    // Only the person's own stream needs folding to the point asked about.
    let upto = upto(store, args.as_known_at)?;
    let person = person_named(store, &args.person)?;
    let history = projection::person_as_known_at(store, person, upto)?;
    match views::person_status_of(&model, &history, as_of, &policies, args.lang.into()) {
        Some(status) => print_json(&status),
        None => bail!(
            "no person {} was registered by {as_of} in what the log shows",
            args.person
        ),
    }
}

pub fn cv(store: &Store, args: CvArgs, quiet: bool) -> Result<ExitCode> {
    if matches!(args.format, CvFormat::Xlsx) && args.out.is_none() {
        bail!("--format xlsx needs --out FILE");
    }
    let model = model_at(store, None, quiet)?;
    let upto = upto(store, args.as_known_at)?;
    let person = person_named(store, &args.person)?;
    let Some(record) = cadre::cv::build(store, &model, person, upto)? else {
        bail!(
            "no person {} is registered in what the log shows",
            args.person
        );
    };
    let bytes = match args.format {
        CvFormat::Html => cadre::cv::html(&record).into_bytes(),
        CvFormat::Xlsx => cadre::cv::xlsx(&record).context("Failed to write the XLSX")?,
    };
    match args.out {
        Some(path) => write_atomically(&path, &bytes)?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The position "as known at" names: the head when it names none.
fn upto(store: &Store, known_at: Option<KnownAt>) -> Result<u64> {
    Ok(match known_at {
        None => store.head().position,
        Some(KnownAt::Position(p)) => p.min(store.head().position),
        Some(KnownAt::Time(t)) => store.position_at(t)?,
    })
}

/// The person `text` names: an id, or a staff code (who holds it, from its stream).
fn person_named(store: &Store, text: &str) -> Result<PersonId> {
    if let Ok(id) = text.parse::<PersonId>() {
        return Ok(id);
    }
    let code = StaffCode::parse(text).map_err(|e| anyhow::anyhow!("{e}; nor is it a person id"))?;
    let ledger = cadre::ledger::Ledger::new(store.clone());
    match ledger.code_holder(&code)? {
        Some(person) => Ok(person),
        None => bail!("nobody holds staff code {code}"),
    }
}

pub fn compliance(store: &Store, args: ComplianceArgs, quiet: bool) -> Result<ExitCode> {
    let model = model_at(store, args.as_known_at, quiet)?;
    let as_of = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let policies = PolicySet::default_set();
    if let Some(unit) = args.unit
        && !model.units.contains_key(&unit)
    {
        bail!("no unit {unit} is registered");
    }
    print_json(&views::compliance(
        &model,
        as_of,
        args.unit,
        &policies,
        args.lang.into(),
    ))
}
