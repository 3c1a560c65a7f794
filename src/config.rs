//! Every setting and command of the `halle` binary, read from the command line or the
//! environment (each setting has a `HALLE_*` variable), with defaults that run on one machine.

use clap::{Args, Parser, Subcommand};

/// The command line of the `halle` binary.
#[derive(Debug, Parser)]
#[command(name = "halle", version, about = "Halle: the online market hall of a territory")]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the web server (migrating the database first).
    Serve {
        /// Fills an empty database with a demo territory, members and their activity.
        #[arg(long)]
        demo: bool,
    },
    /// Applies the pending database migrations and exits.
    Migrate,
    /// Manages member accounts.
    User {
        /// The action.
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Manages territories.
    Territory {
        /// The action.
        #[command(subcommand)]
        action: TerritoryCommand,
    },
    /// The local currency.
    Currency {
        /// The action.
        #[command(subcommand)]
        action: CurrencyCommand,
    },
}

/// `halle currency ...`
#[derive(Debug, Subcommand)]
pub enum CurrencyCommand {
    /// Checks every invariant of every territory's ledger; exits with status 1 if one fails.
    Audit,
}

/// `halle user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates a confirmed account, reading its password from standard input.
    Add {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// The name shown to other members (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Makes the account an instance administrator.
        #[arg(long)]
        admin: bool,
        /// Reads the password from standard input (required, so that it never shows in the
        /// process list or the shell history).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// `halle territory ...`
#[derive(Debug, Subcommand)]
pub enum TerritoryCommand {
    /// Creates a territory.
    Add {
        /// The short name used in addresses (`/t/<slug>`): lowercase letters, digits and dashes.
        #[arg(long)]
        slug: String,
        /// The name shown to people.
        #[arg(long)]
        name: String,
        /// The IANA time zone of the territory.
        #[arg(long, default_value = "Europe/Paris")]
        time_zone: String,
    },
}

/// Settings, each from a flag or its environment variable.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Database URL: `sqlite://halle.db?mode=rwc` (embedded) or `postgres://user:pw@host/db`.
    #[arg(long, env = "HALLE_DATABASE_URL", default_value = "sqlite://halle.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Address and port the server listens on (port 0 picks a free port).
    #[arg(long, env = "HALLE_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// The public address of the site, used in emails and links (defaults to http://<bind>).
    /// An `https://` address also marks cookies Secure and turns on HSTS.
    #[arg(long, env = "HALLE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// SMTP server URL, e.g. `smtps://user:password@smtp.example.org:465` or
    /// `smtp://localhost:25`. Without it, emails wait in the outbox (visible to admins).
    #[arg(long, env = "HALLE_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender address of the emails.
    #[arg(long, env = "HALLE_SMTP_FROM", default_value = "Halle <no-reply@localhost>", global = true)]
    pub smtp_from: String,

    /// Behind a reverse proxy: take the client's address from `X-Forwarded-For`, read from the
    /// right, skipping the trusted proxies (`--trusted-proxies`); the left-most entries are
    /// written by the client and never believed.
    #[arg(long, env = "HALLE_TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// The reverse proxies whose `X-Forwarded-For` is believed, as addresses or networks
    /// separated by commas (`10.0.0.0/8,fd00::/8`). A request from anywhere else keeps its
    /// peer address.
    #[arg(
        long,
        env = "HALLE_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1/128",
        global = true
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Log format: `text` or `json`.
    #[arg(long, env = "HALLE_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: String,

    /// Seconds a request may take, reading its body included, before it is answered 408.
    #[arg(long, env = "HALLE_REQUEST_TIMEOUT_SECS", default_value_t = 60, global = true)]
    pub request_timeout_secs: u64,

    /// Largest request body accepted, in bytes (uploads have their own limits).
    #[arg(long, env = "HALLE_MAX_BODY_BYTES", default_value_t = 256 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// The most an exchange operator may issue at the desk of a territory per day (Paris time),
    /// in cents.
    #[arg(long, env = "HALLE_DESK_DAILY_CAP_CENTS", default_value_t = 200_000, global = true)]
    pub desk_daily_cap_cents: i64,

    /// Login attempts allowed per account and client address in 15 minutes (three times that per
    /// address over any accounts, ten times that per account from everywhere).
    #[arg(long, env = "HALLE_LOGIN_LIMIT", default_value_t = 10, global = true)]
    pub login_limit: i64,

    /// Registrations allowed per client address per hour.
    #[arg(long, env = "HALLE_REGISTER_LIMIT", default_value_t = 5, global = true)]
    pub register_limit: i64,

    /// Seconds between two runs of the background outbox sender and cleaner.
    #[arg(long, env = "HALLE_JOB_INTERVAL_SECS", default_value_t = 5, global = true)]
    pub job_interval_secs: u64,

    /// Licence of the directory's open data (CSV and GeoJSON exports).
    #[arg(long, env = "HALLE_OPEN_DATA_LICENCE", default_value = "ODbL-1.0", global = true)]
    pub open_data_licence: String,

    /// Map tiles URL template for the directory map (`{z}/{x}/{y}`); empty for no background.
    #[arg(
        long,
        env = "HALLE_TILES_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        global = true
    )]
    pub tiles_url: String,

    /// Attribution shown on the map for the tiles.
    #[arg(
        long,
        env = "HALLE_TILES_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors",
        global = true
    )]
    pub tiles_attribution: String,

    /// Geocoder speaking the French national address API's `/search/?q=` format (e.g. a
    /// self-hosted addok); without it, coordinates come from the map pin or the form fields.
    #[arg(long, env = "HALLE_GEOCODER_URL", global = true)]
    pub geocoder_url: Option<String>,

    /// Let the server fetch catalogues from private and loopback addresses (tests only: it
    /// would otherwise let members probe the hosting network).
    #[arg(long, env = "HALLE_ALLOW_PRIVATE_FETCH", default_value_t = false, global = true)]
    pub allow_private_fetch: bool,

    /// Set by `serve --demo`: the login page then lists the demo accounts.
    #[arg(skip)]
    pub demo: bool,
}

impl Config {
    /// The public base URL without a trailing slash.
    pub fn base_url(&self, bound: &str) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }

    /// Settings for tests and tools: everything default, on the given database.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            public_url: None,
            smtp_url: None,
            smtp_from: "Halle <no-reply@localhost>".to_owned(),
            trust_proxy: false,
            trusted_proxies: vec![
                "127.0.0.0/8".parse().expect("a network"),
                "::1/128".parse().expect("a network"),
            ],
            log_format: "text".to_owned(),
            max_body_bytes: 256 * 1024,
            request_timeout_secs: 60,
            desk_daily_cap_cents: 200_000,
            login_limit: 10,
            register_limit: 5,
            job_interval_secs: 5,
            open_data_licence: "ODbL-1.0".to_owned(),
            tiles_url: String::new(),
            tiles_attribution: String::new(),
            geocoder_url: None,
            allow_private_fetch: false,
            demo: false,
        }
    }
}
