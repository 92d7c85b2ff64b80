//! The frozen samples of stored events, under `tests/fixtures/events/`: for every
//! (type, version) ever written, `<Type>.v<N>.bin` (payload bytes as stored) and
//! `<Type>.v<N>.json` (the event they must decode to), and a few more named
//! `<Type>.v<N>.<what>.bin`. Each is written once: `CADRE_WRITE_SAMPLES=1 cargo test
//! --test integration samples` writes the missing ones from `samples()` below and never
//! overwrites a file. Then every file is decoded by this test forever, whatever the code
//! has become, and must still say what its JSON says (fields added by later versions may
//! appear beside it); a sample of a version written today must also encode back to its
//! bytes.

use std::path::{Path, PathBuf};

use cadre::codec;
use cadre::domain::event::*;
use cadre::domain::vocab::*;
use cadre::domain::{Event, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use cadre::ledger::Ledger;
use cadre::store::{AppendBatch, ExpectedVersion, NewEvent};
use cadre::stored::correction::{EventCorrectedV2, StoredReplacement};
use cadre::stored::upcast::{AppraisedV1, CorrectionV1, EventCorrectedV1, PersonRegisteredV1};
use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::temp_store;

/// Samples of a version written today that hold an older form inside (a replacement
/// stored before its type moved on): re-encoding them writes the newer form.
const OLDER_FORM_INSIDE: &[&str] = &["EventCorrected.v2.appraised-v1"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn id(text: &str) -> Uuid {
    text.parse().unwrap()
}

const PERSON: &str = "86948c33-d8de-4af4-b6ba-db62005985f9";
const UNIT: &str = "3e9c4090-9ffb-4aba-8596-238fa97498a1";
const OTHER_UNIT: &str = "5b1f0a52-3c1d-4d8e-9a57-0e4b2f6c7d10";
const PROGRAMME: &str = "0c6d5e2a-7f41-4b2e-8d3a-91e5c2b4a6f8";
const SESSION: &str = "a4e7c9b1-2d3f-4a5b-9c8d-7e6f5a4b3c2d";
const APPRAISAL: &str = "01a21c96-b7d4-7183-89cd-ea20886c8c8f";
const ROTATION: &str = "01a21c96-b5a0-7a11-9f3e-2b7d4c8e1a55";

fn person() -> PersonId {
    PersonId(id(PERSON))
}

fn at() -> Placement {
    Placement {
        unit: UnitId(id(UNIT)),
        post: "Trưởng ban".into(),
    }
}

fn registered() -> PersonRegistered {
    PersonRegistered {
        person: person(),
        full_name: "Lương Thị Hoà".into(),
        birth_date: date(1978, 4, 12),
        gender: Gender::Female,
        ethnicity: "Thái".into(),
        category: StaffCategory::Cadre,
        unit: UnitId(id(UNIT)),
        post: "Trưởng ban".into(),
        leadership: true,
        effective_date: date(2012, 1, 1),
        staff_code: Some(code()),
    }
}

fn code() -> StaffCode {
    StaffCode::parse("DB-000123").unwrap()
}

/// `registered()` as version 1 wrote it, before staff codes.
fn registered_v1() -> PersonRegisteredV1 {
    let r = registered();
    PersonRegisteredV1 {
        person: r.person,
        full_name: r.full_name,
        birth_date: r.birth_date,
        gender: r.gender,
        ethnicity: r.ethnicity,
        category: r.category,
        unit: r.unit,
        post: r.post,
        leadership: r.leadership,
        effective_date: r.effective_date,
    }
}

fn appraised_v1() -> AppraisedV1 {
    AppraisedV1 {
        person: person(),
        year: 2013,
        classification: Classification::Good,
        feedback: vec![FeedbackItem {
            channel: FeedbackChannel::VoterMeetings,
            summary: "Cử tri xã Pom Lót đánh giá cao việc tiếp dân".into(),
        }],
        at: at(),
        effective_date: date(2013, 12, 26),
    }
}

fn appraised() -> Appraised {
    Appraised {
        person: person(),
        year: 2017,
        classification: Classification::Good,
        feedback: vec![],
        at: at(),
        effective_date: date(2017, 12, 26),
        score: Some(98),
    }
}

/// One event of every type, as written today.
fn today() -> Vec<Event> {
    let programme = ProgrammeId(id(PROGRAMME));
    let session = SessionId(id(SESSION));
    vec![
        UnitRegistered {
            unit: UnitId(id(UNIT)),
            code: "ban-to-chuc".into(),
            name: "Ban Tổ chức Huyện uỷ".into(),
            level: UnitLevel::District,
            effective_date: date(2012, 1, 1),
        }
        .into(),
        ProgrammeRegistered {
            programme,
            name: "Trung cấp lý luận chính trị – hành chính".into(),
            category: ProgrammeCategory::PoliticalTheory,
            confers: Some(QualificationLevel::PoliticalTheory(
                PoliticalTheoryLevel::Intermediate,
            )),
            provider: "Trường Chính trị tỉnh Điện Biên".into(),
            in_province: true,
            duration_days: 240,
            effective_date: date(2012, 2, 1),
        }
        .into(),
        SessionScheduled {
            session,
            programme,
            starts_on: date(2014, 3, 3),
            ends_on: date(2014, 10, 31),
            capacity: 60,
            effective_date: date(2014, 1, 15),
        }
        .into(),
        SeatTaken {
            session,
            person: person(),
            effective_date: date(2014, 2, 20),
        }
        .into(),
        SeatReleased {
            session,
            person: person(),
            effective_date: date(2014, 3, 10),
        }
        .into(),
        StaffCodeClaimed {
            code: code(),
            person: person(),
            effective_date: date(2012, 1, 1),
        }
        .into(),
        StaffCodeReleased {
            code: code(),
            person: person(),
            effective_date: date(2012, 1, 2),
        }
        .into(),
        registered().into(),
        PersonAssigned {
            person: person(),
            unit: UnitId(id(OTHER_UNIT)),
            post: "Phó Chủ tịch UBND xã".into(),
            category: StaffCategory::CommuneOfficial,
            leadership: false,
            at: at(),
            effective_date: date(2015, 6, 1),
        }
        .into(),
        QualificationRecorded {
            person: person(),
            level: QualificationLevel::Professional(ProfessionalLevel::University),
            field: Some("Luật".into()),
            institution: Some("Trường Đại học Luật Hà Nội".into()),
            certificate: Some(Certificate {
                number: "QH-2001-0457".into(),
                issued_on: date(2001, 7, 15),
            }),
            at: at(),
            effective_date: date(2001, 7, 15),
        }
        .into(),
        EnrolledInSession {
            person: person(),
            session,
            programme,
            at: at(),
            effective_date: date(2014, 2, 20),
        }
        .into(),
        EnrolmentWithdrawn {
            person: person(),
            session,
            reason: "Được cử đi học lớp khác".into(),
            at: at(),
            effective_date: date(2014, 3, 10),
        }
        .into(),
        TrainingCompleted {
            person: person(),
            session,
            programme,
            result: TrainingResult::Passed,
            grade: Some("Khá".into()),
            certificate: Some(Certificate {
                number: "TCLLCT-2014-118".into(),
                issued_on: date(2014, 11, 20),
            }),
            confers: Some(QualificationLevel::PoliticalTheory(
                PoliticalTheoryLevel::Intermediate,
            )),
            at: at(),
            effective_date: date(2014, 10, 31),
        }
        .into(),
        RotationStarted {
            person: person(),
            kind: MovementKind::Rotation,
            from: at(),
            to: Placement {
                unit: UnitId(id(OTHER_UNIT)),
                post: "Bí thư Đảng uỷ xã".into(),
            },
            planned_end: Some(date(2018, 6, 30)),
            decision_number: "152-QĐ/HU".into(),
            at: at(),
            effective_date: date(2016, 7, 1),
        }
        .into(),
        RotationEnded {
            person: person(),
            rotation: id(ROTATION),
            outcome: RotationOutcome::CompletedWell,
            assessment: "Hoàn thành tốt nhiệm vụ luân chuyển".into(),
            at: at(),
            effective_date: date(2018, 6, 30),
        }
        .into(),
        appraised().into(),
        PersonSeparated {
            person: person(),
            reason: SeparationReason::Retired,
            at: at(),
            effective_date: date(2033, 5, 1),
        }
        .into(),
        EventCorrected {
            person: person(),
            corrects: id(APPRAISAL),
            reason: "Điều chỉnh xếp loại theo kết quả phúc tra".into(),
            replacement: Box::new(Correction::Appraised(appraised())),
            at: at(),
            effective_date: date(2018, 1, 15),
        }
        .into(),
        EventVoided {
            person: person(),
            voids: id(APPRAISAL),
            reason: "Ghi trùng văn bằng đã nhập".into(),
            at: at(),
            effective_date: date(2018, 1, 15),
        }
        .into(),
        SessionCapacityChanged {
            session,
            capacity: 75,
            previous: 60,
            reason: "Mở thêm lớp theo Quyết định 88/QĐ-UBND".into(),
            effective_date: date(2014, 2, 1),
        }
        .into(),
        StaffCodeAssigned {
            person: person(),
            code: code(),
            effective_date: date(2018, 1, 2),
        }
        .into(),
    ]
}

/// The first version of a correction, holding `replacement` embedded.
fn corrected_v1(replacement: CorrectionV1) -> Vec<u8> {
    codec::encode(&EventCorrectedV1 {
        person: person(),
        corrects: id(APPRAISAL),
        reason: "Điều chỉnh xếp loại theo kết quả phúc tra".into(),
        replacement: Box::new(replacement),
        at: at(),
        effective_date: date(2018, 1, 15),
    })
    .unwrap()
}

/// A correction of today's form whose replacement was stored as `Appraised` v1.
fn corrected_v2_of_appraised_v1(old: AppraisedV1) -> Vec<u8> {
    codec::encode(&EventCorrectedV2 {
        person: person(),
        corrects: id(APPRAISAL),
        reason: "Điều chỉnh xếp loại theo kết quả phúc tra".into(),
        replacement: StoredReplacement {
            event_type: "Appraised".into(),
            schema_version: 1,
            payload: codec::encode(&old).unwrap(),
        },
        at: at(),
        effective_date: date(2018, 1, 15),
    })
    .unwrap()
}

/// Every sample: (file stem, type, version, payload).
fn samples() -> Vec<(String, &'static str, u32, Vec<u8>)> {
    let mut samples: Vec<_> = today()
        .iter()
        .map(|event| {
            let version = cadre::stored::schema_version(event);
            let name = event.type_name();
            let bytes = cadre::stored::encode(event).unwrap();
            (format!("{name}.v{version}"), name, version, bytes)
        })
        .collect();
    let older = [
        (
            "Appraised.v1",
            "Appraised",
            1,
            codec::encode(&appraised_v1()).unwrap(),
        ),
        (
            "EventCorrected.v1",
            "EventCorrected",
            1,
            corrected_v1(CorrectionV1::Appraised(appraised())),
        ),
        (
            "EventCorrected.v1.person-registered",
            "EventCorrected",
            1,
            corrected_v1(CorrectionV1::PersonRegistered(PersonRegisteredV1 {
                full_name: "Lường Thị Hoà".into(),
                ..registered_v1()
            })),
        ),
        (
            "EventCorrected.v2.appraised-v1",
            "EventCorrected",
            2,
            corrected_v2_of_appraised_v1(appraised_v1()),
        ),
    ];
    samples
        .extend(older.map(|(stem, name, version, bytes)| (stem.to_string(), name, version, bytes)));
    samples
}

/// Writes the missing samples when asked; names the missing ones otherwise.
fn write_missing() -> Vec<String> {
    let writing = std::env::var_os("CADRE_WRITE_SAMPLES").is_some();
    let mut missing = Vec::new();
    for (stem, name, version, bytes) in samples() {
        let bin = dir().join(format!("{stem}.bin"));
        if bin.exists() {
            continue;
        }
        if !writing {
            missing.push(format!(
                "{} is missing: write it once with CADRE_WRITE_SAMPLES=1 cargo test --test integration samples",
                bin.display()
            ));
            continue;
        }
        let event = cadre::stored::decode_payload(name, version, &bytes).unwrap();
        let json = serde_json::to_string_pretty(&event.to_json()).unwrap();
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(dir().join(format!("{stem}.json")), format!("{json}\n")).unwrap();
        std::fs::write(&bin, bytes).unwrap();
    }
    missing
}

/// Whether `decoded` says everything `frozen` says: each field of the sample's JSON with
/// the same value. Fields that later versions add (with the value their upcast gives) may
/// stand beside them, so a sample's JSON stays as it was written.
fn says_all_of(decoded: &Value, frozen: &Value) -> bool {
    match (decoded, frozen) {
        (Value::Object(d), Value::Object(f)) => f
            .iter()
            .all(|(key, f)| d.get(key).is_some_and(|d| says_all_of(d, f))),
        (Value::Array(d), Value::Array(f)) => {
            d.len() == f.len() && d.iter().zip(f).all(|(d, f)| says_all_of(d, f))
        }
        _ => decoded == frozen,
    }
}

/// What is wrong with one sample file, if anything.
fn check(stem: &str) -> Option<String> {
    let mut parts = stem.splitn(3, '.');
    let name = parts.next()?;
    let Some(version) = parts
        .next()
        .and_then(|v| v.strip_prefix('v')?.parse::<u32>().ok())
    else {
        return Some(format!("{stem}.bin is not named <Type>.v<N>[.<what>].bin"));
    };
    let bytes = std::fs::read(dir().join(format!("{stem}.bin"))).unwrap();
    let expected: Value = match std::fs::read_to_string(dir().join(format!("{stem}.json"))) {
        Ok(text) => serde_json::from_str(&text).unwrap(),
        Err(_) => return Some(format!("{stem}.json is missing")),
    };
    let event = match cadre::stored::decode_payload(name, version, &bytes) {
        Ok(event) => event,
        Err(e) => return Some(format!("{stem}.bin no longer decodes: {e}")),
    };
    if !says_all_of(&event.to_json(), &expected) {
        return Some(format!(
            "{stem}.bin decodes to\n{}\nnot to {stem}.json",
            serde_json::to_string_pretty(&event.to_json()).unwrap()
        ));
    }
    let current = cadre::stored::EVENT_TYPES.contains(&(name, version));
    if current
        && !OLDER_FORM_INSIDE.contains(&stem)
        && cadre::stored::encode(&event).ok() != Some(bytes)
    {
        return Some(format!(
            "{name} v{version} is written today, but {stem}.bin does not encode back to its bytes"
        ));
    }
    None
}

#[test]
fn every_frozen_sample_decodes_to_its_json_and_todays_encode_back() {
    let mut complaints = write_missing();
    let mut stems: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".bin").map(str::to_string))
        .collect();
    stems.sort();
    complaints.extend(stems.iter().filter_map(|stem| check(stem)));
    for stored in cadre::stored::catalogue() {
        let stem = format!("{}.v{}", stored.event_type, stored.version);
        if !stems.contains(&stem) {
            complaints.push(format!("no sample {stem}.bin"));
        }
    }
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

/// A person registered and appraised in 2013 (as `Appraised` v1), then the appraisal
/// corrected by `correction` (type `EventCorrected`, version `version`), through the real
/// store and ledger: the person's history and timeline as the ledger and projection fold.
fn fold_with_correction(
    version: u32,
    correction: Vec<u8>,
) -> (
    cadre::domain::PersonHistory,
    cadre::domain::person::Timeline,
) {
    let (_dir, store) = temp_store();
    let events = vec![
        cadre::stored::new_event(&registered().into())
            .unwrap()
            .with_id(id("01a21c96-b000-7000-8000-000000000001")),
        NewEvent::new("Appraised", 1, codec::encode(&appraised_v1()).unwrap())
            .with_id(id(APPRAISAL)),
        NewEvent::new("EventCorrected", version, correction)
            .with_id(id("01a21c96-b000-7000-8000-000000000003")),
    ];
    store
        .append_blocking(AppendBatch::single(
            "migration",
            person().stream(),
            ExpectedVersion::NoStream,
            events,
        ))
        .unwrap();
    let history = Ledger::new(store.clone())
        .load_person(person())
        .unwrap()
        .state;
    let timeline = cadre::projection::person_as_known_at(&store, person(), 3).unwrap();
    (history, timeline)
}

#[test]
fn a_correction_stored_before_its_type_moved_on_folds_as_the_same_correction_of_today() {
    let corrected = Appraised {
        classification: Classification::Excellent,
        ..Appraised::from(appraised_v1())
    };
    let v1 = fold_with_correction(1, corrected_v1(CorrectionV1::Appraised(corrected.clone())));
    let v2 = fold_with_correction(
        2,
        corrected_v2_of_appraised_v1(AppraisedV1 {
            classification: Classification::Excellent,
            ..appraised_v1()
        }),
    );
    assert_eq!(v1, v2);
    let view = v1.0.view(None).unwrap();
    assert_eq!(
        view.appraisals[&2013].classification,
        Classification::Excellent
    );
}
