//! Lots' projections: the feed reader, the checkpointed runner and the read models built from the log.

pub mod db;
pub mod feed;
