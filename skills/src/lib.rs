//! secbot's skills: the posture model and its sources (the demo tenant, offline snapshots,
//! Defender for Cloud itself), the deterministic intent parser, and the skills that turn a
//! parsed prompt into a card.

pub mod azure;
pub mod catalog;
pub mod demo;
pub mod intent;
pub mod posture;
pub mod skill;
pub mod snapshot;
pub mod tenant;
