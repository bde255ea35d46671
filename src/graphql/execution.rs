//! Running a request: the caller's schema, running again after a lost connection or a
//! caller taken from memory that is not who it was, and the audit of personal data shown.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::{Api, AppSchema, BearerToken, ClientAddr, errors, limits, loaders, transport};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::service::sessions::{self, Unconfirmed};
use crate::service::{Deps, audit};

/// An executed request: the response, and what the HTTP answer needs to know of it.
pub struct Executed {
    /// The response, every error coded.
    pub response: async_graphql::Response,
    /// Some error is `UNAVAILABLE`: the answer is a 503.
    pub unavailable: bool,
    /// The `Retry-After` of a retryable error, in seconds.
    pub retry_after: Option<u32>,
}

impl Executed {
    fn of(response: async_graphql::Response) -> Self {
        Self {
            unavailable: errors::unavailable(&response),
            retry_after: errors::retry_after(&response),
            response,
        }
    }
}

/// The caller of a request, as the HTTP edge found it.
pub struct Session {
    /// The signed-in user, if any.
    pub user: Option<CurrentUser>,
    /// The bearer token, live or not.
    pub token: Option<String>,
    /// Set when `user` was taken from memory, not looked up (a lone `enrol`, see
    /// [`crate::service::sessions`]).
    pub unconfirmed: Option<Unconfirmed>,
}

/// Runs one GraphQL request for the caller of `session` and stamps every error with its
/// code. When the database connection broke under work that committed nothing (a
/// restart, a failover), the request runs again on a fresh connection, up to
/// `max_attempts` times in all: each broken pooled connection is discarded after its one
/// failure. When the caller was taken from memory and is not who it was, the request
/// runs again with the caller looked up.
pub async fn execute(
    api: &Api,
    mut request: async_graphql::Request,
    session: Session,
    client: std::net::IpAddr,
) -> Executed {
    let suspects = errors::Suspects::of(&request.variables);
    if let Ok(document) = request.parsed_query()
        && let Err(refusal) = limits::check(document, api.max_aliases)
    {
        let refused = async_graphql::Response::from_errors(vec![refusal]);
        return Executed::of(errors::finalize(refused, &suspects));
    }
    let mutation = transport::is_mutation(&mut request);
    // The variables are kept as their JSON text, not as a copy of their tree: a
    // 10,000-row cohort's tree is about 9 MB, its text about 1 MB.
    let replay = request
        .uploads
        .is_empty()
        .then(|| serde_json::to_string(&request.variables).ok())
        .flatten()
        .map(|variables| Replay {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables,
        });
    let mut context = RequestContext::new(session, client);
    let mut outcome = run_once(api.schema_for(&mut request, &context), request, &context).await;
    if context.unconfirmed.is_some()
        && session_changed(&outcome.0)
        && let Some(mut again) = replay.as_ref().and_then(Replay::request)
    {
        context = match context.looked_up(api).await {
            Ok(context) => context,
            Err(err) => return Executed::of(errors::finalize(errors::refused_by(err), &suspects)),
        };
        outcome = run_once(api.schema_for(&mut again, &context), again, &context).await;
    }
    let mut attempt = 1;
    while attempt < api.max_attempts
        && committed_nothing_and_lost_connection(&outcome.0, mutation)
        && let Some(mut again) = replay.as_ref().and_then(Replay::request)
    {
        attempt += 1;
        tracing::warn!(
            attempt,
            "database connection lost: running the request again"
        );
        outcome = run_once(api.schema_for(&mut again, &context), again, &context).await;
    }
    let (response, shown) = outcome;
    if let Err(err) = audit_reads(&api.schema, &context, &response, shown).await {
        // No personal data leaves without its audit record: the data is withheld.
        return Executed::of(errors::finalize(errors::refused_by(err), &suspects));
    }
    Executed::of(errors::finalize(response, &suspects))
}

impl Api {
    /// The schema that runs `request` for the caller of `context`.
    fn schema_for(
        &self,
        request: &mut async_graphql::Request,
        context: &RequestContext,
    ) -> &AppSchema {
        if transport::is_introspection_only(request) {
            &self.introspection
        } else if context
            .caller
            .as_ref()
            .is_some_and(|c| c.must_change_password)
        {
            &self.gated
        } else {
            &self.schema
        }
    }
}

/// What a request is run again from.
struct Replay {
    query: String,
    operation_name: Option<String>,
    /// The variables as JSON text.
    variables: String,
}

