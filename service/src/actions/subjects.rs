//! Use cases of subjects and consents: registering a child, young person or guardian (the identity checked,
//! sealed under the subject's own key and remembered by its keyed hash, so a duplicate is found first), looking
//! one up by identity number, every further step of a subject (erasure included), and recording and revoking a
//! written consent.

use std::collections::BTreeSet;

use domain::categories::InformationCategory;
use domain::command::{Command, CommandContext, CommandRefused, Role, Rule};
use domain::consent::{Consent, ConsentCommand, ConsentError, ConsentGiver};
use domain::identity_number::IdentityNumber;
use domain::ids::{ConsentId, SubjectId, UnitId};
use domain::retention::LegalHold;
use domain::subject::{ErasureGround, ProtectionLevel, StatisticsAttributes, Subject, SubjectCommand, SubjectError};
use domain::units::District;
use time::Date;

use domain::authorization::{self, Refused, SubjectChange};
use projections::replay::load;

use super::{made_id, outcome, refused_for, seal_text, written, ActionError, Classified, Handles, Refusal};
use crate::personal::{ErasureError, Identity};

/// An identity as given, in plain text; checked, then sealed.
#[derive(Debug, Clone)]
pub struct IdentityInput {
    /// A personnummer or samordningsnummer, if there is one.
    pub number: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// How to reach them.
    pub contact: Option<String>,
    /// Where they live.
    pub address: Option<String>,
    /// Their school.
    pub school: Option<String>,
    /// Stated when there is no number.
    pub birth_year: Option<i32>,
    /// Their home district.
    pub district: String,
}

/// A step of a subject.
#[derive(Debug, Clone)]
pub enum SubjectStep {
    /// Correct the identity.
    CorrectIdentity(IdentityInput),
    /// Set protected identity.
    SetProtection(ProtectionLevel),
    /// Clear it.
    ClearProtection,
    /// Link a guardian.
    LinkGuardian(SubjectId),
    /// Unlink one.
    UnlinkGuardian(SubjectId),
    /// Place a legal hold.
    PlaceHold(LegalHold),
    /// Release it.
    ReleaseHold(LegalHold),
    /// Erase the subject (administrators): recorded, then the key destroyed; `ground` names the decision.
    Erase(String),
}

/// What recording a consent needs.
#[derive(Debug, Clone)]
pub struct GiveConsent {
    /// The new consent's id; made from the command id when not given.
    pub consent: Option<ConsentId>,
    /// Whom it is about.
    pub subject: SubjectId,
    /// Whether the subject is a minor.
    pub subject_is_minor: bool,
    /// Who gave it.
    pub given_by: BTreeSet<ConsentGiver>,
    /// The units it lets share.
    pub parties: BTreeSet<UnitId>,
    /// What information.
    pub categories: BTreeSet<InformationCategory>,
    /// What for, in plain text (sealed).
    pub purpose: String,
    /// From.
    pub valid_from: Date,
    /// To.
    pub valid_to: Date,
}

/// What a subject or consent command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done<Id> {
    /// The subject or consent.
    pub id: Id,
    /// Whether it repeated an applied command (nothing was written).
    pub repeat: bool,
    /// Where its events stand in the log.
    pub written: Option<String>,
}

/// Checks an identity and works out its statistics attributes; a wrong part is named as `identity.…`.
fn identity_of(input: IdentityInput, today: Date) -> Result<(Identity, StatisticsAttributes), Refusal> {
    let number = match input.number.as_deref() {
        Some(text) => Some(
            IdentityNumber::parse(text, today)
                .map_err(|error| Refusal::invalid("identity.number", error.to_string()))?,
        ),
        None => None,
    };
    if input.given_name.trim().is_empty() || input.family_name.trim().is_empty() {
        return Err(Refusal::invalid("identity.given_name", "given and family names must not be empty"));
    }
    let district =
        District::parse(&input.district).map_err(|error| Refusal::invalid("identity.district", error.to_string()))?;
    let statistics = StatisticsAttributes {
        birth_year: number.map(|number| number.date_part().year()).or(input.birth_year),
        sex: number.map(|number| number.sex()),
        district,
    };
    let identity = Identity {
        number,
        given_name: input.given_name,
        family_name: input.family_name,
        contact: input.contact,
        address: input.address,
        school: input.school,
    };
    Ok((identity, statistics))
}

