//! The audit page: the chain is recomputed when the viewer asks, and a tampered entry is named.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::helpers::spawn_app;
use crate::support::Visitor;

#[actix_web::test]
async fn verifying_on_the_audit_page_names_a_tampered_entry() {
    let app = spawn_app().await;
    app.trigger("disk").await;
    let mut auditor = Visitor::signed_in(&app, "acme", "audrey").await;
    let before = auditor.get("/portal/audit?verify=1").await;
    assert!(before.body.contains("Chain verified"), "{}", before.body);

    let db = app.db.clone();
    let tenant_id = app.acme.id.clone();
    let tampered: i64 = tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("conn");
        #[derive(diesel::QueryableByName)]
        struct Seq {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            seq: i64,
        }
        let Seq { seq } =
            diesel::sql_query("SELECT seq FROM audit_entries WHERE tenant_id = $1 AND action = 'alert.created'")
                .bind::<Text, _>(&tenant_id)
                .get_result(&mut *conn)
                .expect("the alert's entry");
        diesel::sql_query("UPDATE audit_entries SET actor_name = 'someone else' WHERE tenant_id = $1 AND seq = $2")
            .bind::<Text, _>(&tenant_id)
            .bind::<diesel::sql_types::BigInt, _>(seq)
            .execute(&mut *conn)
            .expect("tamper");
        seq
    })
    .await
    .expect("task");

    let plain = auditor.get("/portal/audit").await;
    assert!(plain.body.contains("Verify chain") && !plain.body.contains("Chain broken"));
    let after = auditor.get("/portal/audit?verify=1").await;
    assert!(after.body.contains(&format!("Chain broken at entry {tampered}")), "{}", after.body);
}
