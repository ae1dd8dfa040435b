//! The administrative commands: migrate, org, token.

use aiproviders_domain::{OrgSlug, Role, Timestamp, TokenId, UserId};
use aiproviders_store::Store;

use crate::cli::{OrgCommand, TokenCommand};
use crate::settings::Settings;
use crate::startup::{AppError, open_store};
use crate::token;

pub async fn migrate(settings: &Settings) -> Result<(), AppError> {
    let store = open_store(settings).await?;
    store.close().await;
    println!("migrations applied");
    Ok(())
}

pub async fn org(settings: &Settings, command: OrgCommand) -> Result<(), AppError> {
    match command {
        OrgCommand::Create { slug, name } => {
            let slug = OrgSlug::parse(&slug, "slug").map_err(|e| AppError::Usage(e.to_string()))?;
            let name = name.unwrap_or_else(|| slug.as_str().to_owned());
            if name.trim().is_empty()
                || name.chars().count() > 200
                || name.chars().any(char::is_control)
            {
                return Err(AppError::Usage(
                    "--name must be 1-200 characters without control characters".into(),
                ));
            }
            let store = open_store(settings).await?;
            let org = store.create_org(&slug, &name, Timestamp::now()).await;
            store.close().await;
            let org = org?;
            println!("{}", org.id);
            eprintln!("created organization {} ({})", org.slug.as_str(), org.name);
            Ok(())
        }
    }
}

async fn find_org(
    store: &Store,
    slug_or_id: &str,
) -> Result<aiproviders_store::Organization, AppError> {
    store
        .find_org(slug_or_id)
        .await?
        .ok_or_else(|| AppError::Usage(format!("no organization with slug or id {slug_or_id:?}")))
}

pub async fn token(settings: &Settings, command: TokenCommand) -> Result<(), AppError> {
    let store = open_store(settings).await?;
    let result = token_with(&store, command).await;
    store.close().await;
    result
}

async fn token_with(store: &Store, command: TokenCommand) -> Result<(), AppError> {
    let usage = |e: aiproviders_domain::InvalidInput| AppError::Usage(e.to_string());
    match command {
        TokenCommand::Create {
            org,
            user,
            role,
            label,
        } => {
            let user = UserId::parse(&user, "--user").map_err(usage)?;
            let role = Role::parse(&role, "--role").map_err(usage)?;
            if let Some(label) = &label
                && (label.chars().count() > 100 || label.chars().any(char::is_control))
            {
                return Err(AppError::Usage(
                    "--label must be at most 100 characters without control characters".into(),
                ));
            }
            let org = find_org(store, &org).await?;
            let token = token::generate().map_err(|source| AppError::Io {
                context: "cannot read the random source",
                source,
            })?;
            let hash = token::hash(&token)
                .ok_or_else(|| AppError::Usage("generated token is malformed".into()))?;
            let id = store
                .create_token(
                    &org.id,
                    &user,
                    role,
                    label.as_deref(),
                    &hash,
                    Timestamp::now(),
                )
                .await?;
            println!("{token}");
            eprintln!(
                "created token {id} for {user} ({role}) in {}; it is shown only once",
                org.slug.as_str()
            );
            Ok(())
        }
        TokenCommand::List { org } => {
            let org = find_org(store, &org).await?;
            println!(
                "{:<36}  {:<8}  {:<24}  {:<24}  {:<8}  LABEL",
                "ID", "ROLE", "USER", "CREATED", "STATUS"
            );
            for t in store.list_tokens(&org.id).await? {
                let status = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<36}  {:<8}  {:<24}  {:<24}  {:<8}  {}",
                    t.id,
                    t.role,
                    t.user_id,
                    t.created_at,
                    status,
                    t.label.unwrap_or_default()
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { token_id } => {
            let id = TokenId::parse(&token_id, "token id").map_err(usage)?;
            if store.revoke_token(&id, Timestamp::now()).await? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(AppError::Usage(format!("no active token with id {id}")))
            }
        }
    }
}
