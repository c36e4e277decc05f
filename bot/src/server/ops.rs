//! Operations endpoints: `/healthz` (the process is up), `/readyz` (the store and the posture
//! source answer), `/metrics` (Prometheus text format), and `POST /admin/cache/clear` (forget
//! cached Defender for Cloud answers; from this machine only, as `secbot cache clear` does).

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;

use super::App;

pub(super) fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/admin/cache/clear", post(clear_cache))
        .with_state(app)
}

async fn clear_cache(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> impl IntoResponse {
    if !peer.ip().is_loopback() {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(
                json!({ "error": "the cache can only be cleared from the machine secbot runs on (secbot cache clear)" }),
            ),
        );
    }
    app.engine.source().clear_cache();
    tracing::info!("cache cleared");
    (StatusCode::OK, axum::Json(json!({ "cleared": true, "source": app.engine.source().info().name })))
}

async fn ready(State(app): State<App>) -> impl IntoResponse {
    let store = app.engine.store().ping().await.map_err(|e| e.to_string());
    let source = app.engine.source().subscriptions().await.map(|_| ()).map_err(|e| e.to_string());
    let status =
        if store.is_ok() && source.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let word = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    };
    (
        status,
        axum::Json(
            json!({ "ready": status == StatusCode::OK, "store": word(&store), "source": word(&source) }),
        ),
    )
}

async fn metrics(State(app): State<App>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], app.metrics.render())
}
