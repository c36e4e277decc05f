//! Traces to an OpenTelemetry collector over OTLP/HTTP with JSON bodies
//! (`SECBOT_OTLP_ENDPOINT`): every span secbot opens (a request with its route and request id, a
//! queued job, an answer or a click with its platform, workspace, channel, skill and response id)
//! becomes an OTLP span with its fields as attributes, nested as it ran, batched and posted to
//! `{endpoint}/v1/traces` in the background. A collector that is down loses spans, never
//! answers: the queue is bounded and a full one drops what does not fit.
//!
//! Why not the `opentelemetry` SDK crates: exporting finished spans as OTLP JSON takes this one
//! layer over `tracing`, where the SDK would add its own runtime, batch processor and HTTP client
//! beside the ones secbot already runs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Spans waiting to be sent; more are dropped.
const QUEUE: usize = 8_192;
/// The most spans one request to the collector carries.
const BATCH: usize = 512;
/// How often spans waiting are sent.
const EVERY: Duration = Duration::from_secs(1);

/// A `tracing` layer that hands every closed span to the exporter task.
#[derive(Debug, Clone)]
pub struct OtlpLayer {
    spans: mpsc::Sender<Value>,
}

/// What a span carries while it is open.
struct Open {
    trace: [u8; 16],
    id: [u8; 8],
    parent: Option<[u8; 8]>,
    start: SystemTime,
    attributes: Vec<Value>,
}

/// Collects a span's fields as OTLP attributes.
struct Fields<'a>(&'a mut Vec<Value>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(json!({"key": field.name(), "value": {"stringValue": value}}));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.push(json!({"key": field.name(), "value": {"intValue": value.to_string()}}));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.push(json!({"key": field.name(), "value": {"intValue": value.to_string()}}));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.push(json!({"key": field.name(), "value": {"boolValue": value}}));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // Unique enough for tracing when the OS has no randomness to give.
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
    bytes
}

fn nanos(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()).to_string()
}

impl OtlpLayer {
    /// The layer, and the exporter task posting to `endpoint` (spawned on the current runtime).
    pub fn start(endpoint: &str) -> OtlpLayer {
        let (spans, queued) = mpsc::channel(QUEUE);
        tokio::spawn(export(format!("{}/v1/traces", endpoint.trim_end_matches('/')), queued));
        OtlpLayer { spans }
    }
}

impl<S> tracing_subscriber::Layer<S> for OtlpLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = span.parent().and_then(|p| p.extensions().get::<Open>().map(|o| (o.trace, o.id)));
        let mut attributes = Vec::new();
        attrs.record(&mut Fields(&mut attributes));
        let open = Open {
            trace: parent.map_or_else(random, |(trace, _)| trace),
            id: random(),
            parent: parent.map(|(_, id)| id),
            start: SystemTime::now(),
            attributes,
        };
        span.extensions_mut().insert(open);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(open) = span.extensions_mut().get_mut::<Open>()
        {
            values.record(&mut Fields(&mut open.attributes));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(open) = span.extensions_mut().remove::<Open>() else { return };
        let mut record = json!({
            "traceId": hex::encode(open.trace),
            "spanId": hex::encode(open.id),
            "name": span.name(),
            // SERVER for a request secbot answers, INTERNAL for the rest.
            "kind": if span.name() == "request" { 2 } else { 1 },
            "startTimeUnixNano": nanos(open.start),
            "endTimeUnixNano": nanos(SystemTime::now()),
            "attributes": open.attributes,
        });
        if let Some(parent) = open.parent {
            record["parentSpanId"] = json!(hex::encode(parent));
        }
        // A full queue means the collector is not keeping up: the span is dropped.
        let _ = self.spans.try_send(record);
    }
}

/// Posts queued spans in batches until every sender is gone.
async fn export(url: String, mut queued: mpsc::Receiver<Value>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = tokio::time::timeout(EVERY, queued.recv()).await;
        match first {
            Ok(Some(span)) => batch.push(span),
            Ok(None) => {
                send(&http, &url, &mut batch).await;
                return;
            }
            Err(_) => {}
        }
        while batch.len() < BATCH {
            match queued.try_recv() {
                Ok(span) => batch.push(span),
                Err(_) => break,
            }
        }
        send(&http, &url, &mut batch).await;
    }
}

async fn send(http: &reqwest::Client, url: &str, batch: &mut Vec<Value>) {
    if batch.is_empty() {
        return;
    }
    let body = json!({"resourceSpans": [{
        "resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": "secbot"}},
            {"key": "service.version", "value": {"stringValue": env!("CARGO_PKG_VERSION")}},
        ]},
        "scopeSpans": [{"scope": {"name": "secbot"}, "spans": std::mem::take(batch)}],
    }]});
    // Failures are not logged: a log line is an event, and logging about tracing from inside the
    // exporter would feed itself. The collector's own metrics show what it did not get.
    let _ = http.post(url).json(&body).send().await;
}
