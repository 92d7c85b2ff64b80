//! The catalogue of stored forms: for every (type name, schema version) ever written, the
//! form its payload has and how that form becomes today's event; for every type, the
//! version written today and how today's event is encoded at it.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::correction::EventCorrectedV2;
use super::upcast::{AppraisedV1, EventCorrectedV1, PersonRegisteredV1};
use crate::codec::{self, CodecError};
use crate::domain::Event;
use crate::domain::event;

/// Why a stored payload could not become today's event.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    #[error("{event_type} has no schema version {version}")]
    UnknownVersion { event_type: String, version: u32 },
    #[error("{event_type} v{version}: {source}")]
    Payload {
        event_type: String,
        version: u32,
        #[source]
        source: CodecError,
    },
    /// A correction's replacement could not be read.
    #[error("replacement: {0}")]
    Replacement(Box<PayloadError>),
    /// A correction's replacement is of a type no correction may hold.
    #[error("a {0} cannot be the replacement of a correction")]
    NotCorrectable(String),
}

/// A stored form: the shape of a payload of one (type, version), and how it becomes
/// today's event. Its JSON Schema is frozen in `schemas/events/<Type>.v<N>.json`.
pub trait Form: DeserializeOwned + JsonSchema {
    fn into_event(self) -> Result<Event, PayloadError>;
}

/// The stored form of the current version of event type `E`: how `E` is written today.
pub trait Current<E>: Form {
    fn encode(event: &E) -> Result<Vec<u8>, CodecError>;
}

/// While a domain struct is unchanged since its version was first written, it is that
/// version's stored form itself.
impl<T: Form + Serialize> Current<T> for T {
    fn encode(event: &T) -> Result<Vec<u8>, CodecError> {
        codec::encode(event)
    }
}

/// The stored form of a type's current version: its domain struct unless one is named.
macro_rules! current_form {
    ($name:ident) => {
        event::$name
    };
    ($name:ident, $form:ty) => {
        $form
    };
}

/// A domain struct that is its own stored form reads as itself.
macro_rules! own_form {
    ($name:ident) => {
        impl Form for event::$name {
            fn into_event(self) -> Result<Event, PayloadError> {
                Ok(self.into())
            }
        }
    };
    ($name:ident, $form:ty) => {};
}

/// One (type, version) of the catalogue, for the frozen schemas and samples.
#[derive(Debug)]
pub struct CatalogueEntry {
    pub event_type: &'static str,
    pub version: u32,
    /// Whether this is the version written today.
    pub current: bool,
    pub schema: schemars::Schema,
}

macro_rules! catalogue {
    ($( $name:ident => $version:literal $(as $form:ty)? $(, older { $( $old:literal: $old_form:ty ),+ })? ; )+) => {
        $( own_form!($name $(, $form)?); )+

        /// Every event type with the schema version written today, in catalogue order.
        pub const EVENT_TYPES: &[(&str, u32)] = &[ $( (stringify!($name), $version), )+ ];

        /// The schema version `event` is written at today.
        pub fn schema_version(event: &Event) -> u32 {
            match event { $( Event::$name(_) => $version, )+ }
        }

        /// The payload bytes of `event` at today's schema version.
        pub fn encode(event: &Event) -> Result<Vec<u8>, CodecError> {
            match event {
                $( Event::$name(e) => <current_form!($name $(, $form)?) as Current<event::$name>>::encode(e), )+
            }
        }

        /// Reads a payload stored as (`event_type`, `version`) as today's event.
        pub fn decode_payload(event_type: &str, version: u32, payload: &[u8]) -> Result<Event, PayloadError> {
            match (event_type, version) {
                $(
                    (stringify!($name), $version) => read::<current_form!($name $(, $form)?)>(event_type, version, payload),
                    $($( (stringify!($name), $old) => read::<$old_form>(event_type, version, payload), )+)?
                )+
                $( (stringify!($name), _) )|+ => Err(PayloadError::UnknownVersion {
                    event_type: event_type.to_string(),
                    version,
                }),
                _ => Err(PayloadError::UnknownType(event_type.to_string())),
            }
        }

        /// Every (type, version) ever written, with the JSON Schema of its stored form.
        pub fn catalogue() -> Vec<CatalogueEntry> {
            vec![ $(
                CatalogueEntry {
                    event_type: stringify!($name),
                    version: $version,
                    current: true,
                    schema: schemars::schema_for!(current_form!($name $(, $form)?)),
                },
                $($( CatalogueEntry {
                    event_type: stringify!($name),
                    version: $old,
                    current: false,
                    schema: schemars::schema_for!($old_form),
                }, )+)?
            )+ ]
        }
    };
}

// Type => version written today [as its stored form, when not the domain struct itself]
// [, older { version: frozen form }]. Versions are only ever added, never changed.
catalogue! {
    UnitRegistered => 1;
    ProgrammeRegistered => 1;
    SessionScheduled => 1;
    SeatTaken => 1;
    SeatReleased => 1;
    StaffCodeClaimed => 1;
    StaffCodeReleased => 1;
    PersonRegistered => 2, older { 1: PersonRegisteredV1 };
    PersonAssigned => 1;
    QualificationRecorded => 1;
    EnrolledInSession => 1;
    EnrolmentWithdrawn => 1;
    TrainingCompleted => 1;
    RotationStarted => 1;
    RotationEnded => 1;
    Appraised => 2, older { 1: AppraisedV1 };
    PersonSeparated => 1;
    EventCorrected => 2 as EventCorrectedV2, older { 1: EventCorrectedV1 };
    EventVoided => 1;
    SessionCapacityChanged => 1;
    StaffCodeAssigned => 1;
}

/// Decodes one form and brings it to today's event.
fn read<F: Form>(event_type: &str, version: u32, payload: &[u8]) -> Result<Event, PayloadError> {
    codec::decode::<F>(payload)
        .map_err(|source| PayloadError::Payload {
            event_type: event_type.to_string(),
            version,
            source,
        })?
        .into_event()
}
