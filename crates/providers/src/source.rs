//! The one trait every provider adapter implements, and the shared page-following loop.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use aiproviders_domain::{ApiKey, Model, ProviderId};

use crate::UpstreamError;
use crate::http::Http;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where one provider's models come from.
pub(crate) trait ModelSource: Send + Sync {
    /// Every model the credential can use, all pages.
    fn list_models<'a>(
        &'a self,
        http: &'a Http,
        credential: Option<&'a ApiKey>,
    ) -> BoxFuture<'a, Result<Vec<Model>, UpstreamError>>;

    /// A cheap call that succeeds when the provider accepts the credential.
    fn probe_key<'a>(
        &'a self,
        http: &'a Http,
        credential: &'a ApiKey,
    ) -> BoxFuture<'a, Result<(), UpstreamError>>;
}

/// One page of a listing and the cursor of the next one, if there is one.
pub(crate) struct Page {
    pub models: Vec<Model>,
    pub next: Option<String>,
}

/// Pages followed per listing at most.
pub(crate) const MAX_PAGES: usize = 100;

/// Fetches pages until one has no next cursor, a cursor repeats, or [`MAX_PAGES`] were read.
pub(crate) async fn follow_pages<F, Fut>(
    provider: ProviderId,
    mut fetch: F,
) -> Result<Vec<Model>, UpstreamError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page, UpstreamError>>,
{
    let mut models = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = fetch(cursor.take()).await?;
        models.extend(page.models);
        match page.next {
            Some(next) if seen.insert(next.clone()) => cursor = Some(next),
            Some(_) => {
                tracing::warn!(%provider, "model listing repeated a page cursor; stopping there");
                return Ok(models);
            }
            None => return Ok(models),
        }
    }
    tracing::warn!(%provider, pages = MAX_PAGES, "model listing has more pages; stopping there");
    Ok(models)
}

/// The error for a provider that needs a credential called without one.
pub(crate) fn needs_credential(provider: ProviderId) -> UpstreamError {
    UpstreamError::Unsupported {
        provider,
        what: "listing models without a credential",
    }
}
