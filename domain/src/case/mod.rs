//! The Case aggregate: a case (ärende) at a unit, from receipt through protection and preliminary assessment,
//! investigation, decisions and interventions, to closing and reopening, with the legal clocks enforced.

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use time::Date;

use crate::categories::ConcernCategory;
use crate::command::Command;
use crate::event::{write_all, Stamped};
use crate::ids::{GoalId, InterventionId, NoteId, ReferralId, UnitId};
use crate::legal::LegalGroundCode;
use crate::outcomes::{GoalAttainment, InterventionKind, InterventionOutcome};
use crate::sealed::Sealed;

mod commands;
mod decide;
mod errors;
mod events;
mod interventions;
mod state;
#[cfg(test)]
mod tests;

pub use commands::{
    CaseCommand, CaseOrigin, ChildHeard, CloseReason, InvestigationResult, PlannedGoal, PreliminaryDecision,
    PriorInvestigation,
};
pub use errors::CaseError;
pub use events::CaseEvent;
pub use interventions::MAX_GOALS;
pub use state::{Case, CasePhase, EndedInvestigation, Intervention, InterventionStatus, Investigation};

impl Aggregate for Case {
    const TYPE: &'static str = "case";
    type Command = Command<CaseCommand>;
    type Event = Stamped<CaseEvent>;
    type Error = CaseError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), CaseError> {
        let events = self.decide(&command.context, command.body)?;
        write_all(self, &command.context, events, sink).await;
        Ok(())
    }

    fn apply(&mut self, stamped: Self::Event) {
        self.apply_event(stamped);
    }
}
