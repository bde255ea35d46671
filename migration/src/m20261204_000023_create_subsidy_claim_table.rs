//! Creates `subsidy_claim`: a skill-upgrade subsidy (技能提升补贴) the city paid on a
//! skill certificate. One per person, sub-type and level (`subsidy_claim_level_key`).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `subsidy_claim` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SubsidyClaim::Table)
                    .col(pk_uuid(SubsidyClaim::Id))
                    .col(uuid(SubsidyClaim::CertificateId))
                    .col(uuid(SubsidyClaim::TraineeId))
                    .col(text(SubsidyClaim::Subtype))
                    .col(integer(SubsidyClaim::Level))
                    .col(date(SubsidyClaim::PaidOn))
                    .col(integer(SubsidyClaim::AmountCny).check((
                        "subsidy_claim_amount_check",
                        Expr::col(SubsidyClaim::AmountCny).gt(0),
                    )))
                    .col(uuid(SubsidyClaim::RecordedBy))
                    .col(timestamp_with_time_zone(SubsidyClaim::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("subsidy_claim_certificate_fkey")
                            .from(SubsidyClaim::Table, SubsidyClaim::CertificateId)
                            .to(Certificate::Table, Certificate::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("subsidy_claim_trainee_fkey")
                            .from(SubsidyClaim::Table, SubsidyClaim::TraineeId)
                            .to(Trainee::Table, Trainee::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("subsidy_claim_recorded_by_fkey")
                            .from(SubsidyClaim::Table, SubsidyClaim::RecordedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("subsidy_claim_level_key")
                    .table(SubsidyClaim::Table)
                    .col(SubsidyClaim::TraineeId)
                    .col(SubsidyClaim::Subtype)
                    .col(SubsidyClaim::Level)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SubsidyClaim::Table).to_owned())
            .await
    }
}

/// Identifiers of the `subsidy_claim` table.
#[derive(DeriveIden)]
enum SubsidyClaim {
    Table,
    Id,
    CertificateId,
    /// The holder, copied from the certificate: claims are judged per person.
    TraineeId,
    /// The certificate's sub-type, copied.
    Subtype,
    /// The certificate's level, copied.
    Level,
    PaidOn,
    AmountCny,
    /// The CITY_ADMIN who recorded it.
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Trainee {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}
