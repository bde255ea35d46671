//! CSV imports of a cohort (`importEnrolments`) and of its results (`importResults`, in
//! [`results`]): the file is decoded (UTF-8 with or without BOM, or GBK/GB18030 as Excel
//! saves "CSV" on Chinese Windows), its header mapped (English or Chinese names) and each
//! data row parsed, numbered by its line in the file; then the rows go through
//! [`batch::enrol_many`] like an `enrolMany` call (or `recordResults`).
//!
//! A file that cannot be read as a whole (encoding, header, a malformed line, size) is
//! refused on the field `file` with a message naming the line or header. A row whose
//! cells break a rule is that row's error, on the field as the GraphQL input names it.

mod encoding;
mod lines;
mod results;

use lines::Lines;

pub use results::{import_results, read_results};

use uuid::Uuid;

use super::Deps;
use super::batch::{self, BatchMode, BatchOutcome, BatchRow};
use super::trainee::NewTrainee;
use crate::auth::CurrentUser;
use crate::domain::{DistrictList, IdType, ValidationError};
use crate::error::{AppError, OnField};

/// Largest file accepted: 10,000 rows of a roster take well under 1 MiB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Most data rows in one file, the same bound as one `enrolMany` call.
pub const MAX_ROWS: usize = 10_000;

/// The columns of a roster and the header names that mean them (compared without case,
/// spaces, `_` and `-`).
const COLUMNS: [(Column, &[&str]); 5] = [
    (Column::Name, &["name", "姓名"]),
    (Column::IdType, &["idtype", "证件类型"]),
    (
        Column::IdNumber,
        &["idnumber", "身份证号", "身份证号码", "证件号码", "证件号"],
    ),
    (Column::Phone, &["phone", "手机号", "手机号码", "手机"]),
    (Column::District, &["district", "区", "所在区"]),
];

/// How the header names are listed in messages.
const KNOWN_HEADERS: &str =
    "name/姓名, idType/证件类型, idNumber/身份证号/证件号码, phone/手机号, district/区";

/// `idType` cells: the API's values, or the document's Chinese name.
const ID_TYPES: [(IdType, &[&str]); 5] = [
    (IdType::ResidentId, &["RESIDENT_ID", "居民身份证", "身份证"]),
    (IdType::Passport, &["PASSPORT", "护照"]),
    (
        IdType::HkMacaoPermit,
        &[
            "HK_MACAO_PERMIT",
            "港澳居民来往内地通行证",
            "港澳通行证",
            "回乡证",
        ],
    ),
    (
        IdType::TaiwanPermit,
        &["TAIWAN_PERMIT", "台湾居民来往大陆通行证", "台胞证"],
    ),
    (
        IdType::ForeignPermanentResidentId,
        &[
            "FOREIGN_PERMANENT_RESIDENT_ID",
            "外国人永久居留身份证",
            "外国人永久居留证",
        ],
    ),
];

/// The columns a kind of file may have.
trait Columns: Copy + Eq + 'static {
    /// Each column and the header names that mean it, English first (compared without
    /// case, spaces, `_` and `-`).
    const TABLE: &'static [(Self, &'static [&'static str])];
    /// The columns every file must have.
    const REQUIRED: &'static [Self];
    /// How the header names are listed in messages.
    const KNOWN: &'static str;
    /// The input field this column fills.
    fn field(self) -> &'static str;
}

/// The cells of one data row, by column.
struct Cells<'a, C> {
    columns: &'a [C],
    record: &'a csv::StringRecord,
}

impl<C: Columns> Cells<'_, C> {
    /// The cell of `wanted`; `None` when the file has no such column or the cell is empty.
    fn get(&self, wanted: C) -> Option<&str> {
        self.columns
            .iter()
            .position(|c| *c == wanted)
            .and_then(|i| self.record.get(i))
            .filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    IdType,
    IdNumber,
    Phone,
    District,
}

impl Columns for Column {
    const TABLE: &'static [(Self, &'static [&'static str])] = &COLUMNS;
    const REQUIRED: &'static [Self] = &[Self::Name, Self::IdNumber];
    const KNOWN: &'static str = KNOWN_HEADERS;

    /// The field of `RegisterTraineeInput` this column fills.
    fn field(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdType => "idType",
            Self::IdNumber => "idNumber",
            Self::Phone => "phone",
            Self::District => "district",
        }
    }
}

/// Reads the roster `file` and enrols its people in the course, like `enrolMany`; each
/// result's position is the row's line in the file.
pub async fn import_enrolments(
    deps: &Deps,
    actor: &CurrentUser,
    course_id: Uuid,
    file: &[u8],
    mode: BatchMode,
) -> Result<BatchOutcome, AppError> {
    let rows = read_roster(file, &deps.districts)?;
    batch::enrol_many(deps, actor, course_id, rows, mode, "importEnrolments").await
}

