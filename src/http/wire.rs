//! HTTP request and response types (separate from the domain's), the extractors that turn
//! bad input into problem documents, and the parsing of wire values into domain values:
//! each command's body turns itself into its [`Command`] (`into_command`), vocabulary
//! labels parsed there.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::command::{
    Appraise, AssignPerson, AssignStaffCode, ChangeSessionCapacity, CompleteTraining, Correct,
    EndRotation, Enrol, RecordQualification, RegisterPerson, RegisterProgramme, RegisterUnit,
    ScheduleSession, Separate, StartRotation, Void, WithdrawEnrolment,
};
use crate::domain::error::Why;
use crate::domain::event::{Certificate, Correction, Event, FeedbackItem, Placement};
use crate::domain::reference::{Names, Unresolved};
use crate::domain::vocab::{QualificationLevel, Track, Vocabulary};
use crate::domain::{Command, DomainError, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use crate::store::{AppendOutcome, Store};
use crate::stored::EVENT_TYPES;

/// JSON body; malformed, mistyped or unknown fields are a 400 problem document.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// A command's JSON body (as [`Json`]), with the fingerprint of the request as sent when
/// it carries an `Idempotency-Key`: a retry must repeat the method, the path and the body
/// to be answered with the first answer. The fingerprint is a hash of those three, the
/// body in canonical JSON (keys sorted, no spaces), so that it stays the same across
/// releases and whatever id the server would generate.
pub struct Keyed<T> {
    pub body: T,
    pub key: Option<IdempotencyKey>,
}

/// The `Idempotency-Key` header and the fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub fingerprint: blake3::Hash,
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Keyed<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let key = match request.headers().get("idempotency-key") {
            Some(value) => Some(value.to_str().map(str::to_string).map_err(|_| {
                ApiError::BadRequest("Idempotency-Key must be visible ASCII".into())
            })?),
            None => None,
        };
        let (parts, body) = request.into_parts();
        let bytes = axum::body::Bytes::from_request(
            axum::extract::Request::from_parts(parts.clone(), body),
            state,
        )
        .await
        .map_err(|rejection| match rejection.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            _ => ApiError::BadRequest(rejection.body_text()),
        })?;
        let fingerprint = key
            .is_some()
            .then(|| fingerprint(&parts.method, parts.uri.path(), &bytes));
        let again = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let Json(body) = Json::<T>::from_request(again, state).await?;
        Ok(Keyed {
            body,
            key: key
                .zip(fingerprint)
                .map(|(key, fingerprint)| IdempotencyKey { key, fingerprint }),
        })
    }
}

/// The hash of a request: method, path and the body in canonical JSON (a body that is not
/// JSON is refused before this matters, and hashes as its bytes).
fn fingerprint(method: &axum::http::Method, path: &str, body: &[u8]) -> blake3::Hash {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|value| canonical_json(&value).into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    let mut hasher = blake3::Hasher::new();
    for part in [method.as_str().as_bytes(), path.as_bytes(), &canonical] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()
}

/// `value` as JSON with object keys sorted at every depth and no spaces.
fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut fields: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            fields.sort_by_key(|(name, _)| *name);
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(name, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(name.as_str()),
                        canonical_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        scalar => scalar.to_string(),
    }
}

/// Path parameters, with the same error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Query parameters, with the same error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::Status(rejection.status(), rejection.body_text())
            }
            _ => ApiError::BadRequest(rejection.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

/// A header holding a log position; `None` when absent, 400 when not a number.
pub fn position_header(
    headers: &axum::http::HeaderMap,
    name: &'static str,
) -> Result<Option<u64>, ApiError> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a position")))
        })
        .transpose()
}

/// A page size: `default` when absent, refused outside 1..=`max`.
pub fn page_limit(limit: Option<usize>, default: usize, max: usize) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {max}"
        )));
    }
    Ok(limit)
}

/// Reads a staff code, or refuses the field (422, as the rules' checks of text are).
pub fn staff_code(text: &str) -> Result<StaffCode, ApiError> {
    StaffCode::parse(text).map_err(|e| {
        ApiError::Domain(DomainError::Invalid {
            field: "staff_code".into(),
            why: Why::NotAStaffCode(e.0),
        })
    })
}

