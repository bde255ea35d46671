//! National credentials (DESIGN.md §2.4): a certificate's kind, occupation code, sub-type
//! and national number; evaluation organisations; a course's sub-type and whether it is
//! the assessment behind one skill certificate; the kinds a programme counts. Existing
//! certificates are training-completion certificates, existing programmes count
//! completion and skill-level certificates.

use sea_orm_migration::{prelude::*, schema::*};

const KINDS: [&str; 3] = ["TRAINING_COMPLETION", "SKILL_LEVEL", "SPECIAL_ABILITY"];
const SUBTYPES: [&str; 4] = [
    "PRODUCT_SELECTOR",
    "LIVESTREAM_SELLER",
    "VIDEO_PROMOTER",
    "PLATFORM_MANAGER",
];

/// Adds the credential columns and the unique national number.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (
                Certificate::Table.into_iden(),
                text(Certificate::Kind)
                    .default("TRAINING_COMPLETION")
                    .check((
                        "certificate_kind_check",
                        Expr::col(Certificate::Kind).is_in(KINDS),
                    ))
                    .to_owned(),
            ),
            (
                Certificate::Table.into_iden(),
                text_null(Certificate::OccupationCode),
            ),
            (
                Certificate::Table.into_iden(),
                text_null(Certificate::Subtype)
                    .check((
                        "certificate_subtype_check",
                        Expr::col(Certificate::Subtype).is_in(SUBTYPES),
                    ))
                    .to_owned(),
            ),
            (
                Certificate::Table.into_iden(),
                text_null(Certificate::NationalNumber),
            ),
            (
                Institution::Table.into_iden(),
                boolean(Institution::Evaluator).default(false).to_owned(),
            ),
            (
                Course::Table.into_iden(),
                text_null(Course::Subtype)
                    .check((
                        "course_subtype_check",
                        Expr::col(Course::Subtype).is_in(SUBTYPES),
                    ))
                    .to_owned(),
            ),
            (
                Course::Table.into_iden(),
                boolean(Course::Assessment).default(false).to_owned(),
            ),
            (
                Programme::Table.into_iden(),
                text(Programme::CountedKinds)
                    .default("TRAINING_COMPLETION,SKILL_LEVEL")
                    .to_owned(),
            ),
        ];
        // One column per statement: SQLite alters a table one column at a time.
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("certificate_national_number_key")
                    .table(Certificate::Table)
                    .col(Certificate::NationalNumber)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("certificate_national_number_key")
                    .table(Certificate::Table)
                    .to_owned(),
            )
            .await?;
        let columns = [
            (
                Certificate::Table.into_iden(),
                Certificate::Kind.into_iden(),
            ),
            (
                Certificate::Table.into_iden(),
                Certificate::OccupationCode.into_iden(),
            ),
            (
                Certificate::Table.into_iden(),
                Certificate::Subtype.into_iden(),
            ),
            (
                Certificate::Table.into_iden(),
                Certificate::NationalNumber.into_iden(),
            ),
            (
                Institution::Table.into_iden(),
                Institution::Evaluator.into_iden(),
            ),
            (Course::Table.into_iden(), Course::Subtype.into_iden()),
            (Course::Table.into_iden(), Course::Assessment.into_iden()),
            (
                Programme::Table.into_iden(),
                Programme::CountedKinds.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    /// TRAINING_COMPLETION, SKILL_LEVEL or SPECIAL_ABILITY.
    Kind,
    /// 4-01-02-07 for the national credentials; null on completion certificates.
    OccupationCode,
    /// 工种 of a national credential.
    Subtype,
    /// The 22-character national number of a national credential, unique.
    NationalNumber,
}

#[derive(DeriveIden)]
enum Institution {
    Table,
    /// An evaluation organisation (评价机构), which records skill certificates.
    Evaluator,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    /// 工种 the course trains for.
    Subtype,
    /// The assessment behind one national credential, made by `recordSkillCertificate`.
    Assessment,
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    /// The credential kinds it counts, comma separated.
    CountedKinds,
}
