//! The GraphQL API: schema assembly, per-request context and execution. The only module
//! that knows async-graphql.

mod errors;
mod guards;
mod inputs;
mod limits;
mod loaders;
mod mutation;
mod password_gate;
mod query;
pub mod transport;
mod types;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::service::{Deps, audit};

/// Deepest selection a query may nest.
pub const MAX_DEPTH: usize = 12;
/// Largest complexity (roughly, fields resolved) a query may have.
pub const MAX_COMPLEXITY: usize = 500;
/// Deepest nesting of an operation that selects only introspection fields: the standard
/// introspection queries (GraphiQL's, client generators', fuzzers') nest `ofType` past
/// [`MAX_DEPTH`], and resolving them reads only the in-memory registry.
pub const MAX_INTROSPECTION_DEPTH: usize = 24;

/// Every query field, one object per noun.
#[derive(MergedObject, Default)]
pub struct Query(
    query::AccountQuery,
    query::ProgrammeQuery,
    query::InstitutionQuery,
    query::CourseQuery,
    query::TraineeQuery,
    query::StatsQuery,
    query::CertificateQuery,
    query::RosterQuery,
    query::AuditQuery,
    query::GoalQuery,
    query::SubsidyQuery,
);

/// Every mutation, one object per noun.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::AccountMutation,
    mutation::ProgrammeMutation,
    mutation::InstitutionMutation,
    mutation::CourseMutation,
    mutation::TraineeMutation,
    mutation::EnrolmentMutation,
    mutation::CertificateMutation,
    mutation::BatchMutation,
    mutation::ImportMutation,
    mutation::ResultsMutation,
    mutation::GoalMutation,
    mutation::CredentialMutation,
);

/// The executable schema.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder(depth: usize) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(depth)
        .limit_complexity(MAX_COMPLEXITY)
}

/// Switches and limits of the served schema.
#[derive(Debug, Clone, Copy)]
pub struct SchemaOptions {
    /// Serve introspection; off also turns off "did you mean" suggestions.
    pub introspection: bool,
    /// Most aliased fields per document.
    pub max_aliases: usize,
    /// Most executions of one request whose database connection broke: one more than
    /// the pool's connections, so a pool of connections all ended by a restart is
    /// cleared by one request.
    pub max_attempts: u32,
}

/// The served API: the schema, and the same schema with the depth limit of
/// introspection-only operations.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    /// The schema for an account that must change its password: [`schema`] with the
    /// gate that refuses every other root field. Apart, because any extension sends every
    /// field of every response through the extension chain.
    ///
    /// [`schema`]: Api::schema
    gated: AppSchema,
    introspection: AppSchema,
    max_aliases: usize,
    max_attempts: u32,
}

/// Builds the API over `deps`.
pub fn api(deps: Deps, options: SchemaOptions) -> Api {
    let build = |depth, gated: bool| {
        let mut builder = builder(depth).data(deps.clone());
        if gated {
            builder = builder.extension(password_gate::PasswordChangeGate);
        }
        if options.introspection {
            builder.finish()
        } else {
            builder
                .disable_introspection()
                .disable_suggestions()
                .finish()
        }
    };
    Api {
        schema: build(MAX_DEPTH, false),
        gated: build(MAX_DEPTH, true),
        // Introspection shows the schema, not data: the gate lets it through anyway.
        introspection: build(MAX_INTROSPECTION_DEPTH, false),
        max_aliases: options.max_aliases,
        max_attempts: options.max_attempts.max(1),
    }
}

/// The SDL exported to `graphql/schema.graphql`.
pub fn sdl() -> String {
    builder(MAX_DEPTH).finish().sdl()
}

/// The bearer token of the request, kept so `logout` can revoke it.
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

/// The client's network address, for per-client limits.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

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

/// Runs one GraphQL request for `caller` and stamps every error with its code. When the
/// database connection broke under work that committed nothing (a restart, a failover),
/// the request runs again on a fresh connection, up to `max_attempts` times in all: each
/// broken pooled connection is discarded after its one failure.
pub async fn execute(
    api: &Api,
    mut request: async_graphql::Request,
    caller: Option<CurrentUser>,
    token: Option<String>,
    client: std::net::IpAddr,
) -> Executed {
    let suspects = errors::Suspects::of(&request.variables);
    if let Ok(document) = request.parsed_query()
        && let Err(refusal) = limits::check(document, api.max_aliases)
    {
        let refused = async_graphql::Response::from_errors(vec![refusal]);
        return Executed::of(errors::finalize(refused, &suspects));
    }
    let schema = if transport::is_introspection_only(&mut request) {
        &api.introspection
    } else if caller.as_ref().is_some_and(|c| c.must_change_password) {
        &api.gated
    } else {
        &api.schema
    };
    let mutation = transport::is_mutation(&mut request);
    // The variables are kept as their JSON text, not as a copy of their tree: a
    // 10,000-row cohort's tree is about 9 MB, its text about 1 MB.
    let replay = request
        .uploads
        .is_empty()
        .then(|| serde_json::to_string(&request.variables).ok())
        .flatten()
        .map(|variables| {
            (
                request.query.clone(),
                request.operation_name.clone(),
                variables,
            )
        });
    let caller = caller.map(|caller| CurrentUser {
        client: Some(client),
        ..caller
    });
    let context = RequestContext {
        caller,
        token,
        client,
    };
    let mut attempt = 1;
    let mut outcome = run_once(schema, request, &context).await;
    while attempt < api.max_attempts
        && let Some((query, operation_name, variables)) = &replay
        && committed_nothing_and_lost_connection(&outcome.0, mutation)
        && let Ok(variables) = serde_json::from_str::<async_graphql::Variables>(variables)
    {
        attempt += 1;
        tracing::warn!(
            attempt,
            "database connection lost: running the request again"
        );
        let mut again = async_graphql::Request::new(query.clone()).variables(variables);
        if let Some(name) = operation_name {
            again = again.operation_name(name.clone());
        }
        outcome = run_once(schema, again, &context).await;
    }
    let (response, shown) = outcome;
    if let Err(err) = audit_reads(schema, &context, &response, shown).await {
        // No personal data leaves without its audit record: the data is withheld.
        return Executed::of(errors::finalize(errors::refused_by(err), &suspects));
    }
    Executed::of(errors::finalize(response, &suspects))
}

/// Who sends a request, kept across its attempts.
struct RequestContext {
    caller: Option<CurrentUser>,
    token: Option<String>,
    client: std::net::IpAddr,
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
        .any(|e| errors::app_error(e).is_some_and(crate::error::AppError::is_connection_lost));
    lost && (!mutation || response.errors.iter().all(|e| e.path.len() <= 1))
}

/// Records, in the audit trail, the trainees whose personal data the response shows: no
/// personal data leaves without its record.
async fn audit_reads(
    schema: &AppSchema,
    context: &RequestContext,
    response: &async_graphql::Response,
    ids: Vec<Uuid>,
) -> Result<(), crate::error::AppError> {
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

/// A request-level refusal (body too large, unparsable JSON, time limit) as a GraphQL
/// response.
pub fn refusal(message: String, code: &'static str) -> async_graphql::Response {
    errors::refusal(message, code)
}
