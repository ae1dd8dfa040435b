//! Fake Anthropic, Google Gemini, OpenRouter and Deco AI Gateway servers for integration tests
//! and benchmarks. Each fake listens on its own `127.0.0.1` port and answers with payloads
//! shaped like the real provider's (see `provider-apis.md` §1–3), precomputed at start so a
//! fake's own cost stays negligible.
//!
//! ```no_run
//! # async fn demo() {
//! use aiproviders_fakes::{Behavior, FakeUpstreams};
//! let fakes = FakeUpstreams::start().await;
//! fakes.google.set_behavior(Behavior::RateLimited { retry_after_seconds: 7 });
//! let env = fakes.env(); // pass to the aiproviders binary
//! # let _ = env;
//! # }
//! ```
//!
//! Credentials: any non-empty one is accepted unless it contains `revoked`, which gets the
//! provider's "bad key" answer ([`Behavior::Unauthorized`]; on the Deco balance and top-up
//! routes 401 `{"error":"unauthorized"}`), on every route that looks at keys. So keys issued by
//! the OAuth fakes work everywhere.
//!
//! OAuth: the consent URLs ([`consent`] plays the browser) answer 302 to the callback with a
//! single-use `code` bound to the `code_challenge`; the exchange issues a key only when
//! `base64url(sha256(code_verifier))` equals that challenge. Any refused exchange (unknown,
//! used, expired code or wrong verifier) burns the code. Codes live 10 minutes
//! ([`FakeServer::set_code_ttl`]).
//!
//! Inference: Anthropic `POST /v1/messages`, Gemini `POST /v1beta/models/{id}:generateContent`
//! and `:streamGenerateContent` (`?alt=sse`: SSE, otherwise a JSON array of the chunks), and
//! OpenRouter/Deco `POST /api/v1/chat/completions`, each for the models of its own catalog
//! only (anything else: the provider's 404). The answer is a pure function of the request:
//! 1. the last user turn carries a tool result (Anthropic `tool_result`, Gemini
//!    `functionResponse`, OpenAI a final `tool` message) → text `"tool said: <content>"`;
//! 2. else tools are declared and the last user text contains `weather` (any case) → a call
//!    of the first tool with arguments `{"city":"Paris"}` (ids `toolu_<n>` / `call_<n>`);
//! 3. else an image is present anywhere → text `"I see an image (<media type or URL>)"`;
//! 4. else → text `"echo: <text of the last user message>"` (text parts joined with `\n`).
//!
//! The text is cut before the earliest stop sequence (Anthropic `stop_reason: stop_sequence`,
//! Gemini `STOP`, OpenAI `stop`), then to `max_tokens × 4` characters when it is longer than
//! `max_tokens` tokens (`max_tokens` / `MAX_TOKENS` / `length`). Tokens: input = characters of
//! every text of the request (system prompt, all messages, tool results) / 4, output = answer
//! characters (a tool call: its 16-character arguments) / 4, both at least 1. `<n>` numbers a
//! fake's answers from 1 (`msg_<n>`, `gen-<n>`, `fake-<n>`), back to 1 on reset. Streams send
//! text in pieces of 8 characters. [`FakeServer::reported_usage`] lists what each complete
//! answer reported; [`FakeServer::set_cached_tokens`] sets the cached prompt tokens; and
//! [`Behavior::FailMidStream`] breaks a stream after some events.

mod account;
mod anthropic;
mod behavior;
mod browser;
mod chat;
mod dataset;
mod deco;
mod google;
mod oauth;
mod openrouter;
mod server;

pub use behavior::{Behavior, RecordedRequest};
pub use browser::{callback_param, consent};
pub use dataset::{
    ANTHROPIC_REAL_MODELS, Dataset, GOOGLE_EMBEDDING_ONLY_MODELS, GOOGLE_REAL_MODELS,
    anthropic_test_model_id, google_test_model_id, openrouter_catalog_entry, usd_per_token,
};
pub use server::FakeServer;

