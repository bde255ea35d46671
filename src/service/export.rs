//! The city's CSV exports (`/exports/progress.csv`, `/exports/goals.csv`,
//! `/exports/stats.csv`): the answers of `programmeProgress` (its targets and goals) and
//! `stats` for the same caller and arguments, as spreadsheet files.
//!
//! Files start with a UTF-8 BOM so that Excel shows Chinese text, use CRLF line ends and
//! hold counts only, never personal data. Text cells that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading apostrophe.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::counting::stats::{self, Dimension, StatsFilter};
use super::counting::{goal_progress, progress};
use super::lookup;
use crate::auth::CurrentUser;
use crate::domain::DistrictList;
use crate::entity::institution;
use crate::error::AppError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `/exports/progress.csv`: one line per track of the programme (by default the
/// programme running today, else the latest).
pub async fn progress_csv(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    programme_id: Option<Uuid>,
) -> Result<Vec<u8>, AppError> {
    let found = progress::progress(db, actor, programme_id, None).await?;
    let mut out = Sheet::new(&[
        "programme",
        "startsOn",
        "endsOn",
        "track",
        "target",
        "certified",
        "inTraining",
        "ratio",
        "projectedReachDate",
        "reachedOn",
    ]);
    for t in &found.targets {
        out.row(&[
            found.programme.name.clone(),
            found.programme.starts_on.to_string(),
            found.programme.ends_on.to_string(),
            t.track.as_str().to_owned(),
            t.target.to_string(),
            t.certified.to_string(),
            t.in_training.to_string(),
            format!("{:.4}", t.ratio),
            date(t.projected_reach_date),
            date(t.reached_on),
        ])?;
    }
    out.finish()
}

/// `/exports/goals.csv`: one line per goal of the programme, as
/// `programmeProgress.goals` answers the caller (institution roles: the person goals on
/// their own share).
pub async fn goals_csv(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    programme_id: Option<Uuid>,
) -> Result<Vec<u8>, AppError> {
    let found = progress::progress(db, actor, programme_id, None).await?;
    let goals = goal_progress::goals(db, actor, &found).await?;
    let mut out = Sheet::new(&[
        "programme",
        "startsOn",
        "endsOn",
        "goal",
        "unit",
        "target",
        "achieved",
        "ratio",
        "projectedReachDate",
        "reachedOn",
        "requiredPerMonth",
        "onTrack",
    ]);
    for g in &goals {
        out.row(&[
            found.programme.name.clone(),
            found.programme.starts_on.to_string(),
            found.programme.ends_on.to_string(),
            g.kind.as_str().to_owned(),
            g.kind.unit().to_owned(),
            g.target.to_string(),
            g.achieved.to_string(),
            format!("{:.4}", g.ratio),
            date(g.projected_reach_date),
            date(g.reached_on),
            g.required_per_month
                .map(|n| format!("{n:.2}"))
                .unwrap_or_default(),
            g.on_track.to_string(),
        ])?;
    }
    out.finish()
}

/// `/exports/stats.csv`: the `stats` breakdown of `filter` by `dims`. Columns: the
/// grouped-by keys in the order given (a district as answered by the API and by its
/// Chinese name, an institution by name), then trainees, enrolments, completions,
/// certifiedPersons.
pub async fn stats_csv(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    districts: &DistrictList,
    filter: StatsFilter,
    dims: &[Dimension],
) -> Result<Vec<u8>, AppError> {
    let rows = stats::stats(db, actor, filter, dims).await?;
    let mut ids: Vec<Uuid> = rows.iter().filter_map(|r| r.key.institution_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<Uuid, String> =
        lookup::by_ids::<institution::Entity>(db, &ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect();

    let mut header = Vec::new();
    for dim in dims {
        header.extend_from_slice(match dim {
            Dimension::Track => &["track"][..],
            Dimension::District => &["district", "districtChinese"],
            Dimension::Institution => &["institution"],
            Dimension::Month => &["month"],
            Dimension::Level => &["level"],
        });
    }
    header.extend_from_slice(&["trainees", "enrolments", "completions", "certifiedPersons"]);
    let mut out = Sheet::new(&header);
    for row in &rows {
        let mut cells = Vec::with_capacity(header.len());
        for dim in dims {
            let k = &row.key;
            match dim {
                Dimension::Track => cells.push(k.track.clone().unwrap_or_default()),
                Dimension::District => {
                    let name = k.district.clone().unwrap_or_default();
                    let chinese = districts.chinese_name(&name).unwrap_or_default().to_owned();
                    cells.push(name);
                    cells.push(chinese);
                }
                Dimension::Institution => cells.push(
                    k.institution_id
                        .and_then(|id| names.get(&id).cloned())
                        .unwrap_or_default(),
                ),
                Dimension::Month => cells.push(k.month.clone().unwrap_or_default()),
                Dimension::Level => cells.push(k.level.map(|l| l.to_string()).unwrap_or_default()),
            }
        }
        for n in [
            row.trainees,
            row.enrolments,
            row.completions,
            row.certified_persons,
        ] {
            cells.push(n.to_string());
        }
        out.row(&cells)?;
    }
    out.finish()
}

fn date(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

/// A CSV file under construction.
struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    fn new(header: &[&str]) -> Self {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(UTF8_BOM.to_vec());
        // Writing to a Vec cannot fail; a header error would surface on the first row.
        let _ = writer.write_record(header);
        Self(writer)
    }

    fn row(&mut self, cells: &[String]) -> Result<(), AppError> {
        self.0
            .write_record(cells.iter().map(|c| defused(c)))
            .map_err(|e| AppError::Internal(e.into()))
    }

    fn finish(self) -> Result<Vec<u8>, AppError> {
        self.0
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("writing CSV: {e}")))
    }
}

/// A cell that a spreadsheet shows as text, never runs as a formula.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_get_an_apostrophe() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("-1+2"), "'-1+2");
        assert_eq!(defused("南山培训学校"), "南山培训学校");
    }
}
