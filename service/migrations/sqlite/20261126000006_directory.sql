-- The unit directory as a projection of the `unit` aggregate, and users that administrators deactivate.

create table unit_directory (
    generation integer not null,
    unit_id text not null,
    kind text not null,
    name text not null,
    district text not null,
    services text not null,
    closed_on text,
    last_position integer not null,
    primary key (generation, unit_id)
) strict;

alter table users add column deactivated_at integer;

-- The access log's head, signed like the log's (the key lives outside the database): rewriting the chain from
-- an altered entry onwards no longer verifies.
create table access_log_checkpoints (
    position integer primary key,
    chain_hash blob not null check (length(chain_hash) = 32),
    public_key blob not null check (length(public_key) = 32),
    signature blob not null check (length(signature) = 64),
    signed_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;

create trigger access_log_checkpoints_no_update before update on access_log_checkpoints
begin select raise(abort, 'the access_log_checkpoints table only grows: UPDATE is refused'); end;
create trigger access_log_checkpoints_no_delete before delete on access_log_checkpoints
begin select raise(abort, 'the access_log_checkpoints table only grows: DELETE is refused'); end;

-- A new case looks up its subject's earlier cases (to flag an investigation restarted on the same question).
create index caseload_cases_subject on caseload_cases (generation, subject_id);

-- Verifications of the log and the access log, run in the background and on an auditor's request; each run's
-- report stays, so auditors see when the logs were last shown unaltered (and every time before).
create table verification_runs (
    run_id integer primary key autoincrement,
    started_at text not null,
    finished_at text not null,
    requested_by text,
    ok integer not null,
    report text not null
) strict;

-- The request each Idempotency-Key answered (SHA-256 of method, path and body): the same key with another
-- request is refused rather than answered as a repeat of something else.
create table idempotency_keys (
    idempotency_key text primary key,
    request_digest blob not null check (length(request_digest) = 32),
    recorded_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;