/// Gives a subject command and answers what it did.
async fn give(
    handles: Handles<'_>,
    context: CommandContext,
    subject: SubjectId,
    body: SubjectCommand,
) -> Result<Done<SubjectId>, ActionError> {
    let result =
        handles.bus.execute::<Subject>(&subject.to_string(), Command { context, body }, handles.metadata).await;
    let repeat = outcome(result, "subject", |error| match error {
        SubjectError::NotRegistered => Classified::NotFound,
        SubjectError::AlreadyRegistered => Classified::Conflict("a subject with this id exists"),
        SubjectError::Command(CommandRefused::RoleNotPermitted { .. }) => Classified::Forbidden,
        _ => Classified::Rule,
    })?;
    Ok(subject_done(handles, subject, repeat).await)
}

async fn subject_done(handles: Handles<'_>, subject: SubjectId, repeat: bool) -> Done<SubjectId> {
    Done { id: subject, repeat, written: written(handles.db(), "subject", &subject.to_string(), "caseload").await }
}

/// Registers a subject; a conflict naming the registered subject when the identity number is known already.
pub async fn register(
    handles: Handles<'_>,
    context: CommandContext,
    subject: Option<SubjectId>,
    identity: IdentityInput,
) -> Result<Done<SubjectId>, ActionError> {
    let subject = subject.unwrap_or_else(|| SubjectId::from_ulid(made_id(context.command_id, 0)));
    let (identity, statistics) = identity_of(identity, context.today)?;
    if let Some(number) = &identity.number {
        let known = handles.vault.find_by_identity_number(number).await?;
        if let Some(existing) = known.iter().find(|existing| **existing != subject) {
            let detail = format!("a subject with this identity number is registered already: {existing}");
            return Err(Refusal::Conflict(detail).into());
        }
    }
    // Sealing writes the subject's key and the number's lookup beside the log; a registration the domain refuses
    // must leave neither behind (a phantom a later registration of the number would collide with).
    let sealed = handles.vault.seal_identity(subject, &identity).await?;
    let given =
        give(handles, context, subject, SubjectCommand::RegisterSubject { subject, identity: sealed, statistics })
            .await;
    if let Err(ActionError::Refused(_)) = &given {
        let written: Subject = load(handles.db(), "subject", &subject.to_string()).await?;
        if written.id.is_none() {
            handles.vault.destroy(subject).await?;
        }
    }
    given
}

/// The subjects registered with identity number `number` (found by its keyed hash); `today` dates the number.
/// A lookup is a read: it goes into the access log with how many it found (the nil case id stands for "no case").
pub async fn lookup(
    handles: Handles<'_>,
    reader: super::reads::Reader<'_>,
    number: &str,
    today: Date,
) -> Result<Vec<SubjectId>, ActionError> {
    let kind = super::directory::open_unit_named(handles.db(), "unit", reader.account.unit).await?.kind;
    authorization::may_look_up(kind, reader.account.role).map_err(|refused| {
        tracing::warn!(user = %reader.account.user, unit = %reader.account.unit, "identity-number lookup refused");
        ActionError::from(Refusal::Forbidden(refused.to_string()))
    })?;
    let number = IdentityNumber::parse(number, today).map_err(|error| Refusal::invalid("number", error.to_string()))?;
    let found = handles.vault.find_by_identity_number(&number).await?;
    let read = crate::event_log::access_log::Read {
        user: reader.account.user,
        role: reader.account.role,
        unit: reader.account.unit,
        case: domain::ids::CaseId::from_ulid(ulid::Ulid::nil()),
        case_unit: reader.account.unit,
        subject_protected: false,
        what: format!("identity-number lookup: {} found", found.len()),
        reason: None,
        client_address: reader.client_address.map(str::to_owned),
    };
    crate::event_log::access_log::record_read(handles.db(), &read).await?;
    Ok(found)
}

