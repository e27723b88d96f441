//! The Case aggregate: a case (ärende) at a unit, from receipt through protection and preliminary assessment,
//! investigation, decisions and interventions, to closing and reopening, with the legal clocks enforced.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use crate::categories::ConcernCategory;
use crate::delegation::{DecisionKind, Delegated};
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
    CareOrderStep, CaseCommand, CaseOrigin, ChildHeard, CloseReason, DecisionStage, InvestigationResult, PlannedGoal,
    PreliminaryDecision, PriorInvestigation,
};
pub use errors::CaseError;
pub use events::CaseEvent;
pub use interventions::MAX_GOALS;
pub use state::{CareOrder, Case, CasePhase, EndedInvestigation, Intervention, InterventionStatus, Investigation};

crate::decided_aggregate!(Case, "case", CaseCommand, CaseEvent, CaseError);
