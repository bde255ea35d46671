//! Per-request data loaders: every relation field resolves through one batched query.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::entity::{certificate, course, enrolment, institution, programme_target, trainee, user};
use crate::error::AppError;
use crate::service::lookup::{ById, by_ids};
use crate::service::{self, Deps};

/// Loader error: shared because a batch's failure is reported to every waiting field.
pub type LoadError = Arc<AppError>;

/// Rows of one entity by primary key.
pub struct ByIdLoader<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<Uuid> for ByIdLoader<E>
where
    E: ById,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, LoadError> {
        let rows = by_ids::<E>(&self.db, keys).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// Rows grouped by a parent id, for one-to-many relations.
pub struct ChildrenLoader<T> {
    db: DatabaseConnection,
    /// Institution whose records alone the caller may see; `None` for all.
    scope: Option<Uuid>,
    rows: PhantomData<fn() -> T>,
}

/// How a child row is fetched and grouped.
pub trait Children: Sized + Clone + Send + Sync + 'static {
    /// The parent id of a row.
    fn parent(&self) -> Uuid;
    /// Rows of the given parents within `scope`.
    fn fetch(
        db: &DatabaseConnection,
        parents: &[Uuid],
        scope: Option<Uuid>,
    ) -> impl Future<Output = Result<Vec<Self>, AppError>> + Send;
}

impl<T: Children> Loader<Uuid> for ChildrenLoader<T> {
    type Value = Vec<T>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<T>>, LoadError> {
        let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
        for row in T::fetch(&self.db, keys, self.scope).await? {
            grouped.entry(row.parent()).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// A trainee's rows of `$module` (enrolments, certificates), read by
/// `service::$module::of_trainees` within the caller's scope.
macro_rules! children_of_trainee {
    ($($module:ident),+) => {$(
        impl Children for $module::Model {
            fn parent(&self) -> Uuid {
                self.trainee_id
            }
            async fn fetch(
                db: &DatabaseConnection,
                parents: &[Uuid],
                scope: Option<Uuid>,
            ) -> Result<Vec<Self>, AppError> {
                service::$module::of_trainees(db, parents, scope).await
            }
        }
    )+};
}

children_of_trainee!(enrolment, certificate);

impl Children for service::goal::Goal {
    fn parent(&self) -> Uuid {
        self.programme_id
    }
    async fn fetch(
        db: &DatabaseConnection,
        parents: &[Uuid],
        _scope: Option<Uuid>,
    ) -> Result<Vec<Self>, AppError> {
        service::goal::of_programmes(db, parents).await
    }
}

impl Children for programme_target::Model {
    fn parent(&self) -> Uuid {
        self.programme_id
    }
    async fn fetch(
        db: &DatabaseConnection,
        parents: &[Uuid],
        _scope: Option<Uuid>,
    ) -> Result<Vec<Self>, AppError> {
        service::programme::targets(db, parents).await
    }
}

/// The certificate of each enrolment.
pub struct CertificateOfEnrolment {
    db: DatabaseConnection,
}

impl Loader<Uuid> for CertificateOfEnrolment {
    type Value = certificate::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, certificate::Model>, LoadError> {
        let rows = service::certificate::of_enrolments(&self.db, keys).await?;
        Ok(rows.into_iter().map(|c| (c.enrolment_id, c)).collect())
    }
}

/// Which of the given trainees the caller's institution owns (registered or enrolled).
pub struct OwnedByCaller {
    db: DatabaseConnection,
    institution: Option<Uuid>,
}

impl Loader<Uuid> for OwnedByCaller {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, bool>, LoadError> {
        let Some(institution) = self.institution else {
            return Ok(keys.iter().map(|k| (*k, false)).collect());
        };
        let owned = service::trainee::owned_among(&self.db, institution, keys).await?;
        Ok(keys.iter().map(|k| (*k, owned.contains(k))).collect())
    }
}

/// Seats taken of open courses beyond their row's count (their seat shards).
pub struct SeatsInShards {
    db: DatabaseConnection,
}

impl Loader<Uuid> for SeatsInShards {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, LoadError> {
        Ok(service::course::seats_in_shards(&self.db, keys).await?)
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Institutions by id.
    pub institution: DataLoader<ByIdLoader<institution::Entity>>,
    /// Courses by id.
    pub course: DataLoader<ByIdLoader<course::Entity>>,
    /// Trainees by id.
    pub trainee: DataLoader<ByIdLoader<trainee::Entity>>,
    /// Users by id.
    pub user: DataLoader<ByIdLoader<user::Entity>>,
    /// Whether the caller's institution owns a trainee.
    pub owned: DataLoader<OwnedByCaller>,
    /// Enrolments by trainee, within the caller's scope.
    pub enrolments: DataLoader<ChildrenLoader<enrolment::Model>>,
    /// Certificates by trainee, within the caller's scope.
    pub certificates: DataLoader<ChildrenLoader<certificate::Model>>,
    /// Targets by programme.
    pub targets: DataLoader<ChildrenLoader<programme_target::Model>>,
    /// Goals by programme.
    pub goals: DataLoader<ChildrenLoader<service::goal::Goal>>,
    /// Certificate by enrolment.
    pub certificate_of_enrolment: DataLoader<CertificateOfEnrolment>,
    /// Seats of open courses in their shards.
    pub seats: DataLoader<SeatsInShards>,
}

impl Loaders {
    /// Fresh loaders for a request by `caller`; institution roles see only their own
    /// institution's enrolments and certificates of a shared trainee.
    pub fn new(deps: &Deps, caller: Option<&CurrentUser>) -> Self {
        let scope = caller
            .filter(|c| matches!(c.role, Role::InstitutionAdmin | Role::InstitutionStaff))
            .and_then(|c| c.institution_id);
        let db = || deps.db.clone();
        Self {
            institution: by_id(db()),
            course: by_id(db()),
            trainee: by_id(db()),
            user: by_id(db()),
            owned: DataLoader::new(
                OwnedByCaller {
                    db: db(),
                    institution: scope,
                },
                spawn_in_request,
            ),
            enrolments: children(db(), scope),
            certificates: children(db(), scope),
            targets: children(db(), None),
            goals: children(db(), None),
            certificate_of_enrolment: DataLoader::new(
                CertificateOfEnrolment { db: db() },
                spawn_in_request,
            ),
            seats: DataLoader::new(SeatsInShards { db: db() }, spawn_in_request),
        }
    }
}

/// Runs a loader's batch on its own task inside the span of the request that asked for
/// it, so the batch's log lines carry the request id like the rest of the request's.
fn spawn_in_request<F>(batch: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(tracing::Instrument::in_current_span(batch))
}

fn by_id<E: ById>(db: DatabaseConnection) -> DataLoader<ByIdLoader<E>>
where
    E::Model: Clone + Send + Sync + 'static,
{
    DataLoader::new(
        ByIdLoader {
            db,
            entity: PhantomData,
        },
        spawn_in_request,
    )
}

fn children<T: Children>(
    db: DatabaseConnection,
    scope: Option<Uuid>,
) -> DataLoader<ChildrenLoader<T>> {
    DataLoader::new(
        ChildrenLoader {
            db,
            scope,
            rows: PhantomData,
        },
        spawn_in_request,
    )
}
