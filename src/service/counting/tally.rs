//! One write's changes to the counts, kept while the write runs and sent at its end.
//!
//! A write that changes counted rows (enrol, results, withdraw, revoke, a national
//! certificate) opens a [`Tally`], lets each counting function add to it, and ends with
//! [`Tally::send`] just before it commits. `send` locks the people the write touched
//! (but those it only started on a track: [`Tally::enrolled`]), reads their rows for the
//! as-of day changes, and writes everything else in one
//! [`Batch`]: the write's own rows first (seats, ownership, audit), then the shared
//! counter rows (breakdown cells, programme totals, day series, `progress_day`,
//! `progress_month`). So the rows every writer shares are locked by one statement, a
//! round trip before the commit, in the one order every writer takes them:
//!
//! `person_track` → `programme_person` → `programme_certified` and its counters (while
//! the write runs) → `trainee` → the batch's tables, each in key order.
//!
//! An `enrol` on PostgreSQL that only starts a person on a track sends its tally with
//! [`Tally::send_at_once`] instead: its own inserts first, then the same batch, as one
//! statement outside a transaction (`crate::service::enrolment::at_once`).

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use uuid::Uuid;

use super::as_of;
use super::cell::Deltas;
use super::day_changes::{EnrolmentDays, Period, Person, Undo};
use super::shard::shard;
use super::sql::{self, Batch};
use super::write;
use crate::domain::Track;
use crate::entity::{course, enrolment};
use crate::error::AppError;

/// See the module's documentation.
#[derive(Debug, Default)]
pub struct Tally {
    /// Changes to breakdown cells, programme totals and day series.
    pub(super) deltas: Deltas,
    /// People whose counted rows the write changed.
    people: BTreeSet<Uuid>,
    /// Those of them the write started on a track and changed nothing else of, with their
    /// rows on it: the write's enrolments ([`Tally::enrolled`]).
    started: BTreeMap<Uuid, Person>,
    /// What it changed of them.
    undo: Undo,
    /// Seats taken (or, negative, freed) of the write's course.
    seats: Option<Seats>,
    /// The write's own statements, sent before the counters.
    records: Batch,
    /// Every programme, read once per write.
    programmes: Option<Vec<Period>>,
    /// Changes to every programme's in-training total of a track, added to each programme's
    /// when the programmes are read.
    in_training: Vec<(Track, i64)>,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that `people`'s rows changed as `undo` describes (added to what was noted).
    pub fn touched(&mut self, people: impl IntoIterator<Item = Uuid>, undo: Undo) {
        for person in people {
            self.started.remove(&person);
            self.people.insert(person);
        }
        self.undo.enrolled.extend(undo.enrolled);
        self.undo.finished.extend(undo.finished);
        self.undo.issued.extend(undo.issued);
        self.undo.revoked.extend(undo.revoked);
    }

    /// `n` more seats of `course` taken, or freed when negative, the course as the write
    /// holds it: a course with a capacity has them added to its row in the batch, the write
    /// refused (`CAPACITY_FULL`) should that pass the capacity; an open one to a shard of
    /// its `course_seat` rows. Every write changes the seats of one course at most.
    pub fn take_seats(&mut self, course: &course::Model, n: i64) {
        let seats = self.seats.get_or_insert(Seats {
            course: course.id,
            taken: 0,
            open: course.capacity.is_none(),
        });
        seats.taken += n;
        debug_assert_eq!(seats.course, course.id, "one course per write");
    }

    /// Notes the write's new enrolments of `course` (`touched` as [`Tally::touched`] would
    /// note them), of which `started` started their people's rows on its track. A person
    /// new to a track has no other row on it (a certificate comes from an enrolment on its
    /// track), and their rows on the other track change no figure of this one, so unless
    /// the write changes more of theirs, their day changes are those of these enrolments
    /// alone: [`Tally::send`] neither takes their trainee rows nor reads their rows. A
    /// write about them on the other track does not depend on this one's rows; one on this
    /// track waits for the `person_track` row this write inserted.
    pub fn enrolled(
        &mut self,
        course: &course::Model,
        track: Track,
        enrolments: &[enrolment::Model],
        started: &[Uuid],
    ) {
        self.touched(
            enrolments.iter().map(|e| e.trainee_id),
            Undo {
                enrolled: enrolments.iter().map(|e| e.id).collect(),
                ..Undo::default()
            },
        );
        let started: BTreeSet<Uuid> = started.iter().copied().collect();
        for e in enrolments
            .iter()
            .filter(|e| started.contains(&e.trainee_id))
        {
            self.started
                .entry(e.trainee_id)
                .or_default()
                .enrolments
                .push(EnrolmentDays {
                    id: e.id,
                    track,
                    institution: course.institution_id,
                    enrolled_on: e.enrolled_on,
                    ended_on: None,
                });
        }
    }

    /// Notes every programme, as the write read them: rows holding
    /// [`super::write::PERIOD_COLUMNS`] after a `LEFT JOIN`. Returns how many there are.
    pub fn programmes_read(&mut self, rows: &[QueryResult]) -> Result<usize, AppError> {
        Ok(self.programmes_known(write::periods_of(rows)?))
    }

    /// Notes every programme, as the write knows them. Returns how many there are.
    pub fn programmes_known(&mut self, programmes: Vec<Period>) -> usize {
        let n = programmes.len();
        self.programmes = Some(programmes);
        n
    }

    /// The write's own statements (ownership, audit records), sent with the counts,
    /// before them.
    pub fn records(&mut self) -> &mut Batch {
        &mut self.records
    }

