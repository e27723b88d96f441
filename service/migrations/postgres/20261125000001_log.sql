-- The log: postgres-es's events table, extended with the columns the feed and the auditors need, and the
-- seals that chain and sign it. Never edit this file once applied; add a new migration instead.

-- Transaction ids do not survive a dump and restore. Each time Lots finds itself on a database whose origin
-- (cluster and database identity) differs from the last recorded one, it starts a new epoch; the feed orders
-- by epoch first, so restored events come before new ones and readers neither skip nor repeat.
create table log_epochs (
    epoch bigint primary key check (epoch >= 1),
    origin text not null,
    began_at timestamptz not null default clock_timestamp()
);

create function lots_current_epoch() returns bigint
    language sql stable
    as $$ select coalesce(max(epoch), 1) from log_epochs $$;

create table events (
    aggregate_type text not null,
    aggregate_id text not null,
    sequence bigint not null check (sequence >= 0),
    event_type text not null,
    event_version text not null,
    payload json not null,
    metadata json not null,
    global_position bigint generated always as identity,
    log_epoch bigint not null default lots_current_epoch(),
    tx_id xid8 not null default pg_current_xact_id(),
    recorded_at timestamptz not null default clock_timestamp(),
    -- postgres-es maps any unique violation here to a conflict: this must stay the only unique index.
    primary key (aggregate_type, aggregate_id, sequence)
);

-- The feed's order: (epoch, transaction, position).
create index events_feed on events (log_epoch, tx_id, global_position);

-- One row per event in feed order, appended by the sealer: the event's hash and the running chain hash.
create table seals (
    log_index bigint primary key check (log_index >= 1),
    aggregate_type text not null,
    aggregate_id text not null,
    sequence bigint not null,
    log_epoch bigint not null,
    tx_id xid8 not null,
    global_position bigint not null,
    event_hash bytea not null check (length(event_hash) = 32),
    chain_hash bytea not null check (length(chain_hash) = 32)
);

-- Signed chain heads: ed25519 over the chain hash at a log index, with a key kept outside the database.
create table seal_checkpoints (
    log_index bigint primary key references seals (log_index),
    chain_hash bytea not null check (length(chain_hash) = 32),
    public_key bytea not null check (length(public_key) = 32),
    signature bytea not null check (length(signature) = 64),
    signed_at timestamptz not null default clock_timestamp()
);

-- The log and its seals only grow.
create function lots_refuse_change() returns trigger
    language plpgsql
    as $$
begin
    raise exception 'the % table only grows: % is refused', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
end
$$;

create trigger events_only_grow before update or delete on events
    for each row execute function lots_refuse_change();
create trigger events_never_truncated before truncate on events
    for each statement execute function lots_refuse_change();
create trigger seals_only_grow before update or delete on seals
    for each row execute function lots_refuse_change();
create trigger seals_never_truncated before truncate on seals
    for each statement execute function lots_refuse_change();
create trigger seal_checkpoints_only_grow before update or delete on seal_checkpoints
    for each row execute function lots_refuse_change();
create trigger seal_checkpoints_never_truncated before truncate on seal_checkpoints
    for each statement execute function lots_refuse_change();
create trigger log_epochs_only_grow before update or delete on log_epochs
    for each row execute function lots_refuse_change();

-- Wake feed readers: one notification per inserting statement (identical payloads fold within a transaction).
create function lots_notify_events() returns trigger
    language plpgsql
    as $$
begin
    perform pg_notify('lots_events', '');
    return null;
end
$$;

create trigger events_notify after insert on events
    for each statement execute function lots_notify_events();
