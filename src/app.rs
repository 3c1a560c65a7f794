//! The application: its shared state, the router that merges each context's routes, the
//! layers every request goes through, and the server's life (start, jobs, graceful stop).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::web::session::DbSessionStore;
use crate::web::{assets, csrf, errors};
use crate::{accounts, admin, api, catalog, directory, jobs, orders, territory, web};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings.
    pub config: Arc<Config>,
    /// The public address of the site, without a trailing slash (for links in emails).
    pub base_url: Arc<str>,
}

impl AppState {
    /// True when the site is served over HTTPS (cookies are then Secure).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// The largest body any route accepts (photo and spreadsheet uploads).
pub const UPLOAD_MAX_BYTES: usize = 6 * 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The complete router with its layers.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("halle_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.is_https())
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(30)));
    let mut router = Router::new()
        .merge(territory::http::router())
        .merge(accounts::http::router())
        .merge(admin::http::router())
        .merge(directory::http::router())
        .merge(catalog::http::router())
        .merge(orders::http::router())
        .merge(crate::ledger::http::router())
        .merge(crate::aid::http::router())
        .merge(api::router())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/lang", get(web::switch_lang))
        .route("/static/{hash}/{*path}", get(assets::serve))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), csrf::verify))
        // Inside the error layer, so that a refused body gets a page or a problem+json. Bodies
        // read by extractors stop at `max_body_bytes`; upload routes raise theirs up to the cap.
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(UPLOAD_MAX_BYTES))
        // A slow client or a stuck handler is answered 408 rather than holding a worker.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.config.request_timeout_secs.max(1)),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), errors::render))
        .layer(sessions);
    let tiles_origin = web::origin_of(&state.config.tiles_url);
    for (name, value) in web::security_headers(state.is_https(), tiles_origin.as_deref()) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            router =
                router.layer(SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), value));
        }
    }
    router
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    // The route template, never the concrete path: paths may carry tokens.
                    let route = request.extensions().get::<MatchedPath>().map_or("-", |p| p.as_str());
                    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), route, request_id = id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// `GET /healthz`: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::error!(error = %err, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// A running server, for tests and for `halle serve`.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The shared state.
    pub state: AppState,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting connections, finishes the requests in flight and the background jobs.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await??;
        Ok(())
    }

    /// Waits until the server ends (after [`shutdown_signal`] fired).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await?
    }
}

/// Connects, migrates, binds and starts serving with the background jobs.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    start_with(config, db).await
}

/// Starts serving on an already migrated database.
pub async fn start_with(config: Config, db: Db) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(&config.bind).await?;
    let addr = listener.local_addr()?;
    let base_url: Arc<str> = config.base_url(&addr.to_string()).into();
    let state = AppState { db: db.clone(), config: Arc::new(config), base_url };
    let (stop, stopped) = watch::channel(false);
    let jobs = tokio::spawn(jobs::run(state.clone(), stopped.clone()));
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let mut until = stopped;
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = until.wait_for(|stop| *stop).await;
            })
            .await?;
        // The jobs saw the same signal; give them a moment to finish their batch.
        let _ = tokio::time::timeout(Duration::from_secs(10), jobs).await;
        db.close().await;
        Ok(())
    });
    Ok(Running { addr, state, stop, task })
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
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
        () = ctrl_c => {},
        () = terminate => {},
    }
}

impl Running {
    /// Triggers the graceful stop (from a signal handler).
    pub fn stop_handle(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}
