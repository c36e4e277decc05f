//! Accepting connections within bounds: HTTP/1.1 and HTTP/2 on one listener, a deadline for
//! each request's head (a client that opens connections and sends nothing cannot hold them), a
//! deadline for each request, a limit on requests in flight across every route (503 with
//! `Retry-After` beyond it), and a graceful stop that lets requests already read finish.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{ServiceBuilder, ServiceExt};

use crate::config::Config;

/// The longest a client may take to send a request's head, whatever the request timeout.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The limits every connection and request is served within.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// How long a request's head may take to arrive.
    pub head_timeout: Duration,
    /// How long a whole request may take, body and answer included.
    pub request_timeout: Duration,
    /// Requests answered at once, over all routes.
    pub max_in_flight: usize,
}

impl Bounds {
    /// The bounds a configuration sets.
    pub fn of(config: &Config) -> Bounds {
        Bounds {
            head_timeout: HEAD_TIMEOUT.min(config.request_timeout),
            request_timeout: config.request_timeout,
            max_in_flight: config.max_in_flight,
        }
    }
}

/// Serves `router` on `listener` within `bounds` until `stop` resolves, then stops accepting and
/// returns once every open connection has finished its requests.
pub async fn run(listener: TcpListener, router: Router, bounds: Bounds, stop: impl Future<Output = ()>) {
    let service = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(beyond_bounds))
        .load_shed()
        .concurrency_limit(bounds.max_in_flight)
        .timeout(bounds.request_timeout)
        .service(router);
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(bounds.head_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // pause instead of spinning, and keep serving.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(
            service.clone().map_request(|request: hyper::Request<Incoming>| request.map(Body::new)),
        );
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned());
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "a connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
}

/// The answer to a request past the bounds: 503 when as many requests as allowed are already in
/// flight, 408 when one took longer than the request timeout; both with `Retry-After`.
async fn beyond_bounds(err: tower::BoxError) -> Response {
    let (status, text) = if err.is::<tower::load_shed::error::Overloaded>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "secbot is answering as many requests as it allows (SECBOT_MAX_IN_FLIGHT); try again in a second",
        )
    } else if err.is::<tower::timeout::error::Elapsed>() {
        (
            StatusCode::REQUEST_TIMEOUT,
            "the request took longer than secbot allows (SECBOT_REQUEST_TIMEOUT_SECS); send it again",
        )
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "secbot could not handle that request; try again")
    };
    tracing::warn!(status = status.as_u16(), error = %err, "{text}");
    (status, [(header::RETRY_AFTER, "1")], axum::Json(serde_json::json!({ "error": text }))).into_response()
}
