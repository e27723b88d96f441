-- Sign-in hardening: each session gets a public id (what its user sees and ends it by; the token's hash stays
-- internal) and the address it was opened from; failed sign-ins are counted per client address too, and expire.
alter table sessions add column session_id text;
alter table sessions add column client_address text;
update sessions set session_id = encode(token_hash, 'hex') where session_id is null;
create unique index sessions_session_id on sessions (session_id);
create index sessions_user on sessions (user_id, revoked_at);
create index login_failures_address on login_failures (client_address, failed_at);
create index login_failures_time on login_failures (failed_at);
