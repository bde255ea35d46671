//! What `enrol` on PostgreSQL remembers of the courses it read, so that the next
//! enrolment into one of them is a single statement ([`super::at_once`]).
//!
//! A remembered course may be out of date (given a capacity, a new level, closed, or
//! programmes added since) and a person may be on its track already: the statement
//! checks each of these in the database as it writes, and writes nothing when one no
//! longer holds; `enrol` then reads the course afresh (remembering it again). So the
//! memory is never the answer, only a guess the write confirms.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use crate::entity::course;
use crate::service::counting::day_changes::Period;

/// At most this many courses are remembered (about 300 bytes each); the memory is
/// emptied when it is full.
const COURSES: usize = 4096;

/// See the module's documentation. One per process (in [`crate::service::Deps`]).
#[derive(Debug, Default)]
pub struct KnownCourses {
    inner: Mutex<Known>,
}

#[derive(Debug, Default)]
struct Known {
    /// Courses without a capacity, with their institution's district, as last read.
    courses: HashMap<Uuid, (course::Model, String)>,
    /// Every programme, as last read (only ever added to).
    programmes: Vec<Period>,
}

impl KnownCourses {
    /// Notes `course` (of `district`) as read, and every programme. A course with a
    /// capacity is forgotten: its enrolments take a transaction.
    pub fn remember(&self, course: &course::Model, district: &str, programmes: &[Period]) {
        let mut known = self.lock();
        known.programmes = programmes.to_vec();
        if course.capacity.is_some() {
            known.courses.remove(&course.id);
            return;
        }
        if known.courses.len() >= COURSES {
            known.courses.clear();
        }
        known
            .courses
            .insert(course.id, (course.clone(), district.to_owned()));
    }

    /// The course of `id` as last read, its district and every programme.
    pub fn recall(&self, id: Uuid) -> Option<(course::Model, String, Vec<Period>)> {
        let known = self.lock();
        let (course, district) = known.courses.get(&id)?;
        Some((course.clone(), district.clone(), known.programmes.clone()))
    }

    fn lock(&self) -> MutexGuard<'_, Known> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
