-- Personal data's keys, outside the immutable log: one data key per subject, wrapped by the master key, and
-- the keyed hashes that let intake find a subject by identity number. Erasure deletes a subject's rows here.

create table subject_keys (
    subject_id text not null,
    key_version integer not null check (key_version >= 1),
    -- XChaCha20-Poly1305 under the master key: 24-byte nonce then ciphertext and tag.
    wrapped_key bytea not null,
    created_at timestamptz not null default clock_timestamp(),
    primary key (subject_id, key_version)
);

create table subject_lookup (
    -- HMAC-SHA256 of the normalised (12-digit) identity number under the lookup key.
    lookup_hash bytea not null check (length(lookup_hash) = 32),
    subject_id text not null,
    primary key (lookup_hash, subject_id)
);

create index subject_lookup_subject on subject_lookup (subject_id);
