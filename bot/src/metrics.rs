//! Counters and histograms, rendered in the Prometheus text format at `/metrics`: requests by
//! route and status, prompts by skill, latencies, feedback by rating and usage units.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Series {
    counters: BTreeMap<(&'static str, Labels), f64>,
    histograms: BTreeMap<(&'static str, Labels), Histogram>,
}

/// secbot's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

fn help(name: &str) -> &'static str {
    match name {
        "secbot_http_requests_total" => "HTTP requests by route and status.",
        "secbot_http_request_duration_seconds" => "Time to answer an HTTP request, by route.",
        "secbot_prompts_total" => "Prompts and clicks answered, by platform and skill.",
        "secbot_answer_duration_seconds" => "Time to build an answer, by skill.",
        "secbot_feedback_total" => "Ratings received, by rating.",
        "secbot_usage_units_total" => "Compute units used, by skill.",
        "secbot_events_deduplicated_total" => "Retried or duplicate deliveries dropped, by platform.",
        "secbot_jobs_accepted_total" => "Messages stored in the queue, by platform.",
        "secbot_replies_sent_total" => "Queued replies the platform accepted, by platform.",
        "secbot_replies_failed_total" => {
            "Queued replies given up, by platform and reason (refused, deadline)."
        }
        "secbot_delivery_retries_total" => "Sends of a queued reply the platform did not take, by platform.",
        "secbot_outbound_calls_total" => {
            "Tries of calls to other services, by service, method and outcome (ok, throttled, failed, refused)."
        }
        "secbot_outbound_call_duration_seconds" => {
            "Time one try of a call to another service took, by service and method."
        }
        "secbot_outbound_retries_total" => {
            "Tries of calls to other services that were followed by another, by service and method."
        }
        _ => "secbot metric.",
    }
}

impl Metrics {
    /// Adds to a counter.
    pub fn add(&self, name: &'static str, labels: Labels, by: f64) {
        if let Ok(mut series) = self.series.lock() {
            *series.counters.entry((name, labels)).or_default() += by;
        }
    }

    /// Records a duration in a histogram.
    pub fn observe(&self, name: &'static str, labels: Labels, duration: Duration) {
        let seconds = duration.as_secs_f64();
        if let Ok(mut series) = self.series.lock() {
            let h = series.histograms.entry((name, labels)).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    /// Records one try of a call to another service (see [`secbot_chat::calls`]).
    pub fn outbound(&self, done: &secbot_chat::calls::Try<'_>) {
        let labels = vec![("service", done.service.to_owned()), ("method", done.method.to_owned())];
        let mut with_outcome = labels.clone();
        with_outcome.push(("outcome", done.outcome().to_owned()));
        self.add("secbot_outbound_calls_total", with_outcome, 1.0);
        if done.retried {
            self.add("secbot_outbound_retries_total", labels.clone(), 1.0);
        }
        self.observe("secbot_outbound_call_duration_seconds", labels, done.elapsed);
    }

    /// The value of a counter (for tests and `secbot usage`).
    pub fn counter(&self, name: &'static str, labels: &[(&'static str, &str)]) -> f64 {
        let wanted: Labels = labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        self.series.lock().map(|s| s.counters.get(&(name, wanted)).copied().unwrap_or(0.0)).unwrap_or(0.0)
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let Ok(series) = self.series.lock() else { return String::new() };
        let mut out = String::new();
        let label_text = |labels: &Labels, extra: Option<(&str, String)>| -> String {
            let mut parts: Vec<String> = labels
                .iter()
                .map(|(k, v)| {
                    format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
                })
                .collect();
            if let Some((k, v)) = extra {
                parts.push(format!("{k}=\"{v}\""));
            }
            if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
        };
        let mut last = "";
        for ((name, labels), value) in &series.counters {
            if *name != last {
                let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} counter", help(name));
                last = name;
            }
            let _ = writeln!(out, "{name}{} {value}", label_text(labels, None));
        }
        last = "";
        for ((name, labels), h) in &series.histograms {
            if *name != last {
                let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} histogram", help(name));
                last = name;
            }
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}_bucket{} {}",
                    label_text(labels, Some(("le", bound.to_string()))),
                    h.buckets[i]
                );
            }
            let _ =
                writeln!(out, "{name}_bucket{} {}", label_text(labels, Some(("le", "+Inf".into()))), h.count);
            let _ = writeln!(out, "{name}_sum{} {}", label_text(labels, None), h.sum);
            let _ = writeln!(out, "{name}_count{} {}", label_text(labels, None), h.count);
        }
        out.push_str(&process());
        out
    }
}

