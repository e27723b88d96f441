-- Readers in other processes are woken by the writing process itself once its writes have committed (one
-- NOTIFY at a time, off the commit path), no longer by a trigger in every writing transaction: PostgreSQL
-- serialises the commits of notifying transactions on one lock, which cost 16 concurrent writers a fifth of
-- their throughput. Readers poll as well, so a writer that does not notify (a short-lived `lots` command) costs
-- latency, never an event.
drop trigger events_notify on events;
drop function lots_notify_events();
