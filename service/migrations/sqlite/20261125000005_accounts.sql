-- Accounts: local users with argon2id password hashes, bearer sessions (only the token's SHA-256 is kept), and
-- failed logins (to slow repeated attempts down and to review them). Times in microseconds since the epoch.

create table users (
    user_id text primary key,
    username text not null unique,
    password_hash text not null,
    role text not null check (role in ('social_worker', 'unit_manager', 'auditor', 'administrator')),
    unit_id text not null,
    created_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;

create table sessions (
    token_hash blob primary key,
    user_id text not null references users (user_id),
    created_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    last_seen_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer)),
    revoked_at integer
) strict;

create table login_failures (
    id integer primary key autoincrement,
    username text not null,
    client_address text,
    failed_at integer not null default (cast(unixepoch('subsec') * 1000000 as integer))
) strict;

create index login_failures_username on login_failures (username, failed_at);
