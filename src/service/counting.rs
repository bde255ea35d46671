//! The numbers the city reads, and how they stay exact. `docs/counting.md` defines each
//! number; this module is the one place that keeps and answers them:
//!
//! - [`cell`]: the typed cells (breakdown cell and its measures, a programme's totals on
//!   a track, the day series) and the changes a write makes to them;
//! - [`write`] and [`certify`]: the maintenance, one function per event (enrolled,
//!   finished; certified, revoked), called by each write path inside its transaction,
//!   each adding to the write's [`Tally`], which the write sends at its end;
//! - [`recount`]: the same numbers from the base tables (`rebuild`, a new programme's
//!   backfill, a date range that cuts months), and `verify-counts` comparing them with
//!   the stored ones;
//! - [`reach`]: the one definition of `ratio`, `reachedOn` and `projectedReachDate` from
//!   a day series;
//! - [`progress`] and [`stats`]: the reads behind `programmeProgress` and `stats`;
//! - [`goals`], [`persons`] and [`goal_progress`]: the plan's other goals (recognitions,
//!   sales) and the persons certified on any or both tracks;
//! - [`shard`]: which of the current day's and month's counter rows a write adds to;
//! - [`day_changes`] and [`as_of`]: every figure as it stood at the end of a day, kept as
//!   day changes (`programmeProgress(asOf:)`).

pub mod as_of;
pub mod cell;
pub mod certify;
mod columns;
pub mod day_changes;
pub mod goal_progress;
pub mod goals;
pub mod persons;
pub mod progress;
pub mod reach;
pub mod recount;
pub mod shard;
pub mod sql;
pub mod stats;
pub mod tally;
mod verify;
pub mod write;

pub use certify::{certified, revoked};
pub use day_changes::Undo;
pub use tally::Tally;
pub use write::{Finish, district_of, enrolled_many, finished, start_tracks};
