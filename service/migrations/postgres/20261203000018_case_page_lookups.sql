-- The case page's lookups by person, each a key lookup rather than a scan at city scale: the consents about a
-- subject (found in the log by the subject their ConsentGiven names: 72 ms over 7 500 consents of the demo city
-- before, for every read of a case) and the referrals a unit sent about a subject.
create index events_consent_subject on events ((payload -> 'ConsentGiven' ->> 'subject'))
    where aggregate_type = 'consent' and event_type = 'ConsentGiven';
create index referral_views_from_subject on referral_views (generation, from_unit, subject_id);
