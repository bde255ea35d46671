//! The day changes of small, hand-made persons.

use super::*;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn institution(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

const P: Uuid = Uuid::from_u128(100);

fn period() -> Period {
    Period {
        id: P,
        starts_on: day(1, 1),
        ends_on: day(12, 31),
        kinds: CountedKinds::default(),
    }
}

fn cert(id: u128, track: Track, on: NaiveDate, revoked: Option<NaiveDate>) -> CertificateDays {
    CertificateDays {
        id: Uuid::from_u128(id),
        kind: CredentialKind::TrainingCompletion,
        track,
        institution: institution(1),
        issued_on: on,
        revoked_on: revoked,
    }
}

fn enrolment(id: u128, on: NaiveDate, ended: Option<NaiveDate>) -> EnrolmentDays {
    EnrolmentDays {
        id: Uuid::from_u128(id),
        track: Track::Host,
        institution: institution(2),
        enrolled_on: on,
        ended_on: ended,
    }
}

/// The figure's value at the end of `on`, summed from the changes.
fn value(changes: &DayChanges, scope: Uuid, figure: Figure, on: NaiveDate) -> i64 {
    changes
        .iter()
        .filter(|((p, s, f, d), _)| *p == P && *s == scope && *f == figure && *d <= on)
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn a_revoked_certificate_counts_until_the_day_it_was_revoked() {
    let person = Person {
        certificates: vec![cert(1, Track::Host, day(3, 1), Some(day(6, 1)))],
        enrolments: vec![],
    };
    let changes = of_person(&person, &[period()]);
    let certified = Figure::Certified(Track::Host);
    assert_eq!(value(&changes, Uuid::nil(), certified, day(2, 28)), 0);
    assert_eq!(value(&changes, Uuid::nil(), certified, day(3, 1)), 1);
    assert_eq!(value(&changes, Uuid::nil(), certified, day(5, 31)), 1);
    assert_eq!(value(&changes, Uuid::nil(), certified, day(6, 1)), 0);
    assert_eq!(value(&changes, institution(1), certified, day(4, 1)), 1);
    assert_eq!(value(&changes, institution(2), certified, day(4, 1)), 0);
}

#[test]
fn overlapping_certificates_count_the_person_once() {
    let person = Person {
        certificates: vec![
            cert(1, Track::Host, day(1, 10), Some(day(6, 1))),
            cert(2, Track::Host, day(3, 1), None),
            // Outside the period: never counts.
            cert(
                3,
                Track::Host,
                NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
                None,
            ),
        ],
        enrolments: vec![],
    };
    let changes = of_person(&person, &[period()]);
    let certified = Figure::Certified(Track::Host);
    for (on, expected) in [(day(1, 9), 0), (day(1, 10), 1), (day(7, 1), 1)] {
        assert_eq!(
            value(&changes, Uuid::nil(), certified, on),
            expected,
            "{on}"
        );
    }
}

#[test]
fn training_stops_when_certified_or_finished() {
    let person = Person {
        certificates: vec![cert(1, Track::Host, day(5, 1), Some(day(8, 1)))],
        enrolments: vec![
            enrolment(10, day(2, 1), None),
            enrolment(11, day(1, 1), Some(day(3, 1))),
        ],
    };
    let changes = of_person(&person, &[period()]);
    let training = Figure::InTraining(Track::Host);
    let expected = [
        (day(1, 1), 1),
        (day(4, 30), 1),
        (day(5, 1), 0),
        (day(7, 31), 0),
        // Revoked, still enrolled: in training again.
        (day(8, 1), 1),
    ];
    for (on, n) in expected {
        assert_eq!(value(&changes, Uuid::nil(), training, on), n, "{on}");
    }
    // The institution of the enrolments: its own certificates are none, so its
    // share has the person in training throughout.
    assert_eq!(value(&changes, institution(2), training, day(6, 1)), 1);
}

#[test]
fn persons_count_once_and_both_tracks_only_while_both_hold() {
    let person = Person {
        certificates: vec![
            cert(1, Track::Host, day(2, 1), None),
            cert(2, Track::Professional, day(4, 1), Some(day(9, 1))),
        ],
        enrolments: vec![],
    };
    let changes = of_person(&person, &[period()]);
    let at = |figure, on| value(&changes, Uuid::nil(), figure, on);
    assert_eq!(at(Figure::Persons, day(1, 31)), 0);
    assert_eq!(at(Figure::Persons, day(5, 1)), 1);
    assert_eq!(at(Figure::BothTracks, day(3, 31)), 0);
    assert_eq!(at(Figure::BothTracks, day(4, 1)), 1);
    assert_eq!(at(Figure::BothTracks, day(9, 1)), 0);
    assert_eq!(at(Figure::Persons, day(9, 1)), 1);
}

#[test]
fn undoing_a_write_gives_the_changes_it_made() {
    let after = Person {
        certificates: vec![cert(1, Track::Host, day(5, 1), Some(day(8, 1)))],
        enrolments: vec![enrolment(10, day(2, 1), Some(day(5, 1)))],
    };
    let undo = Undo {
        revoked: HashSet::from([Uuid::from_u128(1)]),
        ..Undo::default()
    };
    let before = undo.before(&after);
    assert_eq!(before.certificates[0].revoked_on, None);
    let made = difference(
        of_person(&after, &[period()]),
        &of_person(&before, &[period()]),
    );
    // The revocation removes the person from the certified figures from 8 August.
    let certified_city = (P, Uuid::nil(), Figure::Certified(Track::Host), day(8, 1));
    assert_eq!(made.get(&certified_city), Some(&-1));
    assert!(made.keys().all(|(_, _, _, d)| *d == day(8, 1)), "{made:?}");
}

#[test]
fn spellings_round_trip() {
    let mut all = vec![Figure::Persons, Figure::BothTracks];
    for track in Track::ALL {
        all.extend([Figure::Certified(track), Figure::InTraining(track)]);
    }
    all.extend(GoalKind::ALL.map(Figure::Goal));
    for figure in all {
        assert_eq!(Figure::parse(&figure.spelling()).unwrap(), figure);
    }
    assert!(Figure::parse("CERTIFIED:NOPE").is_err());
}

#[test]
fn a_programme_counts_only_its_kinds_and_a_person_once_whatever_the_kinds() {
    let skill = CertificateDays {
        kind: CredentialKind::SkillLevel,
        ..cert(2, Track::Host, day(5, 1), None)
    };
    let special = CertificateDays {
        kind: CredentialKind::SpecialAbility,
        ..cert(3, Track::Host, day(2, 1), None)
    };
    let person = Person {
        certificates: vec![cert(1, Track::Host, day(3, 1), None), skill, special],
        enrolments: vec![],
    };
    let certified = Figure::Certified(Track::Host);
    let cases = [
        (CountedKinds::default(), day(3, 1)),
        (
            CountedKinds::parse(&[CredentialKind::SkillLevel]).unwrap(),
            day(5, 1),
        ),
        (
            CountedKinds::parse(&CredentialKind::ALL).unwrap(),
            day(2, 1),
        ),
    ];
    for (kinds, first) in cases {
        let changes = of_person(&person, &[Period { kinds, ..period() }]);
        let on = |d| value(&changes, Uuid::nil(), certified, d);
        assert_eq!(on(first.pred_opt().unwrap()), 0, "{kinds:?}");
        assert_eq!(on(first), 1, "{kinds:?}");
        assert_eq!(on(day(12, 31)), 1, "{kinds:?}: once, whatever the kinds");
    }
}
