//! Usage of the gateway: records written in batches, totals read per organization.

use aiproviders_domain::{KeyId, OrgId, ProviderId, Timestamp, UserId};

use crate::{DatabaseKind, OrgStore, Store, StoreError};

/// One gateway request.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub org: OrgId,
    pub user: UserId,
    /// The key of the attempt that answered (or the last one tried).
    pub key: Option<KeyId>,
    pub provider: Option<ProviderId>,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    pub cost_usd: Option<f64>,
    pub latency_ms: u64,
    pub attempts: u32,
    /// `ok` or the error code the caller got.
    pub outcome: &'static str,
    pub at: Timestamp,
}

/// How totals are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageGroup {
    Model,
    Key,
    Provider,
    User,
}

impl UsageGroup {
    fn column(self) -> &'static str {
        match self {
            UsageGroup::Model => "model_id",
            UsageGroup::Key => "key_id",
            UsageGroup::Provider => "provider_id",
            UsageGroup::User => "user_id",
        }
    }
}

/// Totals of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTotals {
    pub group: Option<String>,
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    /// `None` when any request of the group had no known price.
    pub cost_usd: Option<f64>,
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Rows per `INSERT` statement: 13 parameters each, well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT: usize = 128;
const USAGE_COLUMNS: usize = 13;

/// `INSERT INTO usage_records (…) VALUES (…), (…), …` for `rows` rows. SQLite gets
/// anonymous `?` placeholders: sqlx resolves each numbered one by name, which SQLite looks
/// up by walking the statement's parameter list, so numbered placeholders make a large
/// statement quadratic to bind (measured: 17% of the server's CPU at 128 rows).
fn insert_usage_sql(rows: usize, kind: DatabaseKind) -> String {
    let mut sql = String::from(
        "INSERT INTO usage_records (org_id, user_id, key_id, provider_id, model_id, \
         input_tokens, output_tokens, cached_tokens, cost_usd, latency_ms, attempts, outcome, at) \
         VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..USAGE_COLUMNS {
            if column > 0 {
                sql.push_str(", ");
            }
            match kind {
                DatabaseKind::Sqlite => sql.push('?'),
                DatabaseKind::Postgres => {
                    sql.push('$');
                    sql.push_str(&(row * USAGE_COLUMNS + column + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

impl Store {
    /// Writes records in one transaction, up to [`ROWS_PER_INSERT`] rows per statement (one
    /// round trip to the database per statement, not per record).
    pub async fn insert_usage(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            for chunk in records.chunks(ROWS_PER_INSERT) {
                let sql = insert_usage_sql(chunk.len(), self.kind());
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                    // Only full chunks repeat the same text often enough to keep prepared.
                    .persistent(chunk.len() == ROWS_PER_INSERT);
                for r in chunk {
                    query = query
                        .bind(r.org.as_str().to_owned())
                        .bind(r.user.as_str().to_owned())
                        .bind(r.key.as_ref().map(|k| k.as_str().to_owned()))
                        .bind(r.provider.map(|p| p.as_str()))
                        .bind(r.model.clone())
                        .bind(count(r.input_tokens))
                        .bind(count(r.output_tokens))
                        .bind(count(r.cached_tokens))
                        .bind(r.cost_usd)
                        .bind(count(r.latency_ms))
                        .bind(i64::from(r.attempts))
                        .bind(r.outcome)
                        .bind(r.at.unix_millis());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }
}

type TotalsRow = (Option<String>, i64, i64, i64, i64, Option<f64>, i64);

impl OrgStore<'_> {
    /// Totals per group of the organization's requests in `[since, until)`, optionally of
    /// one user only.
    pub async fn usage_totals(
        &self,
        group: UsageGroup,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        user: Option<&UserId>,
    ) -> Result<Vec<UsageTotals>, StoreError> {
        let sql = format!(
            // PostgreSQL sums BIGINTs as NUMERIC: cast back, on both backends.
            "SELECT {col}, COUNT(*), CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), \
             CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), \
             CAST(COALESCE(SUM(cached_tokens), 0) AS BIGINT), SUM(cost_usd), \
             CAST(SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
             FROM usage_records WHERE org_id = $1 AND at >= $2 AND at < $3 \
             AND ($4 = '' OR user_id = $4) GROUP BY {col} ORDER BY {col}",
            col = group.column()
        );
        let rows: Vec<TotalsRow> = on_reader!(self.store, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(self.org.as_str())
                .bind(since.map_or(i64::MIN, Timestamp::unix_millis))
                .bind(until.map_or(i64::MAX, Timestamp::unix_millis))
                .bind(user.map_or("", |u| u.as_str()))
                .fetch_all(pool)
                .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(group, requests, input, output, cached, cost, unknown)| UsageTotals {
                    group,
                    requests: requests.max(0) as u64,
                    input_tokens: input.max(0) as u64,
                    output_tokens: output.max(0) as u64,
                    cached_tokens: cached.max(0) as u64,
                    cost_usd: if unknown > 0 {
                        None
                    } else {
                        Some(cost.unwrap_or(0.0))
                    },
                },
            )
            .collect())
    }
}
