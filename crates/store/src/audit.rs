//! The append-only audit log. Rows are only ever inserted (the schema's triggers refuse
//! UPDATE and DELETE), in the same transaction as the change they record.

use aiproviders_domain::{AuditAction, AuditEvent, AuditOutcome, EventId, Timestamp, UserId};

use crate::{OrgStore, StoreError};

/// An entry to append. `target` names what was acted on (a key id, a provider, a tool);
/// it must never hold a secret.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub at: Timestamp,
    pub actor: UserId,
    pub action: AuditAction,
    pub target: String,
    pub outcome: AuditOutcome,
}

/// Where a page of the audit log ends (exclusive).
#[derive(Debug, Clone)]
pub enum AuditCursor {
    BeforeEvent(EventId),
    BeforeTime(Timestamp),
}

/// The INSERT of one audit event as a query builder, so it can run on a pool or inside a
/// transaction of either backend.
macro_rules! insert_audit_event {
    ($org:expr, $event:expr) => {
        sqlx::query(
            "INSERT INTO audit_events (id, org_id, at, actor_user_id, action, target, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(aiproviders_domain::EventId::generate().as_str().to_owned())
        .bind($org.as_str().to_owned())
        .bind($event.at.unix_millis())
        .bind($event.actor.as_str().to_owned())
        .bind($event.action.as_str())
        .bind($event.target.clone())
        .bind($event.outcome.as_str())
    };
}
pub(crate) use insert_audit_event;

/// `SELECT <the columns of an AuditRow> FROM audit_events <rest>`.
macro_rules! select_audit_events {
    ($rest:literal) => {
        concat!(
            "SELECT id, at, actor_user_id, action, target, outcome FROM audit_events ",
            $rest
        )
    };
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    actor_user_id: String,
    action: String,
    target: String,
    outcome: String,
}

impl OrgStore<'_> {
    /// Appends an event that is not part of a change (a denied or failed call).
    pub async fn append_audit(&self, event: &NewAuditEvent) -> Result<(), StoreError> {
        on_writer!(self.store, |pool| {
            insert_audit_event!(self.org, event)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Newest first.
    pub async fn list_audit(
        &self,
        limit: u32,
        cursor: Option<&AuditCursor>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = i64::from(limit);
        let rows: Vec<AuditRow> = match cursor {
            None => on_reader!(self.store, |pool| {
                sqlx::query_as(select_audit_events!(
                    "WHERE org_id = $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(self.org.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await
            })?,
            Some(AuditCursor::BeforeEvent(id)) => on_reader!(self.store, |pool| {
                sqlx::query_as(select_audit_events!(
                    "WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
                ))
                .bind(self.org.as_str())
                .bind(id.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await
            })?,
            Some(AuditCursor::BeforeTime(at)) => on_reader!(self.store, |pool| {
                sqlx::query_as(select_audit_events!(
                    "WHERE org_id = $1 AND at < $2 ORDER BY id DESC LIMIT $3"
                ))
                .bind(self.org.as_str())
                .bind(at.unix_millis())
                .bind(limit)
                .fetch_all(pool)
                .await
            })?,
        };
        Ok(rows
            .into_iter()
            .map(|row| AuditEvent {
                id: EventId::from_trusted(row.id),
                at: Timestamp::from_unix_millis(row.at),
                actor_user_id: UserId::from_trusted(row.actor_user_id),
                action: row.action,
                target: row.target,
                outcome: row.outcome,
            })
            .collect())
    }
}