/// The data rows of a roster file, numbered by their line in the file. Blank rows
/// (Excel leaves `,,,,` lines below a table) are skipped.
pub fn read_roster(file: &[u8], districts: &DistrictList) -> Result<Vec<BatchRow>, AppError> {
    Ok(read_rows(file, |cells: &Cells<'_, Column>| {
        parse_row(cells, districts)
    })?
    .into_iter()
    .map(|(position, trainee)| BatchRow { position, trainee })
    .collect())
}

/// The data rows of a file with columns `C`, each parsed by `parse`, with its line.
fn read_rows<C: Columns, T>(
    file: &[u8],
    parse: impl Fn(&Cells<'_, C>) -> T,
) -> Result<Vec<(usize, T)>, AppError> {
    if file.len() > MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "is larger than {} MiB; split it into smaller files",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let text = encoding::decode(file).ok_or_else(|| {
        unreadable(
            "is neither UTF-8 nor GBK text; in Excel use File > Save As and choose \
             \"CSV UTF-8 (Comma delimited) (*.csv)\""
                .to_owned(),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(&text);
    let header = reader
        .headers()
        .map_err(|e| malformed(&e, &mut lines))?
        .clone();
    let columns = map_header::<C>(&header)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(&e, &mut lines))?;
        let line = lines.at(record.position());
        if record.iter().any(|cell| cell.contains(['\n', '\r'])) {
            return Err(unreadable(format!(
                "line {line}: a quoted field is not closed on its line (a \" is missing)"
            )));
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(unreadable(format!(
                "has more than {MAX_ROWS} data rows; split it into smaller files"
            )));
        }
        let cells = Cells {
            columns: &columns,
            record: &record,
        };
        rows.push((line, parse(&cells)));
    }
    if rows.is_empty() {
        return Err(unreadable("has no data rows below the header".to_owned()));
    }
    Ok(rows)
}

/// The column of each header cell; every header must be known, the required ones present.
fn map_header<C: Columns>(header: &csv::StringRecord) -> Result<Vec<C>, AppError> {
    let mut columns = Vec::with_capacity(header.len());
    let mut unknown = None;
    for (position, cell) in header.iter().enumerate() {
        let key: String = cell
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        match C::TABLE
            .iter()
            .find(|(_, names)| names.contains(&key.as_str()))
        {
            Some((column, _)) => columns.push(*column),
            None => {
                unknown.get_or_insert((position + 1, cell));
            }
        }
    }
    // Missing columns first: a file without a header row would otherwise have its first
    // person's cells quoted back as "unknown headers".
    for (column, names) in C::TABLE {
        if C::REQUIRED.contains(column) && !columns.contains(column) {
            return Err(unreadable(format!(
                "has no {} column (or {}); the first line must be a header naming the \
                 columns: {}",
                column.field(),
                names[1..].join(", "),
                C::KNOWN
            )));
        }
    }
    if let Some((position, cell)) = unknown {
        let shown: String = cell.chars().take(30).collect();
        return Err(unreadable(format!(
            "header column {position} \"{shown}\" is not one of {}",
            C::KNOWN
        )));
    }
    for (i, column) in columns.iter().enumerate() {
        if columns[..i].contains(column) {
            return Err(unreadable(format!(
                "header names the column {} twice",
                column.field()
            )));
        }
    }
    Ok(columns)
}

/// One data row as a person; the error names the field as `enrolMany` does.
fn parse_row(cells: &Cells<'_, Column>, districts: &DistrictList) -> Result<NewTrainee, AppError> {
    NewTrainee::parse(
        cells.get(Column::Name).unwrap_or_default(),
        document_type(cells.get(Column::IdType))?,
        id_number(cells.get(Column::IdNumber))?,
        cells.get(Column::Phone),
        cells.get(Column::District),
        districts,
    )
}

/// An `idType` cell; RESIDENT_ID when empty.
fn document_type(cell: Option<&str>) -> Result<IdType, AppError> {
    cell.map_or(Ok(IdType::ResidentId), |raw| id_type(raw).on("idType"))
}

/// An `idNumber` cell, refused when a spreadsheet turned it into a number.
fn id_number(cell: Option<&str>) -> Result<&str, AppError> {
    let raw = cell.unwrap_or_default();
    if looks_like_a_spreadsheet_number(raw) {
        return Err(AppError::validation(
            "idNumber",
            ValidationError::InvalidFormat(
                "was turned into a number by the spreadsheet (like 4.40305E+17); format the \
                 column as Text and type the numbers again",
            ),
        ));
    }
    Ok(raw)
}

fn id_type(raw: &str) -> Result<IdType, ValidationError> {
    ID_TYPES
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(raw)))
        .map(|(t, _)| *t)
        .ok_or(ValidationError::UnknownValue {
            allowed: "RESIDENT_ID (居民身份证), PASSPORT (护照), HK_MACAO_PERMIT \
                      (港澳居民来往内地通行证), TAIWAN_PERMIT (台湾居民来往大陆通行证), \
                      FOREIGN_PERMANENT_RESIDENT_ID (外国人永久居留身份证)",
        })
}

