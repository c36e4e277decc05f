//! The schema, as ordered migrations of portable SQL (text and 64-bit integers only), applied at
//! start-up by whichever replica gets there first.

/// The migrations, in order: (version, statements).
pub(super) const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r"
CREATE TABLE responses (
    response_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    tenant TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT NOT NULL,
    user_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    skill TEXT NOT NULL,
    intent TEXT NOT NULL,
    subject TEXT,
    record TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX responses_user ON responses (user_id);
CREATE INDEX responses_created ON responses (created_at);
CREATE TABLE feedback (
    response_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    tenant TEXT NOT NULL,
    channel TEXT NOT NULL,
    skill TEXT NOT NULL,
    intent TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (response_id, user_id)
);
CREATE INDEX feedback_user ON feedback (user_id);
CREATE TABLE thread_contexts (
    thread_key TEXT PRIMARY KEY,
    context TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE claims (
    claim_key TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX claims_expiry ON claims (expires_at);
CREATE TABLE delegations (
    delegation_id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    owner_email TEXT,
    due TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    platform TEXT NOT NULL,
    tenant TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE usage_totals (
    scope TEXT NOT NULL,
    period TEXT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (scope, period)
);
CREATE TABLE usage_by_skill (
    tenant TEXT NOT NULL,
    channel TEXT NOT NULL,
    skill TEXT NOT NULL,
    period TEXT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (tenant, channel, skill, period)
);
CREATE TABLE installations (
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL,
    nonce TEXT NOT NULL,
    secret TEXT NOT NULL,
    meta TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (platform, workspace)
)
",
    ),
    (
        2,
        r"
ALTER TABLE delegations ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
CREATE INDEX delegations_owner ON delegations (owner_id);
CREATE INDEX delegations_asker ON delegations (asked_by);
CREATE INDEX delegations_created ON delegations (created_at);
CREATE INDEX feedback_updated ON feedback (updated_at)
",
    ),
    (
        3,
        r"
CREATE TABLE jobs (
    job_key TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    state TEXT NOT NULL,
    payload TEXT NOT NULL,
    outgoing TEXT,
    attempts BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_updated ON jobs (updated_at)
",
    ),
    (
        4,
        r"
CREATE TABLE watches (
    watch_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    tenant TEXT NOT NULL,
    channel TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX watches_place ON watches (platform, tenant, channel);
CREATE TABLE watch_findings (
    watch_id TEXT NOT NULL,
    finding TEXT NOT NULL,
    subject TEXT NOT NULL,
    open BIGINT NOT NULL,
    opened BIGINT NOT NULL,
    notice TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (watch_id, finding)
);
CREATE TABLE notice_threads (
    notice TEXT PRIMARY KEY,
    thread TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE reminders (
    delegation_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL
)
",
    ),
];
