//! Account administration: `user.active` and `user.must_change_password`, and the issue
//! time of a trainee's activation code (codes expire `TALENT_ACTIVATION_TTL_DAYS` after it).

use sea_orm_migration::sea_orm::prelude::ChronoUtc;
use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000004_create_trainee_table::Trainee;
use super::m20261130_000005_create_user_table::User;

/// Adds the account flags and the activation code's issue time.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(boolean(Accounts::Active).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(boolean(Accounts::MustChangePassword).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Trainee::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Accounts::ActivationCodeIssuedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        // A code issued before codes expired counts as issued now: it keeps a full
        // lifetime from the upgrade instead of expiring at once or never.
        manager
            .exec_stmt(
                Query::update()
                    .table(Trainee::Table)
                    .value(Accounts::ActivationCodeIssuedAt, ChronoUtc::now())
                    .and_where(Expr::col(Trainee::ActivationCodeHash).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Trainee::Table)
                    .drop_column(Accounts::ActivationCodeIssuedAt)
                    .to_owned(),
            )
            .await?;
        for column in [Accounts::MustChangePassword, Accounts::Active] {
            manager
                .alter_table(
                    Table::alter()
                        .table(User::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Columns this migration adds.
#[derive(DeriveIden)]
enum Accounts {
    Active,
    MustChangePassword,
    ActivationCodeIssuedAt,
}
