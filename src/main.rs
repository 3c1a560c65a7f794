//! The `halle` binary: reads the settings, then runs the chosen command.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = halle::config::Cli::parse();
    halle::cli::init_logging(&cli.config.log_format);
    halle::cli::run(cli).await
}
