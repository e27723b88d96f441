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
