-- Refused commands and reads: who tried what, when, from where, and how it was answered (403: the role may not;
-- 404: not theirs, or not there), so that a review sees attempts and not only what was allowed. Append-only.
create table refusals (
    position bigint generated always as identity primary key,
    refused_at timestamptz not null default clock_timestamp(),
    user_id text not null,
    role text not null,
    unit_id text not null,
    method text not null,
    -- The route template (`/api/cases/{id}/journal`) and the path asked for (ids only, never personal data).
    route text not null,
    path text not null,
    status integer not null,
    client_address text,
    request_id text
);

create trigger refusals_only_grow before update or delete on refusals
    for each row execute function lots_refuse_change();
create trigger refusals_never_truncated before truncate on refusals
    for each statement execute function lots_refuse_change();
