//! `lots seed-demo --scale city`: a Stockholm-like demo city. Thirteen districts (the city's district areas,
//! with made-up relative sizes), each with its social services for children and young people and a school-social
//! team; the city-wide services (Framtid Stockholm, Mini-Maria, MUMIN, Relationsvåldscentrum, ABC, Komet); an
//! administration with the auditor and the administrator. More than a year of reports, cases at every phase,
//! interventions, referrals to the city-wide services under a guardian's consent, follow-ups and new reports
//! after a closing — written through the real command path by several writers at once. Each district has a
//! worker per [`OPEN_PER_WORKER`] open cases, so caseloads look like a real unit's (20–40 open cases each).
//!
//! Every young person is drawn from their own seed ([`YoungPerson::draw`]), so a [`Plan`] can walk every path
//! first, count the cases each will leave open, and give the district the workers that holds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use domain::command::Role;
use domain::ids::{SubjectId, UnitId, UserId};
use domain::units::{OfferedService, UnitKind};
use time::Date;
use ulid::Ulid;

use super::{
    add_user, failed, open_cases, password, register_unit, Cast, Demo, DemoError, DemoUser, Generator, Provider,
    Richer, SharedPassword, YoungPerson,
};
use crate::event_log::commands::CommandBus;
use crate::personal::Vault;
use projections::db::Db;

/// The districts: name, the short form in usernames, and a made-up relative size.
pub const DISTRICTS: [(&str, &str, usize); 13] = [
    ("Bromma", "bromma", 8),
    ("Enskede-Årsta-Vantör", "enskede", 11),
    ("Farsta", "farsta", 7),
    ("Hägersten-Älvsjö", "hagersten", 10),
    ("Hässelby-Vällingby", "hasselby", 9),
    ("Kungsholmen", "kungsholmen", 6),
    ("Norrmalm", "norrmalm", 5),
    ("Rinkeby-Kista", "rinkeby", 10),
    ("Skarpnäck", "skarpnack", 6),
    ("Skärholmen", "skarholmen", 7),
    ("Spånga-Tensta", "spanga", 8),
    ("Södermalm", "sodermalm", 8),
    ("Östermalm", "ostermalm", 5),
];

/// The city-wide services: name, kind, service, username.
pub const CITY_WIDE: [(&str, UnitKind, OfferedService, &str); 6] = [
    ("Demo Framtid Stockholm", UnitKind::FramtidStockholm, OfferedService::YouthCounselling, "demo-framtid"),
    ("Demo Mini-Maria", UnitKind::MiniMaria, OfferedService::SubstanceUseTreatment, "demo-minimaria"),
    ("Demo MUMIN", UnitKind::Mumin, OfferedService::SubstanceUseTreatment, "demo-mumin"),
    ("Demo Relationsvåldscentrum", UnitKind::Relationsvaldscentrum, OfferedService::VictimSupport, "demo-rvc"),
    ("Demo ABC", UnitKind::Abc, OfferedService::ParentSupport, "demo-abc"),
    ("Demo Komet", UnitKind::Komet, OfferedService::ParentSupport, "demo-komet"),
];

/// How many young people the city has: enough for more than a million events.
pub const YOUNG_PEOPLE: usize = 86_000;

/// The open cases a district gives each of its workers, as near as it can.
pub const OPEN_PER_WORKER: usize = 30;

/// The city, planned: which district each young person lives in, how many workers each district has, which
/// worker holds each young person's cases, and how many commands it all takes.
#[derive(Debug, Clone)]
pub struct Plan {
    today: Date,
    districts: Vec<DistrictPlan>,
    commands: usize,
}

#[derive(Debug, Clone)]
struct DistrictPlan {
    /// The first young person's index, and how many.
    first: usize,
    count: usize,
    /// How many workers.
    workers: usize,
    /// Each young person's worker (an index into the district's workers).
    worker_of: Vec<u32>,
    /// How many cases each young person's path leaves open.
    open: Vec<usize>,
}

impl Plan {
    /// Plans a city of `people` young people whose paths end `today`.
    pub fn new(people: usize, today: Date) -> Self {
        let total: usize = DISTRICTS.iter().map(|(_, _, weight)| weight).sum();
        let placeholder = UserId::from_ulid(Ulid::nil());
        let unit = UnitId::from_ulid(Ulid::nil());
        let provider = Provider { unit, kind: UnitKind::FramtidStockholm, worker: placeholder };
        let cast = Cast {
            school: unit,
            social: unit,
            counsellor: placeholder,
            worker: placeholder,
            manager: placeholder,
            richer: Some(Richer { provider, guardian: SubjectId::from_ulid(Ulid::nil()) }),
        };
        let (mut first, mut commands, mut districts) = (0, 0, Vec::new());
        for (number, (_, _, weight)) in DISTRICTS.iter().enumerate() {
            let count = if number + 1 == DISTRICTS.len() { people - first } else { people * weight / total };
            let mut open = Vec::with_capacity(count);
            for index in first..first + count {
                let (mut rng, young) = YoungPerson::draw(index, today);
                let steps = young.plan(&mut rng, cast);
                // The young person, their guardian and the link, then each step up to today.
                commands += 3 + steps.iter().take_while(|step| step.on <= today).count();
                open.push(open_cases(&steps, today));
            }
            let workers = (open.iter().sum::<usize>() + OPEN_PER_WORKER / 2) / OPEN_PER_WORKER;
            let worker_of = assign(&open, workers);
            districts.push(DistrictPlan { first, count, workers: workers.max(1), worker_of, open });
            first += count;
        }
        // The units, the users.
        commands += 1 + DISTRICTS.len() * 2 + CITY_WIDE.len();
        commands += 2 + CITY_WIDE.len() + districts.iter().map(|district| district.workers + 2).sum::<usize>();
        Self { today, districts, commands }
    }

