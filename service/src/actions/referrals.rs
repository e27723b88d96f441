//! Use cases of a referral: sending a report of concern or a referral (with the consent or legal ground checked
//! before the command is given, and a warning when the subject has protected identity), registering an
//! application, and every further step, its texts sealed under the subject's key.

use std::collections::BTreeSet;

use domain::categories::{ConcernCategory, InformationCategory};
use domain::command::{Command, CommandContext, CommandRefused, Rule as _};
use domain::consent::Consent;
use domain::ids::{CaseId, ConsentId, ReferralId, SubjectId, UnitId};
use domain::legal::LegalGroundCode;
use domain::outcomes::InterventionOutcome;
use domain::referral::{
    Applicant, DeclineReason, DisclosureBasis, FeedbackKind, ProtectionAssessment, Referral, ReferralCommand,
    ReferralError, ReferralKind, ReporterCategory,
};
use projections::replay::load;
use time::Date;

use super::directory::open_unit_named;
use domain::authorization;

use super::{
    made_id, outcome, refused_for, refused_for_field, seal_optional, seal_text, written, ActionError, Classified,
    Handles, Refusal,
};

/// The legal grounds for disclosure Lots knows, by code, with the paragraph they stand for. One table: the
/// paragraphs moved in 2025 and will move again; codes stay.
pub const LEGAL_GROUNDS: &[(&str, &str)] = &[
    (
        "osl-10-18a",
        "Offentlighets- och sekretesslagen 10 kap. 18 a § (uppgifter till polisen om den som är under 21 år)",
    ),
    ("osl-10-28", "Offentlighets- och sekretesslagen 10 kap. 28 § (uppgiftsskyldighet enligt lag)"),
    ("osl-10-2", "Offentlighets- och sekretesslagen 10 kap. 2 § (nödvändigt utlämnande)"),
    ("osl-10-27", "Offentlighets- och sekretesslagen 10 kap. 27 § (generalklausulen)"),
    ("osl-10-20a", "Offentlighets- och sekretesslagen 10 kap. 20 a § (lex Maja: uppgifter om att ett barn far illa)"),
    ("osl-26-9", "Offentlighets- och sekretesslagen 26 kap. 9 § (mellan nämnder inom socialtjänsten)"),
    ("osl-25-12", "Offentlighets- och sekretesslagen 25 kap. 12 § (från hälso- och sjukvården till socialtjänsten)"),
    (
        "osl-26-9a",
        "Offentlighets- och sekretesslagen 26 kap. 9 a § och socialtjänstlagen (2001:453) 14 kap. 1 b § (återkoppling till anmälaren)",
    ),
    ("sol-14-1", "Socialtjänstlagen (2001:453) 14 kap. 1 § / (2025:400) anmälningsskyldighet"),
];

/// Codes Lots once accepted and no longer does, with what they were used for: referrals sent under them stay in
/// the log and are shown with this, never sent under them again.
pub const RETIRED_GROUNDS: &[(&str, &str)] = &[(
    "osl-10-19",
    "Used before 2026-12 for nödvändigt utlämnande, which is Offentlighets- och sekretesslagen 10 kap. 2 § (osl-10-2)",
)];

/// What sending a referral needs.
#[derive(Debug, Clone)]
pub struct SendReferral {
    /// The new referral's id; made from the command id when not given.
    pub referral: Option<ReferralId>,
    /// A report of concern or a referral.
    pub kind: ReferralKind,
    /// Whom it is about.
    pub subject: SubjectId,
    /// Where it goes.
    pub to_unit: UnitId,
    /// The concerns.
    pub concerns: BTreeSet<ConcernCategory>,
    /// Why, in plain text (sealed).
    pub reason: String,
    /// The consent it is sent under, or…
    pub consent: Option<ConsentId>,
    /// …the legal ground, by its code (as given, checked against [`LEGAL_GROUNDS`]).
    pub legal_ground: Option<String>,
    /// What information it discloses, checked against the consent.
    pub information: BTreeSet<InformationCategory>,
}

