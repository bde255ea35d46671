//! Districts of the city, from a configured list with English and Chinese names.

use super::ValidationError;

/// Longest district input echoed back in an error message.
const ECHO_LIMIT: usize = 40;

/// A district from the configured list, by its canonical English name (the name
/// used in responses and breakdowns).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct District(String);

impl District {
    /// The canonical English name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The configured districts as (English, optional Chinese) names; breakdowns use the
/// institution's district, so the list is configuration rather than code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictList(Vec<(String, Option<String>)>);

impl DistrictList {
    /// The default list: Shenzhen's ten districts (including the Dapeng new district).
    pub fn shenzhen() -> Self {
        let pairs = [
            ("Futian", "福田"),
            ("Luohu", "罗湖"),
            ("Yantian", "盐田"),
            ("Nanshan", "南山"),
            ("Baoan", "宝安"),
            ("Longgang", "龙岗"),
            ("Longhua", "龙华"),
            ("Pingshan", "坪山"),
            ("Guangming", "光明"),
            ("Dapeng", "大鹏"),
        ];
        Self(
            pairs
                .into_iter()
                .map(|(english, chinese)| (english.to_owned(), Some(chinese.to_owned())))
                .collect(),
        )
    }

    /// Parses a configuration value like `Futian:福田,Luohu:罗湖` (Chinese optional).
    pub fn from_spec(spec: &str) -> Result<Self, ValidationError> {
        let mut list: Vec<(String, Option<String>)> = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (english, chinese) = match entry.split_once(':') {
                Some((english, chinese)) => (english.trim(), chinese.trim()),
                None => (entry, ""),
            };
            if english_key(english).is_empty() || chinese.contains(':') {
                return Err(ValidationError::InvalidFormat(
                    "each entry must be English or English:Chinese",
                ));
            }
            let chinese = (!chinese.is_empty()).then(|| chinese.to_owned());
            let new_chinese = chinese.as_deref().map(chinese_key);
            let duplicate = list.iter().any(|(e, c)| {
                english_key(e) == english_key(english)
                    || (new_chinese.is_some() && c.as_deref().map(chinese_key) == new_chinese)
            });
            if duplicate {
                return Err(ValidationError::InvalidFormat(
                    "district names must be unique",
                ));
            }
            list.push((english.to_owned(), chinese));
        }
        if list.is_empty() {
            return Err(ValidationError::Empty);
        }
        Ok(Self(list))
    }

    /// Matches the English name case-insensitively, ignoring apostrophes, spaces and
    /// hyphens (`Bao'an`), or the Chinese name with or without 区/新区.
    pub fn parse(&self, raw: &str) -> Result<District, ValidationError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ValidationError::Empty);
        }
        let english = english_key(raw);
        let chinese = chinese_key(raw);
        self.0
            .iter()
            .find(|(e, c)| {
                english_key(e) == english || c.as_deref().map(chinese_key) == Some(chinese)
            })
            .map(|(e, _)| District(e.clone()))
            .ok_or_else(|| ValidationError::UnknownDistrict(raw.chars().take(ECHO_LIMIT).collect()))
    }

    /// The configured Chinese name of the district whose canonical name is `english`.
    pub fn chinese_name(&self, english: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(e, _)| e == english)
            .and_then(|(_, c)| c.as_deref())
    }

    /// The canonical English names, in configured order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(english, _)| english.as_str())
    }
}

