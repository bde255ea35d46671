//! `stats_rollup`: the four breakdown measures per cell, behind `stats`.

use sea_orm::entity::prelude::*;

/// A row of `stats_rollup`: `grain` is `INSTITUTION` (one row per institution cell),
/// `DISTRICT` (institution id nil) or `DISTRICT_TOTAL` (institution id nil, every track
/// and level summed: track `*`, level 0), `track` a track code, `level` 0 for none,
/// `month` `YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stats_rollup")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub grain: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub district: String,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i32,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub month: String,
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
