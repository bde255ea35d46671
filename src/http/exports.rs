//! `GET /exports/progress.csv`, `GET /exports/goals.csv` and `GET /exports/stats.csv`: the
//! query string parsed into the arguments `programmeProgress` and `stats` take, the file sent as a download.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::AppState;
use super::caller::SignedIn;
use super::refusal::Refusal;
use crate::domain::{DateSpan, DistrictList, Track, ValidationError};
use crate::error::{AppError, OnField};
use crate::service::counting::stats::{Dimension, StatsFilter};
use crate::service::export;

/// Query parameters in order, repeats kept (`groupBy=TRACK&groupBy=MONTH`).
type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// `GET /exports/progress.csv?programmeId=`: `programmeProgress` as a spreadsheet file.
pub(super) async fn progress(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    params: Params,
) -> Result<Response, Refusal> {
    let programme_id = progress_query(&pairs(params)?)?;
    let file = export::progress_csv(&state.deps.db, &caller, programme_id).await?;
    Ok(csv_file("progress", file))
}

/// `GET /exports/goals.csv?programmeId=`: `programmeProgress.goals` as a spreadsheet file.
pub(super) async fn goals(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    params: Params,
) -> Result<Response, Refusal> {
    let programme_id = progress_query(&pairs(params)?)?;
    let file = export::goals_csv(&state.deps.db, &caller, programme_id).await?;
    Ok(csv_file("goals", file))
}

/// `GET /exports/stats.csv?groupBy=…`: `stats` as a spreadsheet file.
pub(super) async fn stats(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    params: Params,
) -> Result<Response, Refusal> {
    let districts = &state.deps.districts;
    let (filter, dims) = stats_query(districts, &pairs(params)?)?;
    let file = export::stats_csv(&state.deps.db, &caller, districts, filter, &dims).await?;
    Ok(csv_file("stats", file))
}

/// The query string's pairs, or why it cannot be read.
fn pairs(params: Params) -> Result<Vec<(String, String)>, AppError> {
    match params {
        Ok(Query(pairs)) => Ok(pairs),
        Err(rejection) => Err(AppError::validation(
            "query",
            ValidationError::Unreadable(rejection.body_text()),
        )),
    }
}

/// The programme of a progress export (by default the programme running today, else
/// the latest).
fn progress_query(params: &[(String, String)]) -> Result<Option<Uuid>, AppError> {
    let mut programme_id = None;
    for (key, value) in params {
        match key.as_str() {
            "programmeId" => programme_id = Some(id("programmeId", value)?),
            other => return Err(unknown_parameter(other, "programmeId")),
        }
    }
    Ok(programme_id)
}

/// The filter and dimensions of a stats export; `groupBy` may be repeated or
/// comma-separated, and may be left out for one line of totals.
fn stats_query(
    districts: &DistrictList,
    params: &[(String, String)],
) -> Result<(StatsFilter, Vec<Dimension>), AppError> {
    const KNOWN: &str = "groupBy, programmeId, track, district, institutionId, from, to";
    let mut filter = StatsFilter::default();
    let mut dims = Vec::new();
    for (key, value) in params {
        let value = value.trim();
        match key.as_str() {
            "groupBy" => {
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let dim = dimension(name).on("groupBy")?;
                    if !dims.contains(&dim) {
                        dims.push(dim);
                    }
                }
            }
            "programmeId" => filter.programme_id = Some(id("programmeId", value)?),
            "track" => filter.track = Some(value.parse::<Track>().on("track")?),
            "district" => filter.district = Some(districts.parse(value).on("district")?),
            "institutionId" => filter.institution_id = Some(id("institutionId", value)?),
            "from" => filter.from = Some(day(value).on("from")?),
            "to" => filter.to = Some(day(value).on("to")?),
            other => return Err(unknown_parameter(other, KNOWN)),
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        DateSpan::parse(Some(from), Some(to)).on("to")?;
    }
    Ok((filter, dims))
}

/// A `groupBy` name, spelled as the GraphQL `StatsDimension` values.
fn dimension(name: &str) -> Result<Dimension, ValidationError> {
    match name {
        "TRACK" => Ok(Dimension::Track),
        "DISTRICT" => Ok(Dimension::District),
        "INSTITUTION" => Ok(Dimension::Institution),
        "MONTH" => Ok(Dimension::Month),
        "LEVEL" => Ok(Dimension::Level),
        _ => Err(ValidationError::UnknownValue {
            allowed: "TRACK, DISTRICT, INSTITUTION, MONTH, LEVEL",
        }),
    }
}

fn id(field: &'static str, raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        AppError::validation(field, ValidationError::InvalidFormat("is not a valid ID"))
    })
}

fn day(raw: &str) -> Result<NaiveDate, ValidationError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ValidationError::InvalidFormat("must be a date like 2025-01-31"))
}

fn unknown_parameter(name: &str, known: &'static str) -> AppError {
    let shown: String = name.chars().take(40).collect();
    AppError::validation(
        "query",
        ValidationError::Unreadable(format!("parameter \"{shown}\" is not one of {known}")),
    )
}

/// A CSV file as a download named `<name>-<today>.csv`.
fn csv_file(name: &str, bytes: Vec<u8>) -> Response {
    let today = crate::domain::programme_date(crate::service::now());
    let disposition = format!("attachment; filename=\"{name}-{today}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn group_by_takes_commas_and_repeats_and_names_a_bad_value() {
        let (_, dims) = stats_query(
            &DistrictList::shenzhen(),
            &params(&[("groupBy", "DISTRICT,MONTH"), ("groupBy", "DISTRICT")]),
        )
        .unwrap();
        assert_eq!(dims, [Dimension::District, Dimension::Month]);
        let err =
            stats_query(&DistrictList::shenzhen(), &params(&[("groupBy", "CITY")])).unwrap_err();
        assert_eq!(err.field(), Some("groupBy"));
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        let err =
            stats_query(&DistrictList::shenzhen(), &params(&[("gropuBy", "MONTH")])).unwrap_err();
        assert!(err.to_string().contains("\"gropuBy\""), "{err}");
        let err = progress_query(&params(&[("programme", "x")])).unwrap_err();
        assert!(err.to_string().contains("\"programme\""), "{err}");
    }
}