    /// How many commands seeding it takes (the progress bar's length).
    pub fn commands(&self) -> usize {
        self.commands
    }

    /// The open cases each worker will hold, district by district (in [`DISTRICTS`]' order), worker by worker.
    pub fn caseloads(&self) -> Vec<Vec<usize>> {
        self.districts
            .iter()
            .map(|district| {
                let mut load = vec![0; district.workers];
                for (worker, open) in district.worker_of.iter().zip(&district.open) {
                    load[*worker as usize] += open;
                }
                load
            })
            .collect()
    }

    /// How many young people.
    pub fn people(&self) -> usize {
        self.districts.iter().map(|district| district.count).sum()
    }
}

/// Gives each young person with open cases to the worker holding the fewest so far, and the others in turn.
fn assign(open: &[usize], workers: usize) -> Vec<u32> {
    let workers = workers.max(1);
    let mut load = vec![0usize; workers];
    let mut turn = 0;
    open.iter()
        .map(|&cases| {
            let worker = if cases == 0 {
                turn = (turn + 1) % workers;
                turn
            } else {
                let (least, _) = load.iter().enumerate().min_by_key(|(_, load)| **load).unwrap_or((0, &0));
                load[least] += cases;
                least
            };
            u32::try_from(worker).unwrap_or(u32::MAX)
        })
        .collect()
}

/// A district's people in Lots: its two units, its manager, counsellor and workers.
#[derive(Debug, Clone)]
struct DistrictCast {
    school: UnitId,
    social: UnitId,
    counsellor: UserId,
    manager: UserId,
    workers: Vec<UserId>,
}