/// `4.40305E+17`: what Excel shows for an 18-digit number typed into a General cell.
fn looks_like_a_spreadsheet_number(raw: &str) -> bool {
    raw.contains(['E', 'e'])
        && raw.contains('+')
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | 'e' | '+'))
}

fn unreadable(message: String) -> AppError {
    AppError::validation("file", ValidationError::Unreadable(message))
}

/// A CSV syntax error, by line.
fn malformed(err: &csv::Error, lines: &mut Lines<'_>) -> AppError {
    let line = lines.at(err.position());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "line {line} has {len} field{} where the header has {expected_len}",
            if *len == 1 { "" } else { "s" }
        ),
        _ => format!("line {line} is not valid CSV"),
    };
    unreadable(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<BatchRow>, AppError> {
        read_roster(text.as_bytes(), &DistrictList::shenzhen())
    }

    fn message(result: Result<Vec<BatchRow>, AppError>) -> String {
        match result {
            Err(err) => {
                assert_eq!(err.field(), Some("file"));
                err.to_string()
            }
            Ok(rows) => panic!("expected a refusal, got {} rows", rows.len()),
        }
    }

    #[test]
    fn rows_are_numbered_by_their_line_in_the_file() {
        let rows = read("name,idNumber\n张三,440305199003071236\n\n李四,bad\n").unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.position).collect();
        assert_eq!(lines, [2, 4]);
        assert!(rows[0].trainee.is_ok());
        assert_eq!(
            rows[1].trainee.as_ref().err().and_then(AppError::field),
            Some("idNumber")
        );
    }

    #[test]
    fn chinese_headers_and_id_type_names_are_understood() {
        let rows = read("姓名,证件类型,证件号码,手机号,区\n张三,护照,E12345678,13800138000,南山\n")
            .unwrap();
        let person = rows[0].trainee.as_ref().unwrap();
        assert_eq!(person.document.id_type(), IdType::Passport);
        assert_eq!(person.district.as_ref().unwrap().as_str(), "Nanshan");
    }

    #[test]
    fn the_sample_files_in_graphql_examples_read_without_a_refused_row() {
        for file in [
            &include_bytes!("../../graphql/examples/enrolments.csv")[..],
            &include_bytes!("../../graphql/examples/enrolments-zh.csv")[..],
        ] {
            let rows = read_roster(file, &DistrictList::shenzhen()).unwrap();
            assert_eq!(rows.len(), 6);
            for row in rows {
                assert!(
                    row.trainee.is_ok(),
                    "line {}: {:?}",
                    row.position,
                    row.trainee
                );
            }
        }
    }

    #[test]
    fn more_than_the_row_limit_is_refused_and_the_limit_itself_is_read() {
        let file = |rows: usize| format!("name,idNumber\n{}", "张三,1\n".repeat(rows));
        assert_eq!(read(&file(MAX_ROWS)).unwrap().len(), MAX_ROWS);
        let text = message(read(&file(MAX_ROWS + 1)));
        assert!(text.contains("more than 10000 data rows"), "{text}");
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let text = message(read("name,phone\n张三,13800138000\n"));
        assert!(text.contains("idNumber"), "{text}");
    }

    #[test]
    fn an_unknown_header_is_named_with_its_position() {
        let text = message(read("name,idNumber,remark\n张三,440305199003071236,x\n"));
        assert!(text.contains("column 3 \"remark\""), "{text}");
    }

    #[test]
    fn a_row_with_too_few_fields_names_its_line() {
        let text = message(read(
            "name,idNumber,phone\n张三,440305199003071236,13800138000\n李四,1\n",
        ));
        assert!(text.contains("line 3 has 2 fields"), "{text}");
    }

    #[test]
    fn an_unterminated_quote_names_the_line_where_it_opens() {
        let text = message(read(
            "name,idNumber\n张三,440305199003071236\n\"李四,1\n王五,2\n",
        ));
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_gbk_are_refused_with_how_to_save() {
        let text = message(read_roster(
            b"name,idNumber\n\xff\xff,1\n",
            &DistrictList::shenzhen(),
        ));
        assert!(text.contains("CSV UTF-8"), "{text}");
    }

    #[test]
    fn an_id_number_excel_turned_into_a_number_says_so() {
        let rows = read("name,idNumber\n张三,4.40305E+17\n").unwrap();
        let err = rows[0].trainee.as_ref().err().unwrap().to_string();
        assert!(err.contains("Text"), "{err}");
    }
}
