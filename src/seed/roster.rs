//! `roster`: a cohort of synthetic people as an import file, for `importEnrolments` (CSV)
//! or `enrolMany` (JSON list of `RegisterTraineeInput`), from the seed's own generators.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::catalogue::DISTRICTS;
use super::names;
use crate::domain::IdType;

/// Options of `roster`.
#[derive(Debug, Clone, clap::Args)]
pub struct RosterOptions {
    /// People to write.
    #[arg(long, default_value_t = 10_000)]
    pub rows: usize,
    /// RNG seed: the same seed gives the same people; different seeds, different people.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// `csv` (the import's format, English header) or `json` (`enrolMany`'s `trainees`).
    #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
    pub format: String,
}

/// One person of a roster, as the import reads it.
struct Person {
    name: String,
    id_type: IdType,
    id_number: String,
    phone: Option<String>,
    district: Option<&'static str>,
}

/// Writes `options.rows` distinct valid people to `out`.
pub fn write(options: &RosterOptions, out: &mut impl Write) -> anyhow::Result<()> {
    let people = people(options)?;
    if options.format == "json" {
        let list: Vec<serde_json::Value> = people
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "idType": p.id_type.as_str(),
                    "idNumber": p.id_number,
                    "phone": p.phone,
                    "district": p.district,
                })
            })
            .collect();
        serde_json::to_writer(&mut *out, &list).context("writing JSON")?;
    } else {
        let mut writer = csv::Writer::from_writer(&mut *out);
        writer.write_record(["name", "idType", "idNumber", "phone", "district"])?;
        for p in &people {
            writer.write_record([
                p.name.as_str(),
                p.id_type.as_str(),
                p.id_number.as_str(),
                p.phone.as_deref().unwrap_or_default(),
                p.district.unwrap_or_default(),
            ])?;
        }
        writer.flush()?;
    }
    out.flush().context("writing the roster")
}

fn people(options: &RosterOptions) -> anyhow::Result<Vec<Person>> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut seen = HashSet::with_capacity(options.rows);
    let mut people = Vec::with_capacity(options.rows);
    while people.len() < options.rows {
        let (_, region, _) = DISTRICTS[rng.gen_range(0..DISTRICTS.len())];
        let (document, latin) = if rng.gen_bool(0.035) {
            names::other_document(&mut rng)?
        } else {
            (names::resident_id(&mut rng, region)?, false)
        };
        if !seen.insert(document.number().to_owned()) {
            continue;
        }
        // The name follows from the document, so that two rosters (of any seeds) that
        // list the same document list the same person, as the registry requires.
        let mut own = StdRng::seed_from_u64(document_seed(document.number()));
        let name = if latin {
            names::latin_name(&mut own)
        } else {
            names::chinese_name(&mut own)
        };
        people.push(Person {
            name,
            id_type: document.id_type(),
            id_number: document.number().to_owned(),
            phone: rng.gen_bool(0.92).then(|| names::phone(&mut rng)),
            district: rng
                .gen_bool(0.95)
                .then(|| DISTRICTS[rng.gen_range(0..DISTRICTS.len())].0),
        });
    }
    Ok(people)
}

/// A stable 64-bit FNV-1a hash of a document number.
fn document_seed(number: &str) -> u64 {
    number.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DistrictList;
    use crate::service::csv_import::read_roster;

    #[test]
    fn rosters_of_different_seeds_name_a_shared_document_alike() {
        let roster = |seed| {
            people(&RosterOptions {
                rows: 20_000,
                seed,
                format: "json".to_owned(),
            })
            .unwrap()
        };
        let first: std::collections::HashMap<String, String> = roster(1)
            .into_iter()
            .map(|p| (p.id_number, p.name))
            .collect();
        let mut shared = 0;
        for p in roster(2) {
            if let Some(name) = first.get(&p.id_number) {
                shared += 1;
                assert_eq!(name, &p.name, "document {} named twice", p.id_number);
            }
        }
        assert!(shared > 0, "no shared document to compare");
    }

    #[test]
    fn a_roster_is_an_import_file_whose_every_row_is_valid() {
        let options = RosterOptions {
            rows: 300,
            seed: 7,
            format: "csv".to_owned(),
        };
        let mut file = Vec::new();
        write(&options, &mut file).unwrap();
        let rows = read_roster(&file, &DistrictList::shenzhen()).unwrap();
        assert_eq!(rows.len(), 300);
        for row in rows {
            assert!(
                row.trainee.is_ok(),
                "line {}: {:?}",
                row.position,
                row.trainee
            );
        }
    }
}
