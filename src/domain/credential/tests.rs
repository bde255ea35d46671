//! The national number, the sub-type × level matrix, standard hours and counted kinds,
//! rule by rule.

use super::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A valid number for `letter`, issued in 20`yy` at `level`.
fn number(letter: char, yy: &str, level: u8) -> String {
    format!("{letter}440300123456{yy}{level}000123")
}

#[test]
fn valid_numbers_of_both_letters_and_every_level_are_accepted() {
    for letter in ['Y', 'S', 'y', 's'] {
        for level in 1..=5u8 {
            let raw = number(letter, "25", level);
            assert_eq!(raw.len(), 22, "{raw}");
            let parsed = NationalNumber::parse(&raw, day("2025-06-30"), level);
            assert_eq!(
                parsed.map(|n| n.as_str().to_owned()),
                Ok(raw.to_ascii_uppercase()),
                "{raw} at level {level}"
            );
        }
    }
}

#[test]
fn a_wrong_number_is_refused_naming_the_rule() {
    let issued = day("2025-06-30");
    let cases = [
        (
            "Y44030012345625400012",
            "must be 22 characters: Y or S, then 21 digits",
        ),
        (
            "Y4403001234562540001234",
            "must be 22 characters: Y or S, then 21 digits",
        ),
        ("", "must be 22 characters: Y or S, then 21 digits"),
        ("X440300123456254000123", "must start with Y or S"),
        ("4440300123456254000123", "must start with Y or S"),
        (
            "Y44030012345625400012A",
            "must be Y or S followed by 21 digits",
        ),
        (
            "Y４40300123456254000123",
            "must be Y or S followed by 21 digits",
        ),
        (
            "Y440300123456244000123",
            "characters 14-15 must be the last two digits of the year of issuedOn",
        ),
        ("Y440300123456253000123", "character 16 must be the level"),
    ];
    for (raw, message) in cases {
        let refused = NationalNumber::parse(raw, issued, 4);
        assert_eq!(
            refused,
            Err(ValidationError::InvalidFormat(message)),
            "number {raw:?}"
        );
    }
}

#[test]
fn surrounding_spaces_are_trimmed() {
    let parsed = NationalNumber::parse(" S440300123456254000123 ", day("2025-01-01"), 4);
    assert_eq!(parsed.unwrap().as_str(), "S440300123456254000123");
}

#[test]
fn each_sub_type_takes_the_levels_of_the_standard() {
    for subtype in SkillSubtype::ALL {
        for level in -1..=7 {
            let highest = if subtype == SkillSubtype::PlatformManager {
                3
            } else {
                1
            };
            let allowed = (highest..=5).contains(&level);
            assert_eq!(
                SkillLevel::parse(subtype, level).is_ok(),
                allowed,
                "{subtype} at level {level}"
            );
        }
    }
    assert_eq!(
        SkillLevel::parse(SkillSubtype::PlatformManager, 2),
        Err(ValidationError::InvalidFormat(
            "PLATFORM_MANAGER has levels 5 to 3 only"
        ))
    );
}

#[test]
fn the_seller_counts_on_host_and_the_others_on_professional() {
    let cases = [
        (SkillSubtype::LivestreamSeller, Track::Host),
        (SkillSubtype::ProductSelector, Track::Professional),
        (SkillSubtype::VideoPromoter, Track::Professional),
        (SkillSubtype::PlatformManager, Track::Professional),
    ];
    for (subtype, track) in cases {
        assert_eq!(subtype.track(), track, "{subtype}");
    }
}

#[test]
fn standard_hours_follow_the_level() {
    let cases = [(5, 120), (4, 104), (3, 88), (2, 72), (1, 72)];
    for (level, hours) in cases {
        assert_eq!(standard_hours(level), hours, "level {level}");
        assert!(
            meets_standard_hours(hours, level),
            "level {level} at {hours}"
        );
        assert!(
            !meets_standard_hours(hours - 1, level),
            "level {level} at {}",
            hours - 1
        );
    }
}

#[test]
fn the_issue_day_is_neither_in_the_future_nor_before_2020() {
    let today = day("2026-12-04");
    assert_eq!(issued_on(today, today), Ok(today));
    assert_eq!(issued_on(day("2020-01-01"), today), Ok(day("2020-01-01")));
    assert!(issued_on(day("2026-12-05"), today).is_err());
    assert!(issued_on(day("2019-12-31"), today).is_err());
}

#[test]
fn counted_kinds_round_trip_and_default_to_completion_and_skill_level() {
    assert_eq!(
        CountedKinds::default().stored(),
        "TRAINING_COMPLETION,SKILL_LEVEL"
    );
    let only = CountedKinds::parse(&[CredentialKind::SkillLevel]).unwrap();
    assert_eq!(only.stored(), "SKILL_LEVEL");
    assert!(!only.contains(CredentialKind::TrainingCompletion));
    assert_eq!(CountedKinds::from_stored(&only.stored()), Ok(only));
    assert_eq!(CountedKinds::parse(&[]), Err(ValidationError::Empty));
    assert!(CountedKinds::from_stored("SKILL_LEVEL,NOPE").is_err());
}
