-- The unit directory as a projection of the `unit` aggregate, and users that administrators deactivate.

create table unit_directory (
    generation bigint not null,
    unit_id text not null,
    kind text not null,
    name text not null,
    district text not null,
    services text not null,
    closed_on text,
    last_position bigint not null,
    primary key (generation, unit_id)
);

alter table users add column deactivated_at timestamptz;

-- The access log's head, signed like the log's (the key lives outside the database): rewriting the chain from
-- an altered entry onwards no longer verifies.
create table access_log_checkpoints (
    position bigint primary key,
    chain_hash bytea not null check (length(chain_hash) = 32),
    public_key bytea not null check (length(public_key) = 32),
    signature bytea not null check (length(signature) = 64),
    signed_at timestamptz not null default clock_timestamp()
);

create trigger access_log_checkpoints_only_grow before update or delete on access_log_checkpoints
    for each row execute function lots_refuse_change();
create trigger access_log_checkpoints_never_truncated before truncate on access_log_checkpoints
    for each statement execute function lots_refuse_change();

-- A new case looks up its subject's earlier cases (to flag an investigation restarted on the same question).
create index caseload_cases_subject on caseload_cases (generation, subject_id);

-- Verifications of the log and the access log, run in the background and on an auditor's request; each run's
-- report stays, so auditors see when the logs were last shown unaltered (and every time before).
create table verification_runs (
    run_id bigint generated always as identity primary key,
    started_at text not null,
    finished_at text not null,
    requested_by text,
    ok boolean not null,
    report text not null
);

-- The request each Idempotency-Key answered (SHA-256 of method, path and body): the same key with another
-- request is refused rather than answered as a repeat of something else.
create table idempotency_keys (
    idempotency_key text primary key,
    request_digest bytea not null check (length(request_digest) = 32),
    recorded_at timestamptz not null default clock_timestamp()
);
