//! The pages for people over plain HTTP (no JavaScript): `/verify` and its QR codes,
//! `Certificate.verificationUrl`, the security headers of every route, the language switch.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::fixtures::{NewCourse, trainee_account};
use crate::support::flows::certify;
use crate::support::ids::resident_id;
use crate::support::reads::verify;

/// A certificate of 张三丰; returns its number and the issuer's name.
async fn certificate(app: &TestApp) -> (String, String) {
    let city = app.world().await;
    let issuer = city.institution_in("南山").await;
    let course = issuer.course(NewCourse::professional().level(4)).await;
    let trainee = issuer.person("张三丰", &resident_id()).await;
    (
        certify(app, &issuer.admin, &trainee, &course).await,
        issuer.name,
    )
}

/// `GET path` on the app: status, headers and body.
async fn get(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn verify_page(app: &TestApp, number: &str, name: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}/verify", app.address))
        .query(&[("number", number), ("name", name)])
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The answer block of a verify page (`<div … id="verify-answer" …>…</div>`).
fn answer_of(page: &str) -> &str {
    let start = page.find("id=\"verify-answer\"").expect("an answer block");
    let end = page[start..]
        .find("<form")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[tokio::test]
async fn the_verify_page_answers_a_plain_get_with_the_masked_certificate() {
    let app = spawn_app().await;
    let (number, issuer) = certificate(&app).await;

    let (status, page) = verify_page(&app, &number, "张三丰").await;

    assert_eq!(status, StatusCode::OK);
    let answer = answer_of(&page);
    for shown in [
        "证书有效",
        "张**",
        &number,
        &issuer,
        "直播电商专业人才",
        "4 级",
        "培训结业证书",
    ] {
        assert!(answer.contains(shown), "{shown} missing from {answer}");
    }
    assert!(
        !answer.contains("张三丰"),
        "the full name is never answered: {answer}"
    );
    assert!(answer.contains(&format!("/verify/qr.svg?number={number}")));
}

#[tokio::test]
async fn a_wrong_name_and_an_unknown_number_get_the_same_neutral_answer() {
    let app = spawn_app().await;
    let (number, _) = certificate(&app).await;

    let (wrong_status, wrong_name) = verify_page(&app, &number, "李四").await;
    let (unknown_status, unknown) = verify_page(&app, "P2025-AAAAA-BBBBB", "张三丰").await;
    let (_, malformed) = verify_page(&app, "not a number", "张三丰").await;

    assert_eq!(wrong_status, StatusCode::OK);
    assert_eq!(unknown_status, StatusCode::OK);
    assert!(answer_of(&wrong_name).contains("未找到该证书，或姓名与证书不符。"));
    assert_eq!(answer_of(&wrong_name), answer_of(&unknown));
    assert_eq!(answer_of(&wrong_name), answer_of(&malformed));
}

#[tokio::test]
async fn past_the_limit_the_page_says_try_again_later_with_429_sharing_the_api_limit() {
    let app = spawn_app_with(|s| s.verify_per_minute = 2).await;
    let (number, _) = certificate(&app).await;

    let by_api = verify(&app, &number, "张三丰").await;
    let (first, _) = verify_page(&app, &number, "张三丰").await;
    let response = app
        .client
        .get(format!("{}/verify", app.address))
        .query(&[
            ("number", number.as_str()),
            ("name", "张三丰"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(by_api.data()["verifyCertificate"]["valid"], true);
    assert_eq!(first, StatusCode::OK);
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    let page = response.text().await.unwrap();
    assert!(
        answer_of(&page).contains("Please try again later"),
        "{page}"
    );
    let (_, again) = verify_page(&app, &number, "张三丰").await;
    assert!(answer_of(&again).contains("请稍后再试"));
}

#[tokio::test]
async fn an_empty_field_is_named_in_an_error_summary_and_a_number_alone_asks_for_the_name() {
    let app = spawn_app().await;

    let (status, page) = verify_page(&app, "", "").await;
    let (alone, _, asks) = get(&app, "/verify?number=H2025-AK9X3-VYFPS").await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("href=\"#number\"") && page.contains("href=\"#name\""),
        "{page}"
    );
    assert_eq!(alone, StatusCode::OK);
    assert!(asks.contains("请输入持证人姓名以完成查验"));
    assert!(asks.contains("value=\"H2025-AK9X3-VYFPS\""));
}

#[tokio::test]
async fn the_trainee_sees_the_verification_url_under_the_public_address() {
    let app = spawn_app_with(|s| s.public_url = "https://talent.example.gov.cn".to_owned()).await;
    let city = app.world().await;
    let issuer = city.institution().await;
    let (trainee, token) = trainee_account(&app, &issuer.admin).await;
    let course = issuer.course(NewCourse::host()).await;
    let number = certify(&app, &issuer.admin, &trainee, &course).await;

    let mine = app
        .graphql_as(
            Some(&token),
            "{ myCertificates { number verificationUrl } }",
            json!({}),
        )
        .await;

    assert_eq!(
        mine.data()["myCertificates"][0]["verificationUrl"],
        format!("https://talent.example.gov.cn/verify?number={number}")
    );
}

#[tokio::test]
async fn the_qr_code_is_an_svg_and_a_missing_or_malformed_number_is_refused() {
    let app = spawn_app().await;

    let (status, headers, svg) = get(&app, "/verify/qr.svg?number=H2025-AK9X3-VYFPS").await;
    let (missing, _, missing_body) = get(&app, "/verify/qr.svg").await;
    let (malformed, _, malformed_body) = get(&app, "/verify/qr.svg?number=%3Cscript%3E").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(missing, StatusCode::BAD_REQUEST);
    assert!(missing_body.starts_with("BAD_USER_INPUT"), "{missing_body}");
    assert_eq!(malformed, StatusCode::BAD_REQUEST);
    assert!(
        malformed_body.starts_with("BAD_USER_INPUT"),
        "{malformed_body}"
    );
}

#[tokio::test]
async fn every_route_carries_the_content_security_policy_and_no_referrer() {
    let app = spawn_app().await;
    let paths = [
        "/",
        "/verify",
        "/verify?number=x&name=y",
        "/verify/qr.svg",
        "/dashboard",
        "/workspace",
        "/graphql",
        "/graphql?query=%7B__typename%7D",
        "/healthz",
        "/readyz",
        "/exports/stats.csv",
        "/assets/pages.css",
        "/assets/common.js",
        "/no-such-page",
    ];
    for path in paths {
        let (_, headers, _) = get(&app, path).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("http") && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    let post = app.graphql("{ __typename }", json!({})).await;
    assert!(post.body["data"].is_object());
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn pages_load_scripts_and_styles_from_this_server_only_and_inline_none() {
    let app = spawn_app().await;
    for path in ["/", "/verify", "/dashboard", "/workspace", "/graphql"] {
        let (status, headers, page) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{path} names another host"
        );
        assert!(!page.contains("style="), "{path} has an inline style");
        for script in page.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src=\"/assets/"),
                "{path}: inline script {script}"
            );
        }
        let assets = page
            .split("\"/assets/")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()]);
        for asset in assets {
            let (status, _, _) = get(&app, &format!("/assets/{asset}")).await;
            assert_eq!(status, StatusCode::OK, "{path} loads /assets/{asset}");
        }
    }
}