/// What registering an application needs.
#[derive(Debug, Clone)]
pub struct RegisterApplication {
    /// The new referral's id; made from the command id when not given.
    pub referral: Option<ReferralId>,
    /// Whom it is about.
    pub subject: SubjectId,
    /// Who applied.
    pub applicant: Applicant,
    /// The concerns.
    pub concerns: BTreeSet<ConcernCategory>,
    /// What was asked for, in plain text (sealed).
    pub reason: String,
}

/// What registering a report from outside the directory needs.
#[derive(Debug, Clone)]
pub struct RegisterReport {
    /// The new referral's id; made from the command id when not given.
    pub referral: Option<ReferralId>,
    /// Whom it is about.
    pub subject: SubjectId,
    /// Who reported, by category.
    pub reporter: ReporterCategory,
    /// Who the reporter is (name, how to reach them), in plain text (sealed); none for an anonymous report.
    pub reporter_identity: Option<String>,
    /// The concerns.
    pub concerns: BTreeSet<ConcernCategory>,
    /// What was reported, in plain text (sealed).
    pub reason: String,
    /// The protection assessment made on receipt.
    pub protection_assessment: Assessment,
}

/// A protection assessment given with a received report of concern.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Whether the child needs protection at once.
    pub immediate_protection_needed: bool,
    /// The assessment, in plain text (sealed).
    pub assessment: String,
    /// When it was made.
    pub assessed_on: Date,
    /// Why it is late, when it is.
    pub late_reason: Option<String>,
}

/// A step of a referral, its texts in plain text (sealed before the command is given).
#[derive(Debug, Clone)]
pub enum ReferralStep {
    /// Receive it (a report of concern with its protection assessment).
    Receive {
        /// The assessment.
        protection_assessment: Option<Assessment>,
    },
    /// Put it on hold.
    PutOnHold {
        /// Why.
        reason: String,
    },
    /// Take it off hold.
    Resume,
    /// Accept it, linking the case.
    Accept {
        /// The case.
        case: CaseId,
    },
    /// Decline it.
    Decline {
        /// The coded reason.
        reason_code: DeclineReason,
        /// The reason in words.
        reason: String,
    },
    /// Forward it to another unit: a new referral is sent there, saying where it came from.
    Forward {
        /// Where.
        to_unit: UnitId,
        /// The new referral's id.
        new_referral: ReferralId,
        /// Why (also the new referral's reason).
        reason: String,
        /// The consent the new referral is sent under, or…
        consent: Option<ConsentId>,
        /// …the legal ground, by its code; neither for a report of concern forwarded to social services.
        legal_ground: Option<String>,
        /// What information the new referral discloses.
        information: BTreeSet<InformationCategory>,
    },
    /// Hand a report of concern over to the municipality responsible for the child.
    HandOver {
        /// The municipality, by name.
        municipality: String,
        /// Why.
        reason: String,
    },
    /// Withdraw it (the sender).
    Withdraw {
        /// Why.
        reason: String,
    },
    /// Report the intervention's start.
    ReportStart,
    /// Report the intervention's end.
    ReportEnd {
        /// How it ended.
        outcome: InterventionOutcome,
    },
    /// Give feedback to the sender.
    GiveFeedback {
        /// What kind.
        feedback: FeedbackKind,
        /// A message.
        message: Option<String>,
    },
    /// Judge feedback to a report's reporter inappropriate.
    JudgeFeedbackInappropriate {
        /// Why.
        reason: String,
    },
}

/// What a referral command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralDone {
    /// The referral.
    pub referral: ReferralId,
    /// Whether it repeated an applied command (nothing was written).
    pub repeat: bool,
    /// What the sender must know: protected identity.
    pub warnings: Vec<String>,
    /// Where its events stand in the log.
    pub written: Option<String>,
}

/// What a sender must be told about `subject`: whether they have protected identity.
async fn protection_warnings(handles: Handles<'_>, subject: SubjectId) -> Result<Vec<String>, ActionError> {
    let db = handles.db();
    let generation = projections::runner::status(db, "caseload").await?.generation;
    let protection: Option<Option<String>> = projections::on_pool!(db, |pool| {
        sqlx::query_scalar("select protection from caseload_subjects where generation = $1 and subject_id = $2")
            .bind(generation)
            .bind(subject.to_string())
            .fetch_optional(pool)
            .await
    })?;
    Ok(match protection {
        Some(Some(level)) => {
            vec![format!("the subject has protected identity ({level}): disclose only what the receiving unit needs")]
        }
        _ => Vec::new(),
    })
}