/// The process's own figures, in the names Prometheus' client libraries use: resident memory,
/// CPU time, open file descriptors and start time, from `/proc/self` (empty elsewhere).
fn process() -> String {
    let mut out = String::new();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
    if let Some(kib) = rss_kib {
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}",
            kib * 1024
        );
    }
    // Fields 14 and 15 (utime, stime) and 22 (starttime) of /proc/self/stat, in clock ticks
    // (100 a second on Linux), counted after the command name's closing parenthesis.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok());
    if let (Some(user), Some(system)) = (ticks(14), ticks(15)) {
        let _ = writeln!(
            out,
            "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {}",
            (user + system) / 100.0
        );
    }
    let boot = std::fs::read_to_string("/proc/stat")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("btime ").and_then(|v| v.trim().parse::<f64>().ok()));
    if let (Some(boot), Some(start)) = (boot, ticks(22)) {
        let _ = writeln!(
            out,
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {}",
            boot + start / 100.0
        );
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        let _ = writeln!(
            out,
            "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds {}",
            fds.count()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbound_tries_and_the_process_itself_are_measured() {
        use secbot_chat::calls::Try;
        use secbot_chat::delivery::Failure;
        let m = Metrics::default();
        let throttled = Try {
            service: "slack",
            method: "chat.postMessage",
            failure: Some(Failure::Throttled(None)),
            elapsed: Duration::from_millis(3),
            retried: true,
        };
        m.outbound(&throttled);
        m.outbound(&Try { failure: None, retried: false, ..throttled });
        let text = m.render();
        for line in [
            "secbot_outbound_calls_total{service=\"slack\",method=\"chat.postMessage\",outcome=\"throttled\"} 1\n",
            "secbot_outbound_calls_total{service=\"slack\",method=\"chat.postMessage\",outcome=\"ok\"} 1\n",
            "secbot_outbound_retries_total{service=\"slack\",method=\"chat.postMessage\"} 1\n",
            "secbot_outbound_call_duration_seconds_count{service=\"slack\",method=\"chat.postMessage\"} 2\n",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        let gauge = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{name} in\n{text}"))
        };
        assert!(gauge("process_resident_memory_bytes") > 1_000_000.0);
        assert!(gauge("process_open_fds") >= 3.0);
        assert!(gauge("process_start_time_seconds") > 1_700_000_000.0);
        assert!(gauge("process_cpu_seconds_total") >= 0.0);
    }

    #[test]
    fn counters_and_histograms_render_in_the_prometheus_format() {
        let m = Metrics::default();
        m.add("secbot_feedback_total", vec![("rating", "looks_right".into())], 1.0);
        m.add("secbot_feedback_total", vec![("rating", "looks_right".into())], 1.0);
        m.observe(
            "secbot_answer_duration_seconds",
            vec![("skill", "list_risks".into())],
            Duration::from_micros(700),
        );
        let text = m.render();
        assert!(text.contains(
            "# TYPE secbot_feedback_total counter\nsecbot_feedback_total{rating=\"looks_right\"} 2\n"
        ));
        assert!(
            text.contains("secbot_answer_duration_seconds_bucket{skill=\"list_risks\",le=\"0.0005\"} 0\n")
        );
        assert!(
            text.contains("secbot_answer_duration_seconds_bucket{skill=\"list_risks\",le=\"0.001\"} 1\n")
        );
        assert!(text.contains("secbot_answer_duration_seconds_count{skill=\"list_risks\"} 1\n"));
        assert_eq!(m.counter("secbot_feedback_total", &[("rating", "looks_right")]), 2.0);
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.add("secbot_prompts_total", vec![("skill", "a\"b\nc".into())], 1.0);
        assert!(m.render().contains("skill=\"a\\\"b\\nc\""));
    }
}
