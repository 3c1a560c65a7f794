//! The database handle for both backends: connect, migrate, and run one portable SQL text on
//! whichever native sqlx pool is configured.

mod writer;

use std::str::FromStr;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

pub use writer::Writer;

/// The application's database: one of the two native pools.
///
/// Store functions write their SQL once (`$1` placeholders, `returning`, `on conflict`) and run it
/// with [`on_db!`](crate::on_db) or [`on_tx!`](crate::on_tx), which expand the same expression
/// for each backend so that sqlx keeps its native types.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default, one file, WAL mode, with this server's group-commit writer.
    Sqlite(SqlitePool, Writer),
    /// For deployments that run several server instances.
    Postgres(PgPool),
}

/// A transaction on either backend. Dropping it without [`Tx::commit`] rolls it back.
pub enum Tx {
    /// A SQLite transaction, begun with `BEGIN IMMEDIATE` so that writers queue on the
    /// database lock instead of failing when they upgrade from reading to writing; with this
    /// server's write turn when it writes (see [`Db::write`]).
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
    /// A PostgreSQL transaction (read committed; writes guard themselves with conditional
    /// statements).
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the native pool of `$db`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the native connection of the transaction `$tx`
/// (use it as `&mut **$conn`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($conn, _) => $body,
            $crate::db::Tx::Postgres($conn) => $body,
        }
    };
}

/// Where a store function runs its SQL: straight on the pool, or inside a transaction. A store
/// function takes `impl Into<Exec<'_>>`, so one function serves both `&db` and `&mut tx`
/// instead of a `_tx` twin per query.
pub enum Exec<'a> {
    /// A statement of its own on the pool.
    Pool(&'a Db),
    /// A statement inside the caller's transaction (it sees the transaction's own writes).
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Self::Pool(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Self::Tx(tx)
    }
}

/// Runs `$body` with `$executor` bound to a sqlx executor of `$exec` (an [`Exec`]): the native
/// pool, or the transaction's native connection. The same expression is expanded once per
/// backend and per kind, so sqlx keeps its native types.
#[macro_export]
macro_rules! on_exec {
    ($exec:expr, $executor:ident => $body:expr) => {
        match $exec {
            $crate::db::Exec::Pool($crate::db::Db::Sqlite($executor, _)) => $body,
            $crate::db::Exec::Pool($crate::db::Db::Postgres($executor)) => $body,
            $crate::db::Exec::Tx($crate::db::Tx::Sqlite(conn, _)) => {
                let $executor = &mut **conn;
                $body
            }
            $crate::db::Exec::Tx($crate::db::Tx::Postgres(conn)) => {
                let $executor = &mut **conn;
                $body
            }
        }
    };
}

/// A domain enum stored as text (a `status`, `kind` or `state` column): rows decode into the
/// enum, so the rest of the code compares variants, never strings. Implement it, then call
/// [`text_column!`](crate::text_column) to give the type its sqlx encoding on both backends.
pub trait TextColumn: Sized {
    /// The stored text.
    fn as_column(&self) -> &'static str;
    /// The value of a stored text; `None` refuses the row.
    fn from_column(text: &str) -> Option<Self>;
}

/// Implements sqlx's `Type`, `Decode` and `Encode` on both backends for a [`TextColumn`] type,
/// and `Display` as its stored text (what templates write in classes and data attributes).
#[macro_export]
macro_rules! text_column {
    ($type:ty) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(<$type as $crate::db::TextColumn>::as_column(self))
            }
        }
        impl sqlx::Type<sqlx::Sqlite> for $type {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <String as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
            fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            }
        }
        impl sqlx::Type<sqlx::Postgres> for $type {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $type
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                <$type as $crate::db::TextColumn>::from_column(&text)
                    .ok_or_else(|| format!("unknown {} {text:?}", stringify!($type)).into())
            }
        }
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $type
        where
            &'static str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'static str as sqlx::Encode<'q, DB>>::encode(
                    <$type as $crate::db::TextColumn>::as_column(self),
                    buf,
                )
            }
        }
    };
}

