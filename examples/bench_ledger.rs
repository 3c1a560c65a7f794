//! The currency's benchmark: transfers per second and latency percentiles with concurrent
//! clients, against the release `halle` binary on SQLite or PostgreSQL.
//!
//! ```text
//! cargo build --release --bin halle --example bench_ledger
//! target/release/examples/bench_ledger [DATABASE_URL] [SECONDS] [CLIENTS]
//! ```
//! Defaults: a fresh SQLite file, 15 seconds, 64 clients. A PostgreSQL URL must name an empty
//! database. The binary is `$HALLE_BIN`, else `halle` beside this example's directory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use halle::accounts::{self, Role};
use halle::db::Db;
use halle::ledger::{self, DeskMethod};
use tokio::io::{AsyncBufReadExt, BufReader};

const MEMBERS: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = tempfile_dir()?;
    let url = args.get(1).cloned().unwrap_or_else(|| format!("sqlite://{dir}/bench.db?mode=rwc"));
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15);
    let clients: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let bin = std::env::var("HALLE_BIN").unwrap_or_else(|_| {
        let exe = std::env::current_exe().expect("own path");
        exe.parent()
            .and_then(|p| p.parent())
            .map(|p| p.join("halle").display().to_string())
            .unwrap_or_default()
    });

    // Set up: a territory with its currency, members funded at an exchange point, API tokens.
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let input = halle::territory::NewTerritory {
        slug: "bench".into(),
        name: "Bench".into(),
        time_zone: "Europe/Paris".into(),
        label_name: None,
        label_tag: None,
    };
    let fail = |e: halle::error::AppError| anyhow::anyhow!("{e}");
    let territory = halle::territory::create(&db, None, &input).await.map_err(fail)?;
    let admin = accounts::create_confirmed(&db, "admin@bench.example", None, "bench-password-1", true)
        .await
        .map_err(fail)?;
    ledger::enable_currency(&db, &admin, territory.id, "Bulle", "B").await.map_err(fail)?;
    accounts::grant_role(&db, &admin, admin.id, territory.id, Role::ExchangeOperator).await.map_err(fail)?;
    // The desk needs the operator's second factor: set it up, then prove it with a recovery code
    // (the set-up used the current code, and a code works once). The bench's funding has no cap.
    let (_, secret) = accounts::totp::begin_setup(&db, &admin).await.map_err(fail)?;
    let now = u64::try_from(halle::db::now()).unwrap_or_default();
    let code = accounts::totp::code_for_secret(&secret, now).ok_or_else(|| anyhow::anyhow!("no code"))?;
    let recovery = accounts::totp::confirm_setup(&db, &admin, &code).await.map_err(fail)?;
    let factor = accounts::totp::fresh_from_code(&db, &admin, &recovery[0]).await.map_err(fail)?;
    let mut members = Vec::new();
    for index in 0..MEMBERS {
        let user = accounts::create_confirmed(
            &db,
            &format!("m{index}@bench.example"),
            None,
            "bench-password-1",
            false,
        )
        .await
        .map_err(fail)?;
        accounts::join_territory(&db, &user, territory.id).await.map_err(fail)?;
        let issuance = ledger::DeskIssuance {
            member_email: user.email.clone(),
            amount_cents: 10_000_000,
            method: DeskMethod::Cash,
            client_id: uuid::Uuid::new_v4().to_string(),
        };
        ledger::issue_at_desk(&db, &admin, &factor, territory.id, &issuance, i64::MAX).await.map_err(fail)?;
        let account = ledger::member_account(&db, &user, territory.id).await.map_err(fail)?;
        members.push((accounts::create_api_token(&db, &user, "bench").await.map_err(fail)?, account.id));
    }
    db.close().await;

    let mut server = tokio::process::Command::new(&bin)
        .arg("serve")
        .env("HALLE_DATABASE_URL", &url)
        .env("HALLE_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next_line().await?.ok_or_else(|| anyhow::anyhow!("server exited"))?;
        if let Some(address) = line.strip_prefix("Halle listening on ") {
            break address.trim().to_owned();
        }
    };

    let members = Arc::new(members);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..clients {
        let (members, stop, base) = (members.clone(), stop.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut errors = 0_usize;
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let (token, from) = &members[n % members.len()];
                let (_, mut to) = members[(n / 7) % members.len()];
                if to == *from {
                    to = members[(n / 7 + 1) % members.len()].1;
                }
                let body = serde_json::json!({"id": uuid::Uuid::new_v4().to_string(), "to_account": to, "amount_cents": 1 + n % 500});
                let sent = Instant::now();
                let response = http
                    .post(format!("{base}/api/v1/territories/bench/currency/transfers"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, failed) = task.await?;
        all.extend(latencies);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let backend = if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" };
    println!(
        "{backend}, {clients} clients, {seconds} s: {} transfers, {:.0} transfers/s, p50 {:.1} ms, p99 {:.1} ms, {errors} errors",
        all.len(),
        all.len() as f64 / elapsed,
        pick(0.50).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
    );
    server.start_kill()?;
    let _ = server.wait().await;
    // Check the ledger after the run.
    let db = Db::connect(&url).await?;
    let audit = ledger::audit(&db, territory.id).await.map_err(fail)?;
    println!("audit ok: {}", audit.ok);
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<String> {
    let dir = std::env::temp_dir().join(format!("halle-bench-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir.display().to_string())
}
