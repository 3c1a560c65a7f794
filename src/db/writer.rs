//! Group commit for SQLite.
//!
//! SQLite has one writer at a time. When every request opens its own write transaction, the
//! requests queue on the database lock by polling it (SQLite's busy handler sleeps between
//! tries), and the task that holds the lock waits behind every other request for its turn on
//! the server's threads between two statements. Throughput stays far below what the disk can
//! do (one fsync is a quarter of a millisecond here).
//!
//! The hot write paths (placing orders, posting transfers) therefore hand their transaction to
//! one writer thread per server, with its own connection and its own small runtime. The writer
//! takes every job waiting, opens one transaction, runs each job under its own savepoint (a
//! job that fails is rolled back alone and the others are kept), commits once, and only then
//! answers each caller: an answered write is durable, and a write that the commit lost is
//! reported as failed. Several servers on one file still exclude each other with SQLite's lock.
//!
//! Other write transactions of the same server ([`super::Db::begin`]) queue on the same gate as
//! the writer's batches, first come first served, instead of polling the lock against it.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

use super::Tx;

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 256;

/// How many transactions in a row may break before the jobs still waiting in them fail.
const MAX_BROKEN: u32 = 3;

/// How long a write transaction waits for the gate before giving up, as SQLite's busy timeout.
pub(super) const GATE_TIMEOUT: Duration = Duration::from_secs(10);

/// Answers a job's caller once the batch's fate is known: `None` when it was committed.
type Reply = Box<dyn FnOnce(Option<&sqlx::Error>) + Send>;

/// A job: runs on the writer's transaction and says whether its writes are kept.
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, (bool, Reply)> + Send>;

/// The handle on a server's writer thread (cheap to clone). The thread ends when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Writer {
    sender: mpsc::UnboundedSender<Job>,
    gate: Arc<Mutex<()>>,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writer thread for the database of `options` (it connects on its first job).
    pub(super) fn start(options: SqliteConnectOptions) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let gate = Arc::new(Mutex::new(()));
        let thread_gate = gate.clone();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("halle-writer".into()).spawn(move || {
            keep_to_one_core();
            runtime.block_on(run(options, thread_gate, receiver));
        })?;
        Ok(Self { sender, gate })
    }

    /// Waits for this server's turn to write (see the module's documentation).
    pub(super) async fn enter(&self) -> Result<OwnedMutexGuard<()>, sqlx::Error> {
        tokio::time::timeout(GATE_TIMEOUT, self.gate.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::Protocol("database is locked (write queue timed out)".into()))
    }

    /// Runs `work` in the next batch and returns its result once the batch is committed.
    pub(super) async fn submit<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |tx: &mut Tx| {
            Box::pin(async move {
                let result = work(tx).await;
                let keep = result.is_ok();
                let reply: Reply = Box::new(move |failure: Option<&sqlx::Error>| {
                    let result = match (result, failure) {
                        (Ok(_), Some(err)) => {
                            Err(E::from(sqlx::Error::Protocol(format!("the batch was not committed: {err}"))))
                        }
                        (result, _) => result,
                    };
                    // The caller may have gone (a closed connection): the write stands anyway.
                    let _ = answer.send(result);
                });
                (keep, reply)
            })
        });
        self.sender.send(job).map_err(|_| E::from(writer_gone()))?;
        answered.await.map_err(|_| E::from(writer_gone()))?
    }
}

/// Keeps the writer thread, and the SQLite worker thread it starts (threads inherit their
/// parent's affinity), on one core. The two hand every statement to each other and never run at
/// the same time; on one core a hand-over is a plain context switch, across cores it is a
/// cross-CPU wake-up, about ten times slower on a virtual machine (measured in
/// docs/benchmarks.md). The rest of the server keeps every core.
fn keep_to_one_core() {
    if let Some(core) = core_affinity::get_core_ids().and_then(|cores| cores.last().copied()) {
        core_affinity::set_for_current(core);
    }
}

fn writer_gone() -> sqlx::Error {
    sqlx::Error::Protocol("the database writer did not answer".into())
}

