//! `importResults`: a course's results from a CSV file, read with the roster import's
//! machinery and recorded like a `recordResults` call.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Cells, Columns, document_type, id_number, read_rows};
use crate::auth::CurrentUser;
use crate::domain::ValidationError;
use crate::error::AppError;
use crate::service::batch::BatchMode;
use crate::service::pii::PiiKey;
use crate::service::results::{self, NewResult, ResultRow, ResultsOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    IdNumber,
    IdType,
    Passed,
    Score,
    AssessedOn,
}

impl Columns for Column {
    const TABLE: &'static [(Self, &'static [&'static str])] = &[
        (
            Self::IdNumber,
            &["idnumber", "身份证号", "身份证号码", "证件号码", "证件号"],
        ),
        (Self::IdType, &["idtype", "证件类型"]),
        (Self::Passed, &["passed", "是否通过", "考核结果", "结果"]),
        (Self::Score, &["score", "成绩", "分数"]),
        (Self::AssessedOn, &["assessedon", "考核日期"]),
    ];
    const REQUIRED: &'static [Self] = &[Self::IdNumber, Self::Passed];
    const KNOWN: &'static str =
        "idNumber/身份证号, idType/证件类型, passed/是否通过, score/成绩, assessedOn/考核日期";

    /// The field of `ResultInput` this column fills.
    fn field(self) -> &'static str {
        match self {
            Self::IdNumber => "idNumber",
            Self::IdType => "idType",
            Self::Passed => "passed",
            Self::Score => "score",
            Self::AssessedOn => "assessedOn",
        }
    }
}

/// `passed` cells: (passed, the spellings that mean it), compared without case.
const VERDICTS: [(bool, &[&str]); 2] = [
    (true, &["true", "是", "通过", "合格", "yes", "y", "1"]),
    (false, &["false", "否", "不通过", "不合格", "no", "n", "0"]),
];

/// Reads the results `file` and records them in the course, like `recordResults`; each
/// outcome's position is the row's line in the file.
pub async fn import_results(
    db: &DatabaseConnection,
    pii: &PiiKey,
    actor: &CurrentUser,
    course_id: Uuid,
    file: &[u8],
    mode: BatchMode,
) -> Result<ResultsOutcome, AppError> {
    let rows = read_results(file)?;
    results::record_results(db, pii, actor, course_id, rows, mode, "importResults").await
}

/// The data rows of a results file, numbered by their line in the file.
pub fn read_results(file: &[u8]) -> Result<Vec<ResultRow>, AppError> {
    Ok(read_rows(file, parse_row)?
        .into_iter()
        .map(|(position, result)| ResultRow { position, result })
        .collect())
}

fn parse_row(cells: &Cells<'_, Column>) -> Result<NewResult, AppError> {
    let id_type = document_type(cells.get(Column::IdType))?;
    let id_number = id_number(cells.get(Column::IdNumber))?;
    let passed =
        verdict(cells.get(Column::Passed)).map_err(|err| AppError::validation("passed", err))?;
    let score = cells
        .get(Column::Score)
        .map(score)
        .transpose()
        .map_err(|err| AppError::validation("score", err))?;
    let assessed_on = cells
        .get(Column::AssessedOn)
        .map(day)
        .transpose()
        .map_err(|err| AppError::validation("assessedOn", err))?;
    NewResult::parse(id_type, id_number, passed, score, assessed_on)
}

fn verdict(cell: Option<&str>) -> Result<bool, ValidationError> {
    let raw = cell.ok_or(ValidationError::Empty)?;
    VERDICTS
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(raw)))
        .map(|(passed, _)| *passed)
        .ok_or(ValidationError::UnknownValue {
            allowed: "true/false, 是/否, 通过/不通过, 合格/不合格",
        })
}

/// A whole-number score; `85.0` (a spreadsheet's number format) reads as 85.
fn score(raw: &str) -> Result<i32, ValidationError> {
    let whole = raw.strip_suffix(".0").unwrap_or(raw);
    whole
        .parse()
        .map_err(|_| ValidationError::InvalidFormat("must be a whole number"))
}