use openrouter::Flavor;

impl FakeServer {
    /// An Anthropic fake: `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/messages`.
    pub async fn anthropic(dataset: &Dataset) -> Self {
        let catalog = dataset.anthropic_catalog();
        Self::spawn(|account| {
            anthropic::Anthropic::new(account, &catalog, dataset.anthropic_page_cap)
        })
        .await
    }

    /// A Gemini fake: `GET /v1beta/models`, `GET /v1beta/models/{id}`,
    /// `POST /v1beta/models/{id}:generateContent` and `:streamGenerateContent`.
    pub async fn google(dataset: &Dataset) -> Self {
        let catalog = dataset.google_catalog();
        Self::spawn(|account| google::Google::new(account, &catalog, dataset.google_page_cap)).await
    }

    /// An OpenRouter fake: `POST /api/v1/chat/completions`, `GET /api/v1/models`,
    /// `/api/v1/key`, `/api/v1/auth/key`, `/api/v1/credits`, and OAuth PKCE: `GET /auth` (the consent page, which redirects at
    /// once to `callback_url` + `code`) and `POST /api/v1/auth/keys` (the exchange).
    pub async fn openrouter(dataset: &Dataset) -> Self {
        let catalog = dataset.openrouter_catalog();
        Self::spawn(|account| openrouter::OpenRouter::new(Flavor::OpenRouter, account, &catalog))
            .await
    }

    /// A Deco AI Gateway fake: `POST /api/v1/chat/completions` and `GET /api/v1/models`
    /// (Bearer required), OAuth PKCE
    /// (`GET /oauth/authorize`, `POST /oauth/token`), `GET /api/teams/{organizationId}/balance`
    /// and `POST /api/credits/topup`.
    pub async fn deco(dataset: &Dataset) -> Self {
        let catalog = dataset.deco_catalog();
        Self::spawn(|account| openrouter::OpenRouter::new(Flavor::Deco, account, &catalog)).await
    }
}

/// The four fakes, each on its own port. Dropping the last clone of a fake stops it.
#[derive(Debug, Clone)]
pub struct FakeUpstreams {
    pub anthropic: FakeServer,
    pub google: FakeServer,
    pub openrouter: FakeServer,
    pub deco: FakeServer,
}

impl FakeUpstreams {
    /// Starts the fakes with the default [`Dataset`] on the current tokio runtime.
    pub async fn start() -> Self {
        Self::start_with(Dataset::default()).await
    }

    pub async fn start_with(dataset: Dataset) -> Self {
        Self {
            anthropic: FakeServer::anthropic(&dataset).await,
            google: FakeServer::google(&dataset).await,
            openrouter: FakeServer::openrouter(&dataset).await,
            deco: FakeServer::deco(&dataset).await,
        }
    }

    /// Environment for the aiproviders binary: `AIPROVIDERS_ANTHROPIC_BASE_URL`,
    /// `AIPROVIDERS_GOOGLE_BASE_URL`, `AIPROVIDERS_OPENROUTER_BASE_URL` and
    /// `DECO_AI_GATEWAY_URL` → the fakes' base URLs (`http://127.0.0.1:PORT`).
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AIPROVIDERS_ANTHROPIC_BASE_URL", &self.anthropic),
            ("AIPROVIDERS_GOOGLE_BASE_URL", &self.google),
            ("AIPROVIDERS_OPENROUTER_BASE_URL", &self.openrouter),
            ("DECO_AI_GATEWAY_URL", &self.deco),
        ]
        .into_iter()
        .map(|(name, fake)| (name.to_owned(), fake.url()))
        .collect()
    }

    /// The four fakes, for acting on all of them.
    pub fn all(&self) -> [&FakeServer; 4] {
        [&self.anthropic, &self.google, &self.openrouter, &self.deco]
    }

    /// Every fake back to [`Behavior::Normal`] with no recorded requests.
    pub fn reset(&self) {
        self.all().into_iter().for_each(FakeServer::reset);
    }
}
