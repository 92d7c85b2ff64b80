//! The columns of each kind of file, their Vietnamese and English headers, and turning a
//! row into commands. Values are matched with or without diacritics; where each column is
//! is `headers`' work, and the words of a problem are `messages`'.

use crate::domain::command::{
    Appraise, CompleteTraining, EndRotation, Enrol, RecordQualification, RegisterPerson,
    ScheduleSession, StartRotation,
};
use chrono::NaiveDate;

use super::headers::Layout;
use super::messages::{self, Words};
use super::{Directory, Kind, RowError};
use crate::domain::event::{Certificate, Placement};
use crate::domain::reference::Unresolved;
use crate::domain::vocab::{
    Lang, ProgrammeCategory, QualificationLevel, SeparationReason, Track, Vocabulary, fold,
};
use crate::domain::{Command, PersonId, ProgrammeId, SessionId, StaffCode};

/// One column: its English name (used in messages and templates), the headers it is
/// known by, whether it must be present, and an example value.
pub struct Column {
    pub name: &'static str,
    pub headers: &'static [&'static str],
    pub required: bool,
    pub example: &'static str,
}

impl Column {
    /// The header templates write in `lang`: the first Vietnamese one, or the first
    /// English one (messages name an absent column by it).
    pub fn header(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.headers[0],
            Lang::En => self
                .headers
                .iter()
                .copied()
                .find(|h| h.is_ascii())
                .unwrap_or(self.name),
        }
    }
}

const fn column(
    name: &'static str,
    headers: &'static [&'static str],
    required: bool,
    example: &'static str,
) -> Column {
    Column {
        name,
        headers,
        required,
        example,
    }
}

const CODE: Column = column(
    "code",
    &["mã cán bộ", "mã", "số hiệu", "code", "staff code"],
    true,
    "DB-0001",
);

pub const PEOPLE: &[Column] = &[
    CODE,
    column(
        "full_name",
        &["họ và tên", "họ tên", "full name", "name"],
        true,
        "Lò Văn Hùng",
    ),
    column(
        "birth_date",
        &["ngày sinh", "birth date", "date of birth"],
        true,
        "02/04/1980",
    ),
    column("gender", &["giới tính", "gender"], true, "Nam"),
    column("ethnicity", &["dân tộc", "ethnicity"], true, "Thái"),
    column(
        "category",
        &["đối tượng", "loại cán bộ", "category", "staff category"],
        true,
        "Cán bộ, công chức cấp xã",
    ),
    column("unit", &["đơn vị", "unit"], true, "Xã Pom Lót"),
    column(
        "post",
        &["chức vụ", "vị trí", "post", "position"],
        true,
        "Chủ tịch UBND xã",
    ),
    column(
        "leadership",
        &["lãnh đạo", "lãnh đạo quản lý", "leadership", "leader"],
        false,
        "không",
    ),
    column(
        "joined",
        &["ngày vào", "ngày tuyển dụng", "joined", "registered on"],
        false,
        "03/01/2012",
    ),
    column("party_member", &["đảng viên", "party member"], false, "có"),
    column(
        "confirm_duplicate",
        &["xác nhận trùng", "confirm duplicate"],
        false,
        "không",
    ),
    // The edits a file exported by `cadre export people` can carry back for people
    // already registered (see `PersonEdit`).
    column(
        "effective_date",
        &["ngày hiệu lực", "effective date"],
        false,
        "",
    ),
    column(
        "separated_on",
        &["ngày nghỉ", "ngày nghỉ việc", "separated on"],
        false,
        "",
    ),
    column(
        "separation_reason",
        &["lý do nghỉ", "lý do nghỉ việc", "separation reason"],
        false,
        "",
    ),
];

pub const QUALIFICATIONS: &[Column] = &[
    CODE,
    column(
        "track",
        &["loại trình độ", "lĩnh vực", "track"],
        true,
        "Trình độ chuyên môn",
    ),
    column("level", &["trình độ", "level"], true, "Đại học"),
    column("field", &["chuyên ngành", "field"], false, "Luật"),
    column(
        "institution",
        &["cơ sở đào tạo", "nơi đào tạo", "institution"],
        false,
        "Trường Đại học Luật Hà Nội",
    ),
    column(
        "certificate_number",
        &["số văn bằng", "số hiệu văn bằng", "certificate number"],
        false,
        "B-123456",
    ),
    column("issued_on", &["ngày cấp", "issued on"], false, "15/06/2005"),
    column(
        "effective_date",
        &["ngày ghi nhận", "ngày hiệu lực", "effective date"],
        true,
        "03/01/2012",
    ),
];

