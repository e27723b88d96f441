//! Lots' end-to-end tests: one binary, so the workspace links one test executable for all of them.

mod domain_flow;
