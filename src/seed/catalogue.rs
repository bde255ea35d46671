//! The synthetic supply side: institutions over the districts and their courses, with
//! the weights that make some institutions and courses busier than others.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use uuid::Uuid;

use super::calendar::{FIRST_DAY, Ids, LAST_DAY, day_between, office_hours};
use super::names::pick;
use crate::domain::{CreditCode, DistrictList, InstitutionKind, Track};

/// Shenzhen's districts by Chinese name (resolved through [`DistrictList::shenzhen`]),
/// with the region code of residents' IDs and a weight for where institutions are.
pub const DISTRICTS: [(&str, &str, f64); 10] = [
    ("福田", "440304", 15.0),
    ("罗湖", "440303", 9.0),
    ("盐田", "440308", 2.0),
    ("南山", "440305", 18.0),
    ("宝安", "440306", 16.0),
    ("龙岗", "440307", 15.0),
    ("龙华", "440309", 12.0),
    ("坪山", "440310", 4.0),
    ("光明", "440311", 6.0),
    // Dapeng has no county code of its own; its residents' IDs carry Longgang's.
    ("大鹏", "440307", 3.0),
];

const KINDS: [(InstitutionKind, f64); 4] = [
    (InstitutionKind::TrainingInstitution, 0.5),
    (InstitutionKind::LivestreamingBase, 0.2),
    (InstitutionKind::IndustrialPark, 0.1),
    (InstitutionKind::Enterprise, 0.2),
];

const BRANDS: [&str; 30] = [
    "星火", "云帆", "鹏程", "前海", "蓝海", "新锐", "优品", "卓越", "华南", "湾区", "启航", "智汇",
    "聚力", "创客", "盛世", "天成", "博雅", "腾飞", "远景", "领航", "致远", "宏图", "汇通", "东方",
    "万象", "晨曦", "青禾", "海纳", "嘉禾", "锦程",
];

const HOST_TOPICS: [&str; 6] = [
    "直播带货主播",
    "电商主播",
    "短视频直播主播",
    "农产品直播带货",
    "跨境电商直播主播",
    "品牌直播主播",
];
const PROFESSIONAL_TOPICS: [&str; 8] = [
    "直播运营",
    "直播场控",
    "短视频策划与剪辑",
    "电商选品与供应链",
    "直播投流与数据分析",
    "直播间视觉与灯光",
    "电商客服与售后",
    "直播电商团队管理",
];
const LEVEL_NAMES: [&str; 5] = ["一级", "二级", "三级", "四级", "五级"];

/// Unified social credit code alphabet (GB 32100: no I, O, Z, S, V).
const CODE_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A district: its canonical name and the region code of its residents' IDs.
pub struct District {
    pub name: String,
    pub region: &'static str,
}

/// An institution to write.
pub struct Institution {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    pub district: usize,
    pub kind: InstitutionKind,
    pub created_at: DateTime<Utc>,
}

/// A course to write, and the days on which trainees enrol in it.
pub struct Course {
    pub id: Uuid,
    pub institution: usize,
    pub title: String,
    pub track: Track,
    pub level: Option<i32>,
    pub hours: i32,
    /// Seats; raised to the final enrolled count if the draw falls short.
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    open_from: NaiveDate,
    open_until: NaiveDate,
    /// Weight among its institution's courses when trainees choose one.
    popularity: f64,
}

/// Institutions and courses, and how trainees are spread over them.
pub struct Catalogue {
    pub districts: Vec<District>,
    pub institutions: Vec<Institution>,
    pub courses: Vec<Course>,
    courses_of: Vec<Vec<usize>>,
    institution_pick: WeightedIndex<f64>,
    course_pick: Vec<Option<WeightedIndex<f64>>>,
    district_pick: WeightedIndex<f64>,
}

impl Catalogue {
    /// Draws `institutions` institutions and `courses` courses (at least one each); the
    /// expected number of enrolments sizes the capacities.
    pub fn generate(
        rng: &mut StdRng,
        ids: &mut Ids,
        institutions: usize,
        courses: usize,
        expected_enrolments: f64,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            institutions > 0 && courses > 0,
            "seed needs at least one institution and one course"
        );
        let districts = districts()?;
        let district_pick = WeightedIndex::new(DISTRICTS.map(|(_, _, w)| w))?;
        let (institution_list, mut sizes) =
            draw_institutions(rng, ids, institutions, &district_pick)?;
        let mut course_list = draw_courses(rng, ids, courses, &sizes)?;
        let courses_of = courses_by_institution(&course_list, institutions);
        draw_capacities(
            rng,
            &mut course_list,
            &courses_of,
            &sizes,
            expected_enrolments,
        );
        let course_pick = courses_of
            .iter()
            .map(|indices| course_pick(&course_list, indices))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Institutions without a course (fewer courses than institutions) get nobody.
        for (institution, indices) in courses_of.iter().enumerate() {
            if indices.is_empty() {
                sizes[institution] = 0.0;
            }
        }
        Ok(Self {
            districts,
            institutions: institution_list,
            courses: course_list,
            courses_of,
            institution_pick: WeightedIndex::new(&sizes)?,
            course_pick,
            district_pick,
        })
    }

    /// An institution with courses, busier ones more often.
    pub fn pick_institution(&self, rng: &mut StdRng) -> usize {
        self.institution_pick.sample(rng)
    }

    /// A course of `institution` (one returned by [`Self::pick_institution`]).
    pub fn pick_course(&self, rng: &mut StdRng, institution: usize) -> usize {
        match &self.course_pick[institution] {
            Some(pick) => self.courses_of[institution][pick.sample(rng)],
            None => 0,
        }
    }

    /// A district, weighted like the institutions.
    pub fn pick_district(&self, rng: &mut StdRng) -> usize {
        self.district_pick.sample(rng)
    }

    /// When a trainee enrols in `course`: from a month before it starts until halfway
    /// through (open-ended courses: any time after), within the period.
    pub fn enrolment_instant(&self, rng: &mut StdRng, course: usize) -> DateTime<Utc> {
        let course = &self.courses[course];
        let day = day_between(rng, course.open_from, course.open_until);
        office_hours(rng, day)
    }
}

