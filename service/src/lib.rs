//! Lots' service, in rooms whose imports point down only (ARCHITECTURE.md has the map; a test enforces it):
//! configuration and keys → the event log → personal data → accounts and the access policy → audit → the use
//! cases (`actions`) → the application state → the edges, the JSON API (`api`) and the web pages (`web`), side by
//! side → the application (`app`) and the command line (`cli`).

pub mod clock;
pub mod config;
pub mod keyfile;
pub mod metrics;

pub mod event_log;

pub mod personal;

pub mod accounts;

pub mod audit;

pub mod actions;

pub mod state;

pub mod api;
pub mod web;

pub mod app;
pub mod cli;
