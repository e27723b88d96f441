-- Refused commands and reads: who tried what, when, from where, and how it was answered (403: the role may not;
-- 404: not theirs, or not there), so that a review sees attempts and not only what was allowed. Append-only.
create table refusals (
    position integer primary key autoincrement,
    refused_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    user_id text not null,
    role text not null,
    unit_id text not null,
    method text not null,
    route text not null,
    path text not null,
    status integer not null,
    client_address text,
    request_id text
) strict;

create trigger refusals_no_update before update on refusals
begin select raise(abort, 'the refusals table only grows: UPDATE is refused'); end;
create trigger refusals_no_delete before delete on refusals
begin select raise(abort, 'the refusals table only grows: DELETE is refused'); end;
