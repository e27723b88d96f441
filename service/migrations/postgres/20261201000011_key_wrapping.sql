-- How a subject's data key is wrapped: 1, under the master key itself (what Lots wrote before 2026-12); 2, under a
-- key derived from the master key for wrapping alone (HKDF-SHA256, label lots-subject-key-wrap-v1), so the master
-- key is never used raw. Lots re-wraps the keys of kind 1 as kind 2 at start and on `lots migrate`; it reads both.
alter table subject_keys add column wrapping integer not null default 1;