/// Seeds the planned city with `writers` writers at once; `progress` counts the commands written.
pub async fn seed(
    db: &Db,
    vault: &Vault,
    plan: Arc<Plan>,
    writers: usize,
    progress: Arc<AtomicUsize>,
) -> Result<Demo, DemoError> {
    let bus = CommandBus::new(db.clone());
    let today = plan.today;
    let administration = ("Demo stadsledningskontoret, internkontroll".to_owned(), UnitId::from_ulid(Ulid::new()));
    let mut units = vec![administration.clone()];
    let mut named = Vec::new();
    for (username, role) in [("demo-admin", Role::Administrator), ("demo-granskare", Role::Auditor)] {
        named.push(DemoUser {
            username: username.to_owned(),
            role,
            unit: administration.clone(),
            password: password()?,
        });
    }
    let mut city_wide = Vec::new();
    for (name, kind, service, username) in CITY_WIDE {
        let unit = (name.to_owned(), UnitId::from_ulid(Ulid::new()));
        units.push(unit.clone());
        city_wide.push((unit.1, kind, service));
        let role = Role::SocialWorker;
        named.push(DemoUser { username: username.to_owned(), role, unit, password: password()? });
    }
    let shared = password()?;
    let mut workers = Vec::new();
    let mut district_units = Vec::new();
    for ((name, slug, _), planned) in DISTRICTS.iter().zip(&plan.districts) {
        let school = (format!("Demo {name} skolsocialt team"), UnitId::from_ulid(Ulid::new()));
        let social = (format!("Demo {name} socialtjänst, barn och unga"), UnitId::from_ulid(Ulid::new()));
        units.extend([school.clone(), social.clone()]);
        district_units.push((school.1, social.1));
        named.push(DemoUser {
            username: format!("demo-{slug}-skola"),
            role: Role::SocialWorker,
            unit: school,
            password: password()?,
        });
        named.push(DemoUser {
            username: format!("demo-{slug}-chef"),
            role: Role::UnitManager,
            unit: social.clone(),
            password: password()?,
        });
        for number in 1..=planned.workers {
            workers.push(DemoUser {
                username: format!("demo-{slug}-{number:02}"),
                role: Role::SocialWorker,
                unit: social.clone(),
                password: shared.clone(),
            });
        }
    }
    // Accounts first (hashing a password takes tens of milliseconds of a core: two at a time), then the directory.
    let mut ids = std::collections::HashMap::new();
    for pair in named.iter().chain(&workers).collect::<Vec<_>>().chunks(2) {
        let (first, second) = tokio::join!(add_user(&bus, pair[0], today), async {
            match pair.get(1) {
                Some(user) => add_user(&bus, user, today).await.map(Some),
                None => Ok(None),
            }
        });
        ids.insert(pair[0].username.clone(), first?);
        if let (Some(user), Some(id)) = (pair.get(1), second?) {
            ids.insert(user.username.clone(), id);
        }
        progress.fetch_add(pair.len(), Ordering::Relaxed);
    }
    let id = |username: &str| ids.get(username).copied().ok_or_else(|| failed(MissingUser(username.to_owned())));
    let administrator = id("demo-admin")?;
    let register = async |unit: UnitId, kind, name: &str, district, service| {
        register_unit(&bus, administrator, administration.1, (unit, kind, name, district, service), today).await?;
        progress.fetch_add(1, Ordering::Relaxed);
        Ok::<_, DemoError>(())
    };
    register(administration.1, UnitKind::Administration, &administration.0, "Stockholm", OfferedService::Oversight)
        .await?;
    let mut providers = Vec::new();
    for ((unit, kind, service), (name, ..)) in city_wide.iter().zip(CITY_WIDE) {
        register(*unit, *kind, name, "Stockholm", *service).await?;
        let worker = id(CITY_WIDE.iter().find(|wide| wide.0 == name).map(|wide| wide.3).unwrap_or_default())?;
        providers.push(Provider { unit: *unit, kind: *kind, worker });
    }
    let mut casts = Vec::new();
    for (((name, slug, _), (school, social)), planned) in DISTRICTS.iter().zip(&district_units).zip(&plan.districts) {
        register(
            *school,
            UnitKind::SchoolSocialTeam,
            &format!("Demo {name} skolsocialt team"),
            name,
            OfferedService::SchoolSupport,
        )
        .await?;
        let social_name = format!("Demo {name} socialtjänst, barn och unga");
        register(*social, UnitKind::SocialServices, &social_name, name, OfferedService::ChildProtection).await?;
        let workers = (1..=planned.workers)
            .map(|number| id(&format!("demo-{slug}-{number:02}")))
            .collect::<Result<Vec<_>, _>>()?;
        casts.push(DistrictCast {
            school: *school,
            social: *social,
            counsellor: id(&format!("demo-{slug}-skola"))?,
            manager: id(&format!("demo-{slug}-chef"))?,
            workers,
        });
    }
    // The young people, `writers` at a time, each writer taking the next person not yet taken. The writers share
    // this task (a path's texts are sealed by an async closure, which a spawned task cannot hold across threads);
    // the database does the waiting, so one core drives them well.
    let next = AtomicUsize::new(0);
    let writer = async || {
        let bus = CommandBus::new(db.clone());
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some((number, district)) =
                plan.districts.iter().enumerate().find(|(_, d)| (d.first..d.first + d.count).contains(&index))
            else {
                return Ok::<_, DemoError>(());
            };
            let cast = &casts[number];
            let worker = cast.workers[district.worker_of[index - district.first] as usize];
            let provider = providers[Generator::seeded(index as u64).below(providers.len() as u64) as usize];
            let cast = Cast {
                school: cast.school,
                social: cast.social,
                counsellor: cast.counsellor,
                worker,
                manager: cast.manager,
                richer: Some(Richer { provider, guardian: SubjectId::from_ulid(Ulid::new()) }),
            };
            let (mut rng, young) = YoungPerson::draw(index, today);
            young.write(&bus, vault, &mut rng, cast, DISTRICTS[number].0, today, &progress).await?;
        }
    };
    futures_util::future::try_join_all((0..writers.max(1)).map(|_| writer())).await?;
    let commands = progress.load(Ordering::Relaxed);
    let shared = SharedPassword {
        usernames: format!("demo-<district>-01 … (e.g. demo-{}-01)", DISTRICTS[0].1),
        count: workers.len(),
        password: shared,
    };
    Ok(Demo { units, users: named, shared: Some(shared), subjects: plan.people(), commands })
}

/// A planned user who was not created (a bug in the plan, never the user's doing).
#[derive(Debug, thiserror::Error)]
#[error("the demo user {0} was not created")]
struct MissingUser(String);

#[cfg(test)]
mod tests {
    use super::*;

    /// The city as planned: every worker of every district holds 20–40 open cases, and seeding it takes more than a
    /// million commands (each writes at least one event).
    #[test]
    fn the_city_gives_every_worker_a_real_caseload_and_a_million_commands() {
        let plan = Plan::new(YOUNG_PEOPLE, time::macros::date!(2026 - 12 - 03));
        assert_eq!(plan.people(), YOUNG_PEOPLE);
        assert!(plan.commands() > 1_000_000, "{} commands", plan.commands());
        let caseloads = plan.caseloads();
        assert_eq!(caseloads.len(), DISTRICTS.len());
        for (district, loads) in DISTRICTS.iter().zip(&caseloads) {
            assert!(loads.len() > 10, "{}: {} workers", district.0, loads.len());
            assert!(loads.iter().all(|open| (20..=40).contains(open)), "{}: {loads:?}", district.0);
        }
    }
}
