//! The commands of the `halle` binary: serve, migrate, add users and territories.

use std::io::Read;

use tracing_subscriber::EnvFilter;

use crate::config::{Cli, Command, CurrencyCommand, TerritoryCommand, UserCommand};
use crate::db::Db;
use crate::error::AppError;
use crate::{accounts, app, demo, territory};

/// Sets up logs: human-readable text, or one JSON object per line. `RUST_LOG` filters them.
pub fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs a command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.config;
    match cli.command {
        Command::Serve { demo: with_demo } => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            if with_demo {
                demo::seed_if_empty(&db).await?;
                config.demo = true;
            }
            let running = app::start_with(config, db).await?;
            // Tools (and the browser tests) read this line to find the port.
            println!("Halle listening on http://{}", running.addr);
            let stop = running.stop_handle();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                tracing::info!("shutting down");
                let _ = stop.send(true);
            });
            running.wait().await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User { action: UserCommand::Add { email, name, admin, password_stdin: _ } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let user = accounts::create_confirmed(&db, &email, name.as_deref(), password, admin)
                .await
                .map_err(describe)?;
            println!("user {} created (id {})", user.email, user.id);
            Ok(())
        }
        Command::Territory { action: TerritoryCommand::Add { slug, name, time_zone } } => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let input = territory::NewTerritory { slug, name, time_zone, label_name: None, label_tag: None };
            let created = territory::create(&db, None, &input).await.map_err(describe)?;
            println!("territory {} created (id {})", created.slug, created.id);
            Ok(())
        }
        Command::Currency { action: CurrencyCommand::Audit } => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let audits = crate::ledger::audit_all(&db).await.map_err(describe)?;
            let mut ok = true;
            for (territory_id, audit) in &audits {
                ok &= audit.ok;
                println!("{}", serde_json::json!({ "territory_id": territory_id, "audit": audit }));
            }
            println!("{}", if ok { "audit ok" } else { "AUDIT FAILED" });
            if ok { Ok(()) } else { std::process::exit(1) }
        }
    }
}

/// Explains a domain error on the command line, in English.
fn describe(err: AppError) -> anyhow::Error {
    let t = crate::web::i18n::Tr::new(crate::web::i18n::Lang::En);
    match &err {
        AppError::Invalid(fields) => {
            let list: Vec<String> =
                fields.iter().map(|f| format!("{}: {}", f.field, t.get(f.message))).collect();
            anyhow::anyhow!("invalid input: {}", list.join("; "))
        }
        other => anyhow::anyhow!("{}", t.get(other.message_key())),
    }
}
