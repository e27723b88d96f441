//! Referral inbox and outbox: one row per referral, with its status, the dates it was sent, received and
//! decided, the case that took it, the chain it was forwarded along, and the feedback given.

use domain::event::Stamped;
use domain::referral::{ReferralEvent, ReferralKind, ReferralStatus};

use crate::caseload::name_of;
use crate::feed::FeedEvent;
use crate::runner::{Arg, Projection, ProjectionError, Write};

/// The referral inbox and outbox projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Referrals;

const COLUMNS: &[&str] = &[
    "referral_id",
    "kind",
    "subject_id",
    "from_unit",
    "to_unit",
    "status",
    "sent_on",
    "received_on",
    "decided_on",
    "case_id",
    "forwarded_from",
    "forwarded_to",
    "decline_reason",
    "feedback_count",
    "last_feedback_on",
    "last_feedback",
    "intervention_started_on",
    "intervention_outcome",
    "last_position",
    "reporter_has_duty",
    "feedback_judged_inappropriate_on",
];

impl Projection for Referrals {
    fn name(&self) -> &'static str {
        "referrals"
    }

    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("referral_views", COLUMNS)]
    }

    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
        if event.aggregate_type != "referral" {
            return Ok(Vec::new());
        }
        let stamped: Stamped<ReferralEvent> =
            serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
        let on = Arg::Text(stamped.occurred_on.to_string());
        let id = Arg::Text(event.aggregate_id.clone());
        let position = Arg::Int(event.cursor.position);
        let g = Arg::Int(generation);
        let update = |sql: &'static str, mut args: Vec<Arg>| {
            let mut all = vec![g.clone(), id.clone(), position.clone()];
            all.append(&mut args);
            vec![Write::new(sql, all)]
        };
        let status = |status: ReferralStatus| Arg::Text(name_of(&status));
        // Registered by its receiver, and so received at once: an application, or a report from outside the directory.
        let registered = |kind: ReferralKind, subject: String, to_unit: String, duty: bool| {
            vec![Write::new(
                "insert into referral_views (generation, referral_id, last_position, kind, subject_id, to_unit, status,
                                             sent_on, received_on, reporter_has_duty)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
                vec![
                    g.clone(),
                    id.clone(),
                    position.clone(),
                    name_of(&kind).into(),
                    subject.into(),
                    to_unit.into(),
                    status(ReferralStatus::Received),
                    on.clone(),
                    Arg::Int(i64::from(duty)),
                ],
            )]
        };
        Ok(match stamped.event {
            ReferralEvent::ReferralSent { kind, subject, from_unit, to_unit, forwarded_from, .. } => vec![Write::new(
                "insert into referral_views (generation, referral_id, last_position, kind, subject_id, from_unit, to_unit,
                                             status, sent_on, forwarded_from, reporter_has_duty)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                vec![
                    g,
                    id,
                    position,
                    name_of(&kind).into(),
                    subject.to_string().into(),
                    from_unit.to_string().into(),
                    to_unit.to_string().into(),
                    status(ReferralStatus::Sent),
                    on,
                    forwarded_from.map(|referral| referral.to_string()).into(),
                    // Every unit of the directory has a duty to report (SoL 14 kap. 1 §).
                    Arg::Int(i64::from(kind == ReferralKind::ReportOfConcern)),
                ],
            )],
            ReferralEvent::ApplicationRegistered { subject, to_unit, .. } => {
                registered(ReferralKind::Application, subject.to_string(), to_unit.to_string(), false)
            }
            ReferralEvent::ReportRegistered { subject, to_unit, duty_to_report, .. } => {
                registered(ReferralKind::ReportOfConcern, subject.to_string(), to_unit.to_string(), duty_to_report)
            }
            ReferralEvent::InformationDisclosed { .. } => update(
                "update referral_views set last_position = $3 where generation = $1 and referral_id = $2",
                vec![],
            ),
            ReferralEvent::ReferralReceived { .. } => update(
                "update referral_views set last_position = $3, status = $4, received_on = $5
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Received), on],
            ),
            ReferralEvent::ReferralPutOnHold { .. } => update(
                "update referral_views set last_position = $3, status = $4 where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::OnHold)],
            ),
            ReferralEvent::ReferralResumed => update(
                "update referral_views set last_position = $3, status = $4 where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Received)],
            ),
            ReferralEvent::ReferralAccepted { case } => update(
                "update referral_views set last_position = $3, status = $4, decided_on = $5, case_id = $6
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Accepted), on, case.to_string().into()],
            ),
            ReferralEvent::ReferralDeclined { reason_code, .. } => update(
                "update referral_views set last_position = $3, status = $4, decided_on = $5, decline_reason = $6
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Declined), on, name_of(&reason_code).into()],
            ),
            ReferralEvent::ReferralForwarded { new_referral, .. } => update(
                "update referral_views set last_position = $3, status = $4, decided_on = $5, forwarded_to = $6
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Forwarded), on, new_referral.to_string().into()],
            ),
            ReferralEvent::ReportHandedOver { .. } => update(
                "update referral_views set last_position = $3, status = $4, decided_on = $5
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::HandedOver), on],
            ),
            ReferralEvent::ReferralWithdrawn { .. } => update(
                "update referral_views set last_position = $3, status = $4, decided_on = $5
                  where generation = $1 and referral_id = $2",
                vec![status(ReferralStatus::Withdrawn), on],
            ),
            ReferralEvent::InterventionStartReported => update(
                "update referral_views set last_position = $3, intervention_started_on = $4
                  where generation = $1 and referral_id = $2",
                vec![on],
            ),
            ReferralEvent::InterventionEndReported { outcome } => update(
                "update referral_views set last_position = $3, intervention_outcome = $4
                  where generation = $1 and referral_id = $2",
                vec![name_of(&outcome).into()],
            ),
            ReferralEvent::FeedbackGiven { feedback, .. } => update(
                "update referral_views set last_position = $3, feedback_count = feedback_count + 1, last_feedback_on = $4,
                        last_feedback = $5
                  where generation = $1 and referral_id = $2",
                vec![on, name_of(&feedback).into()],
            ),
            ReferralEvent::FeedbackJudgedInappropriate { .. } => update(
                "update referral_views set last_position = $3, feedback_judged_inappropriate_on = $4
                  where generation = $1 and referral_id = $2",
                vec![on],
            ),
        })
    }
}
