//! Lots' domain: value types, the six aggregates (Subject, Referral, Case, Consent, Unit, UserAccount), their commands, events
//! and rules. Pure: no I/O, no clock, no randomness; time, ids and the acting user come in with each command.

pub mod authorization;
pub mod calendar;
pub mod case;
pub mod categories;
pub mod command;
pub mod consent;
pub mod delegation;
pub mod directory;
pub mod event;
pub mod identity_number;
pub mod ids;
pub mod legal;
pub mod outcomes;
pub mod protection;
pub mod referral;
pub mod retention;
pub mod sealed;
pub mod subject;
pub mod units;
pub mod user;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

#[cfg(test)]
mod architecture {
    use cqrs_es::Aggregate;

    /// ARCHITECTURE.md lists every event type with its aggregate; a new event must be added there.
    #[test]
    fn every_event_type_is_listed_in_architecture_md() {
        let table = include_str!("../../ARCHITECTURE.md");
        let kinds = [
            (crate::subject::Subject::TYPE, crate::subject::SubjectEvent::KINDS),
            (crate::consent::Consent::TYPE, crate::consent::ConsentEvent::KINDS),
            (crate::referral::Referral::TYPE, crate::referral::ReferralEvent::KINDS),
            (crate::case::Case::TYPE, crate::case::CaseEvent::KINDS),
            (crate::directory::Unit::TYPE, crate::directory::UnitEvent::KINDS),
            (crate::user::UserAccount::TYPE, crate::user::UserEvent::KINDS),
        ];
        for (aggregate, events) in kinds {
            for event in events {
                let row = format!("| `{aggregate}` | `{event}` | 1 |");
                assert!(table.contains(&row), "ARCHITECTURE.md lacks the row {row}");
            }
        }
    }
}
