-- The court clocks of an immediate care order (LVU 7 § and 8 §) in the deadlines view, and the feedback a
-- reporter with a duty to report is owed (SoL 14 kap. 1 b §): whether the reporter has that duty, and when the
-- feedback was judged inappropriate. Filled for earlier events by `lots rebuild caseload` and
-- `lots rebuild referrals`.
alter table caseload_cases add column court_submission_due_on text;
alter table caseload_cases add column care_application_due_on text;
alter table referral_views add column reporter_has_duty integer not null default 0;
alter table referral_views add column feedback_judged_inappropriate_on text;
