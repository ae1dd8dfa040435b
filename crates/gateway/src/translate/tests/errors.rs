//! Bad caller requests: each error names the field.

use serde_json::{Value, json};

use super::PNG_B64;
use crate::translate::{TranslateError, anthropic, openai};

fn oai(body: Value) -> TranslateError {
    openai::parse_request(body.to_string().as_bytes()).unwrap_err()
}

fn anth(body: Value) -> TranslateError {
    anthropic::parse_request(body.to_string().as_bytes()).unwrap_err()
}

fn invalid_field(err: &TranslateError) -> &str {
    match err {
        TranslateError::InvalidField { field, .. } => field,
        other => panic!("expected InvalidField, got {other:?}"),
    }
}

fn user(content: Value) -> Value {
    json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": content}]})
}

#[test]
fn no_messages() {
    assert_eq!(
        oai(json!({"model": "m", "messages": []})),
        TranslateError::NoMessages
    );
    assert_eq!(
        anth(json!({"model": "m", "max_tokens": 5, "messages": []})),
        TranslateError::NoMessages
    );
    assert_eq!(
        oai(json!({"model": "m"})),
        TranslateError::MissingField {
            field: "messages".into()
        }
    );
    assert_eq!(
        anth(json!({"messages": [{"role": "user", "content": "x"}]})),
        TranslateError::MissingField {
            field: "model".into()
        }
    );
    assert_eq!(TranslateError::NoMessages.field(), Some("messages"));
}

#[test]
fn bad_roles() {
    let err = oai(
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}, {"role": "robot", "content": "x"}]}),
    );
    assert_eq!(
        err,
        TranslateError::UnknownRole {
            field: "messages[1].role".into(),
            role: "robot".into()
        }
    );
    assert!(err.is_caller_error());
    assert_eq!(
        err.to_string(),
        "invalid field `messages[1].role`: unknown role `robot`"
    );
    let err = anth(
        json!({"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}),
    );
    assert_eq!(
        err,
        TranslateError::UnknownRole {
            field: "messages[0].role".into(),
            role: "system".into()
        }
    );
    let err = oai(json!({"model": "m", "messages": [{"content": "x"}]}));
    assert_eq!(
        err,
        TranslateError::MissingField {
            field: "messages[0].role".into()
        }
    );
}

#[test]
fn max_tokens_must_be_positive() {
    for bad in [json!(-5), json!(0), json!(1.5), json!("100")] {
        let mut body = user(json!("x"));
        body["max_tokens"] = bad.clone();
        assert_eq!(invalid_field(&oai(body.clone())), "max_tokens", "{bad}");
        assert_eq!(invalid_field(&anth(body)), "max_tokens", "{bad}");
    }
    let body = json!({"model": "m", "max_completion_tokens": -1, "messages": [{"role": "user", "content": "x"}]});
    assert_eq!(invalid_field(&oai(body)), "max_completion_tokens");
}

#[test]
fn malformed_image_urls() {
    let field = "messages[0].content[1].image_url.url";
    for url in [
        "data:image/png,rawbytes".to_owned(),
        format!("data:text/plain;base64,{PNG_B64}"),
        "data:image/png;base64,not*base64!".to_owned(),
        "data:image/png;base64".to_owned(),
        "ftp://example.com/a.png".to_owned(),
        "https://".to_owned(),
        "cat.png".to_owned(),
    ] {
        let err = oai(user(
            json!([{"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": url}}]),
        ));
        assert_eq!(invalid_field(&err), field, "{url}");
    }
    let err = anth(user(
        json!([{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "%%%"}}]),
    ));
    assert_eq!(invalid_field(&err), "messages[0].content[0].source.data");
    let err = anth(user(
        json!([{"type": "image", "source": {"type": "url", "url": "file:///etc/passwd"}}]),
    ));
    assert_eq!(invalid_field(&err), "messages[0].content[0].source.url");
}

