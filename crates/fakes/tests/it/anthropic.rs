use std::collections::HashSet;

use aiproviders_fakes::{ANTHROPIC_REAL_MODELS, Dataset, FakeUpstreams, anthropic_test_model_id};

use crate::{client, get_json};

#[tokio::test]
async fn pagination_spans_pages_and_lists_every_model_once() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.anthropic.url();
    let (mut ids, mut pages, mut after) = (Vec::new(), 0, None::<String>);
    loop {
        let mut url = format!("{base}/v1/models?limit=1000");
        if let Some(a) = &after {
            url.push_str(&format!("&after_id={a}"));
        }
        let req = client()
            .get(url)
            .header("x-api-key", "sk-ant-api03-good")
            .header("anthropic-version", "2023-06-01");
        let (status, headers, body) = get_json(req).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/json");
        assert!(headers["request-id"].to_str().unwrap().starts_with("req_"));
        pages += 1;
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= 20);
        ids.extend(data.iter().map(|m| m["id"].as_str().unwrap().to_owned()));
        assert_eq!(body["first_id"], data[0]["id"]);
        assert_eq!(body["last_id"], data[data.len() - 1]["id"]);
        if !body["has_more"].as_bool().unwrap() {
            break;
        }
        after = Some(body["last_id"].as_str().unwrap().to_owned());
    }
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(ids.len(), 45);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 45);
    assert_eq!(ids[0], ANTHROPIC_REAL_MODELS[0].0);
    assert_eq!(ids[44], anthropic_test_model_id(37));
    let expected: Vec<String> = Dataset::default()
        .anthropic_catalog()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(fakes.anthropic.list_fetches("/v1/models"), 1);
    assert_eq!(fakes.anthropic.requests().len(), pages);
    let first = &fakes.anthropic.requests()[0];
    assert_eq!(first.header("X-Api-Key"), Some("sk-ant-api03-good"));
    assert_eq!(first.query_param("limit").as_deref(), Some("1000"));
}

#[tokio::test]
async fn models_with_and_without_newer_fields_and_single_lookup() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.anthropic.url();
    let get = |path: String| {
        client()
            .get(format!("{base}{path}"))
            .bearer_auth("token")
            .header("anthropic-version", "2023-06-01")
    };
    let (_, _, page) = get_json(get("/v1/models?limit=8".into())).await;
    let data = page["data"].as_array().unwrap();
    let with = data
        .iter()
        .filter(|m| m.get("capabilities").is_some())
        .count();
    assert!((3..=5).contains(&with), "{with} of 8 carry capabilities");
    assert!(data.iter().all(|m| m["type"] == "model"
        && m["display_name"].is_string()
        && m["created_at"].is_string()));
    let sonnet = data
        .iter()
        .find(|m| m["id"] == "claude-sonnet-4-5-20250929")
        .unwrap();
    assert_eq!(
        sonnet["capabilities"]["thinking"]["types"]["enabled"]["supported"],
        true
    );
    assert_eq!(sonnet["max_input_tokens"], 200_000);

    let (status, _, one) = get_json(get("/v1/models/claude-3-haiku-20240307".into())).await;
    assert_eq!(
        (status, one["display_name"].as_str()),
        (200, Some("Claude Haiku 3"))
    );
    assert_eq!(one["capabilities"]["pdf_input"]["supported"], false);
    let (status, _, err) = get_json(get("/v1/models/nope".into())).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (404, Some("not_found_error"))
    );

    // Paging backwards from the 3rd model gives the 2 before it.
    let (_, _, page2) = get_json(get("/v1/models?limit=3".into())).await;
    let (_, _, back) = get_json(get(format!(
        "/v1/models?limit=2&before_id={}",
        page2["last_id"].as_str().unwrap()
    )))
    .await;
    assert_eq!(back["data"].as_array().unwrap().len(), 2);
    assert_eq!(back["has_more"], false);
    assert_eq!(back["first_id"], page2["first_id"]);
}

#[tokio::test]
async fn auth_and_version_errors_have_anthropic_shape() {
    let fakes = FakeUpstreams::start().await;
    let url = format!("{}/v1/models", fakes.anthropic.url());
    let (status, headers, body) = get_json(
        client()
            .get(&url)
            .header("x-api-key", "sk-ant-revoked-1")
            .header("anthropic-version", "2023-06-01"),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");
    assert_eq!(
        body["request_id"].as_str(),
        headers["request-id"].to_str().ok()
    );

    let (status, _, body) =
        get_json(client().get(&url).header("anthropic-version", "2023-06-01")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (401, Some("authentication_error"))
    );

    let (status, _, body) = get_json(client().get(&url).header("x-api-key", "k")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (400, Some("invalid_request_error"))
    );

    let (status, _, body) = get_json(
        client()
            .get(format!("{url}?limit=0"))
            .header("x-api-key", "k")
            .header("anthropic-version", "2023-06-01"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (400, Some("invalid_request_error"))
    );
}