/// Gives `body` to referral `referral`: a new one (`makes_new`: a taken id is a conflict) or an existing one (one
/// that is not there, or not the actor's unit's, answers as not found).
async fn give(
    handles: Handles<'_>,
    context: CommandContext,
    referral: ReferralId,
    body: ReferralCommand,
    makes_new: bool,
) -> Result<(bool, Option<String>), ActionError> {
    let result =
        handles.bus.execute::<Referral>(&referral.to_string(), Command { context, body }, handles.metadata).await;
    let repeat = outcome(result, "referral", |error| match error {
        ReferralError::AlreadySent if makes_new => {
            Classified::Conflict("a referral with this id exists; give a new id")
        }
        ReferralError::NotSent | ReferralError::Command(CommandRefused::OutsideActorsUnit) if !makes_new => {
            Classified::NotFound
        }
        _ => Classified::Rule,
    })?;
    Ok((repeat, written(handles.db(), "referral", &referral.to_string(), "referrals").await))
}

/// Why a referral may disclose what it does: a consent that covers it, or a legal ground Lots knows.
async fn disclosure_basis(
    handles: Handles<'_>,
    input: &SendReferral,
    sender: UnitId,
    occurred_on: Date,
) -> Result<Option<DisclosureBasis>, ActionError> {
    match (input.consent, &input.legal_ground) {
        (Some(_), Some(_)) => Err(Refusal::invalid("consent_id", "name a consent or a legal ground, not both").into()),
        (Some(consent_id), None) => {
            let consent: Consent = load(handles.db(), "consent", &consent_id.to_string()).await?;
            consent.covers(input.subject, input.to_unit, occurred_on, &input.information).map_err(|refusal| {
                Refusal::Rule {
                    rule: "ConsentDoesNotCover",
                    message: format!("the consent does not allow this referral: {refusal}"),
                }
            })?;
            if let Some(terms) = &consent.terms {
                authorization::may_send_under(sender, terms)
                    .map_err(|refused| refused_for_field(refused, "consent_id"))?;
            }
            Ok(Some(DisclosureBasis::Consent(consent_id)))
        }
        (None, Some(code)) => {
            let code =
                LegalGroundCode::parse(code).map_err(|error| Refusal::invalid("legal_ground", error.to_string()))?;
            if let Some((_, why)) = RETIRED_GROUNDS.iter().find(|(retired, _)| *retired == code.as_str()) {
                return Err(Refusal::invalid("legal_ground", format!("{code} is no longer accepted: {why}")).into());
            }
            if !LEGAL_GROUNDS.iter().any(|(known, _)| *known == code.as_str()) {
                return Err(Refusal::invalid("legal_ground", format!("{code} is not a legal ground Lots knows")).into());
            }
            Ok(Some(DisclosureBasis::LegalGround(code)))
        }
        (None, None) => Ok(None),
    }
}

/// Sends a report of concern or a referral from the actor's unit.
pub async fn send(
    handles: Handles<'_>,
    context: CommandContext,
    input: SendReferral,
) -> Result<ReferralDone, ActionError> {
    send_from(handles, context, input, None).await
}

/// Sends a referral, forwarding `forwarded_from` when it names one.
async fn send_from(
    handles: Handles<'_>,
    context: CommandContext,
    input: SendReferral,
    forwarded_from: Option<ReferralId>,
) -> Result<ReferralDone, ActionError> {
    let referral = input.referral.unwrap_or_else(|| ReferralId::from_ulid(made_id(context.command_id, 0)));
    let to_unit_kind = open_unit_named(handles.db(), "to_unit_id", input.to_unit).await?.kind;
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "reason must not be empty").into());
    }
    let basis = disclosure_basis(handles, &input, context.actor.unit, context.occurred_on).await?;
    let reason = seal_text(handles.vault, input.subject, "reason", &input.reason).await?;
    let body = ReferralCommand::SendReferral {
        referral,
        kind: input.kind,
        subject: input.subject,
        to_unit: input.to_unit,
        to_unit_kind,
        concerns: input.concerns,
        reason,
        basis,
        information: input.information,
        forwarded_from,
    };
    let (repeat, written) = give(handles, context, referral, body, true).await?;
    let warnings = protection_warnings(handles, input.subject).await?;
    Ok(ReferralDone { referral, repeat, warnings, written })
}

