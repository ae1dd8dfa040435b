//! `aiproviders serve`: the HTTP service, with graceful shutdown.

use std::time::Duration;

use aiproviders_domain::Timestamp;
use axum::serve::ListenerExt;
use tokio_util::sync::CancellationToken;

use crate::http::{self, Telemetry};
use crate::in_flight::InFlight;
use crate::settings::Settings;
use crate::startup::{AppError, open_services};

/// How long shutdown waits for MCP requests in progress before it closes sessions anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);
/// Sessions idle this long are forgotten by every replica.
const SESSION_MAX_AGE_SECS: i64 = 24 * 3600;

pub async fn run(mut settings: Settings) -> Result<(), AppError> {
    let in_flight = InFlight::default();
    let sessions_closed = CancellationToken::new();
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| AppError::Io {
            context: "cannot listen",
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| AppError::Io {
        context: "cannot read the listening address",
        source,
    })?;
    settings.bound_to(addr);
    let services = open_services(&settings, true).await?;
    let telemetry = Telemetry::new();
    let (polls, poll_failures) = (
        telemetry.change_polls.clone(),
        telemetry.change_poll_failures.clone(),
    );
    let app = http::router(
        &settings,
        services.clone(),
        telemetry,
        in_flight.clone(),
        sessions_closed.clone(),
    );
    tracing::info!(
        %addr,
        database = ?settings.database_url,
        public_url = %settings.public_url,
        providers = ?services.registry().enabled().iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "listening"
    );

    let sweeper = {
        let store = services.store().clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                let cutoff = Timestamp::now().plus_seconds(-SESSION_MAX_AGE_SECS);
                if let Err(error) = store.sweep_sessions(cutoff).await {
                    tracing::warn!(%error, "sweeping old MCP sessions failed");
                }
                if let Err(error) = store.sweep_oauth_states(Timestamp::now()).await {
                    tracing::warn!(%error, "sweeping expired OAuth states failed");
                }
            }
        })
    };

    // Keeps the store's change board true: a token revoked, or a key or policy changed, by
    // another process (a replica, the CLI) is seen here within one interval.
    let change_poller = (!settings.change_poll.is_zero()).then(|| {
        let store = services.store().clone();
        let interval = settings.change_poll;
        tokio::spawn(async move {
            let mut every = tokio::time::interval(interval);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failing = false;
            loop {
                every.tick().await;
                match store.poll_changes().await {
                    Ok(()) => {
                        polls.inc();
                        if std::mem::take(&mut failing) {
                            tracing::info!("polling the change counters works again");
                        }
                    }
                    Err(error) => {
                        poll_failures.inc();
                        // Logged once per outage, not every interval.
                        if !std::mem::replace(&mut failing, true) {
                            tracing::warn!(%error, "polling the change counters failed; reading the database on every request until it works");
                        }
                    }
                }
            }
        })
    });

    let stop_accepting = CancellationToken::new();
    tokio::spawn({
        let stop_accepting = stop_accepting.clone();
        let sessions_closed = sessions_closed.clone();
        async move {
            shutdown_signal().await;
            tracing::info!(
                in_flight = in_flight.count(),
                "shutting down: no new connections; finishing requests in progress"
            );
            stop_accepting.cancel();
            if !in_flight.wait_idle(DRAIN_LIMIT).await {
                tracing::warn!(
                    in_flight = in_flight.count(),
                    "requests still running after the drain limit"
                );
            }
            sessions_closed.cancel();
        }
    });

    // Responses are written in several small pieces (SSE events): without TCP_NODELAY the
    // later ones wait for the client's delayed ACK (tens of milliseconds).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_accepting.cancelled_owned())
        .await
        .map_err(|source| AppError::Io {
            context: "the server failed",
            source,
        })?;
    sweeper.abort();
    if let Some(poller) = change_poller {
        poller.abort();
    }
    // Gateway usage recorded by requests that just finished is stored before the pool closes.
    services.usage_recorder().flush().await;
    services.store().close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
