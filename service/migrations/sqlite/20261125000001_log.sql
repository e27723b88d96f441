-- The log on the embedded store: sqlite-es's events table, extended, plus the positions that give the feed its
-- order and the seals that chain and sign it. Never edit this file once applied; add a new migration instead.

create table log_epochs (
    epoch integer primary key check (epoch >= 1),
    origin text not null,
    began_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;

create table events (
    aggregate_type text not null,
    aggregate_id text not null,
    sequence integer not null check (sequence >= 0),
    event_type text not null,
    event_version text not null,
    payload text not null,
    metadata text not null,
    log_epoch integer not null default 1,
    -- Microseconds since the Unix epoch, from the database's clock.
    recorded_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    -- sqlite-es recognises only a primary-key violation as a conflict.
    primary key (aggregate_type, aggregate_id, sequence)
) strict;

-- The feed's order: SQLite has one writer at a time, so the order of insertion is the order of commit. An
-- explicit integer key, because VACUUM may renumber the implicit rowids of the events table.
create table event_positions (
    global_position integer primary key autoincrement,
    aggregate_type text not null,
    aggregate_id text not null,
    sequence integer not null
) strict;

create unique index event_positions_event on event_positions (aggregate_type, aggregate_id, sequence);

create trigger events_positioned after insert on events
begin
    insert into event_positions (aggregate_type, aggregate_id, sequence)
    values (new.aggregate_type, new.aggregate_id, new.sequence);
end;

create table seals (
    log_index integer primary key check (log_index >= 1),
    aggregate_type text not null,
    aggregate_id text not null,
    sequence integer not null,
    log_epoch integer not null,
    tx_id integer not null,
    global_position integer not null,
    event_hash blob not null check (length(event_hash) = 32),
    chain_hash blob not null check (length(chain_hash) = 32)
) strict;

create table seal_checkpoints (
    log_index integer primary key references seals (log_index),
    chain_hash blob not null check (length(chain_hash) = 32),
    public_key blob not null check (length(public_key) = 32),
    signature blob not null check (length(signature) = 64),
    signed_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;

-- The log, its positions and its seals only grow.
create trigger events_no_update before update on events
begin select raise(abort, 'the events table only grows: UPDATE is refused'); end;
create trigger events_no_delete before delete on events
begin select raise(abort, 'the events table only grows: DELETE is refused'); end;
create trigger event_positions_no_update before update on event_positions
begin select raise(abort, 'the event_positions table only grows: UPDATE is refused'); end;
create trigger event_positions_no_delete before delete on event_positions
begin select raise(abort, 'the event_positions table only grows: DELETE is refused'); end;
create trigger seals_no_update before update on seals
begin select raise(abort, 'the seals table only grows: UPDATE is refused'); end;
create trigger seals_no_delete before delete on seals
begin select raise(abort, 'the seals table only grows: DELETE is refused'); end;
create trigger seal_checkpoints_no_update before update on seal_checkpoints
begin select raise(abort, 'the seal_checkpoints table only grows: UPDATE is refused'); end;
create trigger seal_checkpoints_no_delete before delete on seal_checkpoints
begin select raise(abort, 'the seal_checkpoints table only grows: DELETE is refused'); end;