async fn run(options: SqliteConnectOptions, gate: Arc<Mutex<()>>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut pool: Option<SqlitePool> = None;
    let mut batch: Vec<Job> = Vec::new();
    let mut broken = 0;
    loop {
        if batch.is_empty() {
            let Some(first) = jobs.recv().await else {
                break;
            };
            batch.push(first);
        }
        let _turn = gate.lock().await;
        // Jobs that came while waiting for the gate join this batch.
        while batch.len() < MAX_BATCH
            && let Ok(job) = jobs.try_recv()
        {
            batch.push(job);
        }
        let connection = match &pool {
            Some(pool) => pool.clone(),
            None => match connect(&options).await {
                Ok(opened) => pool.insert(opened).clone(),
                Err(err) => {
                    tracing::error!(error = %err, "the database writer cannot connect");
                    batch.clear();
                    continue;
                }
            },
        };
        apply(&connection, &mut batch).await;
        if batch.is_empty() {
            broken = 0;
        } else {
            broken += 1;
            if broken >= MAX_BROKEN {
                // Dropping the jobs answers their callers with an error.
                tracing::error!(jobs = batch.len(), "the database writer gives up on a batch");
                batch.clear();
                pool = None;
                broken = 0;
            }
        }
    }
    if let Some(pool) = pool {
        pool.close().await;
    }
}

async fn connect(options: &SqliteConnectOptions) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options.clone())
        .await
}

/// Runs the jobs of `batch` in one transaction and answers them. Jobs left in `batch` (after a
/// failure of the transaction itself) are tried again in the next one.
async fn apply(pool: &SqlitePool, batch: &mut Vec<Job>) {
    let mut tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => Tx::Sqlite(tx, None),
        Err(err) => {
            tracing::error!(error = %err, jobs = batch.len(), "the database writer cannot begin a transaction");
            // Dropping the jobs answers their callers with an error.
            batch.clear();
            return;
        }
    };
    let single = batch.len() == 1;
    let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
    let mut jobs = std::mem::take(batch).into_iter();
    for job in jobs.by_ref() {
        if !single && let Err(err) = execute(&mut tx, "savepoint halle_job").await {
            batch.push(job);
            return abort(err, replies, batch, jobs);
        }
        let outcome = AssertUnwindSafe(job(&mut tx)).catch_unwind().await;
        let (keep, reply) = match outcome {
            Ok((keep, reply)) => (keep, Some(reply)),
            Err(_) => {
                tracing::error!("a write job panicked; its writes are rolled back");
                (false, None)
            }
        };
        if single {
            if !keep {
                drop(tx);
                if let Some(reply) = reply {
                    reply(None);
                }
                return;
            }
        } else {
            let undone =
                if keep { Ok(()) } else { execute(&mut tx, "rollback to savepoint halle_job").await };
            let released = match undone {
                Ok(()) => execute(&mut tx, "release savepoint halle_job").await,
                Err(err) => Err(err),
            };
            if let Err(err) = released {
                replies.extend(reply);
                return abort(err, replies, batch, jobs);
            }
        }
        replies.extend(reply);
    }
    let committed = tx.commit().await;
    if let Err(err) = &committed {
        tracing::error!(error = %err, jobs = replies.len(), "the database writer could not commit a batch");
    }
    let failure = committed.err();
    for reply in replies {
        reply(failure.as_ref());
    }
}

/// The transaction broke: the jobs already run are answered as failed (nothing of theirs is
/// kept), the ones not yet run go back to the queue's head.
fn abort(err: sqlx::Error, replies: Vec<Reply>, batch: &mut Vec<Job>, rest: impl Iterator<Item = Job>) {
    tracing::error!(error = %err, "a write batch was rolled back");
    for reply in replies {
        reply(Some(&err));
    }
    batch.extend(rest);
}

async fn execute(tx: &mut Tx, sql: &str) -> Result<(), sqlx::Error> {
    crate::on_tx!(tx, conn => sqlx::query(sql).execute(&mut **conn).await.map(|_| ()))
}
