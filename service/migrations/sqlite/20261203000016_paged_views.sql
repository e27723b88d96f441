-- Views that page: the inbox and outbox are read by unit in the order of sending (keyset: sent on, id), and the
-- outcome figures read a year's cases, closings and referrals by day.
create index referral_views_to_sent on referral_views (generation, to_unit, sent_on, referral_id);
create index referral_views_from_sent on referral_views (generation, from_unit, sent_on, referral_id);
create index outcome_cases_received on outcome_cases (generation, received_on);
create index outcome_cases_closed on outcome_cases (generation, closed_on);
create index outcome_referrals_sent on outcome_referrals (generation, sent_on);
