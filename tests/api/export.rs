//! The city's CSV exports: who may download them, what a spreadsheet sees (BOM, Chinese
//! text, no formulas), that they hold no personal data, and refusals of bad parameters.

use serde_json::json;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World, register};
use crate::support::flows::certify;
use crate::support::ids::resident_id;
use crate::support::reads::GOAL_KINDS;

/// A downloaded export.
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Download {
    /// The text after the BOM, which must be there.
    fn text(&self) -> &str {
        let body = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or_else(|| panic!("no UTF-8 BOM: {:?}", String::from_utf8_lossy(&self.bytes)));
        std::str::from_utf8(body).expect("UTF-8")
    }

    /// Lines without the header.
    fn rows(&self) -> Vec<&str> {
        self.text().lines().skip(1).collect()
    }
}

async fn download(app: &TestApp, token: Option<&str>, path: &str) -> Download {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    Download {
        status: response.status().as_u16(),
        content_type,
        disposition,
        bytes: response.bytes().await.unwrap().to_vec(),
    }
}

/// Two institutions (one named like a formula) with one certified trainee each, and one
/// registered person with a phone; keeps every name, ID number and phone used.
struct Cohort {
    city: World,
    nanshan: Institution,
    futian: Institution,
    personal: Vec<String>,
}

async fn cohort(app: &TestApp) -> Cohort {
    let city = app.world().await;
    let nanshan = city.institution_named("南山直播电商学院", "南山").await;
    let futian = city
        .institution_named("=HYPERLINK(\"http://x\")福田基地", "Futian")
        .await;
    let mut personal = Vec::new();
    for (institution, name) in [(&nanshan, "欧阳娜娜"), (&futian, "司马相如")] {
        let number = resident_id();
        let course = institution.course(NewCourse::host()).await;
        let trainee = institution.person(name, &number).await;
        certify(app, &institution.admin, &trainee, &course).await;
        personal.extend([name.to_owned(), number]);
    }
    let response = app
        .register(
            &nanshan.admin,
            json!({ "name": "黄飞鸿", "idNumber": resident_id(), "phone": "13912345678" }),
        )
        .await;
    response.data();
    personal.extend(["黄飞鸿".to_owned(), "13912345678".to_owned()]);
    Cohort {
        city,
        nanshan,
        futian,
        personal,
    }
}

const STATS: &str = "/exports/stats.csv?groupBy=DISTRICT,INSTITUTION,MONTH";

