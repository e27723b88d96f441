//! Given/when/then tests of the Case's rules. Histories are built by running commands through the real rules
//! (`Story`), so a test's "given" is always a history the aggregate could have produced.

use cqrs_es::test::TestFramework;
use time::macros::date;
use time::Date;

use super::*;
use crate::command::Command;
use crate::command::{CommandContext, CommandRefused, Role};
use crate::event::Stamped;
use crate::ids::{CaseId, SubjectId, UnitId};
use crate::testing::*;
use crate::units::UnitKind;
use cqrs_es::Aggregate as _;

mod decisions;
mod intake;
mod interventions;
mod investigation;
mod lifecycle;

type Cases = TestFramework<Case>;

/// The date the case was received in most tests.
const RECEIVED: Date = date!(2026 - 06 - 01);

fn case_id() -> CaseId {
    CaseId::from_ulid(ulid(400))
}

fn subject() -> SubjectId {
    SubjectId::from_ulid(ulid(100))
}

fn worker_at(n: u64, on: Date) -> CommandContext {
    context_at(n, Role::SocialWorker, social_services(), on)
}

fn manager_at(n: u64, on: Date) -> CommandContext {
    context_at(n, Role::UnitManager, social_services(), on)
}

fn cmd(context: CommandContext, body: CaseCommand) -> Command<CaseCommand> {
    Command { context, body }
}

fn concerns() -> BTreeSet<ConcernCategory> {
    [ConcernCategory::SchoolAbsence, ConcernCategory::DrugOffence].into()
}

fn open(unit_kind: UnitKind, protection_assessed_on: Option<Date>) -> CaseCommand {
    CaseCommand::OpenCase {
        case: case_id(),
        subject: subject(),
        unit_kind,
        origin: CaseOrigin::OwnInitiative,
        concerns: concerns(),
        protection_assessed_on,
        prior_investigation: None,
        received_on: None,
    }
}

fn assess_protection(late_reason: Option<Sealed>) -> CaseCommand {
    CaseCommand::AssessProtection {
        immediate_protection_needed: false,
        assessment: sealed("safe at home"),
        late_reason,
    }
}

fn decide_preliminary(decision: PreliminaryDecision, exceptional_reason: Option<Sealed>) -> CaseCommand {
    CaseCommand::DecidePreliminaryAssessment {
        decision,
        reasons: sealed("reasons"),
        child_heard: ChildHeard::Yes,
        exceptional_reason,
    }
}

fn start_investigation() -> CaseCommand {
    CaseCommand::StartInvestigation { concerns: concerns() }
}

fn complete(result: InvestigationResult) -> CaseCommand {
    CaseCommand::CompleteInvestigation { result, conclusion: sealed("conclusion"), late_reason: None }
}

fn close(reason: CloseReason) -> CaseCommand {
    CaseCommand::CloseCase { reason, notes: sealed("closing notes") }
}

/// A history built through the real rules; every step must be accepted.
#[derive(Debug, Default)]
struct Story {
    case: Case,
    events: Vec<Stamped<CaseEvent>>,
    next_command: u64,
}

impl Story {
    /// A social-services case opened on [`RECEIVED`].
    fn opened() -> Self {
        Self::default().step(worker_at(0, RECEIVED), open(UnitKind::SocialServices, None))
    }

    /// Opened, protection assessed on receipt.
    fn assessed() -> Self {
        Self::opened().by_worker(RECEIVED, assess_protection(None))
    }

    /// Assessed, and decided to investigate on the fifth day.
    fn decided_to_investigate() -> Self {
        Self::assessed()
            .by_worker(date!(2026 - 06 - 05), decide_preliminary(PreliminaryDecision::OpenInvestigation, None))
    }

    /// Investigation started 2026-06-05, due 2026-10-05.
    fn investigating() -> Self {
        Self::decided_to_investigate().by_worker(date!(2026 - 06 - 05), start_investigation())
    }

    /// Investigation completed on 2026-09-01, interventions needed.
    fn investigated() -> Self {
        Self::investigating().by_worker(date!(2026 - 09 - 01), complete(InvestigationResult::InterventionNeeded))
    }

    fn next_context(&mut self, role: Role, on: Date) -> CommandContext {
        self.next_command += 1;
        context_at(self.next_command, role, social_services(), on)
    }

    fn by_worker(mut self, on: Date, body: CaseCommand) -> Self {
        let context = self.next_context(Role::SocialWorker, on);
        self.step(context, body)
    }

    fn by_manager(mut self, on: Date, body: CaseCommand) -> Self {
        let context = self.next_context(Role::UnitManager, on);
        self.step(context, body)
    }

    fn step(mut self, context: CommandContext, body: CaseCommand) -> Self {
        let decided = self.case.decide(&context, body.clone());
        let events = decided.unwrap_or_else(|error| panic!("story step {body:?} refused: {error:?}"));
        for event in events {
            let stamped = Stamped::new(&context, event);
            self.case.apply(stamped.clone());
            self.events.push(stamped);
        }
        self.next_command = self.next_command.max(context.command_id.ulid().random() as u64);
        self
    }

    /// A fresh command context after this story, by a social worker.
    fn worker(&self, on: Date) -> CommandContext {
        worker_at(self.next_command + 1, on)
    }

    /// A fresh command context after this story, by a unit manager.
    fn manager(&self, on: Date) -> CommandContext {
        manager_at(self.next_command + 1, on)
    }

    /// Given this story, when `body` is given in `context`.
    fn when(&self, context: CommandContext, body: CaseCommand) -> cqrs_es::test::AggregateResultValidator<Case> {
        Cases::with(()).given(self.events.clone()).when(cmd(context, body))
    }

    /// The events `body` leads to after this story (for asserting them).
    fn expect(&self, context: CommandContext, events: Vec<CaseEvent>) -> Vec<Stamped<CaseEvent>> {
        events.into_iter().map(|event| Stamped::new(&context, event)).collect()
    }
}

/// Another unit of social services, for transfers.
fn other_district() -> UnitId {
    UnitId::from_ulid(ulid(9010))
}

/// A refusal is named by its variant; one every command shares, by the shared variant (`rule:OutsideActorsUnit`).
#[test]
fn a_refusal_is_named_by_its_own_variant_or_the_shared_one() {
    use crate::command::{CommandRefused, Rule};
    assert_eq!(CaseError::NotOpened.rule(), "NotOpened");
    assert_eq!(CaseError::Command(CommandRefused::OutsideActorsUnit).rule(), "OutsideActorsUnit");
}
