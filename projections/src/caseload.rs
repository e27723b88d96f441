//! Caseload and deadlines: one row per case (unit, worker, phase, the dates the clocks run from) and one per
//! intervention. Deadlines and "overdue" are worked out when read, from those dates and a "today" passed in.

use domain::case::{CareOrderStep, CaseEvent, CasePhase, PreliminaryDecision};
use domain::event::Stamped;

use crate::feed::FeedEvent;
use crate::runner::{Arg, Projection, ProjectionError, Write};

/// The caseload projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caseload;

/// A unit-like enum's snake_case name, as serde writes it (phases, kinds, outcomes).
pub(crate) fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|json| json.as_str().map(str::to_owned)).unwrap_or_default()
}

const CASE_COLUMNS: &[&str] = &[
    "case_id",
    "subject_id",
    "unit_id",
    "unit_kind",
    "worker_id",
    "phase",
    "received_on",
    "protection_assessed_on",
    "preliminary_decided_on",
    "investigation_started_on",
    "investigation_due_on",
    "investigation_extended",
    "chained",
    "closed_on",
    "last_position",
    "court_submission_due_on",
    "care_application_due_on",
];
const INTERVENTION_COLUMNS: &[&str] = &[
    "case_id",
    "intervention_id",
    "kind",
    "status",
    "provider_unit",
    "started_on",
    "next_follow_up_on",
    "outcome",
    "last_position",
];