#[test]
fn wrong_content_types() {
    assert_eq!(invalid_field(&oai(user(json!(42)))), "messages[0].content");
    assert_eq!(
        invalid_field(&anth(user(json!({"text": "x"})))),
        "messages[0].content"
    );
    assert_eq!(
        invalid_field(&oai(user(json!([{"type": "video", "url": "x"}])))),
        "messages[0].content[0].type"
    );
    assert_eq!(
        invalid_field(&oai(user(json!(["just a string"])))),
        "messages[0].content[0]"
    );
    assert_eq!(
        invalid_field(&oai(user(json!([{"type": "text", "text": 5}])))),
        "messages[0].content[0].text"
    );
    let err = oai(user(
        json!([{"type": "input_audio", "input_audio": {"data": "x", "format": "wav"}}]),
    ));
    assert!(
        matches!(&err, TranslateError::Unsupported { field, .. } if field == "messages[0].content[0].type"),
        "{err:?}"
    );
    let err = anth(user(
        json!([{"type": "document", "source": {"type": "text", "data": "x"}}]),
    ));
    assert!(matches!(err, TranslateError::Unsupported { .. }), "{err:?}");
    // Images from the assistant, tool use from the user.
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}]}
    ]});
    assert_eq!(invalid_field(&oai(body)), "messages[1].content[0].type");
    let err = anth(user(
        json!([{"type": "tool_use", "id": "t", "name": "f", "input": {}}]),
    ));
    assert_eq!(invalid_field(&err), "messages[0].content[0].type");
    let body = json!({"model": "m", "max_tokens": 5, "messages": [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f", "input": "{}"}]}
    ]});
    assert_eq!(invalid_field(&anth(body)), "messages[0].content[0].input");
}

#[test]
fn tools_and_options() {
    let base = || json!({"model": "m", "messages": [{"role": "user", "content": "x"}]});
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    let err = oai(with("tools", json!([{"type": "web_search"}])));
    assert!(
        matches!(&err, TranslateError::Unsupported { field, .. } if field == "tools[0].type"),
        "{err:?}"
    );
    let err = oai(with(
        "tools",
        json!([{"type": "function", "function": {"description": "no name"}}]),
    ));
    assert_eq!(
        err,
        TranslateError::MissingField {
            field: "tools[0].function.name".into()
        }
    );
    let err = anth(with(
        "tools",
        json!([{"type": "web_search_20250305", "name": "web_search"}]),
    ));
    assert!(matches!(err, TranslateError::Unsupported { .. }), "{err:?}");
    assert_eq!(invalid_field(&oai(with("stop", json!(5)))), "stop");
    assert_eq!(
        invalid_field(&anth(with("stop_sequences", json!("END")))),
        "stop_sequences"
    );
    assert_eq!(
        invalid_field(&oai(with("temperature", json!(3)))),
        "temperature"
    );
    assert_eq!(invalid_field(&oai(with("top_p", json!("high")))), "top_p");
    assert_eq!(invalid_field(&oai(with("stream", json!("yes")))), "stream");
    assert_eq!(
        invalid_field(&oai(with("tool_choice", json!("sometimes")))),
        "tool_choice"
    );
    assert_eq!(
        invalid_field(&anth(with("tool_choice", json!({"type": "maybe"})))),
        "tool_choice.type"
    );
    assert_eq!(invalid_field(&oai(with("model", json!(" ")))), "model");
    assert_eq!(invalid_field(&oai(with("model", json!(7)))), "model");
}

#[test]
fn tool_messages() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"}, {"role": "tool", "content": "r"}]});
    assert_eq!(
        oai(body),
        TranslateError::MissingField {
            field: "messages[1].tool_call_id".into()
        }
    );
    let body = json!({"model": "m", "messages": [
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": 5}}]}
    ]});
    assert_eq!(
        invalid_field(&oai(body)),
        "messages[0].tool_calls[0].function.arguments"
    );
    let body = json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "tool_result", "content": "r"}]}]});
    assert_eq!(
        anth(body),
        TranslateError::MissingField {
            field: "messages[0].content[0].tool_use_id".into()
        }
    );
}

#[test]
fn not_json() {
    let err = openai::parse_request(b"{\"model\": ").unwrap_err();
    assert!(matches!(err, TranslateError::InvalidJson(_)), "{err:?}");
    assert_eq!(invalid_field(&oai(json!([1, 2]))), "body");
}