#[tokio::test]
async fn exports_refuse_anonymous_and_unknown_tokens_with_401_and_trainees_with_403() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = register(&app, &staff, "张三").await;
    let trainee = crate::support::fixtures::activate(&app, &code).await;

    for path in ["/exports/progress.csv", STATS] {
        let anonymous = download(&app, None, path).await;
        let forged = download(&app, Some("not-a-session"), path).await;
        let as_trainee = download(&app, Some(&trainee), path).await;

        assert_eq!(anonymous.status, 401, "{path}");
        assert_eq!(forged.status, 401, "{path}");
        assert_eq!(as_trainee.status, 403, "{path}");
        assert!(
            String::from_utf8_lossy(&as_trainee.bytes).starts_with("FORBIDDEN"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_analyst_downloads_stats_with_a_bom_chinese_names_and_defused_formulas() {
    let app = spawn_app().await;
    let c = cohort(&app).await;
    let analyst = app.user(&c.city.admin, "CITY_ANALYST", None).await;

    let file = download(&app, Some(&analyst), STATS).await;

    assert_eq!(file.status, 200);
    assert_eq!(file.content_type, "text/csv; charset=utf-8");
    assert!(
        file.disposition
            .starts_with("attachment; filename=\"stats-")
            && file.disposition.ends_with(".csv\""),
        "{}",
        file.disposition
    );
    let text = file.text();
    assert!(
        text.starts_with(
            "district,districtChinese,institution,month,trainees,enrolments,completions,certifiedPersons\r\n"
        ),
        "{text}"
    );
    let rows = file.rows();
    assert_eq!(rows.len(), 2, "{text}");
    let month = crate::support::flows::today().format("%Y-%m").to_string();
    assert!(
        rows.contains(&format!("Nanshan,南山,南山直播电商学院,{month},1,1,1,1").as_str()),
        "{text}"
    );
    assert!(
        rows.contains(
            &format!("Futian,福田,\"'=HYPERLINK(\"\"http://x\"\")福田基地\",{month},1,1,1,1")
                .as_str()
        ),
        "a formula is shown as text: {text}"
    );
}

#[tokio::test]
async fn an_institution_exports_only_its_own_rows() {
    let app = spawn_app().await;
    let c = cohort(&app).await;
    let programme = c.city.programme(3000, 10000).await;

    let own = download(&app, Some(&c.nanshan.admin), STATS).await;
    let other = download(&app, Some(&c.futian.admin), STATS).await;
    let path = format!("/exports/progress.csv?programmeId={programme}");
    let progress = download(&app, Some(&c.nanshan.admin), &path).await;

    assert_eq!(own.status, 200);
    assert_eq!(own.rows().len(), 1, "{}", own.text());
    assert!(own.text().contains("南山直播电商学院"));
    assert!(!own.text().contains("福田基地"), "{}", own.text());
    assert!(
        !other.text().contains("南山直播电商学院"),
        "{}",
        other.text()
    );
    let host = progress
        .rows()
        .into_iter()
        .find(|r| r.contains(",HOST,"))
        .unwrap()
        .to_owned();
    assert!(host.contains(",HOST,3000,1,"), "own share only: {host}");
}

#[tokio::test]
async fn the_progress_export_has_a_line_per_track_of_the_programme() {
    let app = spawn_app().await;
    let c = cohort(&app).await;
    let programme = c.city.programme(3000, 10000).await;

    let path = format!("/exports/progress.csv?programmeId={programme}");
    let file = download(&app, Some(&c.city.admin), &path).await;

    assert_eq!(file.status, 200);
    assert!(file.text().starts_with(
        "programme,startsOn,endsOn,track,target,certified,inTraining,ratio,projectedReachDate,reachedOn\r\n"
    ));
    let rows = file.rows();
    assert_eq!(rows.len(), 2, "{}", file.text());
    assert!(
        rows.iter().any(|r| r.contains(",HOST,3000,2,0,0.0007,")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains(",PROFESSIONAL,10000,0,")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn no_export_holds_names_id_numbers_or_phones() {
    let app = spawn_app().await;
    let c = cohort(&app).await;

    let mut files = Vec::new();
    for group_by in ["TRACK,DISTRICT,INSTITUTION,MONTH,LEVEL", "INSTITUTION", ""] {
        let path = format!("/exports/stats.csv?groupBy={group_by}");
        files.push(download(&app, Some(&c.city.admin), &path).await);
    }
    files.push(download(&app, Some(&c.city.admin), "/exports/progress.csv").await);

    for file in &files {
        assert_eq!(file.status, 200);
        for personal in &c.personal {
            assert!(
                !file.text().contains(personal.as_str()),
                "{personal} in {}",
                file.text()
            );
        }
    }
}

#[tokio::test]
async fn bad_parameters_get_400_naming_the_parameter_and_an_unknown_programme_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cases = [
        ("/exports/stats.csv?groupBy=DISTRICT,CITY", "groupBy"),
        ("/exports/stats.csv?groupBy=MONTH&from=2025-13-01", "from"),
        ("/exports/stats.csv?from=2025-06-01&to=2025-01-01", "to"),
        ("/exports/stats.csv?district=Atlantis", "district"),
        ("/exports/stats.csv?track=PILOT", "track"),
        ("/exports/stats.csv?institutionId=42", "institutionId"),
        ("/exports/stats.csv?gropuBy=MONTH", "gropuBy"),
        ("/exports/progress.csv?programmeId=x", "programmeId"),
    ];

    for (path, parameter) in cases {
        let file = download(&app, Some(&admin), path).await;
        let body = String::from_utf8_lossy(&file.bytes);
        assert_eq!(file.status, 400, "{path}: {body}");
        assert!(body.starts_with("BAD_USER_INPUT"), "{path}: {body}");
        assert!(body.contains(parameter), "{path}: {body}");
    }
    let unknown = download(
        &app,
        Some(&admin),
        &format!("/exports/progress.csv?programmeId={}", uuid::Uuid::nil()),
    )
    .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_goals_export_has_a_line_per_goal_and_an_institution_only_its_person_goals() {
    let app = spawn_app().await;
    let world = app.world().await;
    let academy = world.institution().await;

    let city = download(&app, Some(&world.admin), "/exports/goals.csv").await;
    let own = download(&app, Some(&academy.admin), "/exports/goals.csv").await;

    assert_eq!(city.status, 200);
    assert!(city.disposition.contains("goals-"), "{}", city.disposition);
    assert_eq!(
        city.text().lines().next().unwrap(),
        "programme,startsOn,endsOn,goal,unit,target,achieved,ratio,projectedReachDate,reachedOn,requiredPerMonth,onTrack"
    );
    let goals: Vec<&str> = city
        .rows()
        .iter()
        .map(|r| r.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(goals, GOAL_KINDS);
    assert!(
        city.rows()[6].contains(",SALES_CNY,CNY,300000000000,0,0.0000,,,,false"),
        "the plan ended: nothing required per month, not on track: {}",
        city.rows()[6]
    );
    assert_eq!(own.status, 200);
    assert_eq!(own.rows().len(), 2, "{}", own.text());
}
