//! Lots' domain: value types, the four aggregates (Subject, Referral, Case, Consent), their commands, events
//! and rules. Pure: no I/O, no clock, no randomness; time, ids and the acting user come in with each command.

pub mod calendar;
pub mod case;
pub mod categories;
pub mod command;
pub mod consent;
pub mod event;
pub mod identity_number;
pub mod ids;
pub mod legal;
pub mod outcomes;
pub mod referral;
pub mod sealed;
pub mod subject;
pub mod units;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;
