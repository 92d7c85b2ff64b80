//! A stored `Appraised` of schema version 1 (before the score field) is read as today's
//! version 2, through the real store.

use cadre::codec;
use cadre::domain::event::Placement;
use cadre::domain::vocab::Classification;
use cadre::domain::{Event, PersonId, UnitId};
use cadre::store::{AppendBatch, ExpectedVersion, NewEvent};
use cadre::stored::upcast::AppraisedV1;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::helpers::temp_store;

#[test]
fn an_appraisal_of_schema_version_1_is_upcast_on_read() {
    let (_dir, store) = temp_store();
    let person = PersonId(Uuid::now_v7());
    let old = AppraisedV1 {
        person,
        year: 2013,
        classification: Classification::Good,
        feedback: vec![],
        at: Placement {
            unit: UnitId(Uuid::now_v7()),
            post: "Chuyên viên".into(),
        },
        effective_date: NaiveDate::from_ymd_opt(2013, 12, 26).unwrap(),
    };
    let payload = codec::encode(&old).unwrap();
    store
        .append_blocking(AppendBatch::single(
            "migration",
            person.stream(),
            ExpectedVersion::NoStream,
            vec![NewEvent::new("Appraised", 1, payload)],
        ))
        .unwrap();
    let stored = store.read_at(1).unwrap().unwrap();
    assert_eq!(
        stored.schema_version, 1,
        "the stored event is never rewritten"
    );
    match cadre::stored::decode(&stored).unwrap() {
        Event::Appraised(new) => {
            assert_eq!(new.score, None);
            assert_eq!(new.classification, Classification::Good);
            assert_eq!(new.year, 2013);
        }
        other => panic!("unexpected {other:?}"),
    }
    let unknown = NewEvent::new("Appraised", 9, vec![1, 2, 3]);
    store
        .append_blocking(AppendBatch::single(
            "t",
            person.stream(),
            ExpectedVersion::Any,
            vec![unknown],
        ))
        .unwrap();
    let error = cadre::stored::decode(&store.read_at(2).unwrap().unwrap()).unwrap_err();
    assert!(error.to_string().contains("no schema version 9"), "{error}");
}