impl Projection for Caseload {
    fn name(&self) -> &'static str {
        "caseload"
    }

    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[
            ("caseload_cases", CASE_COLUMNS),
            ("caseload_interventions", INTERVENTION_COLUMNS),
            ("caseload_subjects", &["subject_id", "protection", "last_position"]),
        ]
    }

    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
        if event.aggregate_type == "subject" {
            return subject_writes(event, generation);
        }
        if event.aggregate_type != "case" {
            return Ok(Vec::new());
        }
        let stamped: Stamped<CaseEvent> =
            serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
        let on = Arg::Text(stamped.occurred_on.to_string());
        let case = Arg::Text(event.aggregate_id.clone());
        let position = Arg::Int(event.cursor.position);
        let g = Arg::Int(generation);
        let update = |sql: &'static str, mut args: Vec<Arg>| {
            let mut all = vec![g.clone(), case.clone(), position.clone()];
            all.append(&mut args);
            vec![Write::new(sql, all)]
        };
        Ok(match stamped.event {
            CaseEvent::CaseOpened { subject, unit, unit_kind, protection_assessed_on, .. } => vec![Write::new(
                "insert into caseload_cases (generation, case_id, last_position, subject_id, unit_id, unit_kind, phase,
                                             received_on, protection_assessed_on)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                vec![
                    g,
                    case,
                    position,
                    subject.to_string().into(),
                    unit.to_string().into(),
                    name_of(&unit_kind).into(),
                    name_of(&CasePhase::Intake).into(),
                    on,
                    protection_assessed_on.map(|date| date.to_string()).into(),
                ],
            )],
            CaseEvent::ReceivedBeforeOpening { received_on } => update(
                "update caseload_cases set last_position = $3, received_on = $4 where generation = $1 and case_id = $2",
                vec![received_on.to_string().into()],
            ),
            CaseEvent::InvestigationOpenedOnApplication { opened_on } => update(
                "update caseload_cases set last_position = $3, phase = $4, preliminary_decided_on = $5,
                        investigation_due_on = $6
                  where generation = $1 and case_id = $2",
                vec![
                    name_of(&CasePhase::InvestigationDecided).into(),
                    opened_on.to_string().into(),
                    domain::calendar::investigation_due(opened_on).to_string().into(),
                ],
            ),
            CaseEvent::ProtectionAssessed { .. } => update(
                "update caseload_cases set last_position = $3, protection_assessed_on = coalesce(protection_assessed_on, $4)
                  where generation = $1 and case_id = $2",
                vec![on],
            ),
            CaseEvent::PreliminaryAssessmentDecided { decision, .. } => {
                let phase = match decision {
                    PreliminaryDecision::OpenInvestigation => CasePhase::InvestigationDecided,
                    PreliminaryDecision::NoInvestigation => CasePhase::NotInvestigated,
                };
                // The four months run from the decision to investigate: the deadline shows from that day.
                let due = (decision == PreliminaryDecision::OpenInvestigation)
                    .then(|| domain::calendar::investigation_due(stamped.occurred_on).to_string());
                update(
                    "update caseload_cases set last_position = $3, phase = $4, preliminary_decided_on = $5,
                            investigation_due_on = $6
                      where generation = $1 and case_id = $2",
                    vec![name_of(&phase).into(), on, due.into()],
                )
            }
            CaseEvent::InvestigationStarted { due_on, .. } => update(
                "update caseload_cases set last_position = $3, phase = $4, investigation_started_on = $5,
                        investigation_due_on = $6, investigation_extended = 0, chained = 0
                  where generation = $1 and case_id = $2",
                vec![name_of(&CasePhase::Investigating).into(), on, due_on.to_string().into()],
            ),
            CaseEvent::ChainedInvestigationFlagged { .. } => update(
                "update caseload_cases set last_position = $3, chained = 1 where generation = $1 and case_id = $2",
                vec![],
            ),
            CaseEvent::InvestigationExtended { new_due_on, .. } => update(
                "update caseload_cases set last_position = $3, investigation_due_on = $4, investigation_extended = 1
                  where generation = $1 and case_id = $2",
                vec![new_due_on.to_string().into()],
            ),
            CaseEvent::InvestigationCompleted { .. } => update(
                "update caseload_cases set last_position = $3, phase = $4, investigation_due_on = null
                  where generation = $1 and case_id = $2",
                vec![name_of(&CasePhase::Investigated).into()],
            ),
            CaseEvent::InvestigationCompletedLate { .. } => update(
                "update caseload_cases set last_position = $3 where generation = $1 and case_id = $2",
                vec![],
            ),
            CaseEvent::InvestigationDiscontinued => update(
                "update caseload_cases set last_position = $3, investigation_due_on = null
                  where generation = $1 and case_id = $2",
                vec![],
            ),
            CaseEvent::InterventionDecided { intervention, kind, .. } => vec![Write::new(
                "insert into caseload_interventions (generation, case_id, last_position, intervention_id, kind, status)
                 values ($1, $2, $3, $4, $5, 'decided')",
                vec![g, case, position, intervention.to_string().into(), name_of(&kind).into()],
            )],
            CaseEvent::InterventionPlanned { intervention, provider, first_follow_up_on, .. } => update(
                "update caseload_interventions set last_position = $3, status = 'planned', provider_unit = $5,
                        next_follow_up_on = $6
                  where generation = $1 and case_id = $2 and intervention_id = $4",
                vec![intervention.to_string().into(), provider.map(|unit| unit.to_string()).into(), first_follow_up_on.to_string().into()],
            ),
            CaseEvent::InterventionStarted { intervention } => update(
                "update caseload_interventions set last_position = $3, status = 'started', started_on = $5
                  where generation = $1 and case_id = $2 and intervention_id = $4",
                vec![intervention.to_string().into(), on],
            ),
            CaseEvent::InterventionFollowedUp { intervention, next_follow_up_on, .. } => update(
                "update caseload_interventions set last_position = $3, next_follow_up_on = $5
                  where generation = $1 and case_id = $2 and intervention_id = $4",
                vec![intervention.to_string().into(), next_follow_up_on.map(|date| date.to_string()).into()],
            ),
            CaseEvent::InterventionEnded { intervention, outcome, .. } => update(
                "update caseload_interventions set last_position = $3, status = 'ended', next_follow_up_on = null,
                        outcome = $5
                  where generation = $1 and case_id = $2 and intervention_id = $4",
                vec![intervention.to_string().into(), name_of(&outcome).into()],
            ),
            CaseEvent::ResponsibleWorkerAssigned { worker, .. } => update(
                "update caseload_cases set last_position = $3, worker_id = $4 where generation = $1 and case_id = $2",
                vec![worker.to_string().into()],
            ),
            CaseEvent::CaseTransferred { to_unit, .. } => update(
                "update caseload_cases set last_position = $3, unit_id = $4, worker_id = null
                  where generation = $1 and case_id = $2",
                vec![to_unit.to_string().into()],
            ),
            CaseEvent::CaseClosed { .. } => update(
                "update caseload_cases set last_position = $3, phase = $4, closed_on = $5, investigation_due_on = null
                  where generation = $1 and case_id = $2",
                vec![name_of(&CasePhase::Closed).into(), on],
            ),
            CaseEvent::CaseReopened { .. } => update(
                "update caseload_cases set last_position = $3, phase = $4, received_on = $5, closed_on = null,
                        protection_assessed_on = null, preliminary_decided_on = null,
                        investigation_started_on = null, investigation_due_on = null
                  where generation = $1 and case_id = $2",
                vec![name_of(&CasePhase::Intake).into(), on],
            ),
            CaseEvent::ImmediateCareOrderDecided { submit_to_court_by, .. } => update(
                "update caseload_cases set last_position = $3, court_submission_due_on = $4,
                        care_application_due_on = null
                  where generation = $1 and case_id = $2",
                vec![submit_to_court_by.to_string().into()],
            ),
            CaseEvent::CareOrderStepRecorded { step, apply_for_care_by } => match step {
                CareOrderStep::Enforced => update(
                    "update caseload_cases set last_position = $3, care_application_due_on = $4
                      where generation = $1 and case_id = $2",
                    vec![apply_for_care_by.map(|date| date.to_string()).into()],
                ),
                CareOrderStep::SubmittedToCourt => update(
                    "update caseload_cases set last_position = $3, court_submission_due_on = null
                      where generation = $1 and case_id = $2",
                    vec![],
                ),
                CareOrderStep::CareApplied => update(
                    "update caseload_cases set last_position = $3, care_application_due_on = null
                      where generation = $1 and case_id = $2",
                    vec![],
                ),
                CareOrderStep::Ended => update(
                    "update caseload_cases set last_position = $3, court_submission_due_on = null,
                        care_application_due_on = null
                      where generation = $1 and case_id = $2",
                    vec![],
                ),
            },
            CaseEvent::InterventionDecidedEarly { .. }
            | CaseEvent::ApplicationRefused { .. }
            | CaseEvent::NoteAppended { .. } => Vec::new(),
        })
    }
}

/// A subject's protected-identity level, as access control and the access review need it.
fn subject_writes(event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
    use domain::subject::SubjectEvent;
    let stamped: Stamped<SubjectEvent> =
        serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
    let level = match stamped.event {
        SubjectEvent::SubjectRegistered { .. } => Arg::Null,
        SubjectEvent::ProtectedIdentitySet { level } => name_of(&level).into(),
        SubjectEvent::ProtectedIdentityCleared => Arg::Null,
        _ => return Ok(Vec::new()),
    };
    Ok(vec![Write::new(
        "insert into caseload_subjects (generation, subject_id, protection, last_position) values ($1, $2, $3, $4)
         on conflict (generation, subject_id) do update set protection = $3, last_position = $4",
        vec![Arg::Int(generation), event.aggregate_id.clone().into(), level, Arg::Int(event.cursor.position)],
    )])
}
