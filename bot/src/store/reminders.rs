//! Reminders in SQL: one `reminders` row per delegation secbot has reminded about or been told
//! about (done, snoozed), so each reminder goes out once and a snooze holds across restarts
//! and replicas.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use time::OffsetDateTime;

use super::StoreResult;
use super::sql::{SqlStore, json, parse};

/// Where the reminders of one delegation stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderState {
    /// Closed: its finding was found fixed (after Done, or on a check).
    #[serde(default)]
    pub done: bool,
    /// No reminder before this moment (Snooze).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub snoozed_until: Option<OffsetDateTime>,
    /// The reminder before the due date went out.
    #[serde(default)]
    pub soon_sent: bool,
    /// The reminder since the last snooze that it is overdue went out.
    #[serde(default)]
    pub overdue_sent: bool,
    /// How many times it was snoozed (each snooze allows one more overdue reminder).
    #[serde(default)]
    pub snoozes: u32,
}

impl SqlStore {
    pub(super) async fn select_reminder(&self, delegation: &str) -> StoreResult<Option<ReminderState>> {
        let row = sqlx::query("SELECT state FROM reminders WHERE delegation_id = $1")
            .bind(delegation)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse(&r.try_get::<String, _>("state")?)).transpose()
    }

    pub(super) async fn upsert_reminder(
        &self,
        delegation: &str,
        state: &ReminderState,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO reminders (delegation_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (delegation_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(delegation)
        .bind(json(state)?)
        .bind(now.unix_timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
