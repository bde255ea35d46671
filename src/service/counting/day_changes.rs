//! The figures as they stood at the end of each day (`asOf`), kept as day changes: a
//! pure function from one person's certificates and enrolments to the days on which
//! each of their figures starts and stops counting. A write takes the difference
//! between the person's changes after it and before it ([`Undo`]), so what is stored is
//! always the sum of every person's changes, which `verify-counts` recomputes.
//!
//! On day `d` (China Standard Time), for a programme and a scope (the city, or one
//! institution's share: its certificates and its courses' enrolments):
//! - certified on a track: a certificate on the track issued within the period, on or
//!   before `d`, and not revoked by the end of `d`;
//! - in training on a track: an enrolment on the track made by `d` and not finished by
//!   the end of `d` (its assessment day, or the day of its withdrawal), and not certified
//!   on the track that day;
//! - a certified person: certified on any track; on both tracks: on every track.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::{CountedKinds, CredentialKind, GoalKind, Track};
use crate::error::AppError;

/// A figure kept as day changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Figure {
    /// Distinct persons certified on the track.
    Certified(Track),
    /// Distinct persons in training on the track and not certified on it.
    InTraining(Track),
    /// Distinct persons certified on any track.
    Persons,
    /// Distinct persons certified on every track.
    BothTracks,
    /// A goal met by recognitions (organisations, persons) or sales (fen).
    Goal(GoalKind),
}

impl Figure {
    /// The stored spelling: `CERTIFIED:HOST`, `IN_TRAINING:HOST`, `PERSONS`,
    /// `BOTH_TRACKS`, `GOAL:SALES_CNY`.
    pub fn spelling(self) -> String {
        match self {
            Self::Certified(track) => format!("CERTIFIED:{track}"),
            Self::InTraining(track) => format!("IN_TRAINING:{track}"),
            Self::Persons => "PERSONS".to_owned(),
            Self::BothTracks => "BOTH_TRACKS".to_owned(),
            Self::Goal(kind) => format!("GOAL:{kind}"),
        }
    }

    /// The figure of a stored spelling.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let unknown = || AppError::Internal(anyhow::anyhow!("unknown stored figure {raw}"));
        let track = |t: &str| t.parse::<Track>().map_err(|_| unknown());
        Ok(match raw.split_once(':') {
            None if raw == "PERSONS" => Self::Persons,
            None if raw == "BOTH_TRACKS" => Self::BothTracks,
            Some(("CERTIFIED", t)) => Self::Certified(track(t)?),
            Some(("IN_TRAINING", t)) => Self::InTraining(track(t)?),
            Some(("GOAL", k)) => Self::Goal(k.parse().map_err(|_| unknown())?),
            _ => return Err(unknown()),
        })
    }
}

/// Where a change counts: a programme, a scope (`Uuid::nil()` for the city, else an
/// institution), a figure and a day.
pub type Key = (Uuid, Uuid, Figure, NaiveDate);

/// Changes per key; zero changes are never kept.
pub type DayChanges = BTreeMap<Key, i64>;

/// Adds `n` at `key`, dropping the entry when it comes to zero.
pub fn add(changes: &mut DayChanges, key: Key, n: i64) {
    let entry = changes.entry(key).or_default();
    *entry += n;
    if *entry == 0 {
        changes.remove(&key);
    }
}

/// `after − before`, keyed alike.
pub fn difference(after: DayChanges, before: &DayChanges) -> DayChanges {
    let mut out = after;
    for (key, n) in before {
        add(&mut out, *key, -n);
    }
    out
}

/// A programme's id, period and counted credential kinds.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    /// The programme.
    pub id: Uuid,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// The credential kinds it counts (`Programme.countedKinds`).
    pub kinds: CountedKinds,
}

impl Period {
    /// True when `day` lies within the period.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// Whether a certificate of `kind` issued on `day` counts in the programme: the one
    /// rule of which certificates count, written in SQL as [`super::sql::COUNTED_KIND`].
    pub fn counts(&self, kind: CredentialKind, day: NaiveDate) -> bool {
        self.kinds.contains(kind) && self.covers(day)
    }

    /// The period of a stored programme row.
    pub fn of(programme: &crate::entity::programme::Model) -> Result<Self, AppError> {
        Ok(Self {
            id: programme.id,
            starts_on: programme.starts_on,
            ends_on: programme.ends_on,
            kinds: kinds_of(&programme.counted_kinds)?,
        })
    }
}

/// The counted kinds of a stored spelling.
pub fn kinds_of(stored: &str) -> Result<CountedKinds, AppError> {
    CountedKinds::from_stored(stored)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored counted kinds {stored:?}")))
}

/// A certificate, as far as the figures care.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateDays {
    /// The certificate.
    pub id: Uuid,
    /// Its kind.
    pub kind: CredentialKind,
    /// Its track.
    pub track: Track,
    /// The issuing institution.
    pub institution: Uuid,
    /// Its issue (assessment) day.
    pub issued_on: NaiveDate,
    /// The day it was revoked, if it was.
    pub revoked_on: Option<NaiveDate>,
}

/// An enrolment, as far as the figures care.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentDays {
    /// The enrolment.
    pub id: Uuid,
    /// Its course's track.
    pub track: Track,
    /// Its course's institution.
    pub institution: Uuid,
    /// The day it was made.
    pub enrolled_on: NaiveDate,
    /// The day it left ENROLLED (assessment or withdrawal), if it did.
    pub ended_on: Option<NaiveDate>,
}

