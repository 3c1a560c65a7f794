//! Which tables a request wrote to: every table but the lively ones gets a trigger that logs
//! its name in `authz_change` for each row inserted, updated or deleted, so a refused request
//! can be shown to have written nothing, and an allowed one to have written something. (Only
//! rows really touched count: an `update` matching no row, or a rolled-back one, leaves no trace.)

use halle::db::Db;

/// Tables written on any request (sessions, counters) or on their own (job leases).
const LIVELY: [&str; 3] = ["web_session", "rate_limit", "job_lease"];
/// Bookkeeping columns any authenticated request may touch: when a token was last used.
const LIVELY_COLUMNS: [(&str, &str); 1] = [("api_token", "last_used_at")];

/// The change log of the test's database.
pub struct ChangeLog;

impl ChangeLog {
    /// Adds the log table and one trigger per table.
    pub async fn install(db: &Db) -> Self {
        let mut columns: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (table, column) in table_columns(db).await {
            if !LIVELY.contains(&table.as_str())
                && !LIVELY_COLUMNS.contains(&(table.as_str(), column.as_str()))
            {
                columns.entry(table).or_default().push(column);
            }
        }
        assert!(columns.len() > 40, "the tables were not found");
        match db {
            Db::Sqlite(pool, _) => {
                let log =
                    "create table authz_change (id integer primary key autoincrement, tbl text not null)";
                sqlx::query(log).execute(pool).await.unwrap();
                for (table, columns) in &columns {
                    let insert = format!("insert into authz_change (tbl) values ('{table}');");
                    for event in ["insert", &format!("update of {}", columns.join(", ")), "delete"] {
                        let name = format!("authz_{table}_{}", &event[..6]);
                        let sql =
                            format!("create trigger {name} after {event} on {table} begin {insert} end");
                        sqlx::query(&sql).execute(pool).await.unwrap();
                    }
                }
            }
            Db::Postgres(pool) => {
                let log = "create table authz_change (id bigserial primary key, tbl text not null)";
                sqlx::query(log).execute(pool).await.unwrap();
                let function = "create function authz_log() returns trigger language plpgsql as \
                    $$ begin insert into authz_change (tbl) values (tg_table_name); return null; end $$";
                sqlx::query(function).execute(pool).await.unwrap();
                for (table, columns) in &columns {
                    let sql = format!(
                        "create trigger authz_{table} after insert or update of {} or delete on {table} \
                         for each row execute function authz_log()",
                        columns.join(", ")
                    );
                    sqlx::query(&sql).execute(pool).await.unwrap();
                }
            }
        }
        Self
    }

    /// The position of the log now.
    pub async fn mark(&self, db: &Db) -> i64 {
        let sql = "select coalesce(max(id), 0) from authz_change";
        match db {
            Db::Sqlite(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The tables written since `mark`.
    pub async fn since(&self, db: &Db, mark: i64) -> Vec<String> {
        let sql = "select distinct tbl from authz_change where id > $1 order by tbl";
        match db {
            Db::Sqlite(pool, _) => sqlx::query_scalar(sql).bind(mark).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).bind(mark).fetch_all(pool).await.unwrap(),
        }
    }
}

/// Every (table, column) of the application's schema.
async fn table_columns(db: &Db) -> Vec<(String, String)> {
    match db {
        Db::Sqlite(pool, _) => sqlx::query_as(
            "select m.name, p.name from sqlite_master m, pragma_table_info(m.name) p \
             where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "select table_name::text, column_name::text from information_schema.columns \
             where table_schema = 'public' and table_name not like '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    }
}
