-- Every concern of a case or referral, comma-separated, so that outcome figures count a child under each of
-- them (not only the first declared). Filled for earlier events by `lots rebuild outcomes`; until then the first
-- concern stands in.
alter table outcome_cases add column concerns text;
alter table outcome_referrals add column concerns text;