/// Lowercase without apostrophes, spaces and hyphens.
fn english_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '\'' | '’' | '-') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Chinese name without the administrative suffix 新区 or 区.
fn chinese_key(name: &str) -> &str {
    name.strip_suffix("新区")
        .or_else(|| name.strip_suffix('区'))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shenzhen(raw: &str) -> Result<String, ValidationError> {
        DistrictList::shenzhen()
            .parse(raw)
            .map(|d| d.as_str().to_owned())
    }

    #[test]
    fn english_district_name_is_accepted_case_insensitively() {
        for raw in ["Nanshan", "nanshan", " NANSHAN "] {
            assert_eq!(shenzhen(raw).as_deref(), Ok("Nanshan"), "{raw}");
        }
    }

    #[test]
    fn apostrophes_spaces_and_hyphens_in_english_names_are_ignored() {
        for raw in ["Bao'an", "Bao an", "bao-an", "Bao’an"] {
            assert_eq!(shenzhen(raw).as_deref(), Ok("Baoan"), "{raw}");
        }
    }

    #[test]
    fn chinese_district_name_without_suffix_is_accepted() {
        assert_eq!(shenzhen("福田").as_deref(), Ok("Futian"));
    }

    #[test]
    fn chinese_district_name_with_suffix_is_accepted() {
        for (raw, expected) in [
            ("光明区", "Guangming"),
            ("大鹏新区", "Dapeng"),
            ("宝安区", "Baoan"),
        ] {
            assert_eq!(shenzhen(raw).as_deref(), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn an_unknown_district_is_rejected_naming_it() {
        assert_eq!(
            shenzhen("Xinyi"),
            Err(ValidationError::UnknownDistrict("Xinyi".to_owned()))
        );
        assert_eq!(
            shenzhen("区"),
            Err(ValidationError::UnknownDistrict("区".to_owned()))
        );
        assert_eq!(shenzhen("  "), Err(ValidationError::Empty));
    }

    #[test]
    fn a_long_unknown_district_is_echoed_truncated() {
        let long = "x".repeat(500);
        assert_eq!(
            shenzhen(&long),
            Err(ValidationError::UnknownDistrict("x".repeat(ECHO_LIMIT)))
        );
    }

    #[test]
    fn the_shenzhen_list_has_the_ten_districts_in_order() {
        let list = DistrictList::shenzhen();
        let names: Vec<&str> = list.names().collect();
        assert_eq!(
            names,
            [
                "Futian",
                "Luohu",
                "Yantian",
                "Nanshan",
                "Baoan",
                "Longgang",
                "Longhua",
                "Pingshan",
                "Guangming",
                "Dapeng"
            ]
        );
    }

    #[test]
    fn a_spec_with_optional_chinese_names_is_parsed() {
        let list =
            DistrictList::from_spec(" Futian:福田, Luohu ,Dapeng:大鹏新区,").expect("valid spec");
        assert_eq!(
            list.names().collect::<Vec<_>>(),
            ["Futian", "Luohu", "Dapeng"]
        );
        assert_eq!(
            list.parse("福田区")
                .map(|d| d.as_str().to_owned())
                .as_deref(),
            Ok("Futian")
        );
        assert_eq!(
            list.parse("大鹏").map(|d| d.as_str().to_owned()).as_deref(),
            Ok("Dapeng")
        );
        assert_eq!(
            list.parse("luohu")
                .map(|d| d.as_str().to_owned())
                .as_deref(),
            Ok("Luohu")
        );
    }

    #[test]
    fn invalid_specs_are_rejected() {
        let cases = [
            ("", ValidationError::Empty, "empty"),
            (" , ", ValidationError::Empty, "only separators"),
            (
                ":福田",
                ValidationError::InvalidFormat("each entry must be English or English:Chinese"),
                "missing English name",
            ),
            (
                "Futian:福田:x",
                ValidationError::InvalidFormat("each entry must be English or English:Chinese"),
                "two colons",
            ),
            (
                "Futian,futian",
                ValidationError::InvalidFormat("district names must be unique"),
                "duplicate English name",
            ),
            (
                "Futian:福田,Other:福田区",
                ValidationError::InvalidFormat("district names must be unique"),
                "duplicate Chinese name",
            ),
        ];
        for (spec, expected, why) in cases {
            assert_eq!(DistrictList::from_spec(spec), Err(expected), "{why}");
        }
    }
}
