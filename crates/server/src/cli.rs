//! The command line (CONTRACT §1). Every command takes the same storage settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aiproviders",
    version,
    about = "Stores AI provider credentials per organization and serves them as MCP tools."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings shared by every command. Environment values are never shown in `--help`, and
/// the struct is not `Debug` (the database URL may hold a password).
#[derive(Args)]
pub struct SettingsArgs {
    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "AIPROVIDERS_LISTEN",
        hide_env_values = true,
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// Directory for the embedded database and the generated master key.
    #[arg(
        long,
        global = true,
        env = "AIPROVIDERS_DATA_DIR",
        hide_env_values = true,
        default_value = "./data"
    )]
    pub data_dir: PathBuf,
    /// Database: sqlite://<path> (default: <data-dir>/aiproviders.db) or postgres://….
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// File holding the base64 master key (default: <data-dir>/master.key).
    /// AIPROVIDERS_MASTER_KEY, when set, wins over the file.
    #[arg(
        long,
        global = true,
        env = "AIPROVIDERS_MASTER_KEY_FILE",
        hide_env_values = true
    )]
    pub master_key_file: Option<PathBuf>,
    /// Public origin of this service, which OAuth callbacks must use (default: http://<listen>).
    #[arg(
        long,
        global = true,
        env = "AIPROVIDERS_PUBLIC_URL",
        hide_env_values = true
    )]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (MCP at /mcp).
    Serve,
    /// Serve the MCP tools over stdio as the principal of AIPROVIDERS_TOKEN.
    Mcp,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization; prints its id on the first line.
    Create {
        /// Short name: lowercase letters, digits and dashes.
        slug: String,
        /// Display name (default: the slug).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an access token; prints the token once, on the first line. Only its hash is stored.
    Create {
        /// Organization slug or id.
        #[arg(long)]
        org: String,
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        /// owner, admin or member.
        #[arg(long)]
        role: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// List an organization's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        org: String,
    },
    /// Revoke a token by its id (tok_…).
    Revoke { token_id: String },
}
