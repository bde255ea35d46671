//! The text of an uploaded spreadsheet file: UTF-8 with or without BOM, or GBK
//! (GB18030), which Excel on Chinese Windows writes for "CSV (Comma delimited)".

use std::borrow::Cow;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// UTF-8 (BOM or not), else GB18030 (a superset of GBK) when it decodes cleanly; `None`
/// for any other encoding (UTF-16 included).
pub(super) fn decode(file: &[u8]) -> Option<Cow<'_, str>> {
    if let Some(rest) = file.strip_prefix(UTF8_BOM) {
        return std::str::from_utf8(rest).ok().map(Cow::Borrowed);
    }
    if let Ok(text) = std::str::from_utf8(file) {
        return Some(Cow::Borrowed(text));
    }
    if file.starts_with(b"\xFF\xFE") || file.starts_with(b"\xFE\xFF") {
        return None;
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(file);
    (!had_errors).then_some(text)
}
