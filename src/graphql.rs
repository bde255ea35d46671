//! The GraphQL API: schema assembly, per-request context and execution. The only module
//! that knows async-graphql.

mod errors;
mod guards;
mod inputs;
mod loaders;
mod mutation;
mod query;
mod types;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use crate::auth::CurrentUser;
use crate::service::Deps;

/// Deepest selection a query may nest.
pub const MAX_DEPTH: usize = 12;
/// Largest complexity (roughly, fields resolved) a query may have.
pub const MAX_COMPLEXITY: usize = 500;

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

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
}

/// Builds the schema over `deps`; with `introspection` off, field suggestions are off too.
pub fn schema(deps: Deps, introspection: bool) -> AppSchema {
    let builder = builder().data(deps);
    if introspection {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}

/// The SDL exported to `graphql/schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The bearer token of the request, kept so `logout` can revoke it.
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

/// The client's network address, for per-client limits.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Runs one GraphQL request for `caller` and stamps every error with its code.
pub async fn execute(
    schema: &AppSchema,
    request: async_graphql::Request,
    caller: Option<CurrentUser>,
    token: Option<String>,
    client: std::net::IpAddr,
) -> async_graphql::Response {
    let deps = schema.data::<Deps>().cloned();
    let mut request = request.data(ClientAddr(client));
    if let Some(deps) = deps {
        request = request.data(loaders::Loaders::new(&deps, caller.as_ref()));
    }
    if let Some(caller) = caller {
        request = request.data(caller);
    }
    if let Some(token) = token {
        request = request.data(BearerToken(token));
    }
    errors::finalize(schema.execute(request).await)
}

/// A request-level refusal (body too large, unparsable JSON) as a GraphQL response.
pub fn refusal(message: String, code: &'static str) -> async_graphql::Response {
    errors::refusal(message, code)
}

/// The GraphiQL page served at `/graphql` to browsers.
pub fn graphiql_page() -> String {
    async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .finish()
}
