//! The plan's other goals in the seed (DESIGN.md §2.3): organisations recognised for
//! SERVICE_INSTITUTIONS, BASES_AND_PARKS and ENTERPRISES_LAUNCHED (catalogue institutions
//! of a kind the goal takes, and new organisations without courses), influential hosts
//! among the persons certified on HOST, a few recognitions withdrawn, and SALES_CNY for
//! every month of the period, growing. Drawn from a random stream of its own, so a seed
//! gives the same persons as before the goals were seeded.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::Value;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};
use uuid::Uuid;

use super::calendar::{FIRST_DAY, Ids, LAST_DAY, day_between, office_hours};
use super::catalogue::{Catalogue, DISTRICTS, Institution, credit_code, institution_name};
use super::write::{insert, institutions};
use crate::domain::{GoalKind, InstitutionKind, Month, Subject};
use crate::entity::{indicator, programme, recognition};

/// Mixed into the seed for the goals' own stream ("goals").
const STREAM: u64 = 0x0067_6f61_6c73;

/// Live recognitions drawn per goal (targets: 100, 50, 100, 50).
const LIVE: [(GoalKind, RangeInclusive<usize>); 4] = [
    (GoalKind::ServiceInstitutions, 78..=92),
    (GoalKind::BasesAndParks, 38..=46),
    (GoalKind::EnterprisesLaunched, 80..=95),
    (GoalKind::InfluentialHosts, 34..=44),
];
/// Withdrawn recognitions per goal, besides the live ones.
const WITHDRAWN: RangeInclusive<usize> = 2..=4;
/// SALES_CNY of January 2023 in yuan, and its growth per month.
const FIRST_MONTH_SALES: f64 = 6.5e9;
const MONTHLY_GROWTH: f64 = 1.02;

