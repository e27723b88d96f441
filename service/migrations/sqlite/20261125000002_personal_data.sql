-- Personal data's keys, outside the immutable log: one data key per subject, wrapped by the master key, and
-- the keyed hashes that let intake find a subject by identity number. Erasure deletes a subject's rows here
-- (the connection runs with secure_delete, and erasure checkpoints the WAL, so the bytes do not linger).

create table subject_keys (
    subject_id text not null,
    key_version integer not null check (key_version >= 1),
    wrapped_key blob not null,
    created_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    primary key (subject_id, key_version)
) strict;

create table subject_lookup (
    lookup_hash blob not null check (length(lookup_hash) = 32),
    subject_id text not null,
    primary key (lookup_hash, subject_id)
) strict;

create index subject_lookup_subject on subject_lookup (subject_id);