/// Which backend a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:` URLs.
    Sqlite,
    /// `postgres:` and `postgresql:` URLs.
    Postgres,
}

impl Backend {
    /// Chooses the backend from the URL scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("HALLE_DATABASE_URL must start with sqlite: or postgres:")
        }
    }
}

impl Db {
    /// Connects to the database named by `url`, choosing the backend from its scheme.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        match Backend::from_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL makes every commit durable even on power loss: money lives here.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // A connection to a local file cannot go stale: skip the ping sqlx would send to
                // its worker thread on every acquire.
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                Ok(Self::Sqlite(pool, Writer::start(options)?))
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    /// Applies the pending migrations of this backend's folder.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool, _) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Self::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it waits for this server's turn to write, behind
    /// the writer's batches (see [`Db::write`]), then takes the database lock at once (`BEGIN
    /// IMMEDIATE`). Never call [`Db::write`] or `begin` again while holding the transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool, writer) => {
                let turn = writer.enter().await?;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Begins a read-only transaction that sees one state of the database: a deferred
    /// transaction on SQLite (a WAL snapshot from its first read), repeatable read on
    /// PostgreSQL.
    pub async fn begin_snapshot(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool, _) => Tx::Sqlite(pool.begin().await?, None),
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("set transaction isolation level repeatable read, read only")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Runs `work` in a write transaction and commits it; returns its result once committed.
    /// When `work` fails, none of its writes are kept.
    ///
    /// On SQLite the work goes to this server's writer thread, which commits the writes of
    /// concurrent callers together (group commit: one fsync for many orders or transfers) and
    /// runs each under its own savepoint, so a failing one does not touch the others. `work`
    /// must therefore do all its reading and writing through the transaction it is given,
    /// never through the pool or another transaction, and must not wait on anything else.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    {
        match self {
            Self::Sqlite(_, writer) => writer.submit(work).await,
            Self::Postgres(pool) => {
                let mut tx = Tx::Postgres(pool.begin().await?);
                let value = work(&mut tx).await?;
                tx.commit().await?;
                Ok(value)
            }
        }
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(..) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        on_tx!(self, tx => tx.commit().await)
    }
}

/// True when `err` is a violation of the unique index `name` (named `<table>_<column>_key`).
///
/// PostgreSQL reports the constraint's name; SQLite only its columns (`table.column`), so the
/// name is matched against the message there.
pub fn is_unique_violation(err: &sqlx::Error, name: &str) -> bool {
    let sqlx::Error::Database(db_err) = err else {
        return false;
    };
    if !db_err.is_unique_violation() {
        return false;
    }
    if let Some(constraint) = db_err.constraint() {
        return constraint == name;
    }
    // SQLite: "UNIQUE constraint failed: membership.user_id, membership.role"; the index
    // is named `membership_user_id_role_key`.
    let columns = db_err.message().rsplit(": ").next().unwrap_or_default();
    let mut parts = columns.split(", ").filter_map(|c| c.split_once('.'));
    let Some((table, first)) = parts.next() else {
        return false;
    };
    let mut derived = format!("{table}_{first}");
    for (_, column) in parts {
        derived.push('_');
        derived.push_str(column);
    }
    derived.push_str("_key");
    derived == name
}

/// The current time in whole seconds since the Unix epoch, as every `_at` column stores it.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A value bound to a query built at run time (search filters).
#[derive(Clone, Debug)]
pub enum Arg {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Floating point (coordinates).
    Float(f64),
}

/// Binds `$args` (a slice of [`Arg`]) in order onto the sqlx query `$query`.
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::db::Arg::Text(text) => query.bind(text.clone()),
                $crate::db::Arg::Int(number) => query.bind(*number),
                $crate::db::Arg::Float(number) => query.bind(*number),
            };
        }
        query
    }};
}
