//! Command line: `serve` and the `admin` commands, with every option also readable from
//! the environment (`PUENTE_…`).

use crate::accounts::{self, UserRecord};
use crate::app::{router, AppState};
use crate::store::{BlobStore, FsStore, S3Config, S3Store, StoreError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use puente_shared::protocol::{InviteCode, Username};
use puente_shared::settings::OrganisationSettings;
use puente_shared::{TenantId, UserId};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "puente-backend", version, about = "Puente's sync server")]
pub struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, env = "PUENTE_LOG_JSON", global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (and the built frontend).
    Serve(ServeArgs),
    /// Administer organisations and invites.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an organisation and print a one-time enrolment invite.
    Init {
        #[arg(long, default_value = "Puente")]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, env = "PUENTE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Publish an organisation's settings (follow-up intervals, service directory) from a
    /// JSON file; they apply from the devices' next sync.
    Settings {
        #[arg(long)]
        tenant: TenantId,
        /// JSON: `{"follow_up": {"low_days": 90, …}, "providers": [{"name": …, "services": […]}]}`.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable a member at once and for good: their sessions are refused and they cannot sign in.
    Disable {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print another one-time enrolment invite for an organisation.
    Invite {
        #[arg(long)]
        tenant: TenantId,
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, env = "PUENTE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

/// Names a member by username.
#[derive(Args, Debug)]
pub struct MemberArg {
    #[arg(long)]
    pub username: String,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, env = "PUENTE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The built frontend (`frontend/dist`); without it only the API is served.
    #[arg(long, env = "PUENTE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// The address users open, for printed enrolment links (default: http://<listen>).
    #[arg(long, env = "PUENTE_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StoreKind {
    /// The embedded filesystem store in `--data-dir`.
    Fs,
    /// An S3-compatible bucket.
    S3,
}

#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    #[arg(long, env = "PUENTE_STORE", value_enum, default_value = "fs")]
    pub store: StoreKind,
    #[arg(long, env = "PUENTE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    #[arg(long, env = "PUENTE_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "PUENTE_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(long, env = "PUENTE_S3_BUCKET", default_value = "puente")]
    pub s3_bucket: String,
    /// Address buckets by path (`host/bucket`), as self-hosted stores need.
    #[arg(long, env = "PUENTE_S3_PATH_STYLE", default_value_t = true, action = clap::ArgAction::Set)]
    pub s3_path_style: bool,
    #[arg(long, env = "PUENTE_S3_ACCESS_KEY_ID", default_value = "")]
    pub s3_access_key_id: String,
    #[arg(long, env = "PUENTE_S3_SECRET_ACCESS_KEY", default_value = "", hide_env_values = true)]
    pub s3_secret_access_key: String,
}

impl StoreArgs {
    pub fn s3_config(&self) -> S3Config {
        S3Config {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            bucket: self.s3_bucket.clone(),
            path_style: self.s3_path_style,
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
        }
    }
}

pub fn enrolment_link(public_url: &str, code: &InviteCode) -> String {
    // The code travels in the fragment, which browsers never send to a server (or its logs).
    format!("{}/enrol#{}", public_url.trim_end_matches('/'), code.encode())
}

pub async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Serve(args) => {
            let store_args = args.store.clone();
            match store_args.store {
                StoreKind::Fs => serve(FsStore::open(&store_args.data_dir)?, args).await,
                StoreKind::S3 => serve(S3Store::connect(&store_args.s3_config()).await?, args).await,
            }
        }
        Command::Admin(AdminCommand::Init { name, store, public_url }) => match store.store {
            StoreKind::Fs => init(&FsStore::open(&store.data_dir)?, &name, &public_url).await,
            StoreKind::S3 => init(&S3Store::connect(&store.s3_config()).await?, &name, &public_url).await,
        },
        Command::Admin(AdminCommand::Settings { tenant, file, store }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let settings: OrganisationSettings =
                serde_json::from_str(&text).map_err(|e| format!("{}: not valid settings: {e}", file.display()))?;
            let settings = settings.parse().map_err(|errors| {
                let list: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
                format!("settings refused: {}", list.join(", "))
            })?;
            let version = match store.store {
                StoreKind::Fs => crate::settings::publish(&FsStore::open(&store.data_dir)?, tenant, &settings).await?,
                StoreKind::S3 => {
                    crate::settings::publish(&S3Store::connect(&store.s3_config()).await?, tenant, &settings).await?
                }
            };
            println!("Settings version {version} published for {tenant}.");
            Ok(())
        }
        Command::Admin(AdminCommand::Disable { member, store }) => {
            let user = match store.store {
                StoreKind::Fs => disable(&FsStore::open(&store.data_dir)?, &member).await?,
                StoreKind::S3 => disable(&S3Store::connect(&store.s3_config()).await?, &member).await?,
            };
            println!("Member {user} disabled.");
            Ok(())
        }
        Command::Admin(AdminCommand::Invite { tenant, store, public_url }) => {
            let code = match store.store {
                StoreKind::Fs => accounts::create_invite(&FsStore::open(&store.data_dir)?, tenant).await?,
                StoreKind::S3 => accounts::create_invite(&S3Store::connect(&store.s3_config()).await?, tenant).await?,
            };
            println!("One-time enrolment link: {}", enrolment_link(&public_url, &code));
            Ok(())
        }
    }
}

async fn member(store: &impl BlobStore, member: &MemberArg) -> Result<UserRecord, Box<dyn std::error::Error>> {
    let name = Username::parse(&member.username)?;
    Ok(accounts::find_user(store, &name).await?.ok_or_else(|| format!("no member named {}", name.as_str()))?)
}

async fn disable(store: &impl BlobStore, member_arg: &MemberArg) -> Result<UserId, Box<dyn std::error::Error>> {
    let user = member(store, member_arg).await?;
    if !accounts::disable(store, user.tenant, user.user_id).await? {
        return Err(format!("no member {} in {}", user.user_id, user.tenant).into());
    }
    Ok(user.user_id)
}

async fn init(store: &impl BlobStore, name: &str, public_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let tenant = accounts::create_tenant(store, name).await?;
    let code = accounts::create_invite(store, tenant.id).await?;
    println!("Organisation {:?} created: {}", tenant.name, tenant.id);
    println!("One-time enrolment link: {}", enrolment_link(public_url, &code));
    Ok(())
}

async fn serve<S: BlobStore>(store: S, args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
    if !accounts::any_tenant(&store).await? {
        init(&store, "Puente", &public_url).await?;
    }
    let state = AppState::new(store).await.map_err(|e: StoreError| e.to_string())?;
    let app = router(state, args.static_dir);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    println!("Puente is listening on {public_url}");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