/// Reads a vocabulary value (code or label, Vietnamese or English) or refuses the field.
pub fn vocab<T: Vocabulary>(field: &'static str, text: &str) -> Result<T, ApiError> {
    T::parse(text).ok_or_else(|| {
        let codes: Vec<&str> = T::all().iter().map(|v| v.code()).collect();
        ApiError::BadRequest(format!(
            "{field}: {text:?} is not a {}; expected one of {}",
            T::NAME,
            codes.join(", ")
        ))
    })
}

/// A date in a body: yyyy-mm-dd, or dd/mm/yyyy as clerks write it (read as imports read
/// dates); anything else is refused naming the form expected.
// utoipa documents a type named `Date` as a `string` of format `date`, as it does chrono's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse()
            .ok()
            .or_else(|| crate::import::columns::parse_date(&text))
            .map(Date)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{text:?}: expected a date as yyyy-mm-dd (e.g. 2017-12-31)"
                ))
            })
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> NaiveDate {
        date.0
    }
}

/// A unit: its id, its code (`xa-pom-lot`) or its name, with or without diacritics.
// Codes and names are read through the read model's units by the resolver the imports
// use (`Names`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct UnitRef(pub String);

impl UnitRef {
    /// Whether it is an id, which needs no look-up.
    pub fn is_id(&self) -> bool {
        self.0.trim().parse::<Uuid>().is_ok()
    }

    /// The unit named, or a refusal naming `field` and the text.
    pub fn resolve(&self, field: &'static str, units: &Names<UnitId>) -> Result<UnitId, ApiError> {
        let why = match units.find(&self.0) {
            Ok(unit) => return Ok(unit),
            Err(Unresolved::Unknown) => Why::NoSuchUnit(self.0.clone()),
            Err(Unresolved::Ambiguous(codes)) => Why::SharedUnitName {
                text: self.0.clone(),
                codes,
            },
        };
        Err(ApiError::Domain(DomainError::Invalid {
            field: field.into(),
            why,
        }))
    }
}

/// A level and the track it belongs to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelBody {
    /// general_education, professional, political_theory or state_management.
    pub track: String,
    /// A level of that track, e.g. `university` or `đại học`.
    pub level: String,
}