/// A `recognition` row.
pub struct RecognitionRow {
    pub id: Uuid,
    pub kind: GoalKind,
    pub institution_id: Option<Uuid>,
    pub trainee_id: Option<Uuid>,
    pub recognised_on: NaiveDate,
    pub evidence: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// An `indicator` row of SALES_CNY.
pub struct IndicatorRow {
    pub month: Month,
    pub value_fen: i64,
    pub recorded_at: DateTime<Utc>,
}

/// The goals' rows: new organisations first, then what refers to them.
#[derive(Default)]
pub struct GoalRows {
    pub institutions: Vec<Institution>,
    pub recognitions: Vec<RecognitionRow>,
    pub indicators: Vec<IndicatorRow>,
}

/// Draws the goals' rows. `hosts`: persons with an unrevoked HOST certificate and the
/// day of their first, in id order.
pub fn draw(seed: u64, catalogue: &Catalogue, hosts: &[(Uuid, NaiveDate)]) -> GoalRows {
    let mut rng = StdRng::seed_from_u64(seed ^ STREAM);
    let mut ids = Ids::after_period();
    // Sales first: the same seed gives the same months at every scale.
    let mut rows = GoalRows {
        indicators: sales(&mut rng),
        ..GoalRows::default()
    };
    let mut codes: HashSet<String> = catalogue
        .institutions
        .iter()
        .map(|i| i.credit_code.clone())
        .collect();
    for (kind, live) in LIVE {
        let withdrawn = rng.gen_range(WITHDRAWN);
        let wanted = rng.gen_range(live) + withdrawn;
        let subjects: Vec<(Option<Uuid>, Option<Uuid>, NaiveDate)> = match kind.subject() {
            Some(Subject::Institution(kinds)) => {
                let mut existing: Vec<&Institution> = catalogue
                    .institutions
                    .iter()
                    .filter(|i| kinds.contains(&i.kind))
                    .collect();
                existing.shuffle(&mut rng);
                existing.truncate(wanted / 2);
                let fresh = wanted - existing.len();
                let mut subjects: Vec<_> = existing
                    .iter()
                    .map(|i| (Some(i.id), None, i.created_at.date_naive()))
                    .collect();
                for n in 0..fresh {
                    let new = organisation(&mut rng, &mut ids, catalogue, kinds[n % kinds.len()]);
                    let Ok(new) = new else { continue };
                    if codes.insert(new.credit_code.clone()) {
                        subjects.push((Some(new.id), None, new.created_at.date_naive()));
                        rows.institutions.push(new);
                    }
                }
                subjects
            }
            _ => {
                let mut hosts = hosts.to_vec();
                hosts.shuffle(&mut rng);
                hosts.truncate(wanted);
                hosts
                    .into_iter()
                    .map(|(id, first)| (None, Some(id), first + Duration::days(30)))
                    .collect()
            }
        };
        let mut subjects = subjects;
        subjects.shuffle(&mut rng);
        let withdrawn = withdrawn.min(subjects.len() / 4);
        for (n, (institution_id, trainee_id, earliest)) in subjects.into_iter().enumerate() {
            let recognised_on = later_more_often(&mut rng, earliest.clamp(FIRST_DAY, LAST_DAY));
            let withdrawn_at = (n < withdrawn).then(|| {
                let from = (recognised_on + Duration::days(30)).min(LAST_DAY);
                let day = day_between(&mut rng, from, LAST_DAY);
                office_hours(&mut rng, day)
            });
            rows.recognitions.push(RecognitionRow {
                id: ids.next(&mut rng),
                kind,
                institution_id,
                trainee_id,
                recognised_on,
                evidence: format!(
                    "深商务电商〔{}〕{}号",
                    recognised_on.year(),
                    rng.gen_range(1..=300)
                ),
                withdrawn_at,
            });
        }
    }
    rows
}

/// A day of `earliest..=LAST_DAY`, later days more likely: recognitions gather pace as
/// the programme runs.
fn later_more_often(rng: &mut StdRng, earliest: NaiveDate) -> NaiveDate {
    let span = (LAST_DAY - earliest).num_days().max(0) as f64;
    let share: f64 = rng.r#gen::<f64>().sqrt();
    earliest + Duration::days((span * share).round() as i64)
}

/// A new organisation of `kind`, without courses, registered before the recognition.
fn organisation(
    rng: &mut StdRng,
    ids: &mut Ids,
    catalogue: &Catalogue,
    kind: InstitutionKind,
) -> anyhow::Result<Institution> {
    let district = catalogue.pick_district(rng);
    let created_on = day_between(rng, day(2019, 1, 1), day(2025, 6, 30));
    Ok(Institution {
        id: ids.next(rng),
        name: institution_name(rng, DISTRICTS[district].0, kind),
        credit_code: credit_code(rng, kind)?,
        district,
        kind,
        created_at: office_hours(rng, created_on),
    })
}

/// SALES_CNY of every month of the period: growing by [`MONTHLY_GROWTH`] a month from
/// [`FIRST_MONTH_SALES`], higher in June (618) and November (Double 11), lower in
/// February (Spring Festival), ±6 %, in whole 10,000 yuan; recorded early the next month.
fn sales(rng: &mut StdRng) -> Vec<IndicatorRow> {
    let mut out = Vec::new();
    let mut month = Month::of(FIRST_DAY);
    let mut yuan = FIRST_MONTH_SALES;
    while month.first_day() <= LAST_DAY {
        let season = match month.first_day().month() {
            2 => 0.85,
            6 => 1.15,
            11 => 1.25,
            _ => 1.0,
        };
        let value = yuan * season * rng.gen_range(0.94..1.06);
        let next = month.last_day() + Duration::days(1);
        let recorded_on = day_between(rng, next, next + Duration::days(9));
        out.push(IndicatorRow {
            month,
            value_fen: (value / 1e4).round() as i64 * 1_000_000,
            recorded_at: office_hours(rng, recorded_on),
        });
        yuan *= MONTHLY_GROWTH;
        month = Month::of(next);
    }
    out
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(FIRST_DAY)
}

/// What [`write`] wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GoalsWritten {
    /// New organisations (institutions without courses).
    pub organisations: u64,
    /// Recognitions, withdrawn ones included.
    pub recognitions: u64,
    /// Recognitions written as withdrawn.
    pub withdrawn: u64,
    /// Months of SALES_CNY.
    pub sales_months: u64,
}

/// Draws and writes the goals' rows for the programme that starts first (the default
/// programme, 2023–2025), after the persons: influential hosts are drawn among them.
/// Nothing without a programme covering the period.
pub async fn write(
    db: &impl ConnectionTrait,
    seed: u64,
    catalogue: &Catalogue,
) -> Result<GoalsWritten, DbErr> {
    let first = programme::Entity::find()
        .order_by_asc(programme::Column::StartsOn)
        .one(db)
        .await?;
    let Some(programme) = first.filter(|p| p.starts_on <= FIRST_DAY && p.ends_on >= LAST_DAY)
    else {
        return Ok(GoalsWritten::default());
    };
    let mut hosts = Vec::new();
    for row in db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT trainee_id, MIN(issued_on) AS first_on FROM certificate \
             WHERE track = 'HOST' AND revoked_at IS NULL GROUP BY trainee_id ORDER BY trainee_id",
        ))
        .await?
    {
        hosts.push((row.try_get("", "trainee_id")?, row.try_get("", "first_on")?));
    }
    let rows = draw(seed, catalogue, &hosts);
    institutions(db, &catalogue.districts, &rows.institutions).await?;
    recognitions(db, programme.id, &rows.recognitions).await?;
    indicators(db, programme.id, &rows.indicators).await?;
    Ok(GoalsWritten {
        organisations: rows.institutions.len() as u64,
        recognitions: rows.recognitions.len() as u64,
        withdrawn: rows
            .recognitions
            .iter()
            .filter(|r| r.withdrawn_at.is_some())
            .count() as u64,
        sales_months: rows.indicators.len() as u64,
    })
}

