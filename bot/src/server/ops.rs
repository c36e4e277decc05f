//! Operations endpoints: `/healthz` (the process is up), `/readyz` (the store and the posture
//! source answer), `/metrics` (Prometheus text format), and `POST /admin/cache/clear` (forget
//! cached Defender for Cloud answers, as `secbot cache clear` does; it needs the admin token).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;

use super::App;

/// The operations routes of the main listener; `/metrics` among them unless it has a listener
/// of its own (`SECBOT_METRICS_LISTEN`).
pub(super) fn router(app: App) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/admin/cache/clear", post(clear_cache));
    let routes =
        if app.config.metrics_listen.is_none() { routes.route("/metrics", get(metrics)) } else { routes };
    routes.with_state(app)
}

/// `/metrics` alone, for its own listener.
pub fn metrics_router(app: App) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(app)
}

/// True when the request carries the admin token; without a configured token nothing does.
fn admin(app: &App, headers: &HeaderMap) -> bool {
    let Some(token) = &app.config.admin_token else { return false };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = token.expose().as_bytes();
    given.len() == expected.len() && given.bytes().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn clear_cache(State(app): State<App>, headers: HeaderMap) -> impl IntoResponse {
    if !admin(&app, &headers) {
        tracing::warn!("refused an admin request without the admin token");
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({ "error": "admin requests need the admin token (SECBOT_ADMIN_TOKEN, or data_dir/admin.token written by secbot serve); use `secbot cache clear` on the server's machine" }),
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
    let mut text = app.metrics.render();
    // The queue's depth is read from the store, so it is the same on every replica.
    if let Ok(counts) = app.engine.store().job_counts().await {
        text.push_str("# HELP secbot_jobs Messages in the queue by state: new (inbox), answered (outbox), sent, silent, failed.\n# TYPE secbot_jobs gauge\n");
        for (state, n) in counts {
            text.push_str(&format!("secbot_jobs{{state=\"{}\"}} {n}\n", state.as_str()));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
