//! `stats_day`: maintained breakdown cells per day (the days of `stats_rollup`'s months),
//! which answer `stats` for the days of a month that a date range cuts.

use sea_orm::entity::prelude::*;

/// A row of `stats_day`: the four measures of one cell on one day, at grain
/// `INSTITUTION`, `DISTRICT` with the nil institution id, or `DISTRICT_TOTAL` (nil
/// institution, every track and level summed: track `*`, level 0).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stats_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub grain: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub district: String,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i32,
    /// Writers of today's (this month's) cells spread over shards; readers sum them.
    #[sea_orm(primary_key, auto_increment = false)]
    pub shard: i32,
    pub enrolments: i32,
    pub completions: i32,
    pub trainees: i32,
    pub certified_persons: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