pub const TRAININGS: &[Column] = &[
    CODE,
    column(
        "programme",
        &["chương trình", "khóa học", "programme", "program"],
        true,
        "Trung cấp lý luận chính trị - hành chính",
    ),
    column(
        "starts_on",
        &["từ ngày", "ngày bắt đầu", "starts on", "start"],
        true,
        "01/03/2017",
    ),
    column(
        "ends_on",
        &["đến ngày", "ngày kết thúc", "ends on", "end"],
        true,
        "30/05/2017",
    ),
    column("result", &["kết quả", "result"], false, "Đạt"),
    column("grade", &["xếp loại học tập", "grade"], false, "Khá"),
    column(
        "certificate_number",
        &["số chứng chỉ", "số văn bằng", "certificate number"],
        false,
        "LLCT-2017-001",
    ),
    column(
        "capacity",
        &["số chỗ", "số học viên", "capacity", "seats"],
        false,
        "40",
    ),
];

pub const ROTATIONS: &[Column] = &[
    CODE,
    column("kind", &["hình thức", "kind"], true, "Luân chuyển"),
    column("to_unit", &["đơn vị đến", "to unit"], true, "Xã Pom Lót"),
    column(
        "to_post",
        &["chức vụ đến", "to post"],
        true,
        "Bí thư Đảng ủy xã",
    ),
    column(
        "decision_number",
        &["số quyết định", "decision number"],
        true,
        "125/QĐ-HU",
    ),
    column(
        "starts_on",
        &["từ ngày", "ngày bắt đầu", "starts on", "start"],
        true,
        "01/02/2017",
    ),
    column(
        "planned_end",
        &["dự kiến kết thúc", "planned end"],
        false,
        "31/12/2017",
    ),
    column(
        "ended_on",
        &["ngày kết thúc", "ended on"],
        false,
        "20/12/2017",
    ),
    column(
        "outcome",
        &["kết quả", "outcome"],
        false,
        "Hoàn thành tốt nhiệm vụ",
    ),
    column(
        "assessment",
        &["nhận xét", "đánh giá", "assessment"],
        false,
        "Hoàn thành tốt nhiệm vụ được giao",
    ),
];

pub const APPRAISALS: &[Column] = &[
    CODE,
    column("year", &["năm", "year"], true, "2017"),
    column(
        "classification",
        &["xếp loại", "classification"],
        true,
        "Hoàn thành tốt nhiệm vụ",
    ),
    column("score", &["điểm", "score"], false, "88"),
    column(
        "effective_date",
        &["ngày đánh giá", "ngày hiệu lực", "effective date"],
        true,
        "26/12/2017",
    ),
];

/// The columns of `kind`.
pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::People => PEOPLE,
        Kind::Qualifications => QUALIFICATIONS,
        Kind::Trainings => TRAININGS,
        Kind::Rotations => ROTATIONS,
        Kind::Appraisals => APPRAISALS,
    }
}

/// One row's cells by column name, with errors collected as they are read.
pub struct Cells<'a> {
    row: usize,
    cells: &'a [String],
    layout: &'a Layout,
    pub errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    pub fn new(row: usize, cells: &'a [String], layout: &'a Layout) -> Self {
        Cells {
            row,
            cells,
            layout,
            errors: Vec::new(),
        }
    }

    fn raw(&self, name: &str) -> &'a str {
        let index = columns(self.layout.kind)
            .iter()
            .position(|c| c.name == name);
        index
            .and_then(|i| self.layout.at[i])
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    /// Records a problem with column `name`, named by its header in the file.
    fn fail<T>(&mut self, name: &str, why: impl Into<Words>) -> Option<T> {
        let value = self.raw(name).to_string();
        self.errors.push(RowError {
            row: self.row,
            column: self.layout.title(name),
            value,
            why: why.into().say(self.layout.lang),
        });
        None
    }

    /// A value that must be present.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.raw(name) {
            "" => self.fail(name, messages::empty()),
            value => Some(value.to_string()),
        }
    }

    /// A value that may be absent.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.raw(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// A date as dd/mm/yyyy (the local habit) or yyyy-mm-dd.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let value = self.text(name)?;
        parse_date(&value).or_else(|| self.fail(name, messages::bad_date(&value)))
    }

    pub fn optional_date(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        match self.optional(name) {
            None => Some(None),
            Some(value) => match parse_date(&value) {
                Some(date) => Some(Some(date)),
                None => self.fail(name, messages::bad_date(&value)),
            },
        }
    }

    pub fn vocab<T: Vocabulary>(&mut self, name: &str) -> Option<T> {
        let value = self.text(name)?;
        T::parse(&value).or_else(|| self.fail(name, messages::not_one_of::<T>()))
    }

    pub fn number<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
        let value = self.text(name)?;
        value
            .parse()
            .ok()
            .or_else(|| self.fail(name, messages::not_a_number()))
    }

    /// Yes or no; empty is no.
    pub fn flag(&mut self, name: &str) -> Option<bool> {
        Some(self.optional_flag(name)?.unwrap_or(false))
    }

    /// Yes, no, or empty: not said (`None`), which is not the same as no.
    pub fn optional_flag(&mut self, name: &str) -> Option<Option<bool>> {
        match fold(self.raw(name)).as_str() {
            "" => Some(None),
            "khong" | "no" | "false" | "0" => Some(Some(false)),
            "co" | "x" | "yes" | "true" | "1" => Some(Some(true)),
            _ => self.fail(name, messages::not_yes_no()),
        }
    }
}

/// dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd, with a four-digit year from 1900 to
/// 2200 (so that "02/04/80" is refused rather than read as the year 80).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    crate::dates::parse(text).ok()
}

/// A command of a row, with the natural key its events' ids are derived from and the
/// staff code it concerns.
pub struct Keyed {
    pub key: String,
    pub code: String,
    pub command: Command,
    /// The row says a registration that looks like an earlier one is another person.
    pub confirm_duplicate: bool,
    /// For a people row: what it says beyond the registration, which is what the row
    /// records when the person is registered already.
    pub edit: Option<PersonEdit>,
}

/// What a people row says beyond the registration in its command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEdit {
    /// The row's "ngày vào", when given (the registration is dated by it, or else by the
    /// effective date).
    pub joined: Option<NaiveDate>,
    /// When the row's unit, post, category or leadership took effect.
    pub effective: Option<NaiveDate>,
    pub separation: Option<(NaiveDate, SeparationReason)>,
}

/// The person a staff code names: the same code always gives the same id.
pub fn person_of(code: &str) -> PersonId {
    PersonId(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("cadre:person-code:{}", code.trim()).as_bytes(),
    ))
}

/// The session of a programme starting on a date.
pub fn session_of(programme: &str, starts_on: NaiveDate) -> SessionId {
    SessionId(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("cadre:session:{programme}:{starts_on}").as_bytes(),
    ))
}

/// The commands of one row (none when a cell is wrong: see `cells.errors`).
pub fn commands(kind: Kind, cells: &mut Cells<'_>, directory: &Directory) -> Vec<Keyed> {
    let Some(code) = cells.text("code") else {
        return Vec::new();
    };
    let person = person_named(&code, directory);
    let confirm_duplicate = kind == Kind::People && cells.flag("confirm_duplicate") == Some(true);
    let mut edit = None;
    let built = match kind {
        Kind::People => person_row(cells, directory, person).map(|(c, e)| {
            edit = Some(e);
            vec![(format!("person:{code}"), c)]
        }),
        Kind::Qualifications => qualification_row(cells, person)
            .map(|(key, c)| vec![(format!("qualification:{code}:{key}"), c)]),
        Kind::Appraisals => appraisal_row(cells, person).map(|c| {
            let year = match &c {
                Command::Appraise(Appraise { year, .. }) => *year,
                _ => 0,
            };
            vec![(format!("appraisal:{code}:{year}"), c)]
        }),
        Kind::Trainings => training_row(cells, directory, person, &code),
        Kind::Rotations => rotation_row(cells, directory, person, &code),
    };
    if !cells.errors.is_empty() {
        return Vec::new();
    }
    built
        .unwrap_or_default()
        .into_iter()
        .map(|(key, command)| Keyed {
            key: format!("import:{key}"),
            code: code.clone(),
            command,
            confirm_duplicate,
            edit: edit.clone(),
        })
        .collect()
}

/// The person a row's code names: whoever holds the code (registered by a file, the API
/// or the demo); for a code nobody holds, the person a people file registers under it.
/// A people row for a code someone holds is compared with that person (see `edits`).
fn person_named(code: &str, directory: &Directory) -> PersonId {
    directory.person(code).unwrap_or_else(|| person_of(code))
}

