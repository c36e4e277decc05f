//! How an HTTP exchange with Microsoft failed, as far as retrying and reporting it go: the
//! retry class of a response, and a transport error described without its URL.

use secbot_chat::delivery::{Backoff, Failure};

/// Why a response failed, as far as retrying is concerned (its status and `Retry-After`);
/// `None` for a success.
pub(crate) fn failure_of(response: &reqwest::Response) -> Option<Failure> {
    let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
    Backoff::classify(response.status().as_u16(), retry_after)
}

/// A reqwest error's description without the URL it names.
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_decode() {
        "unreadable body"
    } else {
        "request failed"
    };
    kind.to_owned()
}
