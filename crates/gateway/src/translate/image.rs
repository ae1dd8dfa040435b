//! Image references: OpenAI `image_url.url` strings (http(s) URLs or base64 `data:` URLs)
//! and their conversions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Image, TranslateError};

/// An OpenAI `image_url.url`: `data:image/<type>[;params];base64,<data>` or an `http(s)`
/// URL. Base64 data is checked (standard alphabet, padded); anything else is an error.
pub(crate) fn parse_url(url: &str, field: &str) -> Result<Image, TranslateError> {
    if let Some(rest) = url.strip_prefix("data:") {
        let (meta, data) = rest.split_once(',').ok_or_else(|| {
            TranslateError::invalid(field, "a data URL needs a `,` before its data")
        })?;
        let mut params = meta.split(';');
        let media_type = params
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !params.any(|p| p.trim().eq_ignore_ascii_case("base64")) {
            return Err(TranslateError::invalid(
                field,
                "a data URL image must be base64-encoded",
            ));
        }
        return base64_image(media_type, data.trim(), field);
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(TranslateError::invalid(
            field,
            "expected an http(s) URL or a base64 `data:image/...` URL",
        ));
    };
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(TranslateError::invalid(field, "not a valid URL"));
    }
    Ok(Image::Url(url.to_owned()))
}

/// A base64 image (Anthropic `source` of type `base64`, or a data URL's payload).
pub(crate) fn base64_image(
    media_type: String,
    data: &str,
    field: &str,
) -> Result<Image, TranslateError> {
    if !media_type.starts_with("image/") || media_type.len() == "image/".len() {
        return Err(TranslateError::invalid(
            field,
            format!("media type `{media_type}` is not an image type"),
        ));
    }
    if data.is_empty() || STANDARD.decode(data).is_err() {
        return Err(TranslateError::invalid(
            field,
            "image data is not valid base64",
        ));
    }
    Ok(Image::Base64 {
        media_type,
        data: data.to_owned(),
    })
}

/// The `data:` URL of a base64 image.
pub(crate) fn data_url(media_type: &str, data: &str) -> String {
    format!("data:{media_type};base64,{data}")
}

/// The OpenAI `image_url.url` of an image.
pub(crate) fn to_url(image: &Image) -> String {
    match image {
        Image::Url(url) => url.clone(),
        Image::Base64 { media_type, data } => data_url(media_type, data),
    }
}

/// A media type for a URL, by its extension (Gemini wants one with every file reference);
/// `image/jpeg` when the extension says nothing.
pub(crate) fn guess_media_type(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match ext {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        _ => "image/jpeg",
    }
}
