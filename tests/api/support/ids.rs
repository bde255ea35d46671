//! Random valid identifiers (resident IDs, credit codes, logins) and ones that break one
//! rule.

use talent_registry::domain::{CreditCode, IdDocument, IdType};
use uuid::Uuid;

/// A random, valid unified social credit code.
pub fn credit_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let bytes = Uuid::from_u128(rand::random()).into_bytes();
    let mut body = String::from("91440300");
    for b in &bytes[..9] {
        body.push(ALPHABET[usize::from(*b) % 31] as char);
    }
    ALPHABET
        .iter()
        .map(|c| format!("{body}{}", *c as char))
        .find(|code| CreditCode::parse(code).is_ok())
        .unwrap()
}

/// A random, valid resident ID number (Shenzhen, born 1970–1999). Year, month, day and
/// sequence are drawn apart (10,080,000 numbers), so the IDs of one test do not collide.
pub fn resident_id() -> String {
    let n: u64 = rand::random();
    let body = format!(
        "440305{}{:02}{:02}{:03}",
        1970 + n % 30,
        (n / 30) % 12 + 1,
        (n / 360) % 28 + 1,
        (n / 10_080) % 1000
    );
    "0123456789X"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|id| IdDocument::parse(IdType::ResidentId, id).is_ok())
        .unwrap()
}

/// ISO 7064 MOD 11-2 check character of 17 digits (resident IDs).
pub fn mod_11_2(first_17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first_17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

/// A resident ID with a correct check digit around `birth` (`YYYYMMDD`, not checked).
pub fn resident_id_born(birth: &str) -> String {
    let body = format!("440305{birth}{:03}", rand::random::<u16>() % 1000);
    let check = mod_11_2(&body);
    format!("{body}{check}")
}

/// A valid resident ID whose check character is `X`.
pub fn resident_id_ending_in_x() -> String {
    std::iter::repeat_with(resident_id)
        .find(|id| id.ends_with('X'))
        .unwrap()
}

/// `valid` with its last character replaced by another one of `alphabet`: a wrong check.
pub fn with_wrong_check(valid: &str, alphabet: &str) -> String {
    let last = valid.chars().last().unwrap();
    let other = alphabet.chars().find(|c| *c != last).unwrap();
    format!("{}{other}", &valid[..valid.len() - 1])
}

/// `n` random decimal digits.
pub fn digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rand::random::<u8>() % 10))
        .collect()
}

/// A fresh login name.
pub fn username() -> String {
    format!(
        "u{}",
        &Uuid::from_u128(rand::random()).simple().to_string()[..12]
    )
}
