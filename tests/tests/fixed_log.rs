//! The log is a contract: events written by an earlier Lots must still load and replay. A fixed log — events as
//! the version of 2026-12-01 wrote them (a seeded demo district's first aggregate of each kind of event, texts
//! sealed) — is read with today's types and replayed per aggregate; a change of an event's shape without a new
//! version and an upcaster fails here.

use std::collections::BTreeMap;

use cqrs_es::Aggregate;
use domain::case::{Case, CasePhase};
use domain::directory::Unit;
use domain::referral::Referral;
use domain::subject::Subject;
use domain::user::UserAccount;

const FIXED_LOG: &str = include_str!("../fixtures/log-2026-12-01.json");

fn replay<A: Aggregate>(events: &[&serde_json::Value]) -> A {
    let mut aggregate = A::default();
    for event in events {
        let stamped: A::Event = serde_json::from_value(event["payload"].clone()).unwrap_or_else(|error| {
            panic!("{} of {} no longer loads: {error}", event["event_type"], event["aggregate_id"])
        });
        aggregate.apply(stamped);
    }
    aggregate
}

#[test]
fn a_log_written_on_2026_12_01_still_loads_and_replays() {
    let log: Vec<serde_json::Value> = serde_json::from_str(FIXED_LOG).expect("the fixed log is JSON");
    let mut aggregates: BTreeMap<(String, String), Vec<&serde_json::Value>> = BTreeMap::new();
    for event in &log {
        let key = (
            event["aggregate_type"].as_str().expect("a type").to_owned(),
            event["aggregate_id"].as_str().expect("an id").to_owned(),
        );
        aggregates.entry(key).or_default().push(event);
    }
    let mut phases = Vec::new();
    for ((kind, id), events) in &aggregates {
        match kind.as_str() {
            "case" => {
                let case: Case = replay(events);
                assert!(case.id.is_some() && case.subject.is_some(), "case {id}");
                phases.push(case.phase);
            }
            "referral" => assert!(replay::<Referral>(events).to_unit.is_some(), "referral {id}"),
            "subject" => assert!(replay::<Subject>(events).statistics.is_some(), "subject {id}"),
            "unit" => assert!(replay::<Unit>(events).entry.is_some(), "unit {id}"),
            "user" => assert!(replay::<UserAccount>(events).user.is_some(), "user {id}"),
            other => panic!("an aggregate type the fixed log does not expect: {other}"),
        }
    }
    assert!(phases.iter().any(|phase| *phase != CasePhase::Intake), "the cases' steps replayed: {phases:?}");
    let kinds: std::collections::BTreeSet<&str> = log.iter().filter_map(|event| event["event_type"].as_str()).collect();
    assert!(kinds.len() >= 20, "the fixed log covers {} kinds of event: {kinds:?}", kinds.len());
}
