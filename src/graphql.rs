//! The GraphQL API: schema assembly, per-request context and execution. The only module
//! that knows async-graphql.

mod errors;
mod guards;
mod inputs;
mod limits;
mod loaders;
mod mutation;
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
    query::AuditQuery,
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
}

/// The served API: the schema, and the same schema with the depth limit of
/// introspection-only operations.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    introspection: AppSchema,
}

/// Builds the API over `deps`.
pub fn api(deps: Deps, options: SchemaOptions) -> Api {
    let build = |depth| {
        let builder = builder(depth)
            .data(deps.clone())
            .extension(limits::AliasLimit::new(options.max_aliases));
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
        schema: build(MAX_DEPTH),
        introspection: build(MAX_INTROSPECTION_DEPTH),
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

/// Runs one GraphQL request for `caller` and stamps every error with its code.
pub async fn execute(
    api: &Api,
    mut request: async_graphql::Request,
    caller: Option<CurrentUser>,
    token: Option<String>,
    client: std::net::IpAddr,
) -> async_graphql::Response {
    let schema = if transport::is_introspection_only(&mut request) {
        &api.introspection
    } else {
        &api.schema
    };
    let deps = schema.data::<Deps>().cloned();
    let shown = Arc::new(PersonalDataShown::default());
    let mut request = request.data(ClientAddr(client)).data(Arc::clone(&shown));
    if let Some(deps) = &deps {
        request = request.data(loaders::Loaders::new(deps, caller.as_ref()));
    }
    let caller = caller.map(|caller| CurrentUser {
        client: Some(client),
        ..caller
    });
    if let Some(caller) = &caller {
        request = request.data(caller.clone());
    }
    if let Some(token) = token {
        request = request.data(BearerToken(token));
    }
    let suspects = errors::Suspects::of(&request.variables);
    let response = schema.execute(request).await;
    let ids = shown.take();
    if let (Some(deps), false) = (&deps, ids.is_empty()) {
        let actor = caller.as_ref().map_or(
            audit::Actor {
                user_id: None,
                role: None,
                client: Some(client),
            },
            audit::Actor::from,
        );
        let action = root_fields(&response);
        // No personal data leaves without its audit record.
        if let Err(err) = audit::read_personal_data(&deps.db, actor, &action, &ids).await {
            tracing::error!(error = %err, "recording a read of personal data failed");
            return errors::finalize(
                errors::refusal("internal error".to_owned(), "INTERNAL_SERVER_ERROR"),
                &suspects,
            );
        }
    }
    errors::finalize(response, &suspects)
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

/// The GraphiQL page served at `/graphql` to browsers.
pub fn graphiql_page() -> String {
    async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .finish()
}