/// `2025-12-30` or `2025/12/30` (months and days with or without a leading zero).
fn day(raw: &str) -> Result<NaiveDate, ValidationError> {
    ["%Y-%m-%d", "%Y/%m/%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(raw, format).ok())
        .ok_or(ValidationError::InvalidFormat(
            "must be a date like 2025-12-30 or 2025/12/30",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<ResultRow> {
        read_results(text.as_bytes()).unwrap()
    }

    fn refused_field(row: &ResultRow) -> Option<&'static str> {
        row.result.as_ref().err().and_then(AppError::field)
    }

    #[test]
    fn chinese_headers_and_verdicts_are_understood() {
        let rows = read(
            "身份证号,证件类型,是否通过,成绩,考核日期\n\
             440305199003071236,居民身份证,合格,85,2025/12/30\n\
             E12345678,护照,不通过,40,2025-12-29\n",
        );
        let first = rows[0].result.as_ref().unwrap();
        assert!(first.passed);
        assert_eq!(first.score.map(|s| s.get()), Some(85));
        assert_eq!(first.assessed_on, Some("2025-12-30".parse().unwrap()));
        let second = rows[1].result.as_ref().unwrap();
        assert!(!second.passed);
        assert_eq!(rows[1].position, 3);
    }

    #[test]
    fn every_documented_spelling_of_passed_reads() {
        for (cell, expected) in [
            ("true", true),
            ("FALSE", false),
            ("是", true),
            ("否", false),
            ("通过", true),
            ("不通过", false),
            ("合格", true),
            ("不合格", false),
        ] {
            assert_eq!(verdict(Some(cell)), Ok(expected), "cell {cell}");
        }
    }

    #[test]
    fn an_unknown_verdict_is_refused_on_passed() {
        let rows = read("idNumber,passed\n440305199003071236,maybe\n440305199003071236,\n");
        assert_eq!(refused_field(&rows[0]), Some("passed"));
        assert_eq!(refused_field(&rows[1]), Some("passed"));
    }

    #[test]
    fn dates_read_with_dashes_or_slashes_and_others_are_refused_on_assessed_on() {
        assert_eq!(day("2025/1/5"), Ok("2025-01-05".parse().unwrap()));
        assert_eq!(day("2025-12-30"), Ok("2025-12-30".parse().unwrap()));
        let rows = read("idNumber,passed,assessedOn\n440305199003071236,true,30.12.2025\n");
        assert_eq!(refused_field(&rows[0]), Some("assessedOn"));
    }

    #[test]
    fn a_score_that_is_not_a_whole_number_or_out_of_range_is_refused_on_score() {
        let rows = read(
            "idNumber,passed,score\n\
             440305199003071236,true,eighty\n\
             440305199003071236,true,101\n\
             440305199003071236,true,85.0\n",
        );
        assert_eq!(refused_field(&rows[0]), Some("score"));
        assert_eq!(refused_field(&rows[1]), Some("score"));
        assert!(rows[2].result.is_ok());
    }

    #[test]
    fn a_file_without_the_passed_column_is_refused_on_file() {
        let err = read_results("idNumber,score\n440305199003071236,80\n".as_bytes())
            .err()
            .unwrap();
        assert_eq!(err.field(), Some("file"));
        assert!(err.to_string().contains("passed"), "{err}");
    }

    #[test]
    fn the_sample_files_in_graphql_examples_read_without_a_refused_row() {
        for file in [
            &include_bytes!("../../../graphql/examples/results.csv")[..],
            &include_bytes!("../../../graphql/examples/results-zh.csv")[..],
        ] {
            let rows = read_results(file).unwrap();
            let passed: Vec<bool> = rows
                .iter()
                .map(|row| row.result.as_ref().unwrap().passed)
                .collect();
            assert_eq!(passed, [true, false, true, true, false, true]);
        }
    }

    #[test]
    fn a_gbk_file_reads_like_its_utf8_text() {
        let text = "身份证号,是否通过\n440305199003071236,通过\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let rows = read_results(&gbk).unwrap();
        assert!(rows[0].result.as_ref().unwrap().passed);
    }
}