/// The date `year`-`month`-`day`, or the first day of the period if there is none.
fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(FIRST_DAY)
}

/// Shenzhen's districts by their canonical names, in the order of [`DISTRICTS`].
fn districts() -> anyhow::Result<Vec<District>> {
    let shenzhen = DistrictList::shenzhen();
    DISTRICTS
        .iter()
        .map(|(chinese, region, _)| {
            let name = shenzhen.parse(chinese).context("seed district list")?;
            Ok(District {
                name: name.as_str().to_owned(),
                region,
            })
        })
        .collect()
}

/// Draws `count` institutions with unique credit codes, and the size of each (its
/// weight when trainees choose where to train).
fn draw_institutions(
    rng: &mut StdRng,
    ids: &mut Ids,
    count: usize,
    district_pick: &WeightedIndex<f64>,
) -> anyhow::Result<(Vec<Institution>, Vec<f64>)> {
    let kind_pick = WeightedIndex::new(KINDS.map(|(_, w)| w))?;
    let mut codes = HashSet::new();
    let mut sizes = Vec::with_capacity(count);
    let mut institutions = Vec::with_capacity(count);
    for i in 0..count {
        // Every district has an institution (the first ten go one to each), so a
        // breakdown by district has the same rows at every scale.
        let district = if i < DISTRICTS.len() {
            i
        } else {
            district_pick.sample(rng)
        };
        let kind = KINDS[kind_pick.sample(rng)].0;
        let credit_code = loop {
            let code = credit_code(rng, kind)?;
            if codes.insert(code.clone()) {
                break code;
            }
        };
        let created_on = day_between(rng, day(2021, 6, 1), day(2022, 10, 31));
        let created_at = office_hours(rng, created_on);
        institutions.push(Institution {
            id: ids.next(rng),
            name: institution_name(rng, DISTRICTS[district].0, kind),
            credit_code,
            district,
            kind,
            created_at,
        });
        // A long tail: a few large institutions and many small ones.
        sizes.push((1.0 - rng.gen_range(0.0..0.97_f64)).powf(-0.7));
    }
    Ok((institutions, sizes))
}

/// Draws `count` courses over the institutions of `sizes`: every institution runs at
/// least one, larger ones run more.
fn draw_courses(
    rng: &mut StdRng,
    ids: &mut Ids,
    count: usize,
    sizes: &[f64],
) -> anyhow::Result<Vec<Course>> {
    let size_pick = WeightedIndex::new(sizes)?;
    let mut courses = Vec::with_capacity(count);
    for index in 0..count {
        let institution = if index < sizes.len() {
            index
        } else {
            size_pick.sample(rng)
        };
        let popularity = rng.gen_range(0.3..1.3);
        courses.push(course(rng, ids, institution, popularity));
    }
    Ok(courses)
}

/// The indices of each of the `institutions` institutions' courses, in course order.
fn courses_by_institution(courses: &[Course], institutions: usize) -> Vec<Vec<usize>> {
    let mut courses_of = vec![Vec::new(); institutions];
    for (index, course) in courses.iter().enumerate() {
        courses_of[course.institution].push(index);
    }
    courses_of
}

/// Gives 40 % of the courses a capacity near their expected enrolments: the
/// institution's share of `expected_enrolments` by size, split by popularity.
fn draw_capacities(
    rng: &mut StdRng,
    courses: &mut [Course],
    courses_of: &[Vec<usize>],
    sizes: &[f64],
    expected_enrolments: f64,
) {
    let total_size: f64 = sizes.iter().sum();
    for (institution, indices) in courses_of.iter().enumerate() {
        let total: f64 = indices.iter().map(|&c| courses[c].popularity).sum();
        for &c in indices {
            let expected = expected_enrolments * sizes[institution] / total_size
                * courses[c].popularity
                / total;
            courses[c].capacity = rng.gen_bool(0.4).then(|| {
                let seats = (expected * rng.gen_range(0.9..1.6) / 10.0).round() * 10.0;
                seats.clamp(20.0, 100_000.0) as i32
            });
        }
    }
}

