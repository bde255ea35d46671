//! What `enrol` on PostgreSQL remembers of the courses it read, so that the next
//! enrolment into one of them is a single statement ([`super::at_once`]).
//!
//! A remembered course may be out of date (given a capacity, a new level, closed, or
//! programmes added since) and a person may be on its track already: the statement
//! checks each of these in the database as it writes, and writes nothing when one no
//! longer holds; `enrol` then reads the course afresh (remembering it again). So the
//! memory is never the answer, only a guess the write confirms.

use std::sync::{Mutex, PoisonError};

use uuid::Uuid;

use crate::entity::course;
use crate::service::counting::day_changes::Period;
use crate::service::memo::Memo;

/// At most this many courses are remembered (about 300 bytes each).
const COURSES: usize = 4096;

/// See the module's documentation. One per process (in [`crate::service::Deps`]).
#[derive(Debug)]
pub struct KnownCourses {
    /// Courses without a capacity, with their institution's district, as last read.
    courses: Memo<Uuid, (course::Model, String)>,
    /// Every programme, as last read (only ever added to).
    programmes: Mutex<Vec<Period>>,
}

impl Default for KnownCourses {
    fn default() -> Self {
        Self {
            courses: Memo::new(COURSES),
            programmes: Mutex::default(),
        }
    }
}

impl KnownCourses {
    /// Notes `course` (of `district`) as read, and every programme. A course with a
    /// capacity is forgotten: its enrolments take a transaction.
    pub fn remember(&self, course: &course::Model, district: &str, programmes: &[Period]) {
        *self.programmes() = programmes.to_vec();
        if course.capacity.is_some() {
            self.courses.forget(&course.id);
        } else {
            self.courses
                .remember(course.id, (course.clone(), district.to_owned()));
        }
    }

    /// The course of `id` as last read, its district and every programme.
    pub fn recall(&self, id: Uuid) -> Option<(course::Model, String, Vec<Period>)> {
        let (course, district) = self.courses.recall(&id)?;
        Some((course, district, self.programmes().clone()))
    }

    fn programmes(&self) -> std::sync::MutexGuard<'_, Vec<Period>> {
        self.programmes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
