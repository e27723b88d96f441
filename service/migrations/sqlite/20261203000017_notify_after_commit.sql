-- PostgreSQL only (the writing process notifies after commit instead of a trigger); nothing changes on SQLite,
-- whose readers are woken in process. Kept so that both stores share one migration history.
select 1;
