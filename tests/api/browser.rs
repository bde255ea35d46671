//! The pages in a real browser: headless Chromium from Debian's packages, driven over
//! WebDriver. Ignored by default (they need `chromium` and `chromium-driver`); `.ci/run`
//! installs both and runs them with `--include-ignored`. Without a browser they fail,
//! saying what is missing: they never pass without having run.

use serde_json::{Value, json};

use crate::support::app::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
use crate::support::browser::Browser;
use crate::support::fixtures::NewCourse;
use crate::support::flows::{certify, enrolled};
use crate::support::ids::resident_id;

/// `3000` as people read it: `3,000`.
fn grouped(n: f64) -> String {
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

/// Submits the verify form with `number` and `name`; the answer's text.
async fn check(browser: &Browser, app: &TestApp, number: &str, name: &str) -> String {
    browser.goto(&format!("{}/verify", app.address)).await;
    browser.type_into("#number", number).await;
    browser.type_into("#name", name).await;
    browser.click("form.verify button").await;
    browser.text_of("#verify-answer").await
}

/// A browser on the workspace, signed in with `token`, `course` opened.
async fn workspace_course(app: &TestApp, token: &str, course: &str) -> Browser {
    let browser = Browser::start(1280, 900).await;
    signed_in(&browser, app, "/workspace", token).await;
    browser
        .click(&format!("button[data-course='{course}']"))
        .await;
    browser
}

/// A CSV file of `text` in the temporary folder, for a file input.
fn temp_csv(text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("upload-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(&path, text).unwrap();
    path
}

/// Opens `path` signed in with `token`, as the page keeps it (in `sessionStorage`).
async fn signed_in(browser: &Browser, app: &TestApp, path: &str, token: &str) {
    browser.goto(&format!("{}{path}", app.address)).await;
    browser
        .run(
            "sessionStorage.setItem('talent-registry.token', arguments[0]);",
            json!([token]),
        )
        .await;
    browser.goto(&format!("{}{path}", app.address)).await;
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn verify_in_a_browser_valid_wrong_name_unknown_and_rate_limited() {
    let app = spawn_app_with(|s| s.verify_per_minute = 3).await;
    let city = app.world().await;
    let issuer = city.institution().await;
    let course = issuer.course(NewCourse::host().level(5)).await;
    let trainee = issuer.person("张三丰", &resident_id()).await;
    let number = certify(&app, &issuer.admin, &trainee, &course).await;
    let browser = Browser::start(1280, 900).await;

    let valid = check(&browser, &app, &number, "张三丰").await;
    let wrong_name = check(&browser, &app, &number, "张三").await;
    let unknown = check(&browser, &app, "H2025-AAAAA-BBBBB", "张三丰").await;
    let clean = browser.severe_logs().await;
    let limited = check(&browser, &app, &number, "张三丰").await;

    assert!(
        valid.contains("证书有效") && valid.contains("张**") && valid.contains(&number),
        "{valid}"
    );
    assert!(!valid.contains("张三丰"), "{valid}");
    assert!(
        wrong_name.contains("未找到该证书，或姓名与证书不符。"),
        "{wrong_name}"
    );
    assert_eq!(wrong_name, unknown, "one neutral answer for both");
    assert!(limited.contains("查询过于频繁，请稍后再试。"), "{limited}");
    assert!(clean.is_empty(), "console errors: {clean:?}");
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn the_dashboard_signs_in_and_shows_the_figures_of_programme_progress() {
    let app = spawn_app().await;
    let city = app.world().await;
    let programme = city.programme(3, 2_500).await;
    let issuer = city.institution_in("南山").await;
    let host = issuer.course(NewCourse::host()).await;
    for _ in 0..2 {
        let trainee = issuer.trainee().await;
        certify(&app, &issuer.admin, &trainee, &host).await;
    }
    let professional = issuer.course(NewCourse::professional()).await;
    enrolled(&app, &issuer.admin, &issuer.trainee().await, &professional).await;
    let browser = Browser::start(1280, 900).await;

    browser
        .goto(&format!("{}/dashboard?lang=en", app.address))
        .await;
    browser.type_into("#username", "admin").await;
    browser.type_into("#password", ADMIN_PASSWORD).await;
    browser.click("#signin button").await;
    browser
        .text_of(".goal[data-kind=CERTIFIED_PROFESSIONALS]")
        .await;
    let shown = browser
        .run(
            "return Array.from(document.querySelectorAll('.goal')).map(function (g) { return {
               kind: g.dataset.kind, achieved: g.querySelector('.achieved').textContent,
               target: g.querySelector('.target').textContent,
               facts: Array.from(g.querySelectorAll('dd')).map(function (d) { return d.textContent; }) }; });",
            json!([]),
        )
        .await;
    let districts = browser.text_of("#district-table").await;
    let logs = browser.severe_logs().await;
    browser.close().await;

    let api = app
        .graphql_as(
            Some(&city.admin),
            "query($p: ID) { programmeProgress(programmeId: $p) { goals { kind target achieved ratio }
               targets { track inTraining } } }",
            json!({ "p": programme }),
        )
        .await;
    let goals = api.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .clone();
    let shown = shown.as_array().unwrap();
    assert_eq!(shown.len(), goals.len(), "every goal is a bar: {shown:?}");
    for (bar, goal) in shown.iter().zip(&goals) {
        assert_eq!(bar["kind"], goal["kind"]);
        assert_eq!(
            bar["achieved"],
            grouped(goal["achieved"].as_f64().unwrap()),
            "{bar}"
        );
        assert_eq!(
            bar["target"],
            grouped(goal["target"].as_f64().unwrap()),
            "{bar}"
        );
        let ratio = format!("{:.1}%", goal["ratio"].as_f64().unwrap() * 100.0);
        assert_eq!(bar["facts"][0], Value::String(ratio), "{bar}");
    }
    let hosts = &shown[0];
    assert_eq!(hosts["achieved"], "2");
    assert_eq!(shown[1]["target"], "2,500");
    assert_eq!(
        shown[1]["facts"][1], "1",
        "in training on PROFESSIONAL: {shown:?}"
    );
    assert!(districts.contains("Nanshan"), "{districts}");
    assert!(logs.is_empty(), "console errors: {logs:?}");
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn the_workspace_uploads_a_roster_and_lists_the_refused_row_by_its_line() {
    let app = spawn_app().await;
    let city = app.world().await;
    let issuer = city.institution().await;
    let course = issuer.course(NewCourse::host()).await;
    let csv = temp_csv(&format!(
        "姓名,身份证号\n李小龙,{}\n周星驰,440305199001011234\n林青霞,{}\n",
        resident_id(),
        resident_id()
    ));
    let browser = workspace_course(&app, &issuer.admin, &course).await;

    browser.choose_file("#roster-file", &csv).await;
    browser.click("#roster-upload button").await;
    let refused = browser.text_of("#roster-result table").await;
    let summary = browser.text_of("#roster-result p").await;
    let roster = browser
        .wait_until(
            "var t = document.getElementById('roster').innerText; return t.indexOf('林青霞') >= 0 && t;",
            json!([]),
        )
        .await;
    let logs = browser.severe_logs().await;
    browser.close().await;
    let _ = std::fs::remove_file(&csv);

    let row: Vec<&str> = refused.lines().nth(1).unwrap().split('\t').collect();
    assert_eq!(row[0], "3", "the refused row is line 3: {refused}");
    assert_eq!(row[1], "idNumber", "{refused}");
    assert!(summary.contains("新报名 2 人，被拒绝 1 行"), "{summary}");
    let roster = roster.as_str().unwrap();
    assert!(
        roster.contains("李小龙") && !roster.contains("周星驰"),
        "{roster}"
    );
    assert!(logs.is_empty(), "console errors: {logs:?}");
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn graphiql_runs_from_embedded_assets_within_the_content_security_policy() {
    let app = spawn_app().await;
    let browser = Browser::start(1280, 900).await;

    browser.goto(&format!("{}/graphql", app.address)).await;
    browser
        .wait_until(
            "return document.querySelector('.graphiql-container .CodeMirror') !== null;",
            json!([]),
        )
        .await;
    let logs = browser.severe_logs().await;
    browser.close().await;

    assert!(
        logs.is_empty(),
        "console errors (a CSP refusal would show here): {logs:?}"
    );
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn every_page_fits_a_360_px_phone_without_sideways_scrolling() {
    let app = spawn_app().await;
    let browser = Browser::start(360, 800).await;

    for path in [
        "/",
        "/verify?number=H2025-AK9X3-VYFPS",
        "/dashboard",
        "/workspace?lang=en",
    ] {
        browser.goto(&format!("{}{path}", app.address)).await;
        let widths = browser
            .run(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                json!([]),
            )
            .await;
        assert_eq!(widths[1], 360, "{path}: the phone's width");
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{path} scrolls sideways: {widths}"
        );
        let png = browser.screenshot().await;
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(
            width,
            widths[1].as_u64().unwrap() as u32,
            "{path}: the screenshot is the phone's width"
        );
    }
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn the_workspace_records_results_one_by_one_and_by_csv_and_shows_the_qr_codes() {
    let app = spawn_app().await;
    let city = app.world().await;
    let issuer = city.institution().await;
    let course = issuer.course(NewCourse::host()).await;
    let (one, other) = (resident_id(), resident_id());
    for (name, id) in [("陈一", &one), ("陈二", &other)] {
        let trainee = issuer.person(name, id).await;
        enrolled(&app, &issuer.admin, &trainee, &course).await;
    }
    let csv = temp_csv(&format!(
        "身份证号,是否通过,成绩\n{other},通过,88\n{},通过,90\n",
        resident_id()
    ));
    let browser = workspace_course(&app, &issuer.admin, &course).await;

    browser.type_into("#r-id", &one).await;
    browser.type_into("#r-score", "75").await;
    browser.click("#result-one button").await;
    let by_hand = browser.text_of("#results-result p").await;
    browser
        .wait_until(
            "return document.querySelectorAll('#certificates img.qr').length === 1;",
            json!([]),
        )
        .await;
    browser.choose_file("#results-file", &csv).await;
    browser.click("#results-upload button").await;
    let by_file = browser
        .wait_until(
            "var p = document.querySelector('#results-result p'); return p && p.innerText.indexOf('被拒绝 1 行') >= 0 && document.getElementById('results-result').innerText;",
            json!([]),
        )
        .await;
    let qr_codes = browser
        .wait_until(
            "var imgs = document.querySelectorAll('#certificates img.qr');
             return imgs.length === 2 && Array.from(imgs).every(function (i) { return i.complete && i.naturalWidth > 0; }) && imgs.length;",
            json!([]),
        )
        .await;
    let logs = browser.severe_logs().await;
    browser.close().await;
    let _ = std::fs::remove_file(&csv);

    assert!(by_hand.contains("通过 1 人"), "{by_hand}");
    let by_file = by_file.as_str().unwrap();
    assert!(by_file.contains("通过 1 人"), "{by_file}");
    let refused: Vec<&str> = by_file.lines().last().unwrap().split('\t').collect();
    assert_eq!(refused[0], "3", "the unknown person is line 3: {by_file}");
    assert_eq!(qr_codes, 2);
    assert!(logs.is_empty(), "console errors: {logs:?}");
}

#[tokio::test]
#[ignore = "needs headless Chromium and chromedriver; .ci/run installs them"]
async fn an_institution_sees_its_own_share_on_the_dashboard() {
    let app = spawn_app().await;
    let city = app.world().await;
    city.programme(10, 10).await;
    let (ours, theirs) = (city.institution().await, city.institution().await);
    for (institution, people) in [(&ours, 1), (&theirs, 3)] {
        let course = institution.course(NewCourse::host()).await;
        for _ in 0..people {
            certify(
                &app,
                &institution.admin,
                &institution.trainee().await,
                &course,
            )
            .await;
        }
    }
    let browser = Browser::start(1280, 900).await;

    signed_in(&browser, &app, "/dashboard", &ours.admin).await;
    let hosts = browser
        .text_of(".goal[data-kind=CERTIFIED_HOSTS] .achieved")
        .await;
    let bars = browser
        .run(
            "return document.querySelectorAll('.goal').length;",
            json!([]),
        )
        .await;
    let scope = browser.text_of("#scope").await;
    browser.close().await;

    let api = app
        .graphql_as(
            Some(&ours.admin),
            "{ programmeProgress { goals { kind achieved } } }",
            json!({}),
        )
        .await;
    let goals = api.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(hosts, "1", "its own share, not the city's 4");
    assert_eq!(goals[0]["achieved"], 1.0);
    assert_eq!(
        bars,
        goals.len(),
        "the goals the API answers an institution"
    );
    assert_eq!(scope, ours.name);
}