fn unit(cells: &mut Cells<'_>, directory: &Directory, name: &str) -> Option<crate::domain::UnitId> {
    let value = cells.text(name)?;
    match directory.unit(&value) {
        Ok(unit) => Some(unit),
        Err(Unresolved::Unknown) => cells.fail(name, messages::no_unit()),
        Err(Unresolved::Ambiguous(codes)) => cells.fail(name, messages::shared_unit_name(&codes)),
    }
}

/// The programme a row names, by name or id; a name given to several is refused with
/// their ids rather than resolved to one of them.
fn programme(cells: &mut Cells<'_>, directory: &Directory) -> Option<ProgrammeId> {
    let value = cells.text("programme")?;
    match directory.programme(&value) {
        Ok(programme) => Some(programme),
        Err(Unresolved::Unknown) => cells.fail("programme", messages::no_programme()),
        Err(Unresolved::Ambiguous(ids)) => {
            cells.fail("programme", messages::shared_programme_name(&ids))
        }
    }
}

fn person_row(
    cells: &mut Cells<'_>,
    directory: &Directory,
    person: PersonId,
) -> Option<(Command, PersonEdit)> {
    let full_name = cells.text("full_name");
    let birth_date = cells.date("birth_date");
    let gender = cells.vocab("gender");
    let ethnicity = cells.text("ethnicity");
    let category = cells.vocab("category");
    let unit = unit(cells, directory, "unit");
    let post = cells.text("post");
    let leadership = cells.flag("leadership");
    let party_member = cells.optional_flag("party_member");
    let edit = person_edit(cells);
    let staff_code = match StaffCode::parse(cells.raw("code")) {
        Ok(code) => Some(code),
        Err(e) => cells.fail("code", e.to_string())?,
    };
    let edit = edit?;
    let effective_date = match edit.joined.or(edit.effective) {
        Some(date) => date,
        None => return cells.fail("joined", messages::empty()),
    };
    let command = Command::RegisterPerson(RegisterPerson {
        person,
        staff_code,
        full_name: full_name?,
        birth_date: birth_date?,
        gender: gender?,
        ethnicity: ethnicity?,
        category: category?,
        unit: unit?,
        post: post?,
        leadership: leadership?,
        effective_date,
        party_member: party_member?,
    });
    Some((command, edit))
}

/// The joining and effective dates of a people row, and its separation: a date and a
/// reason, both or neither.
fn person_edit(cells: &mut Cells<'_>) -> Option<PersonEdit> {
    let joined = cells.optional_date("joined");
    let effective = cells.optional_date("effective_date");
    let separated_on = cells.optional_date("separated_on");
    let reason = match cells.optional("separation_reason") {
        Some(_) => Some(cells.vocab::<SeparationReason>("separation_reason")?),
        None => None,
    };
    let separation = match (separated_on?, reason) {
        (Some(date), Some(reason)) => Some((date, reason)),
        (None, None) => None,
        (Some(_), None) => {
            return cells.fail("separation_reason", messages::separation_needs_reason());
        }
        (None, Some(_)) => return cells.fail("separated_on", messages::separation_needs_date()),
    };
    Some(PersonEdit {
        joined: joined?,
        effective: effective?,
        separation,
    })
}

fn qualification_row(cells: &mut Cells<'_>, person: PersonId) -> Option<(String, Command)> {
    let track = track(cells);
    let level_text = cells.text("level");
    let level = match (track, &level_text) {
        (Some(track), Some(text)) => QualificationLevel::parse(track, text)
            .or_else(|| cells.fail("level", messages::not_a_level(track))),
        _ => None,
    };
    let issued_on = cells.optional_date("issued_on");
    let effective_date = cells.date("effective_date");
    let number = cells.optional("certificate_number");
    let level = level?;
    let certificate = match (number, issued_on?) {
        (Some(number), Some(issued_on)) => Some(Certificate { number, issued_on }),
        (Some(_), None) => return cells.fail("issued_on", messages::certificate_needs_date()),
        _ => None,
    };
    let key = format!(
        "{}:{}:{}",
        level.track().code(),
        level.code(),
        certificate
            .as_ref()
            .map_or(String::new(), |c| c.number.clone())
    );
    Some((
        key,
        Command::RecordQualification(RecordQualification {
            person,
            level,
            field: cells.optional("field"),
            institution: cells.optional("institution"),
            certificate,
            effective_date: effective_date?,
        }),
    ))
}