/// Registers an application made to the actor's unit (social services); it is received at once.
pub async fn register_application(
    handles: Handles<'_>,
    context: CommandContext,
    input: RegisterApplication,
) -> Result<ReferralDone, ActionError> {
    let referral = input.referral.unwrap_or_else(|| ReferralId::from_ulid(made_id(context.command_id, 0)));
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "reason must not be empty").into());
    }
    if !open_unit_named(handles.db(), "unit", context.actor.unit).await?.kind.owns_cases() {
        let message = "applications are made to social services".to_owned();
        return Err(Refusal::Rule { rule: "ApplicationsGoToSocialServices", message }.into());
    }
    let reason = seal_text(handles.vault, input.subject, "reason", &input.reason).await?;
    let body = ReferralCommand::RegisterApplication {
        referral,
        subject: input.subject,
        applicant: input.applicant,
        concerns: input.concerns,
        reason,
    };
    let (repeat, written) = give(handles, context, referral, body, true).await?;
    Ok(ReferralDone { referral, repeat, warnings: Vec::new(), written })
}

/// Registers a report of concern that came to the actor's unit (social services) from outside the directory —
/// the police, health care, a private person, an anonymous caller, the child —, received at once with its
/// protection assessment; the reporter's identity sealed under the child's key.
pub async fn register_report(
    handles: Handles<'_>,
    context: CommandContext,
    input: RegisterReport,
) -> Result<ReferralDone, ActionError> {
    let referral = input.referral.unwrap_or_else(|| ReferralId::from_ulid(made_id(context.command_id, 0)));
    let unit_kind = open_unit_named(handles.db(), "unit", context.actor.unit).await?.kind;
    let vault = handles.vault;
    let subject = input.subject;
    let reason = seal_text(vault, subject, "reason", &input.reason).await?;
    let reporter_identity = match (&input.reporter_identity, input.reporter) {
        (Some(_), ReporterCategory::Anonymous) => {
            return Err(Refusal::invalid("reporter_identity", "an anonymous report names no reporter").into())
        }
        (None, ReporterCategory::Anonymous) => None,
        (None, _) => {
            return Err(
                Refusal::invalid("reporter_identity", "name the reporter, or register the report as anonymous").into()
            )
        }
        (Some(identity), _) => Some(seal_text(vault, subject, "reporter_identity", identity).await?),
    };
    let given = input.protection_assessment;
    let protection_assessment = ProtectionAssessment {
        immediate_protection_needed: given.immediate_protection_needed,
        assessment: seal_text(vault, subject, "protection_assessment.assessment", &given.assessment).await?,
        assessed_on: given.assessed_on,
        late_reason: seal_optional(vault, subject, "protection_assessment.late_reason", given.late_reason.as_deref())
            .await?,
    };
    let body = ReferralCommand::RegisterReport {
        referral,
        unit_kind,
        subject,
        reporter: input.reporter,
        reporter_identity,
        concerns: input.concerns,
        reason,
        protection_assessment,
    };
    let (repeat, written) = give(handles, context, referral, body, true).await?;
    let warnings = protection_warnings(handles, subject).await?;
    Ok(ReferralDone { referral, repeat, warnings, written })
}

