//! The rows of `stats`, answered without a resolver per field where they can be.
//!
//! A breakdown by district and month is hundreds of rows of six fields each, and every
//! field resolved through async-graphql's machinery is a future of its own: more work
//! than the query that counted them. When a row's selection is only its plain fields
//! (under any aliases, in fragments, with `__typename`), each row's answer is built
//! directly from the counted row. A selection of `institution`, an object that needs its
//! loader, goes through the resolvers of [`StatsRow`] as before, and so does a row whose
//! stored track cannot be read (to answer its error where it belongs).

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, InputType, Name, OutputType, Positioned, ServerResult, Value,
};

use super::StatsRow;
use crate::service::counting::stats;

/// The rows of a breakdown and, when the selection allows, how to answer each directly.
pub struct StatsRows {
    rows: Vec<StatsRow>,
    plan: Option<Vec<(Name, Column)>>,
}

/// A plain field of `StatsRow`.
#[derive(Clone, Copy)]
enum Column {
    Typename,
    Track,
    District,
    Month,
    Level,
    Trainees,
    Enrolments,
    Completions,
    CertifiedPersons,
}

impl Column {
    fn of(field: &str) -> Option<Self> {
        Some(match field {
            "__typename" => Self::Typename,
            "track" => Self::Track,
            "district" => Self::District,
            "month" => Self::Month,
            "level" => Self::Level,
            "trainees" => Self::Trainees,
            "enrolments" => Self::Enrolments,
            "completions" => Self::Completions,
            "certifiedPersons" => Self::CertifiedPersons,
            _ => return None,
        })
    }

    /// The field's value in `row`, as `StatsRow`'s resolver answers it; `None` when the
    /// resolver would answer an error.
    fn value(self, stats_row: &StatsRow) -> Option<Value> {
        let row = &stats_row.0;
        let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        Some(match self {
            Self::Typename => Value::String("StatsRow".to_owned()),
            Self::Track => stats_row
                .stored_track()
                .ok()?
                .map_or(Value::Null, |track| track.to_value()),
            Self::District => text(&row.key.district),
            Self::Month => text(&row.key.month),
            Self::Level => row.key.level.map_or(Value::Null, Value::from),
            Self::Trainees => Value::from(super::progress::count(row.trainees)),
            Self::Enrolments => Value::from(super::progress::count(row.enrolments)),
            Self::Completions => Value::from(super::progress::count(row.completions)),
            Self::CertifiedPersons => Value::from(super::progress::count(row.certified_persons)),
        })
    }
}

impl StatsRows {
    /// The rows of the `stats` field being resolved in `ctx`.
    pub fn new(ctx: &Context<'_>, rows: Vec<stats::StatsRow>) -> Self {
        let plan = ctx
            .field()
            .selection_set()
            .map(|field| {
                let key = field.alias().unwrap_or(field.name());
                Column::of(field.name()).map(|column| (Name::new(key), column))
            })
            .collect();
        Self {
            rows: rows.into_iter().map(StatsRow).collect(),
            plan,
        }
    }

    /// Every row answered by `plan`, or `None` when a field needs its resolver.
    ///
    /// Each row's object is a copy of one made with the plan's keys and filled in place:
    /// inserting the keys row by row hashed every key of every row again.
    fn answer(&self, plan: &[(Name, Column)]) -> Option<Value> {
        let mut prototype = IndexMap::with_capacity(plan.len());
        // A response key can be asked for twice (the same field under one alias): each
        // column is written to its key's one place.
        let places: Vec<(usize, Column)> = plan
            .iter()
            .map(|(key, column)| (prototype.insert_full(key.clone(), Value::Null).0, *column))
            .collect();
        let mut rows = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            let mut fields = prototype.clone();
            for (place, column) in &places {
                fields[*place] = column.value(row)?;
            }
            rows.push(Value::Object(fields));
        }
        Some(Value::List(rows))
    }
}

impl OutputType for StatsRows {
    fn type_name() -> Cow<'static, str> {
        <Vec<StatsRow> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<StatsRow> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<StatsRow> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self.plan.as_deref().and_then(|plan| self.answer(plan)) {
            Some(answer) => Ok(answer),
            None => self.rows.resolve(ctx, field).await,
        }
    }
}
