//! [`Upstream`]: the entry point the rest of the service calls.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aiproviders_domain::{ApiKey, Model, ProviderId};

use crate::anthropic::Anthropic;
use crate::chat::{ChatAnswer, ChatClient, ChatFailure, ChatLimits, FailureKind};
use crate::claude_cli::ClaudeCli;
use crate::claude_code::ClaudeCode;
use crate::claude_run::{CliRun, DEFAULT_PROMPT_TIMEOUT};
use crate::google::Google;
use crate::http::{Http, UpstreamLimits};
use crate::openrouter::OpenRouterLike;
use crate::source::ModelSource;
use crate::{ProviderSettings, UpstreamError};

/// Calls the providers. Cheap to clone (one shared HTTP client). Each provider is reached
/// only at its configured base URL; redirects are not followed.
#[derive(Clone)]
pub struct Upstream {
    inner: Arc<Inner>,
    claude: Arc<Claude>,
}

/// The local Claude Code CLI: how it is found, how long a prompt may take, and the empty
/// directory prompts run in (made on first use, removed when the last clone of the
/// [`Upstream`] is dropped).
struct Claude {
    cli: ClaudeCli,
    prompt_timeout: Duration,
    workdir: tokio::sync::OnceCell<tempfile::TempDir>,
    /// One permit per CLI process allowed to run at once.
    slots: Arc<tokio::sync::Semaphore>,
    max_concurrent: usize,
}

impl Claude {
    fn new(cli: ClaudeCli, prompt_timeout: Duration, max_concurrent: usize) -> Self {
        let max_concurrent = max_concurrent.max(1);
        Self {
            cli,
            prompt_timeout,
            workdir: tokio::sync::OnceCell::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(max_concurrent)),
            max_concurrent,
        }
    }
}

/// How many Claude Code CLI processes may run at once when nothing is configured
/// (`AIPROVIDERS_CLAUDE_MAX_CONCURRENT`): each one is a Node.js process of a few hundred MB.
pub const DEFAULT_CLAUDE_MAX_CONCURRENT: usize = 4;

struct Inner {
    http: Http,
    anthropic: Anthropic,
    google: Google,
    openrouter: OpenRouterLike,
    deco: OpenRouterLike,
    claude_code: ClaudeCode,
    /// The configured base URLs of `openrouter` and `deco`, for the account calls
    /// (OAuth, credits) in `oauth.rs` and `credits.rs`.
    openrouter_base: String,
    deco_base: String,
    chat: ChatClient,
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream").finish_non_exhaustive()
    }
}

