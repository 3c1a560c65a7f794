//! `Db::write`: on SQLite, the writer thread commits concurrent write jobs together, each under
//! its own savepoint. These tests make the jobs share one batch by holding this server's write
//! turn (a `Db::begin` transaction) while they are submitted, then check that a failing or
//! panicking job is rolled back alone, that later jobs see earlier ones, and that every answer
//! comes after the commit. On PostgreSQL each job is its own transaction and the same holds.

use halle::db::{Db, Tx};
use halle::error::{AppError, AppResult};
use halle::on_tx;

use crate::helpers::fresh_database;

struct Probe {
    db: Db,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

async fn database() -> Probe {
    let (url, dir) = fresh_database().await;
    let db = Db::connect(&url).await.expect("connect");
    let id = if is_sqlite(&db) { "integer primary key" } else { "bigserial primary key" };
    let mut tx = db.begin().await.expect("begin");
    on_tx!(&mut tx, conn => sqlx::query(&format!("create table probe (id {id}, label text not null unique)"))
        .execute(&mut **conn).await.map(|_| ()))
    .expect("create table");
    tx.commit().await.expect("commit");
    Probe { db, url, _dir: dir }
}

fn is_sqlite(db: &Db) -> bool {
    db.backend() == halle::db::Backend::Sqlite
}

async fn insert(tx: &mut Tx, label: &str) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("insert into probe (label) values ($1)").bind(label).execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

async fn count(tx: &mut Tx) -> AppResult<i64> {
    Ok(
        on_tx!(tx, conn => sqlx::query_scalar::<_, i64>("select count(*) from probe").fetch_one(&mut **conn).await)?,
    )
}

async fn labels(db: &Db) -> Vec<String> {
    let mut tx = db.begin_snapshot().await.expect("read");
    on_tx!(&mut tx, conn => sqlx::query_scalar::<_, String>("select label from probe order by id")
        .fetch_all(&mut **conn).await)
    .expect("labels")
}

/// Submits `jobs` while this server's write turn is held, so that on SQLite they all go into one
/// batch, and returns their answers in order.
async fn in_one_batch(db: &Db, jobs: Vec<(&'static str, bool)>) -> Vec<AppResult<i64>> {
    let turn = db.begin().await.expect("hold the write turn");
    let mut answers = Vec::new();
    let submitted = jobs.into_iter().map(|(label, fail)| {
        db.write(move |tx| {
            Box::pin(async move {
                insert(tx, label).await?;
                let seen = count(tx).await?;
                if fail { Err(AppError::Conflict("refused")) } else { Ok(seen) }
            })
        })
    });
    let all = futures_util::future::join_all(submitted);
    let release = async move { turn.commit().await.expect("release the turn") };
    let (results, ()) = tokio::join!(all, release);
    answers.extend(results);
    answers
}

#[tokio::test]
async fn a_refused_job_is_rolled_back_alone_and_later_jobs_see_the_earlier_ones() {
    let Probe { db, .. } = &database().await;
    let answers = in_one_batch(db, vec![("first", false), ("refused", true), ("third", false)]).await;
    assert!(matches!(answers[1], Err(AppError::Conflict("refused"))), "{:?}", answers[1]);
    assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
    if is_sqlite(db) {
        // One batch, in order: the third job saw the first one's row and not the refused one's.
        assert_eq!(answers[0].as_ref().ok(), Some(&1));
        assert_eq!(answers[2].as_ref().ok(), Some(&2));
        assert_eq!(labels(db).await, ["first", "third"]);
    } else {
        let mut stored = labels(db).await;
        stored.sort();
        assert_eq!(stored, ["first", "third"]);
    }
}

#[tokio::test]
async fn a_job_that_breaks_a_constraint_does_not_take_the_batch_down() {
    let Probe { db, .. } = &database().await;
    // Two inserts of the same label: one violates the unique constraint.
    let answers = in_one_batch(db, vec![("same", false), ("same", false), ("other", false)]).await;
    assert_eq!(answers.iter().filter(|a| a.is_err()).count(), 1, "{answers:?}");
    assert!(answers[2].is_ok());
    if is_sqlite(db) {
        assert!(answers[1].is_err());
        assert_eq!(answers[2].as_ref().ok(), Some(&2));
    }
    let mut stored = labels(db).await;
    stored.sort();
    assert_eq!(stored, ["other", "same"]);
}

/// SQLite only: on PostgreSQL the job runs in the caller's task, and a panic there is the
/// caller's like any other.
#[tokio::test]
async fn a_panicking_job_is_rolled_back_and_the_writer_goes_on() {
    let Probe { db, .. } = &database().await;
    if !is_sqlite(db) {
        return;
    }
    let turn = db.begin().await.expect("hold the write turn");
    let good = db.write(|tx| Box::pin(async move { insert(tx, "kept").await }));
    let panicking = db.write(|tx| {
        Box::pin(async move {
            insert(tx, "lost").await?;
            if count(tx).await? > 0 {
                panic!("a bug in a write job");
            }
            AppResult::Ok(())
        })
    });
    let release = async move { turn.commit().await.expect("release") };
    let (good, panicking, ()) = tokio::join!(good, panicking, release);
    assert!(good.is_ok());
    assert!(panicking.is_err());
    // The writer still works afterwards.
    db.write(|tx| Box::pin(async move { insert(tx, "after").await })).await.expect("next write");
    assert_eq!(labels(db).await, ["kept", "after"]);
}

#[tokio::test]
async fn many_concurrent_writes_are_all_committed_once_answered() {
    let Probe { db, url, .. } = &database().await;
    let names: Vec<String> = (0..300).map(|i| format!("row-{i}")).collect();
    let writes = names.iter().cloned().map(|label| {
        let db = db.clone();
        tokio::spawn(
            async move { db.write(move |tx| Box::pin(async move { insert(tx, &label).await })).await },
        )
    });
    for handle in futures_util::future::join_all(writes).await {
        handle.expect("task").expect("write");
    }
    // Every answered write is visible to a new connection.
    let again = Db::connect(url).await.expect("reconnect");
    let mut stored = labels(&again).await;
    stored.sort();
    let mut expected = names;
    expected.sort();
    assert_eq!(stored, expected);
}
