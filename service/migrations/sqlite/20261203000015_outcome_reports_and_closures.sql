-- What the programme's named figures need beyond the counts: who reported a report of concern and whether its
-- protection assessment found a need for protection at once, and when a case was last closed (re-referral within
-- 12 months). Filled for earlier events by `lots rebuild outcomes`; until then those figures leave them out.
alter table outcome_referrals add column reporter text;
alter table outcome_referrals add column protection_needed integer;
alter table outcome_cases add column closed_on text;
alter table outcome_referrals add column protection_late integer;
-- A city-wide service reports back on a referral when its intervention started and how it ended.
alter table outcome_referrals add column started_on text;
alter table outcome_referrals add column ended_outcome text;