/// The track column; `Tin học` there is explained (IT is a programme category, not a track).
fn track(cells: &mut Cells<'_>) -> Option<Track> {
    let text = cells.text("track")?;
    Track::parse(&text).or_else(|| match ProgrammeCategory::parse(&text) {
        Some(ProgrammeCategory::InformationTechnology) => {
            cells.fail("track", messages::information_technology_is_a_programme())
        }
        _ => cells.fail("track", messages::not_one_of::<Track>()),
    })
}

fn appraisal_row(cells: &mut Cells<'_>, person: PersonId) -> Option<Command> {
    let year = cells.number("year");
    let classification = cells.vocab("classification");
    let score = match cells.optional("score") {
        Some(_) => Some(cells.number::<u8>("score")?),
        None => None,
    };
    let effective_date = cells.date("effective_date");
    Some(Command::Appraise(Appraise {
        person,
        year: year?,
        classification: classification?,
        score,
        feedback: Vec::new(),
        effective_date: effective_date?,
    }))
}

type Commands = Option<Vec<(String, Command)>>;

fn training_row(
    cells: &mut Cells<'_>,
    directory: &Directory,
    person: PersonId,
    code: &str,
) -> Commands {
    let programme = programme(cells, directory);
    let starts_on = cells.date("starts_on");
    let ends_on = cells.date("ends_on");
    let result = match cells.optional("result") {
        Some(_) => Some(cells.vocab("result")?),
        None => None,
    };
    // 0: no capacity given (the import sizes a new session by its rows).
    let capacity = match cells.optional("capacity") {
        Some(_) => cells.number::<u32>("capacity")?,
        None => 0,
    };
    let (programme, starts_on, ends_on) = (programme?, starts_on?, ends_on?);
    let session = session_of(&programme.to_string(), starts_on);
    let mut out = vec![(
        // Scheduled, or its capacity raised, by the import (see `import::plan`).
        format!("session:{session}"),
        Command::ScheduleSession(ScheduleSession {
            session,
            programme,
            starts_on,
            ends_on,
            capacity,
            effective_date: starts_on,
        }),
    )];
    out.push((
        format!("enrol:{code}:{session}"),
        Command::Enrol(Enrol {
            person,
            session,
            effective_date: starts_on,
        }),
    ));
    if let Some(result) = result {
        let certificate = cells
            .optional("certificate_number")
            .map(|number| Certificate {
                number,
                issued_on: ends_on,
            });
        out.push((
            format!("complete:{code}:{session}"),
            Command::CompleteTraining(CompleteTraining {
                person,
                session,
                result,
                grade: cells.optional("grade"),
                certificate,
                effective_date: ends_on,
            }),
        ));
    }
    Some(out)
}

fn rotation_row(
    cells: &mut Cells<'_>,
    directory: &Directory,
    person: PersonId,
    code: &str,
) -> Commands {
    let kind = cells.vocab("kind");
    let to_unit = unit(cells, directory, "to_unit");
    let to_post = cells.text("to_post");
    let decision_number = cells.text("decision_number");
    let starts_on = cells.date("starts_on");
    let planned_end = cells.optional_date("planned_end");
    let ended_on = cells.optional_date("ended_on");
    let outcome = match cells.optional("outcome") {
        Some(_) => Some(cells.vocab("outcome")?),
        None => None,
    };
    let starts_on = starts_on?;
    let mut out = vec![(
        format!("rotation-start:{code}:{starts_on}"),
        Command::StartRotation(StartRotation {
            person,
            kind: kind?,
            to: Placement {
                unit: to_unit?,
                post: to_post?,
            },
            planned_end: planned_end?,
            decision_number: decision_number?,
            effective_date: starts_on,
        }),
    )];
    match (ended_on?, outcome) {
        (Some(ended_on), Some(outcome)) => out.push((
            format!("rotation-end:{code}:{starts_on}"),
            Command::EndRotation(EndRotation {
                person,
                outcome,
                assessment: cells.optional("assessment").unwrap_or_default(),
                effective_date: ended_on,
            }),
        )),
        (None, None) => {}
        (Some(_), None) => return cells.fail("outcome", messages::ended_needs_outcome()),
        (None, Some(_)) => return cells.fail("ended_on", messages::outcome_needs_end()),
    }
    Some(out)
}