    /// Adds `n` to every programme's in-training total of `track` (at the end of the
    /// write, when the programmes are known).
    pub(super) fn in_training_everywhere(&mut self, track: Track, n: i64) {
        self.in_training.push((track, n));
    }

    /// Every programme, with its period and counted kinds (read on first use).
    pub(super) async fn programmes(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> Result<&[Period], AppError> {
        if self.programmes.is_none() {
            self.programmes = Some(write::programmes(db).await?);
        }
        Ok(self.programmes.as_deref().unwrap_or_default())
    }

    /// Writes it all, inside the write's transaction: see the module's documentation.
    pub async fn send(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let (batch, seats) = self.batch(db, None).await?;
        let taken = batch.send(db).await?;
        match seats {
            Some(seats) if taken.is_empty() => seats.with_capacity(db).await,
            _ => Ok(()),
        }
    }

    /// PostgreSQL, outside a transaction: sends `head` (the write's inserts) and then what
    /// [`Tally::send`] would, as one statement, so the whole write commits or nothing of
    /// it does, and nothing of it is written unless `guard` (a query, with its values)
    /// returns a row. The guard must hold every condition the counts were computed from
    /// (the open course's seats are written without one of their own: [`Seats::push`]).
    /// True when it was written.
    pub async fn send_at_once(
        self,
        db: &impl ConnectionTrait,
        head: Batch,
        guard: (String, Vec<Value>),
    ) -> Result<bool, AppError> {
        let (batch, _) = self.batch(db, Some(head)).await?;
        Ok(!batch.send_guarded(db, guard).await?.is_empty())
    }

    /// The write's statements (see the module's documentation), after `head` when the
    /// write sends it at once, and its seats. An open course's seats are written as
    /// [`Seats::push`] says, under the statement's guard (`guarded`) when there is a
    /// `head`.
    async fn batch(
        mut self,
        db: &impl ConnectionTrait,
        head: Option<Batch>,
    ) -> Result<(Batch, Option<Seats>), AppError> {
        let people: Vec<Uuid> = std::mem::take(&mut self.people).into_iter().collect();
        let days =
            as_of::changes(db, &people, &self.undo, &self.started, &mut self.programmes).await?;
        if !self.in_training.is_empty() {
            let programmes: Vec<Uuid> = self.programmes(db).await?.iter().map(|p| p.id).collect();
            for (track, n) in std::mem::take(&mut self.in_training) {
                for programme in &programmes {
                    self.deltas.in_training(*programme, track, n);
                }
            }
        }
        let guarded = head.is_some();
        let mut batch = head.unwrap_or_default();
        let seats = self.seats.filter(|s| s.taken != 0);
        if let Some(seats) = seats {
            seats.push(&mut batch, db.get_database_backend(), guarded);
        }
        batch.extend(self.records);
        self.deltas.write(&mut batch);
        as_of::write(&mut batch, &days);
        Ok((batch, seats))
    }
}

/// The seats a write takes (or, negative, frees) of its course.
#[derive(Debug, Clone, Copy)]
struct Seats {
    course: Uuid,
    taken: i64,
    /// Without a capacity when the write read it (an open course is not locked first).
    open: bool,
}

impl Seats {
    /// Pushes the change to `batch`, as its first statement unless `guarded`; it returns
    /// a row when it was made. An open course's shard is added to only while the course
    /// has no capacity, holding its row shared (`FOR KEY SHARE` on PostgreSQL) so that a
    /// write giving it one waits for this write, then folds the shards
    /// ([`crate::service::admission::lock_seats`]); a course with a capacity has its row
    /// updated unless that passes the capacity. `guarded` (an open course, on
    /// PostgreSQL, outside a transaction: [`Tally::send_at_once`]): the batch's guard
    /// holds the course so, and the shard is added to as it stands.
    fn push(self, batch: &mut Batch, backend: DbBackend, guarded: bool) {
        if self.open {
            let upsert = "INSERT INTO course_seat (course_id, shard, taken) ";
            let tail = " ON CONFLICT (course_id, shard) \
                 DO UPDATE SET taken = course_seat.taken + excluded.taken RETURNING course_id";
            if guarded {
                let values = vec![self.course.into(), shard().into(), self.n().into()];
                batch.insert_rows(&format!("{upsert}VALUES "), tail, std::iter::once(values));
            } else {
                let shared = if backend == DbBackend::Postgres {
                    " FOR KEY SHARE"
                } else {
                    ""
                };
                batch.push(
                    format!(
                        "{upsert}SELECT id, ?, ? FROM course \
                         WHERE id = ? AND capacity IS NULL{shared}{tail}"
                    ),
                    vec![shard().into(), self.n().into(), self.course.into()],
                );
            }
        } else {
            batch.push(Self::ROW.to_owned(), self.row_values());
        }
    }

    /// Adds to the course's row unless that passes its capacity (then no row returns).
    const ROW: &str = "UPDATE course SET enrolled_count = enrolled_count + ? WHERE id = ? \
         AND (capacity IS NULL OR enrolled_count + ? <= capacity) RETURNING id";

    fn row_values(self) -> Vec<Value> {
        vec![self.n().into(), self.course.into(), self.n().into()]
    }

    /// The seats as a bound value.
    fn n(self) -> i32 {
        i32::try_from(self.taken).unwrap_or(i32::MAX)
    }

    /// After the batch refused the change: an open course given a capacity since the write
    /// read it (whose shards that write folded) has the seats added to its row as a course
    /// with a capacity would, or the write is refused as full; the caller's transaction
    /// then rolls everything back.
    async fn with_capacity(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        if self.open
            && !sql::query(db, Self::ROW, self.row_values())
                .await?
                .is_empty()
        {
            return Ok(());
        }
        Err(AppError::CapacityFull)
    }
}