/// Whether the actor's unit may change `subject`'s record: social services holding a case on them (as the case
/// stands now, replayed from the log: a transferred case is its new unit's), or that registered them. Anyone
/// else is told the subject is not there.
async fn may_change(
    handles: Handles<'_>,
    unit: UnitId,
    role: Role,
    change: SubjectChange,
    subject: SubjectId,
) -> Result<(), ActionError> {
    let db = handles.db();
    let kind = match super::directory::open_unit(db, unit).await {
        Ok(entry) => entry.kind,
        Err(super::directory::UnitLookupError::Replay(error)) => return Err(error.into()),
        Err(_) => return Err(Refusal::NotFound("subject").into()),
    };
    let record: Subject = load(db, "subject", &subject.to_string()).await?;
    let mut holds_a_case = false;
    for id in super::reads::cases_about(handles, subject).await? {
        let case: domain::case::Case = load(db, "case", &id).await?;
        holds_a_case |= case.unit == Some(unit);
    }
    let registered_them = record.registered_by == Some(unit);
    // Only taking protection away is a delegated decision; the order is read from the log only then.
    let removal = match change {
        SubjectChange::Unprotects => {
            super::directory::delegated(db, unit, domain::delegation::DecisionKind::ProtectionRemoval).await?
        }
        _ => domain::delegation::Delegated::by_default(domain::delegation::DecisionKind::ProtectionRemoval),
    };
    authorization::may_change_subject(kind, role, change, holds_a_case, registered_them, &removal).map_err(|refused| {
        match refused {
            Refused::NotDelegated => Refusal::Forbidden(refused.to_string()).into(),
            other => refused_for(other, "subject"),
        }
    })
}

/// Takes a step of subject `subject`.
pub async fn step(
    handles: Handles<'_>,
    context: CommandContext,
    subject: SubjectId,
    step: SubjectStep,
) -> Result<Done<SubjectId>, ActionError> {
    let change = match step {
        SubjectStep::Erase(_) => None,
        SubjectStep::SetProtection(_) | SubjectStep::PlaceHold(_) => Some(SubjectChange::Protects),
        SubjectStep::ClearProtection | SubjectStep::ReleaseHold(_) => Some(SubjectChange::Unprotects),
        SubjectStep::CorrectIdentity(_) | SubjectStep::LinkGuardian(_) | SubjectStep::UnlinkGuardian(_) => {
            Some(SubjectChange::Record)
        }
    };
    if let Some(change) = change {
        may_change(handles, context.actor.unit, context.actor.role, change, subject).await?;
    }
    let command = match step {
        SubjectStep::CorrectIdentity(identity) => {
            let (identity, statistics) = identity_of(identity, context.today)?;
            SubjectCommand::CorrectIdentity {
                identity: handles.vault.seal_identity(subject, &identity).await?,
                statistics,
            }
        }
        SubjectStep::SetProtection(level) => SubjectCommand::SetProtectedIdentity { level },
        SubjectStep::ClearProtection => SubjectCommand::ClearProtectedIdentity,
        SubjectStep::LinkGuardian(guardian) => SubjectCommand::LinkGuardian { guardian },
        SubjectStep::UnlinkGuardian(guardian) => SubjectCommand::UnlinkGuardian { guardian },
        SubjectStep::PlaceHold(hold) => SubjectCommand::PlaceLegalHold { hold },
        SubjectStep::ReleaseHold(hold) => SubjectCommand::ReleaseLegalHold { hold },
        SubjectStep::Erase(ground) => {
            if context.actor.role != Role::Administrator {
                return Err(Refusal::Forbidden("only administrators erase subjects".to_owned()).into());
            }
            let ground = ErasureGround::Decision { reference: ground };
            let metadata = handles.metadata.clone();
            crate::personal::erase_subject(handles.bus, handles.vault, subject, ground, context, &metadata)
                .await
                .map_err(|error| match error {
                    ErasureError::Refused(SubjectError::NotRegistered) => Refusal::NotFound("subject").into(),
                    ErasureError::Refused(rule) => {
                        Refusal::Rule { rule: rule.rule(), message: rule.to_string() }.into()
                    }
                    other => ActionError::Internal(Box::new(other)),
                })?;
            return Ok(subject_done(handles, subject, false).await);
        }
    };
    give(handles, context, subject, command).await
}

