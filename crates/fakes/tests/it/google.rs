use std::collections::HashSet;

use aiproviders_fakes::{FakeUpstreams, GOOGLE_EMBEDDING_ONLY_MODELS};

use crate::{client, enc, get_json};

#[tokio::test]
async fn pagination_spans_pages_and_last_page_has_no_token() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.google.url();
    let (mut names, mut pages, mut token) = (Vec::new(), 0, None::<String>);
    loop {
        let mut url = format!("{base}/v1beta/models?pageSize=1000");
        if let Some(t) = &token {
            url.push_str(&format!("&pageToken={}", enc(t)));
        }
        let (status, headers, body) =
            get_json(client().get(url).header("x-goog-api-key", "AIzaGood")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/json");
        pages += 1;
        let models = body["models"].as_array().unwrap();
        assert!(models.len() <= 15);
        names.extend(
            models
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_owned()),
        );
        match body.get("nextPageToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(names.len(), 40);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 40);
    assert!(names.iter().all(|n| n.starts_with("models/")));
    assert_eq!(names[0], "models/gemini-2.5-pro");
    assert_eq!(names[39], "models/gemini-test-032");
    assert_eq!(fakes.google.list_fetches("/v1beta/models"), 1);
    let requests = fakes.google.requests();
    assert_eq!(requests.len(), pages);
    assert_eq!(requests[0].header("x-goog-api-key"), Some("AIzaGood"));
    assert!(requests[1].query_param("pageToken").is_some());
}

#[tokio::test]
async fn fields_key_param_and_single_model() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.google.url();
    let (status, _, body) =
        get_json(client().get(format!("{base}/v1beta/models?key=AIzaQuery&pageSize=10"))).await;
    assert_eq!(status, 200);
    let models = body["models"].as_array().unwrap();
    let flash = models
        .iter()
        .find(|m| m["name"] == "models/gemini-2.5-flash")
        .unwrap();
    for field in [
        "displayName",
        "description",
        "inputTokenLimit",
        "outputTokenLimit",
        "temperature",
        "topP",
        "topK",
        "maxTemperature",
    ] {
        assert!(flash.get(field).is_some(), "{field}");
    }
    assert_eq!(flash["thinking"], true);
    for id in GOOGLE_EMBEDDING_ONLY_MODELS {
        let m = models
            .iter()
            .find(|m| m["name"] == format!("models/{id}"))
            .unwrap();
        let methods = m["supportedGenerationMethods"].as_array().unwrap();
        assert!(methods.iter().all(|x| x != "generateContent"), "{id}");
        assert!(methods.iter().any(|x| x == "embedContent"), "{id}");
    }
    assert_eq!(
        fakes.google.requests()[0].query_param("key").as_deref(),
        Some("AIzaQuery")
    );

    let (status, _, one) = get_json(
        client()
            .get(format!("{base}/v1beta/models/gemma-3-27b-it"))
            .header("x-goog-api-key", "k"),
    )
    .await;
    assert_eq!(
        (status, one["name"].as_str()),
        (200, Some("models/gemma-3-27b-it"))
    );
}

#[tokio::test]
async fn revoked_and_missing_keys_have_google_shape() {
    let fakes = FakeUpstreams::start().await;
    let url = format!("{}/v1beta/models", fakes.google.url());
    let (status, _, body) =
        get_json(client().get(&url).header("x-goog-api-key", "AIza-revoked")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(body["error"]["details"][0]["reason"], "API_KEY_INVALID");

    let (status, _, body) = get_json(client().get(format!("{url}?key=revoked"))).await;
    assert_eq!(
        (status, body["error"]["details"][0]["reason"].as_str()),
        (400, Some("API_KEY_INVALID"))
    );

    let (status, _, body) = get_json(client().get(&url)).await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );

    let (status, _, body) = get_json(
        client()
            .get(format!("{url}?pageToken=bogus"))
            .header("x-goog-api-key", "k"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (400, Some("INVALID_ARGUMENT"))
    );
}