#[tokio::test]
async fn pages_are_chinese_by_default_and_english_with_lang_en_with_a_switch() {
    let app = spawn_app().await;

    let (_, _, chinese) = get(&app, "/verify?number=H2025-AK9X3-VYFPS").await;
    let (_, _, english) = get(&app, "/verify?number=H2025-AK9X3-VYFPS&lang=en").await;

    assert!(chinese.contains("<html lang=\"zh-CN\">") && chinese.contains("证书查验"));
    assert!(
        chinese.contains("href=\"/verify?number=H2025-AK9X3-VYFPS&amp;lang=en\""),
        "{chinese}"
    );
    assert!(english.contains("<html lang=\"en\">") && english.contains("Check a certificate"));
    assert!(
        english.contains("href=\"/verify?number=H2025-AK9X3-VYFPS\""),
        "{english}"
    );
    assert!(
        english.contains("name=\"lang\" value=\"en\""),
        "the form keeps the language"
    );
    for path in ["/", "/dashboard", "/workspace"] {
        let (_, _, page) = get(&app, &format!("{path}?lang=en")).await;
        assert!(page.contains(">中文</a>"), "{path} has a switch");
    }
}

#[tokio::test]
async fn the_page_shows_what_the_api_answers_for_the_same_check() {
    let app = spawn_app().await;
    let city = app.world().await;
    let issuer = city.institution().await;
    let trainee = issuer.person("王五", &resident_id()).await;
    let course = issuer.course(NewCourse::host()).await;
    let number = certify(&app, &issuer.admin, &trainee, &course).await;

    let api = app
        .graphql(
            "query($n: String!) { verifyCertificate(number: $n, holderName: \"王五\") { holderNameMasked issuer issuedOn } }",
            json!({ "n": number }),
        )
        .await;
    let (_, page) = verify_page(&app, &number, "王五").await;

    let answer = &api.data()["verifyCertificate"];
    for field in ["holderNameMasked", "issuer", "issuedOn"] {
        let value = answer[field].as_str().unwrap();
        assert!(answer_of(&page).contains(value), "{field} {value}");
    }
}
