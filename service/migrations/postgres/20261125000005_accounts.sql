-- Accounts: local users with argon2id password hashes, bearer sessions (only the token's SHA-256 is kept), and
-- failed logins (to slow repeated attempts down and to review them).

create table users (
    user_id text primary key,
    username text not null unique,
    password_hash text not null,
    role text not null check (role in ('social_worker', 'unit_manager', 'auditor', 'administrator')),
    unit_id text not null,
    created_at timestamptz not null default clock_timestamp()
);

create table sessions (
    token_hash bytea primary key,
    user_id text not null references users (user_id),
    created_at timestamptz not null default clock_timestamp(),
    last_seen_at timestamptz not null default clock_timestamp(),
    revoked_at timestamptz
);

create table login_failures (
    id bigint generated always as identity primary key,
    username text not null,
    client_address text,
    failed_at timestamptz not null default clock_timestamp()
);

create index login_failures_username on login_failures (username, failed_at);
