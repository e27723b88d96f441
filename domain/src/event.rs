//! The envelope every event is written in: the command that caused it and the date it happened.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::command::CommandContext;
use crate::ids::CommandId;

/// What an aggregate's event enum tells about each variant: its stable type name and its version.
pub trait EventKind {
    /// The stable type name written to the log (`ReferralSent`). Never changes once written.
    fn kind(&self) -> &'static str;
    /// The version of this variant's shape. A change of shape ships with an upcaster and a test of the old one.
    fn version(&self) -> &'static str {
        "1"
    }
}

/// An event as it stands in the log: the aggregate's own event, stamped with the client command id that caused
/// it (for idempotency) and the date it happened (for deadlines). Who gave the command and when it was recorded
/// are metadata, added by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped<E> {
    /// The client command id that caused this event.
    pub command_id: CommandId,
    /// The date it happened (not the time it was recorded).
    pub occurred_on: Date,
    /// The event itself.
    #[serde(flatten)]
    pub event: E,
}

impl<E> Stamped<E> {
    /// Stamps `event` with the command's id and date.
    pub fn new(context: &CommandContext, event: E) -> Self {
        Self { command_id: context.command_id, occurred_on: context.occurred_on, event }
    }
}

impl<E> cqrs_es::DomainEvent for Stamped<E>
where
    E: EventKind + Serialize + serde::de::DeserializeOwned + Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    fn event_type(&self) -> String {
        self.event.kind().to_owned()
    }

    fn event_version(&self) -> String {
        self.event.version().to_owned()
    }
}

/// Implements [`EventKind`] for an event enum whose variants are all at version 1, naming each by its variant.
#[macro_export]
macro_rules! event_kinds {
    ($enum:ident { $($variant:ident),+ $(,)? }) => {
        impl $crate::event::EventKind for $enum {
            fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)+
                }
            }
        }

        impl $enum {
            /// Every type name this enum writes to the log, for the table in ARCHITECTURE.md and its test.
            pub const KINDS: &'static [&'static str] = &[$(stringify!($variant)),+];
        }
    };
}

/// Implements `cqrs_es::Aggregate` for an aggregate whose rules are a pure `decide(&context, body)` and whose
/// state changes in `apply_event`: every aggregate of Lots is one.
#[macro_export]
macro_rules! decided_aggregate {
    ($aggregate:ty, $type_name:literal, $command:ty, $event:ty, $error:ty) => {
        impl cqrs_es::Aggregate for $aggregate {
            const TYPE: &'static str = $type_name;
            type Command = $crate::command::Command<$command>;
            type Event = $crate::event::Stamped<$event>;
            type Error = $error;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _: &(),
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> Result<(), $error> {
                let events = self.decide(&command.context, command.body)?;
                $crate::event::write_all(self, &command.context, events, sink).await;
                Ok(())
            }

            fn apply(&mut self, stamped: Self::Event) {
                self.apply_event(stamped);
            }
        }
    };
}

/// Writes the events a command decided, each stamped with the command, applying them to the aggregate as the
/// sink does.
pub(crate) async fn write_all<A, E>(
    aggregate: &mut A,
    context: &CommandContext,
    events: Vec<E>,
    sink: &cqrs_es::event_sink::EventSink<A>,
) where
    A: cqrs_es::Aggregate<Event = Stamped<E>>,
{
    for event in events {
        sink.write(Stamped::new(context, event), aggregate).await;
    }
}
