//! The batch a write sends at its end runs its statements in the order they were pushed
//! on PostgreSQL too, where they travel as one statement: the one lock order of every
//! writer (`src/service/counting/tally.rs`) rests on it.

use sea_orm::{ConnectionTrait, Statement};
use talent_registry::service::counting::sql::Batch;

use crate::support::app::{require_postgres, spawn_app};

#[tokio::test]
#[ignore = "needs PostgreSQL: on SQLite a batch is its statements one after another"]
async fn a_batch_runs_its_statements_in_the_order_they_were_pushed() {
    require_postgres();
    let app = spawn_app().await;
    let db = &app.db;
    for setup in [
        "CREATE SEQUENCE batch_order_seq",
        "CREATE TABLE batch_order (tag TEXT PRIMARY KEY, n BIGINT NOT NULL)",
        "INSERT INTO batch_order VALUES ('second', 0)",
    ] {
        db.execute_unprepared(setup).await.unwrap();
    }
    let mut batch = Batch::default();
    batch.push(
        "INSERT INTO batch_order VALUES (?, nextval('batch_order_seq'))".to_owned(),
        vec!["first".into()],
    );
    batch.push(
        "UPDATE batch_order SET n = nextval('batch_order_seq') WHERE tag = ?".to_owned(),
        vec!["second".into()],
    );
    batch.insert_rows(
        "INSERT INTO batch_order VALUES ",
        " ON CONFLICT (tag) DO NOTHING",
        ["third", "fourth"]
            .into_iter()
            .map(|tag| vec![tag.into(), 0i64.into()]),
    );
    batch.push(
        "INSERT INTO batch_order SELECT ?, nextval('batch_order_seq')".to_owned(),
        vec!["fifth".into()],
    );
    batch.send(db).await.unwrap();

    let order: Vec<String> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT tag FROM batch_order WHERE n > 0 ORDER BY n",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "tag").unwrap())
        .collect();
    assert_eq!(order, ["first", "second", "fifth"]);
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT tag FROM batch_order",
        ))
        .await
        .unwrap()
        .len();
    assert_eq!(rows, 5, "every statement of the batch ran");
}
