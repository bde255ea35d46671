//! The GraphQL API: schema assembly, per-request context and execution. The only module
//! that knows async-graphql.

mod documents;
mod errors;
mod execution;
mod guards;
mod inputs;
mod json;
mod limits;
mod loaders;
mod mutation;
mod password_gate;
mod query;
pub mod transport;
mod types;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use crate::service::Deps;

pub use execution::{Executed, PersonalDataShown, Session, execute};

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
    /// The documents parsed lately, shared by every copy of the API.
    documents: std::sync::Arc<documents::Documents>,
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
        documents: std::sync::Arc::default(),
    }
}

impl Api {
    /// Parses `request`'s document, or gives it the one parsed before from the same text.
    pub fn parse(&self, request: &mut async_graphql::Request) {
        self.documents.parse(request);
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

/// A request-level refusal (body too large, unparsable JSON, time limit) as a GraphQL
/// response.
pub fn refusal(message: String, code: &'static str) -> async_graphql::Response {
    errors::refusal(message, code)
}
