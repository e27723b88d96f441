//! Lots' projections: the feed reader, the checkpointed runner and the read models built from the log.
//!
//! Empty until the log exists (issue "The log"); the crate is in the workspace now so that the dependency arrows
//! (`projections` on `domain`, never the other way) hold from the start.