impl Replay {
    fn request(&self) -> Option<async_graphql::Request> {
        let variables = serde_json::from_str::<async_graphql::Variables>(&self.variables).ok()?;
        let mut again = async_graphql::Request::new(self.query.clone()).variables(variables);
        if let Some(name) = &self.operation_name {
            again = again.operation_name(name.clone());
        }
        Some(again)
    }
}

/// True when a root field found that the caller taken from memory is not who it was.
fn session_changed(response: &async_graphql::Response) -> bool {
    response
        .errors
        .iter()
        .any(|e| matches!(errors::app_error(e), Some(AppError::SessionChanged)))
}

/// Who sends a request, kept across its attempts.
struct RequestContext {
    caller: Option<CurrentUser>,
    token: Option<String>,
    /// The caller was taken from memory (see [`Session::unconfirmed`]).
    unconfirmed: Option<Unconfirmed>,
    client: std::net::IpAddr,
}

impl RequestContext {
    /// The context of `session`'s request from `client`.
    fn new(session: Session, client: std::net::IpAddr) -> Self {
        Self {
            caller: session.user.map(|caller| CurrentUser {
                client: Some(client),
                ..caller
            }),
            token: session.token,
            unconfirmed: session.unconfirmed,
            client,
        }
    }

    /// The same request's context with its caller looked up.
    async fn looked_up(self, api: &Api) -> Result<Self, AppError> {
        let user = match (&self.token, api.schema.data::<Deps>()) {
            (Some(token), Some(deps)) => {
                sessions::look_up(&deps.db, &deps.known_sessions, token).await?
            }
            _ => None,
        };
        let session = Session {
            user,
            token: self.token,
            unconfirmed: None,
        };
        Ok(Self::new(session, self.client))
    }
}

/// One execution: the response and the trainees whose data it shows.
async fn run_once(
    schema: &AppSchema,
    request: async_graphql::Request,
    context: &RequestContext,
) -> (async_graphql::Response, Vec<Uuid>) {
    let shown = Arc::new(PersonalDataShown::default());
    let mut request = request
        .data(ClientAddr(context.client))
        .data(Arc::clone(&shown));
    if let Some(deps) = schema.data::<Deps>() {
        request = request.data(loaders::Loaders::new(deps, context.caller.as_ref()));
    }
    if let Some(caller) = &context.caller {
        request = request.data(caller.clone());
    }
    if let Some(token) = &context.token {
        request = request.data(BearerToken(token.clone()));
    }
    if let Some(session) = &context.unconfirmed {
        request = request.data(session.clone());
    }
    // Its writes add to a shard of the shared counter rows that no other request of this
    // process holds meanwhile.
    let response = crate::service::counting::shard::holding_shard(schema.execute(request)).await;
    (response, shown.take())
}

/// True when running the request again is safe and may succeed: a connection broke, and
/// nothing was committed. A query commits nothing; a mutation's root field commits only
/// when it succeeds, so a mutation is run again only when every error sits on a root
/// field (an error below one means that root field had returned, committed).
fn committed_nothing_and_lost_connection(
    response: &async_graphql::Response,
    mutation: bool,
) -> bool {
    let lost = response
        .errors
        .iter()
        .any(|e| errors::app_error(e).is_some_and(AppError::is_connection_lost));
    lost && (!mutation || response.errors.iter().all(|e| e.path.len() <= 1))
}

/// Records, in the audit trail, the trainees whose personal data the response shows: no
/// personal data leaves without its record.
async fn audit_reads(
    schema: &AppSchema,
    context: &RequestContext,
    response: &async_graphql::Response,
    ids: Vec<Uuid>,
) -> Result<(), AppError> {
    let Some(deps) = schema.data::<Deps>() else {
        return Ok(());
    };
    if ids.is_empty() {
        return Ok(());
    }
    let actor = context.caller.as_ref().map_or(
        audit::Actor {
            user_id: None,
            role: None,
            client: Some(context.client),
        },
        audit::Actor::from,
    );
    let action = root_fields(response);
    audit::read_personal_data(&deps.db, actor, &action, &ids).await
}

/// Trainees whose personal data (masked or not) a response shows, for the audit trail.
#[derive(Debug, Default)]
pub struct PersonalDataShown(Mutex<BTreeSet<Uuid>>);

impl PersonalDataShown {
    /// Notes that the response shows trainee `id`.
    pub fn note(&self, id: Uuid) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
    }

    fn take(&self) -> Vec<Uuid> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_iter()
        .collect()
    }
}

/// The response keys of the root fields (`trainees`, `enrolMany`, …), for the audit trail.
fn root_fields(response: &async_graphql::Response) -> String {
    match &response.data {
        async_graphql::Value::Object(fields) => fields
            .keys()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}
