//! Who may see what and spend how much: subscription scopes per channel, usage budgets and who
//! can raise them.

use std::collections::HashMap;

use time::{Duration, OffsetDateTime, Time};

use crate::store::{Limits, Usage};

/// The rules the engine applies to every prompt.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Subscription ids every channel may see (empty: all).
    pub scope: Vec<String>,
    /// Channels with their own scope, by channel id.
    pub channel_scopes: HashMap<String, Vec<String>>,
    /// Budgets per tenant.
    pub limits: Limits,
    /// Hourly budgets of channels with their own, by channel id.
    pub channel_budgets: HashMap<String, u64>,
    /// Who can raise the budget.
    pub capacity_owner: Option<String>,
    /// Platform user ids (or Discord role ids) who may confirm or cancel any delegation,
    /// besides its asker.
    pub approvers: Vec<String>,
    /// Further approvers of channels with their own, by channel id.
    pub channel_approvers: HashMap<String, Vec<String>>,
    /// Mail domains an `owner` tag's address must be in to be notified.
    pub notify_domains: Vec<String>,
    /// How often watches are checked.
    pub watch_interval: std::time::Duration,
    /// New findings in one check above which a watch posts one grouped card.
    pub watch_burst: usize,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            scope: Vec::new(),
            channel_scopes: HashMap::new(),
            limits: Limits { hour: 600, month: 100_000, channel_hour: None },
            channel_budgets: HashMap::new(),
            capacity_owner: None,
            approvers: Vec::new(),
            channel_approvers: HashMap::new(),
            notify_domains: Vec::new(),
            watch_interval: std::time::Duration::from_secs(300),
            watch_burst: 5,
        }
    }
}

impl Policy {
    /// The policy a configuration sets.
    pub fn from_config(config: &crate::config::Config) -> Policy {
        Policy {
            scope: config.scope.clone(),
            channel_scopes: config.channel_scopes.clone(),
            limits: Limits { hour: config.budget_hour, month: config.budget_month, channel_hour: None },
            channel_budgets: config.budget_channels.clone(),
            capacity_owner: config.capacity_owner.clone(),
            approvers: config.approvers.clone(),
            channel_approvers: config.channel_approvers.clone(),
            notify_domains: config.notify_domains.clone(),
            watch_interval: config.watch_interval,
            watch_burst: config.watch_burst,
        }
    }

    /// No budgets: for measuring understanding, where thousands of prompts run in one process.
    pub fn unlimited() -> Policy {
        Policy { limits: Limits { hour: u64::MAX, month: u64::MAX, channel_hour: None }, ..Policy::default() }
    }

    /// The subscriptions a channel may see.
    pub fn scope_of(&self, channel: &str) -> &[String] {
        self.channel_scopes.get(channel).map_or(&self.scope, Vec::as_slice)
    }

    /// Who may decide delegations in a channel besides their askers: everywhere's approvers
    /// and the channel's own.
    pub fn approvers_of(&self, channel: &str) -> Vec<&str> {
        let own = self.channel_approvers.get(channel).into_iter().flatten();
        self.approvers.iter().chain(own).map(String::as_str).collect()
    }

    /// The budgets that apply in a channel.
    pub fn limits_of(&self, channel: &str) -> Limits {
        Limits { channel_hour: self.channel_budgets.get(channel).copied(), ..self.limits }
    }

    fn who_can_raise(&self) -> String {
        match &self.capacity_owner {
            Some(owner) => format!("{owner} can raise it"),
            None => "your secbot administrator can raise it (SECBOT_BUDGET_HOUR and SECBOT_BUDGET_MONTH)"
                .to_owned(),
        }
    }

    /// The note a reply carries when usage is at or past 80% of a budget.
    pub fn warning(&self, channel: &str, usage: &Usage, now: OffsetDateTime) -> Option<String> {
        let limits = self.limits_of(channel);
        let (used, budget, what, resets) = Self::tightest(&limits, usage, now)?;
        (u128::from(used) * 100 >= u128::from(budget) * 80).then(|| {
            format!(
                "This {what} has used {}% of its compute budget ({used} of {budget} units); it resets {}.",
                u128::from(used) * 100 / u128::from(budget.max(1)),
                resets
            )
        })
    }

