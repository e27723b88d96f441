-- What the last feedback to a referral's sender said, so that a report's sender sees only that (and not the case
-- or the intervention). Filled for earlier feedback by `lots rebuild referrals`.
alter table referral_views add column last_feedback text;
