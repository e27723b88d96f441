//! The one-way rule between the rooms of `service` (and no circles among the modules of `domain` and `projections`), read from the source: every
//! `use crate::…` line and inline `crate::…` path of a file names the room it reaches into; a room may reach
//! only into rooms below it, and inside a room of several files no two files reach into each other in a circle.
//! ARCHITECTURE.md states the rule; this test keeps it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rooms of `service/src`, from the bottom up: a room may import only rooms of a lower rank. Two rooms of
/// one rank (the JSON API and the web pages; the bottom's small modules) never import each other.
const SERVICE_ROOMS: &[(&str, u8)] = &[
    ("clock", 0),
    ("config", 0),
    ("keyfile", 0),
    ("metrics", 0),
    ("event_log", 1),
    ("personal", 2),
    ("accounts", 3),
    ("audit", 4),
    ("actions", 5),
    ("state", 6),
    ("api", 7),
    ("web", 7),
    ("app", 8),
    ("cli", 9),
];

/// A source file's path below its crate's `src`, split into its parts, with `.rs` and `mod` dropped:
/// `api/cases.rs` is `["api", "cases"]`, `api/mod.rs` is `["api"]`; `lib.rs` and `main.rs` are the crate's root.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("a file below src");
    let mut parts: Vec<String> =
        relative.iter().map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn identifier(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// Every module path a file's code names through `crate::` (comments left out): `crate::a::b::C` names
/// `["a", "b", "C"]`; a group `crate::{a, b::c}` names `["a"]` and `["b", "c"]`.
fn crate_paths(source: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().last();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inside = group.split('}').next().unwrap_or_default();
                for member in inside.split(',') {
                    let parts: Vec<String> =
                        member.trim().split("::").map(|part| identifier(part.trim()).to_owned()).collect();
                    if parts.first().is_some_and(|first| !first.is_empty()) {
                        paths.push(parts);
                    }
                }
                continue;
            }
            let mut parts = Vec::new();
            let mut tail = rest;
            loop {
                let name = identifier(tail);
                if name.is_empty() {
                    break;
                }
                parts.push(name.to_owned());
                tail = &tail[name.len()..];
                match tail.strip_prefix("::") {
                    Some(next) => tail = next,
                    None => break,
                }
            }
            if !parts.is_empty() {
                paths.push(parts);
            }
        }
    }
    paths
}

/// The module graph of a crate's `src`: for each file's module path, the module paths it names.
fn module_graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| module_path(src, file)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a source file");
        let named: BTreeSet<Vec<String>> = crate_paths(&source)
            .into_iter()
            // The longest prefix that is a module of the crate (an item's path names the module it is in).
            .filter_map(|path| {
                (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| modules.contains(prefix))
            })
            .collect();
        graph.entry(module_path(src, file)).or_insert_with(BTreeSet::new).extend(named);
    }
    graph
}

