//! A snapshot of everything the database holds except sessions, rate-limit counters and job
//! leases, so that a refused request can be shown to have changed nothing.

use halle::db::Db;
use sqlx::Row;

/// Tables that change on any request (sessions, counters) or on their own (job leases).
const LIVELY: [&str; 3] = ["web_session", "rate_limit", "job_lease"];

/// One query reading every other table as text.
pub struct Snapshotter {
    sql: String,
}

/// The contents of each table, as text (or its digest), by table name.
pub type Snapshot = std::collections::BTreeMap<String, String>;

impl Snapshotter {
    /// Reads the tables and their columns once.
    pub async fn new(db: &Db) -> Self {
        let mut parts = Vec::new();
        match db {
            Db::Sqlite(pool, _) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' \
                     and name not like '_sqlx%' order by name",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                for table in tables.into_iter().filter(|t| !LIVELY.contains(&t.as_str())) {
                    let columns: Vec<String> = sqlx::query(&format!("pragma table_info({table})"))
                        .fetch_all(pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|row| {
                            let (name, kind) = (row.get::<String, _>("name"), row.get::<String, _>("type"));
                            // Photos are compared by size: their bytes would make every snapshot heavy.
                            if kind.to_lowercase().contains("blob") {
                                format!("quote(length(\"{name}\"))")
                            } else {
                                format!("quote(\"{name}\")")
                            }
                        })
                        .collect();
                    parts.push(format!(
                        "select '{table}' as t, coalesce((select group_concat(line, char(10)) from \
                         (select {} as line from {table} order by 1)), '') as c",
                        columns.join(" || '|' || ")
                    ));
                }
            }
            Db::Postgres(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "select table_name::text from information_schema.tables where table_schema = 'public' \
                     and table_name not like '_sqlx%' order by 1",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                for table in tables.into_iter().filter(|t| !LIVELY.contains(&t.as_str())) {
                    parts.push(format!(
                        "select '{table}' as t, md5(coalesce((select string_agg(x::text, E'\\n' order by x::text) \
                         from {table} x), '')) as c"
                    ));
                }
            }
        }
        assert!(parts.len() > 40, "the tables were not found");
        Self { sql: parts.join(" union all ") }
    }

    /// The contents now.
    pub async fn take(&self, db: &Db) -> Snapshot {
        let rows = match db {
            Db::Sqlite(pool, _) => sqlx::query(&self.sql)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
                .collect(),
            Db::Postgres(pool) => sqlx::query(&self.sql)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
                .collect(),
        };
        rows
    }
}

/// The tables whose contents differ.
pub fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    before.iter().filter(|(table, text)| after.get(*table) != Some(text)).map(|(table, _)| table.clone()).collect()
}