/// One person's certificates and enrolments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    /// Every certificate, revoked ones included.
    pub certificates: Vec<CertificateDays>,
    /// Every enrolment, finished ones included.
    pub enrolments: Vec<EnrolmentDays>,
}

/// What one write did to people's rows, so their rows before it can be told from their
/// rows after it.
#[derive(Debug, Clone, Default)]
pub struct Undo {
    /// Enrolments the write made.
    pub enrolled: HashSet<Uuid>,
    /// Enrolments the write finished (assessed or withdrawn).
    pub finished: HashSet<Uuid>,
    /// Certificates the write issued.
    pub issued: HashSet<Uuid>,
    /// Certificates the write revoked.
    pub revoked: HashSet<Uuid>,
}

impl Undo {
    /// The person's rows before the write, from their rows after it.
    pub fn before(&self, after: &Person) -> Person {
        Person {
            certificates: after
                .certificates
                .iter()
                .filter(|c| !self.issued.contains(&c.id))
                .map(|c| CertificateDays {
                    revoked_on: c.revoked_on.filter(|_| !self.revoked.contains(&c.id)),
                    ..c.clone()
                })
                .collect(),
            enrolments: after
                .enrolments
                .iter()
                .filter(|e| !self.enrolled.contains(&e.id))
                .map(|e| EnrolmentDays {
                    ended_on: e.ended_on.filter(|_| !self.finished.contains(&e.id)),
                    ..e.clone()
                })
                .collect(),
        }
    }
}

/// A set of days: the days on which membership flips, in order (not a member before
/// the first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Days(Vec<NaiveDate>);

impl Days {
    /// The union of the half-open spans `[from, until)` (`None`: still running).
    fn union(spans: impl Iterator<Item = (NaiveDate, Option<NaiveDate>)>) -> Self {
        let mut edges: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for (from, until) in spans {
            if until.is_some_and(|u| u <= from) {
                continue;
            }
            *edges.entry(from).or_default() += 1;
            if let Some(until) = until {
                *edges.entry(until).or_default() -= 1;
            }
        }
        let (mut open, mut flips) = (0i64, Vec::new());
        for (day, n) in edges {
            let was = open > 0;
            open += n;
            if was != (open > 0) {
                flips.push(day);
            }
        }
        Self(flips)
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.0.partition_point(|d| *d <= day) % 2 == 1
    }

    /// The days on which `f(in self, in other)` holds.
    fn combine(&self, other: &Self, f: impl Fn(bool, bool) -> bool) -> Self {
        let points: BTreeSet<NaiveDate> = self.0.iter().chain(&other.0).copied().collect();
        let (mut member, mut flips) = (false, Vec::new());
        for day in points {
            let now = f(self.contains(day), other.contains(day));
            if now != member {
                flips.push(day);
                member = now;
            }
        }
        Self(flips)
    }

    /// +1 on each day membership starts, -1 on each day it stops.
    fn record(&self, changes: &mut DayChanges, programme: Uuid, scope: Uuid, figure: Figure) {
        for (i, day) in self.0.iter().enumerate() {
            let n = if i % 2 == 0 { 1 } else { -1 };
            add(changes, (programme, scope, figure, *day), n);
        }
    }
}

/// The day changes of one person's figures in every programme, for the city and for
/// each institution whose certificates or courses the person has.
pub fn of_person(person: &Person, programmes: &[Period]) -> DayChanges {
    let mut scopes: BTreeSet<Uuid> = BTreeSet::from([Uuid::nil()]);
    scopes.extend(person.certificates.iter().map(|c| c.institution));
    scopes.extend(person.enrolments.iter().map(|e| e.institution));
    let mut out = DayChanges::new();
    for programme in programmes {
        for &scope in &scopes {
            of_scope(person, programme, scope, &mut out);
        }
    }
    out
}

fn of_scope(person: &Person, programme: &Period, scope: Uuid, out: &mut DayChanges) {
    let in_scope = |institution: Uuid| scope.is_nil() || institution == scope;
    let mut any = Days::default();
    let mut every: Option<Days> = None;
    for track in Track::ALL {
        let certified = Days::union(
            person
                .certificates
                .iter()
                .filter(|c| c.track == track && in_scope(c.institution))
                .filter(|c| programme.counts(c.kind, c.issued_on))
                .map(|c| (c.issued_on, c.revoked_on)),
        );
        let enrolled = Days::union(
            person
                .enrolments
                .iter()
                .filter(|e| e.track == track && in_scope(e.institution))
                .map(|e| (e.enrolled_on, e.ended_on)),
        );
        let training = enrolled.combine(&certified, |e, c| e && !c);
        certified.record(out, programme.id, scope, Figure::Certified(track));
        training.record(out, programme.id, scope, Figure::InTraining(track));
        any = any.combine(&certified, |a, b| a || b);
        every = Some(match every {
            None => certified,
            Some(all) => all.combine(&certified, |a, b| a && b),
        });
    }
    any.record(out, programme.id, scope, Figure::Persons);
    if let Some(every) = every {
        every.record(out, programme.id, scope, Figure::BothTracks);
    }
}

#[cfg(test)]
mod tests;
