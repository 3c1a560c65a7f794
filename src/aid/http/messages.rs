//! Conversation pages: contact from an ad, the list with unread counts, a conversation with its
//! reply form (a plain POST; with JavaScript, htmx fetches new messages every few seconds), and
//! blocking.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::public::{ad_in, ad_page};
use crate::aid::{ConversationSummary, ConversationView};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::CurrentUser;
use crate::web::page::{self, Page};
use crate::web::{FormErrors, render, render_status, see_other};

/// Conversations per page of the list.
const PER_PAGE: i64 = 30;

/// The conversation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/entraide/{id}/contacter", post(contact))
        .route("/messages", get(list_conversations))
        .route("/messages/{id}", get(show_conversation).post(reply))
        .route("/membres/{id}/bloquer", blocking(true))
        .route("/membres/{id}/debloquer", blocking(false))
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn contact(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    let (territory, ad, access) = ad_in(&state, Some(&user), &slug, id).await?;
    match crate::aid::contact(&state.db, &state.base_url, &user, id, &form.body).await {
        Ok(conversation) => page.flash_and_go("aid.flash.sent", &format!("/messages/{conversation}")).await,
        Err(AppError::Invalid(fields)) => {
            ad_page(&state, page, territory, ad, access, form.body, fields).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "aid/conversations.html")]
struct ListPage {
    page: Page,
    conversations: Vec<ConversationSummary>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    page: String,
}

async fn list_conversations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let number = query.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let mut conversations =
        crate::aid::conversations(&state.db, &user, PER_PAGE + 1, (number - 1) * PER_PAGE).await?;
    let has_more = conversations.len() as i64 > PER_PAGE;
    conversations.truncate(PER_PAGE as usize);
    render(&ListPage {
        page,
        conversations,
        previous: (number > 1).then(|| format!("/messages?page={}", number - 1)),
        next: has_more.then(|| format!("/messages?page={}", number + 1)),
    })
}

#[derive(Template)]
#[template(path = "aid/conversation.html")]
struct ConversationPage {
    page: Page,
    conversation: ConversationView,
    last_id: i64,
    body: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "aid/_messages.html")]
struct MessagesFragment {
    page: Page,
    conversation: ConversationView,
    last_id: i64,
}

#[derive(Deserialize)]
struct AfterQuery {
    #[serde(default)]
    apres: i64,
}

fn last_id(conversation: &ConversationView, after: i64) -> i64 {
    conversation.messages.last().map_or(after, |m| m.id)
}

async fn show_conversation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<AfterQuery>,
) -> AppResult<Response> {
    if headers.contains_key("hx-request") {
        // The live update: only the messages after the last one shown, and the next poller.
        let conversation = crate::aid::read_conversation(&state.db, &user, id, query.apres.max(0)).await?;
        let last_id = last_id(&conversation, query.apres);
        return render(&MessagesFragment { page, conversation, last_id });
    }
    let conversation = crate::aid::read_conversation(&state.db, &user, id, 0).await?;
    let last_id = last_id(&conversation, 0);
    let mut page = page;
    if conversation.was_unread {
        // The header was counted before this reading: this conversation is read now.
        page.unread_conversations = (page.unread_conversations - 1).max(0);
    }
    render(&ConversationPage {
        page,
        conversation,
        last_id,
        body: String::new(),
        errors: FormErrors::default(),
    })
}

async fn reply(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    match crate::aid::reply(&state.db, &state.base_url, &user, id, &form.body).await {
        Ok(message) => Ok(see_other(&format!("/messages/{id}#m{}", message.id))),
        Err(AppError::Invalid(fields)) => {
            let conversation = crate::aid::read_conversation(&state.db, &user, id, 0).await?;
            let last_id = last_id(&conversation, 0);
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &ConversationPage {
                    page,
                    conversation,
                    last_id,
                    body: form.body,
                    errors: FormErrors(fields),
                },
            )
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct BackForm {
    #[serde(default)]
    back: String,
}

/// The POST route blocking a member (`blocks`) or lifting the block.
fn blocking(blocks: bool) -> MethodRouter<AppState> {
    post(
        move |state: State<AppState>,
              user: CurrentUser,
              page: Page,
              path: Path<i64>,
              form: Form<BackForm>| { set_blocked(state, user, page, path, form, blocks) },
    )
}

async fn set_blocked(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<BackForm>,
    blocks: bool,
) -> AppResult<Response> {
    let done = if blocks {
        crate::aid::block(&state.db, &user, id).await?;
        "aid.flash.blocked"
    } else {
        crate::aid::unblock(&state.db, &user, id).await?;
        "aid.flash.unblocked"
    };
    page.flash_and_go(done, &page::local_path(Some(&form.back))).await
}
