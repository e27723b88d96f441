-- A user an administrator added signs in with the administrator's password only to set their own: until they
-- have, that password opens nothing else.
alter table users add column must_change_password integer not null default 0;
