-- The least-privilege role for `lots serve` on PostgreSQL.
--
-- Run as the database's owner after `lots migrate` (which the owner runs, and which creates the tables):
--     psql "$OWNER_URL" -v role=lots_service -f service/sql/postgres-service-role.sql
-- then give the role a password and point LOTS_DATABASE_URL of `lots serve` at it.
--
-- The service may read everything and append to the log, its seals and its epochs, and nothing else: no UPDATE,
-- DELETE or TRUNCATE on any of them (the triggers refuse those too, for everyone; this also stops a compromised
-- service from switching the triggers off, which only the owner can). The service still runs the migration check
-- at start: with nothing to apply it only reads `_sqlx_migrations`.

select format('create role %I login', :'role') where not exists (select from pg_roles where rolname = :'role') \gexec
grant usage on schema public to :"role";
grant select on all tables in schema public to :"role";
grant insert on events, seals, seal_checkpoints, log_epochs, access_log, access_log_checkpoints, verification_runs, refusals,
    idempotency_keys to :"role";
-- Subject keys and lookups live outside the log: erasure deletes them.
grant insert, delete on subject_keys, subject_lookup to :"role";
-- Re-wrapping a subject key under the derived wrapping key (2026-12) updates it in place.
grant update (wrapped_key, wrapping) on subject_keys to :"role";
-- Projections are the service's own: it writes, rebuilds and clears them.
grant insert, update, delete on projection_state, caseload_cases, caseload_interventions, caseload_subjects, referral_views,
    outcome_subjects, outcome_cases, outcome_interventions, outcome_referrals, outcome_followups, timeline_entries, timeline_links, projection_snapshots,
    unit_directory
    to :"role";
-- Accounts: the service adds sessions and records failed logins; administrators add and deactivate users.
grant insert, update on sessions, users to :"role";
-- A sign-in attempt is recorded before the password is checked (so parallel guesses count at once) and removed
-- when it succeeds; failures older than a day expire.
grant insert, delete on login_failures to :"role";
-- Run this script again after an upgrade that adds tables.
