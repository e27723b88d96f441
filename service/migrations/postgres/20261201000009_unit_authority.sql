-- The authority a unit belongs to, as administrators name it (UnitAuthoritySet): shown in the directory.
alter table unit_directory add column authority text;