impl LevelBody {
    pub fn parse(&self) -> Result<QualificationLevel, ApiError> {
        let track: Track = vocab("track", &self.track)?;
        QualificationLevel::parse(track, &self.level).ok_or_else(|| {
            ApiError::Domain(DomainError::LevelNotInTrack {
                track,
                level: self.level.clone(),
            })
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateBody {
    pub number: String,
    pub issued_on: Date,
}

impl From<CertificateBody> for Certificate {
    fn from(body: CertificateBody) -> Certificate {
        Certificate {
            number: body.number,
            issued_on: body.issued_on.into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// press, voter_meetings, fatherland_front or complaints_petitions.
    pub channel: String,
    pub summary: String,
}

impl FeedbackBody {
    pub fn parse(self) -> Result<FeedbackItem, ApiError> {
        Ok(FeedbackItem {
            channel: vocab("channel", &self.channel)?,
            summary: self.summary,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterUnitBody {
    /// Chosen by the caller, or generated.
    pub id: Option<Uuid>,
    pub code: String,
    pub name: String,
    /// district or commune.
    pub level: String,
    pub effective_date: Date,
}

impl RegisterUnitBody {
    pub(crate) fn into_command(self, unit: UnitId) -> Result<Command, ApiError> {
        Ok(RegisterUnit {
            unit,
            code: self.code,
            name: self.name,
            level: vocab("level", &self.level)?,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterProgrammeBody {
    pub id: Option<Uuid>,
    pub name: String,
    /// political_theory, state_management, professional, information_technology,
    /// foreign_language, defence_security or other.
    pub category: String,
    pub confers: Option<LevelBody>,
    pub provider: String,
    pub in_province: bool,
    pub duration_days: u32,
    pub effective_date: Date,
}

impl RegisterProgrammeBody {
    pub(crate) fn into_command(self, programme: ProgrammeId) -> Result<Command, ApiError> {
        Ok(RegisterProgramme {
            programme,
            name: self.name,
            category: vocab("category", &self.category)?,
            confers: self.confers.map(|l| l.parse()).transpose()?,
            provider: self.provider,
            in_province: self.in_province,
            duration_days: self.duration_days,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSessionBody {
    pub id: Option<Uuid>,
    pub programme: Uuid,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity: u32,
    pub effective_date: Date,
}

impl ScheduleSessionBody {
    pub(crate) fn into_command(self, session: SessionId) -> Command {
        ScheduleSession {
            session,
            programme: ProgrammeId(self.programme),
            starts_on: self.starts_on.into(),
            ends_on: self.ends_on.into(),
            capacity: self.capacity,
            effective_date: self.effective_date.into(),
        }
        .into()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeCapacityBody {
    /// The new number of seats: more, or no fewer than are taken.
    pub capacity: u32,
    pub reason: String,
    pub effective_date: Date,
}

impl ChangeCapacityBody {
    pub(crate) fn into_command(self, session: SessionId) -> Command {
        ChangeSessionCapacity {
            session,
            capacity: self.capacity,
            reason: self.reason,
            effective_date: self.effective_date.into(),
        }
        .into()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPersonBody {
    pub id: Option<Uuid>,
    pub full_name: String,
    pub birth_date: Date,
    /// male or female.
    pub gender: String,
    pub ethnicity: String,
    /// cadre, civil_servant, public_employee or commune_official.
    pub category: String,
    /// The unit's id, code or name.
    pub unit: UnitRef,
    pub post: String,
    pub leadership: bool,
    pub effective_date: Date,
    /// The staff code (mã cán bộ), unique; the next free one of the server's prefix
    /// (e.g. `DB-000124`) when absent. Compared in upper case.
    pub staff_code: Option<String>,
    /// Register even though a person in service has the same name, birth date and unit.
    #[serde(default)]
    pub confirm_duplicate: bool,
    /// Member of the Communist Party of Vietnam; absent or null: not recorded.
    #[serde(default)]
    pub party_member: Option<bool>,
}

impl RegisterPersonBody {
    pub(crate) fn into_command(
        self,
        person: PersonId,
        units: &Names<UnitId>,
    ) -> Result<Command, ApiError> {
        let staff_code = self.staff_code.as_deref().map(staff_code).transpose()?;
        Ok(RegisterPerson {
            staff_code,
            person,
            full_name: self.full_name,
            birth_date: self.birth_date.into(),
            gender: vocab("gender", &self.gender)?,
            ethnicity: self.ethnicity,
            category: vocab("category", &self.category)?,
            unit: self.unit.resolve("unit", units)?,
            post: self.post,
            leadership: self.leadership,
            effective_date: self.effective_date.into(),
            party_member: self.party_member,
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The unit's id, code or name.
    pub unit: UnitRef,
    pub post: String,
    pub category: String,
    pub leadership: bool,
    pub effective_date: Date,
}

impl AssignBody {
    pub(crate) fn into_command(
        self,
        person: PersonId,
        units: &Names<UnitId>,
    ) -> Result<Command, ApiError> {
        Ok(AssignPerson {
            person,
            unit: self.unit.resolve("unit", units)?,
            post: self.post,
            category: vocab("category", &self.category)?,
            leadership: self.leadership,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationBody {
    pub level: LevelBody,
    pub field: Option<String>,
    pub institution: Option<String>,
    pub certificate: Option<CertificateBody>,
    pub effective_date: Date,
}

impl QualificationBody {
    pub(crate) fn into_command(self, person: PersonId) -> Result<Command, ApiError> {
        Ok(RecordQualification {
            person,
            level: self.level.parse()?,
            field: self.field,
            institution: self.institution,
            certificate: self.certificate.map(Into::into),
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolBody {
    pub session: Uuid,
    pub effective_date: Date,
}

impl EnrolBody {
    pub(crate) fn into_command(self, person: PersonId) -> Command {
        Enrol {
            person,
            session: SessionId(self.session),
            effective_date: self.effective_date.into(),
        }
        .into()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    pub reason: String,
    pub effective_date: Date,
}

impl WithdrawBody {
    pub(crate) fn into_command(self, person: PersonId, session: SessionId) -> Command {
        WithdrawEnrolment {
            person,
            session,
            reason: self.reason,
            effective_date: self.effective_date.into(),
        }
        .into()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    /// passed or failed.
    pub result: String,
    pub grade: Option<String>,
    pub certificate: Option<CertificateBody>,
    pub effective_date: Date,
}

impl CompleteBody {
    pub(crate) fn into_command(
        self,
        person: PersonId,
        session: SessionId,
    ) -> Result<Command, ApiError> {
        Ok(CompleteTraining {
            person,
            session,
            result: vocab("result", &self.result)?,
            grade: self.grade,
            certificate: self.certificate.map(Into::into),
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRotationBody {
    /// rotation, transfer or secondment.
    pub kind: String,
    /// The unit's id, code or name.
    pub to_unit: UnitRef,
    pub to_post: String,
    pub planned_end: Option<Date>,
    pub decision_number: String,
    pub effective_date: Date,
}

impl StartRotationBody {
    pub(crate) fn into_command(
        self,
        person: PersonId,
        units: &Names<UnitId>,
    ) -> Result<Command, ApiError> {
        Ok(StartRotation {
            person,
            kind: vocab("kind", &self.kind)?,
            to: Placement {
                unit: self.to_unit.resolve("to_unit", units)?,
                post: self.to_post,
            },
            planned_end: self.planned_end.map(Into::into),
            decision_number: self.decision_number,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRotationBody {
    /// completed_well, completed or not_completed.
    pub outcome: String,
    pub assessment: String,
    pub effective_date: Date,
}

impl EndRotationBody {
    pub(crate) fn into_command(self, person: PersonId) -> Result<Command, ApiError> {
        Ok(EndRotation {
            person,
            outcome: vocab("outcome", &self.outcome)?,
            assessment: self.assessment,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraiseBody {
    pub year: i32,
    /// excellent, good, completed or not_completed.
    pub classification: String,
    pub score: Option<u8>,
    #[serde(default)]
    pub feedback: Vec<FeedbackBody>,
    pub effective_date: Date,
}

impl AppraiseBody {
    pub(crate) fn into_command(self, person: PersonId) -> Result<Command, ApiError> {
        Ok(Appraise {
            person,
            year: self.year,
            classification: vocab("classification", &self.classification)?,
            score: self.score,
            feedback: self
                .feedback
                .into_iter()
                .map(FeedbackBody::parse)
                .collect::<Result<_, _>>()?,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeparateBody {
    /// retired, resigned, dismissed or deceased.
    pub reason: String,
    pub effective_date: Date,
}

impl SeparateBody {
    pub(crate) fn into_command(self, person: PersonId) -> Result<Command, ApiError> {
        Ok(Separate {
            person,
            reason: vocab("reason", &self.reason)?,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectBody {
    /// The event being corrected.
    pub corrects: Uuid,
    pub reason: String,
    /// The whole corrected fact, with the fields of the corrected event's type (as in
    /// `docs/events.md`).
    #[schema(value_type = Object)]
    pub replacement: serde_json::Value,
    pub effective_date: Date,
}

impl CorrectBody {
    /// The replacement is read as the type of the event it corrects, found in `store`.
    pub(crate) fn into_command(self, person: PersonId, store: &Store) -> Result<Command, ApiError> {
        Ok(Correct {
            person,
            corrects: self.corrects,
            replacement: replacement(store, self.corrects, self.replacement)?,
            reason: self.reason,
            effective_date: self.effective_date.into(),
        }
        .into())
    }
}

/// Reads a correction's replacement as the corrected event's type.
fn replacement(
    store: &Store,
    corrects: Uuid,
    data: serde_json::Value,
) -> Result<Correction, ApiError> {
    let target = store
        .read_by_id(&corrects)?
        .ok_or(ApiError::Domain(DomainError::UnknownEvent(corrects)))?;
    let event = Event::from_json(&target.event_type, data)
        .map_err(|why| ApiError::BadRequest(format!("replacement: {why}")))?;
    let event_type = EVENT_TYPES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == target.event_type)
        .unwrap_or("unknown");
    Correction::from_event(event).ok_or(ApiError::Domain(DomainError::NotCorrectable {
        event_type,
        action: "corrected",
    }))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    pub voids: Uuid,
    pub reason: String,
    pub effective_date: Date,
}

impl VoidBody {
    pub(crate) fn into_command(self, person: PersonId) -> Command {
        Void {
            person,
            voids: self.voids,
            reason: self.reason,
            effective_date: self.effective_date.into(),
        }
        .into()
    }
}

/// A staff code for a person registered without one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffCodeBody {
    /// E.g. `DB-1001` (letters, digits, `-`, `_` or `.`; kept in capitals).
    pub staff_code: String,
    /// The day the code was given (default today).
    pub effective_date: Option<Date>,
}

impl StaffCodeBody {
    pub(crate) fn into_command(
        self,
        person: PersonId,
        today: NaiveDate,
    ) -> Result<Command, ApiError> {
        Ok(AssignStaffCode {
            person,
            staff_code: staff_code(&self.staff_code)?,
            effective_date: self.effective_date.map_or(today, NaiveDate::from),
        }
        .into())
    }
}

/// Where one recorded event landed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedEventBody {
    pub id: Uuid,
    pub stream: String,
    pub version: u64,
    pub position: u64,
}

/// The answer to a command.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedBody {
    /// The id of what the command created or concerns (person, unit, programme, session).
    pub subject: Option<Uuid>,
    pub events: Vec<RecordedEventBody>,
    /// The highest position written: send it back as `X-Cadre-Min-Position` to read it.
    pub position: u64,
    /// True when this was a retry and nothing new was written.
    pub already_stored: bool,
    /// The staff code the command claimed or gave back (a registration's, a voided
    /// registration's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_code: Option<String>,
}

impl RecordedBody {
    pub fn new(subject: Option<Uuid>, outcome: &AppendOutcome) -> Self {
        RecordedBody {
            subject,
            events: outcome
                .events
                .iter()
                .map(|e| RecordedEventBody {
                    id: e.id,
                    stream: e.stream.to_string(),
                    version: e.version,
                    position: e.position,
                })
                .collect(),
            position: outcome.last_position(),
            already_stored: outcome.already_stored,
            staff_code: outcome.events.iter().find_map(|e| {
                let code = e.stream.as_str().strip_prefix(StaffCode::STREAM_PREFIX)?;
                Some(code.to_string())
            }),
        }
    }
}

/// `as_of` and `as_known_at` for reads.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimeQuery {
    /// Business date: facts effective on or before it (default today).
    pub as_of: Option<NaiveDate>,
    /// A log position, a date or an RFC 3339 time: only what was recorded by then.
    pub as_known_at: Option<String>,
    /// vi (default) or en.
    pub lang: Option<String>,
}

/// Filters and paging for the people search.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    pub unit: Option<Uuid>,
    pub category: Option<String>,
    pub leadership: Option<bool>,
    /// A target id the person falls short of.
    pub gap: Option<String>,
    /// Part of the name, with or without diacritics.
    pub q: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1–500, default 50.
    pub limit: Option<usize>,
    pub as_of: Option<NaiveDate>,
}

/// A page of the feed.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// First position (default 1).
    pub from: Option<u64>,
    /// 1–1000, default 100.
    pub limit: Option<usize>,
}

/// Report options.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// json (default), csv, md, html or xlsx.
    pub format: Option<String>,
    pub lang: Option<String>,
    pub as_known_at: Option<String>,
}

/// Which statistics form, for when, and how.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormQuery {
    /// The year: the training of that year, the headcount on its 31 December.
    pub year: Option<i32>,
    /// The day the headcount is counted on (the training form counts its year); `year` or
    /// `as_of` is required.
    pub as_of: Option<NaiveDate>,
    /// html (default) or xlsx.
    pub format: Option<String>,
    /// vi (default) or en.
    pub lang: Option<String>,
    /// A log position, a date or an RFC 3339 time: only what was recorded by then.
    pub as_known_at: Option<String>,
}

/// How to write a person's Sơ yếu lý lịch.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CvQuery {
    /// html (default) or xlsx.
    pub format: Option<String>,
}

/// A head written down earlier, to prove the log before it unchanged.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// `position:hash`
    pub expect_head: Option<String>,
}