/// Takes a step of referral `referral`.
pub async fn step(
    handles: Handles<'_>,
    context: CommandContext,
    referral: ReferralId,
    step: ReferralStep,
) -> Result<ReferralDone, ActionError> {
    let current: Referral = load(handles.db(), "referral", &referral.to_string()).await?;
    // Whose it is comes before what state it is in: another unit's referral is not there, whatever its status.
    authorization::may_act_on_referral(context.actor.unit, &current)
        .map_err(|refused| refused_for(refused, "referral"))?;
    let subject = current.subject.ok_or(Refusal::NotFound("referral"))?;
    let vault = handles.vault;
    let seal = |field: &'static str, text: String| async move { seal_text(vault, subject, field, &text).await };
    let body = match step {
        ReferralStep::Receive { protection_assessment } => {
            let assessment = match protection_assessment {
                Some(given) => Some(ProtectionAssessment {
                    immediate_protection_needed: given.immediate_protection_needed,
                    assessment: seal("protection_assessment.assessment", given.assessment).await?,
                    assessed_on: given.assessed_on,
                    late_reason: seal_optional(
                        vault,
                        subject,
                        "protection_assessment.late_reason",
                        given.late_reason.as_deref(),
                    )
                    .await?,
                }),
                None => None,
            };
            ReferralCommand::ReceiveReferral { protection_assessment: assessment }
        }
        ReferralStep::PutOnHold { reason } => {
            ReferralCommand::PutReferralOnHold { reason: seal("reason", reason).await? }
        }
        ReferralStep::Resume => ReferralCommand::ResumeReferral,
        ReferralStep::Accept { case } => {
            let into: domain::case::Case = load(handles.db(), "case", &case.to_string()).await?;
            authorization::may_accept_into(context.actor.unit, &current, &into)
                .map_err(|refused| refused_for_field(refused, "case_id"))?;
            ReferralCommand::AcceptReferral { case }
        }
        ReferralStep::Decline { reason_code, reason } => {
            ReferralCommand::DeclineReferral { reason_code, reason: seal("reason", reason).await? }
        }
        ReferralStep::Forward { to_unit, new_referral, reason, consent, legal_ground, information } => {
            let to_unit_kind = open_unit_named(handles.db(), "to_unit_id", to_unit).await?.kind;
            let forward = ReferralCommand::ForwardReferral {
                to_unit,
                to_unit_kind,
                new_referral,
                reason: seal("reason", reason.clone()).await?,
            };
            // The referral must allow forwarding before anything is sent (deciding is pure); a retried forward
            // (this command applied already) goes on, so that what a crash interrupted completes.
            match current.decide(&context, forward.clone()) {
                Ok(_) | Err(ReferralError::Command(CommandRefused::AlreadyApplied(_))) => {}
                Err(error) => return Err(Refusal::Rule { rule: error.rule(), message: error.to_string() }.into()),
            }
            // The new referral arrives at its receiver like any referral: the consent or legal ground checked, what
            // it discloses recorded, where it came from named.
            let input = SendReferral {
                referral: Some(new_referral),
                kind: current.kind.ok_or(Refusal::NotFound("referral"))?,
                subject,
                to_unit,
                concerns: current.concerns.clone(),
                reason,
                consent,
                legal_ground,
                information,
            };
            send_from(handles, context, input, Some(referral)).await?;
            forward
        }
        ReferralStep::HandOver { municipality, reason } => {
            if municipality.trim().is_empty() {
                return Err(Refusal::invalid("municipality", "name the municipality the report goes to").into());
            }
            ReferralCommand::HandOverReport { municipality, reason: seal("reason", reason).await? }
        }
        ReferralStep::Withdraw { reason } => {
            ReferralCommand::WithdrawReferral { reason: seal("reason", reason).await? }
        }
        ReferralStep::ReportStart => ReferralCommand::ReportInterventionStarted,
        ReferralStep::ReportEnd { outcome } => ReferralCommand::ReportInterventionEnded { outcome },
        ReferralStep::GiveFeedback { feedback, message } => ReferralCommand::GiveFeedback {
            feedback,
            message: seal_optional(vault, subject, "message", message.as_deref()).await?,
        },
        ReferralStep::JudgeFeedbackInappropriate { reason } => {
            ReferralCommand::JudgeFeedbackInappropriate { reason: seal("reason", reason).await? }
        }
    };
    let (repeat, written) = give(handles, context, referral, body, false).await?;
    Ok(ReferralDone { referral, repeat, warnings: Vec::new(), written })
}
