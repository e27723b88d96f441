-- The access log: every read of case content, append-only and hash-chained like the log. Written before the
-- response is sent; reviewed by unit managers and auditors.

create table access_log (
    position bigint generated always as identity primary key,
    read_at timestamptz not null default clock_timestamp(),
    user_id text not null,
    role text not null,
    unit_id text not null,
    case_id text not null,
    -- The unit holding the case and whether its subject had protected identity, at the time of the read.
    case_unit text not null,
    subject_protected bigint not null,
    what text not null,
    -- The stated reason, sealed under the subject's key (it may speak of the person).
    reason bytea,
    client_address text,
    -- SHA-256 over the previous entry's chain hash and this entry's fields.
    chain_hash bytea not null check (length(chain_hash) = 32)
);

create trigger access_log_only_grows before update or delete on access_log
    for each row execute function lots_refuse_change();
create trigger access_log_never_truncated before truncate on access_log
    for each statement execute function lots_refuse_change();