/// The circles among `nodes` under `edges` (each as its sorted members), by Tarjan's strongly connected
/// components.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        found: Vec<Vec<String>>,
    }
    impl Search<'_> {
        fn visit(&mut self, node: &str) {
            let n = self.index.len();
            self.index.insert(node.to_owned(), n);
            self.low.insert(node.to_owned(), n);
            self.stack.push(node.to_owned());
            for next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node.to_owned(), low);
                } else if self.stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node.to_owned(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    let done = member == node;
                    component.push(member);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut search =
        Search { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for node in edges.keys() {
        if !search.index.contains_key(node) {
            search.visit(node);
        }
    }
    search.found
}

/// Edges between the modules one level below `parent` (`[]` for the crate's top level), the parent itself
/// counted as one more node (named `parent`'s last part, or `(root)`).
fn edges_below(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    parent: &[String],
) -> BTreeMap<String, BTreeSet<String>> {
    let node_of = |path: &[String]| -> Option<String> {
        if !path.starts_with(parent) {
            return None;
        }
        Some(path.get(parent.len()).cloned().unwrap_or_else(|| "(this module)".to_owned()))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, named) in graph {
        let Some(from_node) = node_of(from) else { continue };
        let targets = edges.entry(from_node.clone()).or_default();
        targets.extend(named.iter().filter_map(|to| node_of(to)).filter(|to| *to != from_node));
    }
    edges
}

fn src(crate_name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(crate_name).join("src")
}

/// Every way `graph`'s files break the rooms' order: an import of a room that is not below, a room the table
/// does not know, and circles between the files of one room.
fn violations(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>, rooms: &[(&str, u8)]) -> Vec<String> {
    let rank = |room: &str| rooms.iter().find(|(name, _)| *name == room).map(|(_, rank)| *rank);
    let mut found = Vec::new();
    for (from, named) in graph {
        let Some(from_room) = from.first() else { continue };
        let Some(from_rank) = rank(from_room) else {
            found.push(format!("{from_room} is a room the one-way table does not know: add it to SERVICE_ROOMS"));
            continue;
        };
        for to in named {
            let to_room = &to[0];
            if to_room == from_room {
                continue;
            }
            match rank(to_room) {
                Some(to_rank) if to_rank < from_rank => {}
                _ => found.push(format!("{} imports {}, which is not below it", from.join("::"), to.join("::"))),
            }
        }
    }
    let parents: BTreeSet<Vec<String>> =
        graph.keys().flat_map(|path| (0..path.len()).map(|n| path[..n].to_vec())).collect();
    for parent in parents {
        for circle in circles(&edges_below(graph, &parent)) {
            let place = if parent.is_empty() { "the crate".to_owned() } else { parent.join("::") };
            found.push(format!("in {place}, these import each other in a circle: {}", circle.join(", ")));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_import_in_the_service_points_down_and_no_modules_import_each_other_in_a_circle() {
    let graph = module_graph(&src("service"));
    assert!(graph.len() > 20, "the service's sources were read: {} files", graph.len());
    let found = violations(&graph, SERVICE_ROOMS);
    assert!(found.is_empty(), "the service breaks the one-way rule:\n{}", found.join("\n"));
}

#[test]
fn the_domains_and_the_projections_modules_import_each_other_in_no_circle() {
    let mut found = Vec::new();
    for crate_name in ["domain", "projections"] {
        found.extend(circles_in(crate_name));
    }
    assert!(found.is_empty(), "circles: {found:?}");
}

fn circles_in(crate_name: &str) -> Vec<String> {
    let graph = module_graph(&src(crate_name));
    let mut found = Vec::new();
    let parents: BTreeSet<Vec<String>> =
        graph.keys().flat_map(|path| (0..path.len()).map(|n| path[..n].to_vec())).collect();
    for parent in parents {
        found.extend(
            circles(&edges_below(&graph, &parent))
                .into_iter()
                .map(|circle| format!("{crate_name}: {}", circle.join(", "))),
        );
    }
    found
}

/// The rule catches what it is for: an import pointing up, an edge importing its sibling, a circle inside a
/// room, and a room nobody placed — on a made-up graph, so the check itself cannot rot into always passing.
#[test]
fn the_one_way_check_refuses_an_upward_import_a_sibling_edge_a_circle_and_an_unknown_room() {
    let module = |path: &str| path.split("::").map(str::to_owned).collect::<Vec<_>>();
    let graph_of = |edges: &[(&str, &[&str])]| -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        edges.iter().map(|(from, to)| (module(from), to.iter().map(|to| module(to)).collect())).collect()
    };
    let clean =
        graph_of(&[("api::cases", &["actions", "api::problem"]), ("api::problem", &[]), ("actions", &["event_log"])]);
    assert!(violations(&clean, SERVICE_ROOMS).is_empty(), "{:?}", violations(&clean, SERVICE_ROOMS));
    let upward = graph_of(&[("actions", &["api::problem"]), ("api::problem", &[])]);
    assert!(violations(&upward, SERVICE_ROOMS)[0].contains("actions imports api::problem"));
    let sibling = graph_of(&[("web", &["api::session"]), ("api::session", &[])]);
    assert!(violations(&sibling, SERVICE_ROOMS)[0].contains("web imports api::session"));
    let circle = graph_of(&[("api::session", &["api::views"]), ("api::views", &["api::session"])]);
    assert!(
        violations(&circle, SERVICE_ROOMS)[0].contains("in api, these import each other in a circle: session, views")
    );
    let unknown = graph_of(&[("helpers", &["event_log"])]);
    assert!(violations(&unknown, SERVICE_ROOMS)[0].contains("helpers is a room the one-way table does not know"));

    let source = "use crate::{api::problem::Problem, state};\n// crate::cli in a comment\nlet x = crate::actions::made_id(id, 0);";
    assert_eq!(crate_paths(source), vec![module("api::problem::Problem"), module("state"), module("actions::made_id")],);
}