impl Upstream {
    pub fn new(settings: ProviderSettings, limits: UpstreamLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                http: Http::new(limits),
                openrouter_base: settings.openrouter_base_url.clone(),
                deco_base: settings.deco_url.clone(),
                chat: ChatClient::new(
                    ChatLimits {
                        connect: limits.connect_timeout,
                        ..ChatLimits::default()
                    },
                    &settings,
                ),
                anthropic: Anthropic::new(settings.anthropic_base_url),
                google: Google::new(settings.google_base_url),
                openrouter: OpenRouterLike::openrouter(settings.openrouter_base_url),
                deco: OpenRouterLike::deco(settings.deco_url),
                claude_code: ClaudeCode,
            }),
            claude: Arc::new(Claude::new(
                ClaudeCli::new(None),
                DEFAULT_PROMPT_TIMEOUT,
                DEFAULT_CLAUDE_MAX_CONCURRENT,
            )),
        }
    }

    /// Replaces how the Claude Code CLI is found (by default: `claude` on `PATH`, then the
    /// usual install locations) and the time limit of one gateway prompt (default 300 s).
    pub fn with_claude_cli(
        mut self,
        cli: ClaudeCli,
        prompt_timeout: Duration,
        max_concurrent: usize,
    ) -> Self {
        self.claude = Arc::new(Claude::new(cli, prompt_timeout, max_concurrent));
        self
    }

    /// The Claude Code CLI (status checks and CLI activation).
    pub fn claude_cli(&self) -> &ClaudeCli {
        &self.claude.cli
    }

    /// Runs one gateway prompt through the local Claude Code CLI (one process, killed past
    /// the configured time limit) and returns the whole answer. `model` is a `claude-code`
    /// model id (`claude-code:haiku|sonnet|opus`); `system` is appended to the CLI's system
    /// prompt. At most `AIPROVIDERS_CLAUDE_MAX_CONCURRENT` processes run at once; beyond
    /// that the prompt fails at once as `RateLimited` (retry after 1 s), and the gateway
    /// moves on to its next candidate.
    pub async fn claude_code_chat(
        &self,
        model: &str,
        system: Option<&str>,
        prompt: &str,
    ) -> Result<CliRun, ChatFailure> {
        let (alias, _permit, workdir) = self.claude_slot(model).await?;
        let claude = &*self.claude;
        claude
            .cli
            .run_prompt(alias, system, prompt, claude.prompt_timeout, workdir)
            .await
    }

    /// [`Self::claude_code_chat`], streamed: the answer's Anthropic stream events as the CLI
    /// prints them (`claude_stream`).
    pub async fn claude_code_stream(
        &self,
        model: &str,
        system: Option<&str>,
        prompt: String,
    ) -> Result<ChatAnswer, ChatFailure> {
        let (alias, permit, workdir) = self.claude_slot(model).await?;
        let claude = &*self.claude;
        claude.cli.stream_prompt(
            alias,
            system,
            prompt,
            claude.prompt_timeout,
            workdir,
            permit,
        )
    }

    /// The CLI's model alias of `model`, a concurrency slot, and the working directory.
    async fn claude_slot<'m>(
        &self,
        model: &'m str,
    ) -> Result<(&'m str, tokio::sync::OwnedSemaphorePermit, &Path), ChatFailure> {
        let failure = |kind, message: String| ChatFailure {
            provider: ProviderId::ClaudeCode,
            kind,
            status: None,
            retry_after_seconds: None,
            message,
        };
        let alias = model.strip_prefix("claude-code:").ok_or_else(|| {
            failure(
                FailureKind::ModelNotFound,
                "is not a claude-code model".to_owned(),
            )
        })?;
        let claude = &*self.claude;
        let permit = claude
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ChatFailure {
                retry_after_seconds: Some(1),
                ..failure(
                    FailureKind::RateLimited,
                    format!(
                        "the Claude Code CLI is already running {} prompts \
                     (AIPROVIDERS_CLAUDE_MAX_CONCURRENT)",
                        claude.max_concurrent
                    ),
                )
            })?;
        let workdir = claude
            .workdir
            .get_or_try_init(|| async {
                tempfile::Builder::new()
                    .prefix("aiproviders-claude-code-")
                    .tempdir()
            })
            .await
            .map_err(|error| {
                tracing::warn!(%error, "could not make a working directory for the Claude Code CLI");
                failure(
                    FailureKind::Server,
                    "no working directory for the Claude Code CLI could be made".to_owned(),
                )
            })?;
        Ok((alias, permit, workdir.path()))
    }

    /// Sends an inference request (already in the provider's own format) for `model` with
    /// `key` to the configured base URL of `provider`, and returns the answer unread, or
    /// the failure sorted for the gateway's fallback.
    pub async fn chat(
        &self,
        provider: ProviderId,
        key: &ApiKey,
        model: &str,
        body: bytes::Bytes,
        stream: bool,
    ) -> Result<ChatAnswer, ChatFailure> {
        self.inner
            .chat
            .send(provider, key, model, body, stream)
            .await
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }

    /// The configured base URL of a provider with accounts (OAuth, credits): `openrouter`
    /// and `deco`; `None` for the others.
    pub(crate) fn account_base(&self, provider: ProviderId) -> Option<&str> {
        match provider {
            ProviderId::OpenRouter => Some(&self.inner.openrouter_base),
            ProviderId::Deco => Some(&self.inner.deco_base),
            _ => None,
        }
    }

    fn source(&self, provider: ProviderId) -> &dyn ModelSource {
        let inner = &*self.inner;
        match provider {
            ProviderId::Anthropic => &inner.anthropic,
            ProviderId::Google => &inner.google,
            ProviderId::OpenRouter => &inner.openrouter,
            ProviderId::Deco => &inner.deco,
            ProviderId::ClaudeCode => &inner.claude_code,
        }
    }

    /// Every model this credential can use, all pages fetched, each id once (first wins).
    /// `claude-code` needs no credential and OpenRouter lists without one; the others answer
    /// [`UpstreamError::Unsupported`] without one.
    pub async fn list_models(
        &self,
        provider: ProviderId,
        credential: Option<&ApiKey>,
    ) -> Result<Vec<Model>, UpstreamError> {
        let models = self
            .source(provider)
            .list_models(&self.inner.http, credential)
            .await?;
        Ok(dedup(models))
    }

    /// A cheap call that tells whether the provider accepts the credential: the first page
    /// of the model list (anthropic, google, deco) or `GET /api/v1/key` (openrouter).
    /// `claude-code` answers [`UpstreamError::Unsupported`]: its login is checked by CLI
    /// activation.
    pub async fn probe_key(
        &self,
        provider: ProviderId,
        credential: &ApiKey,
    ) -> Result<(), UpstreamError> {
        self.source(provider)
            .probe_key(&self.inner.http, credential)
            .await
    }

    /// OpenRouter's public catalog, fetched without any credential (provider `openrouter`),
    /// for enriching other providers' models.
    pub async fn public_catalog(&self) -> Result<Vec<Model>, UpstreamError> {
        let models = self
            .inner
            .openrouter
            .fetch_models(&self.inner.http, None)
            .await?;
        Ok(dedup(models))
    }
}

fn dedup(models: Vec<Model>) -> Vec<Model> {
    let mut seen = HashSet::new();
    models
        .into_iter()
        .filter(|m| seen.insert(m.model_id.clone()))
        .collect()
}
