//! One write's changes to the counts, kept while the write runs and sent at its end.
//!
//! A write that changes counted rows (enrol, results, withdraw, revoke, a national
//! certificate) opens a [`Tally`], lets each counting function add to it, and ends with
//! [`Tally::send`] just before it commits. `send` locks the people the write touched,
//! reads their rows for the as-of day changes, and writes everything else in one
//! [`Batch`]: the write's own rows first (seats, ownership, audit), then the shared
//! counter rows (breakdown cells, programme totals, day series, `progress_day`,
//! `progress_month`). So the rows every writer shares are locked by one statement, a
//! round trip before the commit, in the one order every writer takes them:
//!
//! `person_track` → `programme_person` → `programme_certified` and its counters (while
//! the write runs) → `trainee` → the batch's tables, each in key order.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::as_of;
use super::cell::Deltas;
use super::day_changes::{Period, Undo};
use super::sql::Batch;
use super::write;
use crate::domain::Track;
use crate::error::AppError;

/// See the module's documentation.
#[derive(Debug, Default)]
pub struct Tally {
    /// Changes to breakdown cells, programme totals and day series.
    pub(super) deltas: Deltas,
    /// People whose counted rows the write changed.
    people: BTreeSet<Uuid>,
    /// What it changed of them.
    undo: Undo,
    /// Seats taken (or, negative, freed) of the write's course.
    seats: Option<(Uuid, i64)>,
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
        self.people.extend(people);
        self.undo.enrolled.extend(undo.enrolled);
        self.undo.finished.extend(undo.finished);
        self.undo.issued.extend(undo.issued);
        self.undo.revoked.extend(undo.revoked);
    }

    /// `n` more seats of `course` taken, or freed when negative: added in the batch, the
    /// write refused (`CAPACITY_FULL`) should that pass the course's capacity.
    /// Every write changes the seats of one course at most.
    pub fn take_seats(&mut self, course: Uuid, n: i64) {
        let (_, taken) = self.seats.get_or_insert((course, 0));
        *taken += n;
        debug_assert_eq!(
            self.seats.map(|(c, _)| c),
            Some(course),
            "one course per write"
        );
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
    pub async fn send(mut self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let people: Vec<Uuid> = std::mem::take(&mut self.people).into_iter().collect();
        let days = as_of::changes(db, &people, &self.undo, &mut self.programmes).await?;
        if !self.in_training.is_empty() {
            let programmes: Vec<Uuid> = self.programmes(db).await?.iter().map(|p| p.id).collect();
            for (track, n) in std::mem::take(&mut self.in_training) {
                for programme in &programmes {
                    self.deltas.in_training(*programme, track, n);
                }
            }
        }
        let mut batch = Batch::default();
        let seats = self.seats.filter(|(_, n)| *n != 0);
        if let Some((course, n)) = seats {
            take_seats(&mut batch, course, n);
        }
        batch.extend(self.records);
        self.deltas.write(&mut batch);
        as_of::write(&mut batch, &days);
        let taken = batch.send(db).await?;
        if seats.is_some() && taken.is_empty() {
            // A capacity set since the course was read (an open course is not locked
            // before this): the caller's transaction rolls everything back.
            return Err(AppError::CapacityFull);
        }
        Ok(())
    }
}

/// Adds `n` to the course's enrolled count unless that would pass its capacity (the
/// statement then returns no row).
fn take_seats(batch: &mut Batch, course: Uuid, n: i64) {
    let n = i32::try_from(n).unwrap_or(i32::MAX);
    batch.push(
        "UPDATE course SET enrolled_count = enrolled_count + ? WHERE id = ? \
         AND (capacity IS NULL OR enrolled_count + ? <= capacity) RETURNING id"
            .to_owned(),
        vec![n.into(), course.into(), n.into()],
    );
}