/// Picks among the courses at `indices` by popularity; `None` for an institution
/// without courses.
fn course_pick(
    courses: &[Course],
    indices: &[usize],
) -> anyhow::Result<Option<WeightedIndex<f64>>> {
    if indices.is_empty() {
        return Ok(None);
    }
    Ok(Some(WeightedIndex::new(
        indices.iter().map(|&c| courses[c].popularity),
    )?))
}

/// A unique-looking credit code: training institutions are often private non-enterprise
/// units (`52`), the rest companies (`91`); registered in Shenzhen (`440300`).
pub fn credit_code(rng: &mut StdRng, kind: InstitutionKind) -> anyhow::Result<String> {
    let prefix = match kind {
        InstitutionKind::TrainingInstitution if rng.gen_bool(0.5) => "52440300",
        _ => "91440300",
    };
    let body: String = if rng.gen_bool(0.8) {
        // The common post-2015 shape, `MA5` then six characters.
        let tail: String = (0..6)
            .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
            .collect();
        format!("MA5{tail}")
    } else {
        format!("{:09}", rng.gen_range(0..1_000_000_000))
    };
    CODE_ALPHABET
        .iter()
        .map(|&check| format!("{prefix}{body}{}", char::from(check)))
        .find(|code| CreditCode::parse(code).is_ok())
        .context("no check character makes a valid credit code")
}

/// A name like `深圳市南山区星火云帆直播电商基地`: the district, two brand words and a noun
/// that fits `kind`.
pub fn institution_name(rng: &mut StdRng, district: &str, kind: InstitutionKind) -> String {
    let nouns: &[&str] = match kind {
        InstitutionKind::TrainingInstitution => {
            &["职业培训学校", "直播电商培训中心", "职业技能培训学校"]
        }
        InstitutionKind::LivestreamingBase => &["直播电商基地", "直播产业基地", "电商直播基地"],
        InstitutionKind::IndustrialPark => &["数字产业园", "电商产业园", "文化创意产业园"],
        InstitutionKind::Enterprise => &[
            "电子商务有限公司",
            "网络科技有限公司",
            "文化传媒有限公司",
            "供应链管理有限公司",
        ],
        InstitutionKind::ServiceInstitution => {
            &["直播电商服务机构", "MCN机构", "直播运营服务有限公司"]
        }
    };
    format!(
        "深圳市{district}区{}{}{}",
        pick(rng, &BRANDS),
        pick(rng, &BRANDS),
        pick(rng, nouns)
    )
}

/// A course of `institution`: 30 % on the host track; level 5 and 4 most common; more
/// courses start later in the period, as the programme ramps up.
fn course(rng: &mut StdRng, ids: &mut Ids, institution: usize, popularity: f64) -> Course {
    let track = if rng.gen_bool(0.3) {
        Track::Host
    } else {
        Track::Professional
    };
    let level = match rng.gen_range(0..100) {
        0..10 => None,
        10..45 => Some(5),
        45..73 => Some(4),
        73..88 => Some(3),
        88..96 => Some(2),
        _ => Some(1),
    };
    let (low, high) = match level {
        Some(5) => (16, 48),
        Some(4) => (32, 72),
        Some(3) => (48, 96),
        Some(_) => (64, 120),
        None => (8, 40),
    };
    let hours = rng.gen_range(low / 4..=high / 4) * 4;
    let last_start = day(2025, 11, 30);
    let span = (last_start - FIRST_DAY).num_days() as f64;
    let u: f64 = rng.r#gen();
    let ramp = if rng.gen_bool(0.5) { u } else { u.sqrt() };
    let starts_on = FIRST_DAY + Duration::days((ramp * span) as i64);
    let ends_on = (!rng.gen_bool(0.05))
        .then(|| (starts_on + Duration::days(rng.gen_range(7..=90))).min(LAST_DAY));
    let open_from = (starts_on - Duration::days(30)).max(FIRST_DAY);
    let open_until = match ends_on {
        Some(ends_on) => starts_on + (ends_on - starts_on) / 2,
        None => LAST_DAY,
    };
    let topic = match track {
        Track::Host => pick(rng, &HOST_TOPICS),
        Track::Professional => pick(rng, &PROFESSIONAL_TOPICS),
    };
    let grade = level
        .and_then(|l| usize::try_from(l - 1).ok())
        .map(|i| format!("（{}）", LEVEL_NAMES[i]))
        .unwrap_or_default();
    let title = format!(
        "{topic}{grade}培训班 {}年第{}期",
        chrono::Datelike::year(&starts_on),
        rng.gen_range(1..=12)
    );
    let created_on = starts_on - Duration::days(rng.gen_range(14..60));
    let created_at = office_hours(rng, created_on);
    Course {
        id: ids.next(rng),
        institution,
        title,
        track,
        level,
        hours,
        capacity: None,
        starts_on,
        ends_on,
        created_at,
        open_from,
        open_until,
        popularity,
    }
}
