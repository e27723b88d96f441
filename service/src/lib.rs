//! Lots' service: configuration, the stores and their migrations, the command path, the seals, and the `lots`
//! command line.

pub mod access;
pub mod access_control;
pub mod accounts;
pub mod api;
pub mod app;
pub mod audit_api;
pub mod case_steps;
pub mod cli;
pub mod commands;
pub mod commands_api;
pub mod config;
pub mod demo;
pub mod directory_api;
pub mod http;
pub mod identity_api;
pub mod journal_api;
pub mod keyfile;
pub mod metrics;
mod openapi;
pub mod personal;
pub mod problem;
pub mod referral_steps;
pub mod seal;
pub mod store;
pub mod subjects_api;
pub mod views;
