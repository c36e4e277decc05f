//! secbot, the binary's library: the engine every chat platform talks to (context resolver,
//! router, action path), the store it remembers with, the posture source it reads, and the
//! terminal front end.

pub mod bench;
pub mod config;
pub mod engine;
pub mod evaluation;
pub mod metrics;
pub mod queue;
pub mod redact;
pub mod report;
pub mod schedule;
pub mod server;
pub mod source;
pub mod store;
pub mod telemetry;
pub mod terminal;