    /// The sentence that explains a refused prompt.
    pub fn refusal(&self, channel: &str, usage: &Usage, now: OffsetDateTime) -> String {
        let limits = self.limits_of(channel);
        let (used, budget, what, resets) = Self::tightest(&limits, usage, now).unwrap_or((
            usage.hour_used,
            limits.hour,
            "workspace",
            format!("at {}", next_hour(now)),
        ));
        format!(
            "This {what} has used {used} of its {budget} compute units, so I didn't run that. The budget resets {resets}; {}.",
            self.who_can_raise()
        )
    }

    /// The budget closest to running out: (used, budget, whose, when it resets).
    fn tightest(
        limits: &Limits,
        usage: &Usage,
        now: OffsetDateTime,
    ) -> Option<(u64, u64, &'static str, String)> {
        let mut candidates = vec![
            (usage.hour_used, limits.hour, "workspace", format!("at {} UTC", next_hour(now))),
            (usage.month_used, limits.month, "workspace", format!("on {} (UTC)", next_month(now))),
        ];
        if let Some(channel) = limits.channel_hour {
            candidates.push((
                usage.channel_hour_used,
                channel,
                "channel",
                format!("at {} UTC", next_hour(now)),
            ));
        }
        candidates
            .into_iter()
            .filter(|(_, budget, _, _)| *budget > 0)
            .max_by(|a, b| (u128::from(a.0) * u128::from(b.1)).cmp(&(u128::from(b.0) * u128::from(a.1))))
    }
}

fn next_hour(now: OffsetDateTime) -> String {
    let next =
        now.replace_time(Time::from_hms(now.hour(), 0, 0).unwrap_or(Time::MIDNIGHT)) + Duration::hours(1);
    format!("{:02}:00", next.hour())
}

fn next_month(now: OffsetDateTime) -> String {
    let (year, month) = if now.month() == time::Month::December {
        (now.year() + 1, time::Month::January)
    } else {
        (now.year(), now.month().next())
    };
    format!("{month} {year}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn warnings_start_at_80_percent_and_name_the_reset() {
        let policy = Policy::default();
        let now = datetime!(2026-11-29 07:42 UTC);
        let calm = Usage { allowed: true, hour_used: 100, month_used: 100, channel_hour_used: 100 };
        assert_eq!(policy.warning("C1", &calm, now), None);
        let busy = Usage { allowed: true, hour_used: 492, month_used: 1_000, channel_hour_used: 492 };
        assert_eq!(
            policy.warning("C1", &busy, now).as_deref(),
            Some(
                "This workspace has used 82% of its compute budget (492 of 600 units); it resets at 08:00 UTC."
            )
        );
    }

    #[test]
    fn a_refusal_says_when_it_resets_and_who_can_raise_it() {
        let policy = Policy { capacity_owner: Some("Priya (priya@contoso.com)".into()), ..Policy::default() };
        let used = Usage { allowed: false, hour_used: 599, month_used: 2_000, channel_hour_used: 599 };
        let text = policy.refusal("C1", &used, datetime!(2026-11-29 07:42 UTC));
        assert_eq!(
            text,
            "This workspace has used 599 of its 600 compute units, so I didn't run that. The budget resets at 08:00 UTC; Priya (priya@contoso.com) can raise it."
        );
    }

    #[test]
    fn channels_can_have_their_own_scope_and_budget() {
        let mut policy = Policy { scope: vec!["s1".into(), "s2".into()], ..Policy::default() };
        policy.channel_scopes.insert("C9".into(), vec!["s2".into()]);
        policy.channel_budgets.insert("C9".into(), 50);
        assert_eq!(policy.scope_of("C1"), ["s1", "s2"]);
        assert_eq!(policy.scope_of("C9"), ["s2"]);
        assert_eq!(policy.limits_of("C9").channel_hour, Some(50));
        let used = Usage { allowed: true, hour_used: 45, month_used: 45, channel_hour_used: 45 };
        assert!(
            policy
                .warning("C9", &used, datetime!(2026-11-29 07:42 UTC))
                .unwrap()
                .starts_with("This channel has used 90%")
        );
    }
}
