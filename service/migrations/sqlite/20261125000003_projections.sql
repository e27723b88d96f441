-- Projections: where each stands in the feed, and the read models. Every read-model row carries the generation
-- it belongs to: a rebuild fills a new generation from position zero and makes it live in one transaction.

create table projection_state (
    name text primary key,
    live_generation integer not null default 1,
    building_generation integer,
    checkpoint_epoch integer not null default 0,
    checkpoint_tx integer not null default 0,
    checkpoint_position integer not null default 0,
    -- The error the projection stopped on, naming the event; it does not skip it.
    error text
) strict;

-- Caseload and deadlines: one row per case, one per intervention. Dates are ISO text (the dates events record).
create table caseload_cases (
    generation integer not null,
    case_id text not null,
    subject_id text not null,
    unit_id text not null,
    unit_kind text not null,
    worker_id text,
    phase text not null,
    received_on text not null,
    protection_assessed_on text,
    preliminary_decided_on text,
    investigation_started_on text,
    investigation_due_on text,
    investigation_extended integer not null default 0,
    chained integer not null default 0,
    closed_on text,
    -- The log position of the last event that changed this row: the trace behind every figure.
    last_position integer not null,
    primary key (generation, case_id)
) strict;

-- The protected-identity level of each subject, for access control and the access review.
create table caseload_subjects (
    generation integer not null,
    subject_id text not null,
    protection text,
    last_position integer not null,
    primary key (generation, subject_id)
) strict;

create index caseload_cases_unit on caseload_cases (generation, unit_id, phase);

create table caseload_interventions (
    generation integer not null,
    case_id text not null,
    intervention_id text not null,
    kind text not null,
    status text not null,
    provider_unit text,
    started_on text,
    next_follow_up_on text,
    outcome text,
    last_position integer not null,
    primary key (generation, case_id, intervention_id)
) strict;

-- Referral inbox and outbox: one row per referral.
create table referral_views (
    generation integer not null,
    referral_id text not null,
    kind text not null,
    subject_id text not null,
    from_unit text,
    to_unit text not null,
    status text not null,
    sent_on text not null,
    received_on text,
    decided_on text,
    case_id text,
    forwarded_from text,
    forwarded_to text,
    decline_reason text,
    feedback_count integer not null default 0,
    last_feedback_on text,
    intervention_started_on text,
    intervention_outcome text,
    last_position integer not null,
    primary key (generation, referral_id)
) strict;

create index referral_views_to on referral_views (generation, to_unit);
create index referral_views_from on referral_views (generation, from_unit);
-- Outcomes: facts per subject, case and intervention, aggregated (and suppressed) when read.
create table outcome_subjects (
    generation integer not null,
    subject_id text not null,
    birth_year integer,
    sex text,
    district text not null,
    last_position integer not null,
    primary key (generation, subject_id)
) strict;

create table outcome_cases (
    generation integer not null,
    case_id text not null,
    subject_id text not null,
    unit_id text not null,
    concern text not null,
    received_on text not null,
    preliminary_decided_on text,
    investigation_started_on text,
    investigation_due_on text,
    investigation_completed_on text,
    investigation_on_time integer,
    last_position integer not null,
    primary key (generation, case_id)
) strict;

create table outcome_interventions (
    generation integer not null,
    case_id text not null,
    intervention_id text not null,
    kind text not null,
    decided_on text not null,
    started_on text,
    outcome text,
    last_position integer not null,
    primary key (generation, case_id, intervention_id)
) strict;
-- Outcome facts of referrals and of follow-ups (goal attainment).
create table outcome_referrals (
    generation integer not null,
    referral_id text not null,
    subject_id text not null,
    kind text not null,
    to_unit text not null,
    concern text not null,
    sent_on text not null,
    status text not null,
    decided_on text,
    decline_reason text,
    last_position integer not null,
    primary key (generation, referral_id)
) strict;

create table outcome_followups (
    generation integer not null,
    case_id text not null,
    intervention_id text not null,
    goal_id text not null,
    followed_up_on text not null,
    score integer not null,
    last_position integer not null,
    primary key (generation, case_id, intervention_id, goal_id, followed_up_on, last_position)
) strict;

-- The case timeline for auditors: every event of a case and of the referrals linked to it, with the actor.
create table timeline_entries (
    generation integer not null,
    aggregate_type text not null,
    aggregate_id text not null,
    sequence integer not null,
    log_epoch integer not null,
    tx integer not null,
    global_position integer not null,
    event_type text not null,
    occurred_on text not null,
    recorded_at_micros integer not null,
    actor_user text,
    actor_role text,
    actor_unit text,
    primary key (generation, aggregate_type, aggregate_id, sequence)
) strict;

create table timeline_links (
    generation integer not null,
    case_id text not null,
    referral_id text not null,
    primary key (generation, case_id, referral_id)
) strict;

-- Views built as of a past moment, kept beside the live ones.
create table projection_snapshots (
    name text not null,
    generation integer not null,
    as_of text not null,
    digest text not null,
    primary key (name, generation)
) strict;
