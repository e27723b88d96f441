//! Lots' projections: the feed reader, the checkpointed runner and the read models built from the log.

pub mod access_review;
pub mod caseload;
pub mod db;
pub mod directory;
pub mod feed;
pub mod figures;
pub mod outcomes;
pub mod queries;
pub mod referrals;
pub mod replay;
pub mod runner;
pub mod suppression;
pub mod timeline;

/// Every projection Lots keeps, by name.
pub fn all() -> Vec<Box<dyn runner::Projection>> {
    vec![
        Box::new(caseload::Caseload),
        Box::new(referrals::Referrals),
        Box::new(outcomes::Outcomes),
        Box::new(timeline::Timeline),
        Box::new(directory::Directory),
    ]
}
