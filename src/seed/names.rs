//! Synthetic personal data: names, phone numbers and identity documents that pass the
//! domain's format rules but belong to nobody.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::domain::{IdDocument, IdType, ValidationError};

/// Common surnames, most frequent first; picked with a falling weight.
const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蔡", "蒋", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈",
    "钟", "卢", "姚", "廖", "方", "邹", "欧阳", "司马", "江", "黎", "谭", "莫",
];

/// Characters of given names.
const GIVEN: [&str; 80] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "建", "文", "斌",
    "宇", "浩", "凯", "婷", "雪", "琳", "晨", "欣", "怡", "佳", "子", "思", "雨", "梓", "涵", "轩",
    "博", "睿", "嘉", "俊", "彤", "诗", "萱", "悦", "晓", "春", "海", "波", "燕", "玲", "志", "永",
    "健", "国", "帆", "琪", "瑶", "航", "昊", "然", "一", "可", "娇", "泽", "宁", "安", "楠", "倩",
];

/// Given and family names of foreign passport holders.
const LATIN_GIVEN: [&str; 12] = [
    "John", "Maria", "David", "Anna", "James", "Sofia", "Ali", "Nguyen", "Emma", "Lucas", "Olga",
    "Kenji",
];
const LATIN_FAMILY: [&str; 12] = [
    "Smith", "Garcia", "Müller", "Rossi", "Tanaka", "Kim", "Silva", "Ivanova", "Tran", "Khan",
    "Dubois", "O'Brien",
];

/// Mainland mobile prefixes in use.
const MOBILE_PREFIXES: [&str; 24] = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "157",
    "158", "159", "166", "176", "177", "180", "186", "187", "188", "189", "199",
];

/// Household-registration regions of trainees born outside Shenzhen: county codes of the
/// provinces that most of the city's workforce comes from.
const OTHER_REGIONS: [&str; 18] = [
    "440103", "440106", "440514", "445202", "440902", "440803", "441302", "441481", "430111",
    "430611", "431003", "450102", "420106", "360102", "410105", "510107", "350203", "500103",
];

/// A Chinese name: surname and one or two given-name characters.
pub fn chinese_name(rng: &mut StdRng) -> String {
    // Falling weight: low indices (frequent surnames) are drawn more often.
    let index = ((rng.r#gen::<f64>().powi(2)) * SURNAMES.len() as f64) as usize;
    let mut name = SURNAMES[index.min(SURNAMES.len() - 1)].to_owned();
    let given = if rng.gen_bool(0.3) { 1 } else { 2 };
    for _ in 0..given {
        name.push_str(pick(rng, &GIVEN));
    }
    name
}

/// A Latin-script name of a foreign passport holder.
pub fn latin_name(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, &LATIN_GIVEN), pick(rng, &LATIN_FAMILY))
}

/// A mainland mobile number, `1[3-9]` and nine more digits.
pub fn phone(rng: &mut StdRng) -> String {
    format!(
        "{}{:08}",
        pick(rng, &MOBILE_PREFIXES),
        rng.gen_range(0..100_000_000)
    )
}

/// A resident ID number with a valid MOD 11-2 check digit: `region`, a birth date
/// between 1970 and 2005 (mostly after 1990) and a random sequence.
pub fn resident_id(rng: &mut StdRng, shenzhen_region: &str) -> Result<IdDocument, ValidationError> {
    let region = if rng.gen_bool(0.4) {
        shenzhen_region
    } else {
        pick(rng, &OTHER_REGIONS)
    };
    let (from, to) = if rng.gen_bool(0.7) {
        (1990, 2005)
    } else {
        (1970, 1989)
    };
    let year = rng.gen_range(from..=to);
    let birth = NaiveDate::from_yo_opt(year, rng.gen_range(1..=365)).unwrap_or_default();
    let first_17 = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        rng.gen_range(0..1000)
    );
    IdDocument::parse(IdType::ResidentId, &with_check_digit(&first_17))
}

/// A document other than a resident ID, and whether its holder has a Latin-script name.
pub fn other_document(rng: &mut StdRng) -> Result<(IdDocument, bool), ValidationError> {
    let roll = rng.r#gen::<f64>();
    let digits8 = rng.gen_range(10_000_000..100_000_000);
    if roll < 0.35 {
        // A Chinese e-passport.
        Ok((
            IdDocument::parse(IdType::Passport, &format!("E{digits8}"))?,
            false,
        ))
    } else if roll < 0.6 {
        let letters: String = (0..2)
            .map(|_| char::from(rng.gen_range(b'A'..=b'Z')))
            .collect();
        let number = format!("{letters}{:07}", rng.gen_range(0..10_000_000));
        Ok((IdDocument::parse(IdType::Passport, &number)?, true))
    } else if roll < 0.9 {
        let letter = if rng.gen_bool(0.8) { 'H' } else { 'M' };
        let number = format!("{letter}{digits8}");
        Ok((IdDocument::parse(IdType::HkMacaoPermit, &number)?, false))
    } else {
        let number = digits8.to_string();
        Ok((IdDocument::parse(IdType::TaiwanPermit, &number)?, false))
    }
}

/// Appends the ISO 7064 MOD 11-2 check character to 17 digits.
fn with_check_digit(first_17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first_17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    format!("{first_17}{}", char::from(CHECK[(sum % 11) as usize]))
}

/// One element of a non-empty list.
pub fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::domain::PersonName;

    #[test]
    fn generated_resident_ids_pass_the_domain_rules() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..1000 {
            let document = resident_id(&mut rng, "440305").expect("valid resident id");
            assert_eq!(document.id_type(), IdType::ResidentId);
        }
    }

    #[test]
    fn generated_other_documents_pass_the_domain_rules() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..1000 {
            other_document(&mut rng).expect("valid document");
        }
    }

    #[test]
    fn generated_names_pass_the_domain_rules() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..1000 {
            for name in [chinese_name(&mut rng), latin_name(&mut rng)] {
                assert!(PersonName::parse(&name).is_ok(), "{name}");
            }
        }
    }

    #[test]
    fn generated_phones_pass_the_domain_rules() {
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..1000 {
            let number = phone(&mut rng);
            assert!(
                crate::domain::PhoneNumber::parse(&number).is_ok(),
                "{number}"
            );
        }
    }
}