/// Writes recognitions: by the seed (no recogniser), withdrawn ones with a reason.
async fn recognitions(
    db: &impl ConnectionTrait,
    programme: Uuid,
    rows: &[RecognitionRow],
) -> Result<(), DbErr> {
    use recognition::Column as R;
    let reason = "复核不再符合认定条件";
    insert::<recognition::Entity, _>(
        db,
        [
            R::Id,
            R::ProgrammeId,
            R::Kind,
            R::InstitutionId,
            R::TraineeId,
            R::RecognisedOn,
            R::Evidence,
            R::RecognisedBy,
            R::CreatedAt,
            R::WithdrawnAt,
            R::WithdrawalReason,
            R::WithdrawnBy,
        ],
        rows.iter()
            .map(|r| {
                let created_at = super::calendar::at(r.recognised_on, 10 * 3600);
                [
                    r.id.into(),
                    programme.into(),
                    r.kind.as_str().into(),
                    r.institution_id.into(),
                    r.trainee_id.into(),
                    r.recognised_on.into(),
                    r.evidence.clone().into(),
                    Option::<Uuid>::None.into(),
                    created_at.into(),
                    r.withdrawn_at.into(),
                    r.withdrawn_at.map(|_| reason.to_owned()).into(),
                    Option::<Uuid>::None.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Writes the SALES_CNY months, sourced to the city's monthly monitoring report.
async fn indicators(
    db: &impl ConnectionTrait,
    programme: Uuid,
    rows: &[IndicatorRow],
) -> Result<(), DbErr> {
    use indicator::Column as I;
    insert::<indicator::Entity, _>(
        db,
        [
            I::ProgrammeId,
            I::Kind,
            I::Month,
            I::ValueFen,
            I::Source,
            I::RecordedAt,
            I::RecordedBy,
        ],
        rows.iter()
            .map(|r| -> [Value; 7] {
                [
                    programme.into(),
                    GoalKind::SalesCny.as_str().into(),
                    r.month.as_string().into(),
                    r.value_fen.into(),
                    format!("深圳市商务局直播电商监测月报 {}", r.month.as_string()).into(),
                    r.recorded_at.into(),
                    Option::<Uuid>::None.into(),
                ]
            })
            .collect(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let mut rng = StdRng::seed_from_u64(1);
        Catalogue::generate(&mut rng, &mut Ids::after_period(), 20, 100, 3_000.0).unwrap()
    }

    fn hosts(n: u128) -> Vec<(Uuid, NaiveDate)> {
        (1..=n)
            .map(|i| (Uuid::from_u128(i), day(2024, 5, 1)))
            .collect()
    }

    #[test]
    fn sales_cover_every_month_of_the_period_and_pass_the_target_in_2025() {
        let sales = sales(&mut StdRng::seed_from_u64(42));
        assert_eq!(sales.len(), 36);
        assert_eq!(sales[0].month.as_string(), "2023-01");
        assert_eq!(sales[35].month.as_string(), "2025-12");
        let total: i64 = sales.iter().map(|s| s.value_fen).sum();
        assert!(
            (30_000_000_000_000..40_000_000_000_000).contains(&total),
            "{total} fen"
        );
        assert!(sales[35].value_fen > sales[0].value_fen, "sales grow");
    }

    #[test]
    fn each_organisation_goal_takes_only_its_kinds_and_counts_an_organisation_once() {
        let catalogue = catalogue();
        let rows = draw(42, &catalogue, &hosts(100));
        let kinds: std::collections::HashMap<Uuid, InstitutionKind> = catalogue
            .institutions
            .iter()
            .chain(&rows.institutions)
            .map(|i| (i.id, i.kind))
            .collect();
        let mut seen = HashSet::new();
        for r in &rows.recognitions {
            assert!(seen.insert((r.kind, r.institution_id, r.trainee_id)));
            assert!((FIRST_DAY..=LAST_DAY).contains(&r.recognised_on));
            match r.kind.subject() {
                Some(Subject::Institution(taken)) => {
                    assert!(taken.contains(&kinds[&r.institution_id.unwrap()]));
                }
                _ => assert!(r.trainee_id.is_some() && r.institution_id.is_none()),
            }
        }
        for (kind, live) in LIVE {
            let of_kind = rows.recognitions.iter().filter(|r| r.kind == kind);
            let live_now = of_kind.clone().filter(|r| r.withdrawn_at.is_none()).count();
            assert!(live.contains(&live_now), "{kind:?}: {live_now} live");
            assert!(of_kind.count() > live_now, "{kind:?}: none withdrawn");
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_goals_and_few_hosts_limit_the_hosts() {
        let catalogue = catalogue();
        let (a, b) = (
            draw(7, &catalogue, &hosts(60)),
            draw(7, &catalogue, &hosts(60)),
        );
        let ids = |rows: &GoalRows| rows.recognitions.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        let few = draw(7, &catalogue, &hosts(3));
        let hosts = few.recognitions.iter().filter(|r| r.trainee_id.is_some());
        assert_eq!(hosts.count(), 3);
    }
}
