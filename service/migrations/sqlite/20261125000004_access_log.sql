-- The access log: every read of case content, append-only and hash-chained like the log. Written before the
-- response is sent; reviewed by unit managers and auditors.

create table access_log (
    position integer primary key autoincrement,
    read_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    user_id text not null,
    role text not null,
    unit_id text not null,
    case_id text not null,
    case_unit text not null,
    subject_protected integer not null,
    what text not null,
    reason blob,
    client_address text,
    chain_hash blob not null check (length(chain_hash) = 32)
) strict;

create trigger access_log_no_update before update on access_log
begin select raise(abort, 'the access_log table only grows: UPDATE is refused'); end;
create trigger access_log_no_delete before delete on access_log
begin select raise(abort, 'the access_log table only grows: DELETE is refused'); end;