/// Gives a consent command and answers what it did.
async fn give_to_consent(
    handles: Handles<'_>,
    context: CommandContext,
    consent: ConsentId,
    body: ConsentCommand,
) -> Result<Done<ConsentId>, ActionError> {
    let result =
        handles.bus.execute::<Consent>(&consent.to_string(), Command { context, body }, handles.metadata).await;
    let repeat = outcome(result, "consent", |error| match error {
        ConsentError::NotGiven => Classified::NotFound,
        _ => Classified::Rule,
    })?;
    Ok(Done { id: consent, repeat, written: written(handles.db(), "consent", &consent.to_string(), "caseload").await })
}

/// Records a written consent; it happened on the day it is valid from, or today if that is later.
pub async fn give_consent(
    handles: Handles<'_>,
    mut context: CommandContext,
    input: GiveConsent,
) -> Result<Done<ConsentId>, ActionError> {
    let consent = input.consent.unwrap_or_else(|| ConsentId::from_ulid(made_id(context.command_id, 0)));
    let purpose = seal_text(handles.vault, input.subject, "purpose", &input.purpose).await?;
    context.occurred_on = input.valid_from.min(context.today);
    // Every guardian with custody the child's record links consents for a minor: read from the log, not a view.
    let subject: domain::subject::Subject = load(handles.db(), "subject", &input.subject.to_string()).await?;
    let body = ConsentCommand::GiveConsent {
        consent,
        subject: input.subject,
        subject_is_minor: input.subject_is_minor,
        given_by: input.given_by,
        parties: input.parties,
        categories: input.categories,
        purpose,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        custodians: subject.guardians,
    };
    give_to_consent(handles, context, consent, body).await
}

/// Records that consent `consent` was revoked: sharing under it stops from today.
pub async fn revoke_consent(
    handles: Handles<'_>,
    context: CommandContext,
    consent: ConsentId,
    revoked_by: ConsentGiver,
) -> Result<Done<ConsentId>, ActionError> {
    let db = handles.db();
    let given: Consent = load(db, "consent", &consent.to_string()).await?;
    let terms = given.terms.ok_or(Refusal::NotFound("consent"))?;
    let recorded_by = recorder_of(handles, consent).await?;
    authorization::may_revoke_consent(context.actor.unit, recorded_by, &terms)
        .map_err(|refused| refused_for(refused, "consent"))?;
    give_to_consent(handles, context, consent, ConsentCommand::RevokeConsent { revoked_by }).await
}

/// The unit that recorded consent `consent`: the acting unit of its first event, from the log's metadata.
async fn recorder_of(handles: Handles<'_>, consent: ConsentId) -> Result<Option<UnitId>, ActionError> {
    let db = handles.db();
    let sql = if db.is_postgres() {
        "select metadata::text from events where aggregate_type = 'consent' and aggregate_id = $1 order by sequence limit 1"
    } else {
        "select metadata from events where aggregate_type = 'consent' and aggregate_id = $1 order by sequence limit 1"
    };
    let metadata: Option<String> =
        projections::on_pool!(db, |pool| sqlx::query_scalar(sql).bind(consent.to_string()).fetch_optional(pool).await)?;
    let unit = metadata
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|value| value.get("unit").and_then(|unit| unit.as_str()).map(str::to_owned))
        .and_then(|text| UnitId::parse(&text).ok());
    Ok(unit)
}
