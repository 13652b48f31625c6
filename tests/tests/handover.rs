//! End to end with one browser profile per person: the host office's case manager and
//! supervisor, the origin office's supervisor and case manager, and an unrelated case
//! manager of the host office. A case handed over under the person's consent reaches the
//! origin office's supervisor, who accepts it for a case manager there, who sees what was
//! sent ahead at step 1 of the first session; the host office then loses it, as the
//! consent says. A second case's handover is stopped by withdrawing its consent before
//! acceptance: nothing later reaches the origin office, and accepting it is refused.

use puente_shared::protocol::Session;
use puente_tests::api::sign_in;
use puente_tests::backend_process::BackendProcess;
use puente_tests::browser::Browser;
use puente_tests::free_port;
use puente_tests::people::{
    canary, feed_names, fetch_status, found, invite_and_confirm, listed, lists, open_case_id, open_listed, synced,
    until_refused, MEMBER_PASSPHRASE,
};

const HOST: &str = "Oficina Madrid";
const ORIGIN: &str = "Bureau Dakar";

async fn session_of(url: &str, username: &str) -> Session {
    sign_in(url, username, MEMBER_PASSPHRASE).await.json().await.unwrap()
}

async fn section(browser: &Browser, name: &str) {
    browser.click_until(&format!("nav.tabs a[data-section={name}]"), &format!("#section-{name}"), 20).await;
}

/// Registers a new case and records the person's consent to `scopes`; returns its id.
async fn new_case_with_consent(owner: &Browser, family: &str, scopes: &[&str]) -> puente_shared::CaseId {
    owner.click("a.brand").await;
    owner.click("#new-case").await;
    owner.type_into("#family_name", family).await;
    synced(owner, "the new case is synced").await;
    section(owner, "registration").await;
    owner.set_value("#consent_giver", "person").await;
    owner.type_into("#consent_giver_name", "Amina").await;
    let today = owner.eval("return new Date().toISOString().slice(0, 10)").await;
    owner.set_value("#consent_given_on", today.as_str().unwrap()).await;
    for scope in scopes {
        owner.click(&format!("input[name=consent_scopes][value={scope}]")).await;
    }
    owner.click("#consent_informed_of_processing").await;
    owner.click("#record-consent").await;
    owner
        .until("the consent is listed", "return document.querySelectorAll('#consent-list li.entry').length === 1", 10)
        .await;
    open_case_id(owner).await
}

/// Hands the open case over to the origin office, with `talking` among the talking points.
async fn hand_over(owner: &Browser, talking: &str) {
    section(owner, "handover").await;
    let origin = serde_json::json!(ORIGIN);
    owner
        .until(
            "the origin office is offered",
            &format!("return [...document.querySelectorAll('#handover_office option')].some(o => o.innerText.includes({origin}))"),
            30,
        )
        .await;
    let office = owner
        .eval(&format!(
            "return [...document.querySelectorAll('#handover_office option')].find(o => o.innerText.includes({origin})).value"
        ))
        .await;
    owner.set_value("#handover_office", office.as_str().unwrap()).await;
    assert_eq!(owner.value("#handover_destination").await, ORIGIN, "the office's name is filled in");
    owner.type_into("#handover_talking_points", &format!("Start with work {talking}")).await;
    owner.click("#send-handover").await;
    owner.wait_for("#handover-sent", 10).await;
    synced(owner, "the handover is synced").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_reaches_the_origin_office_only_under_consent_and_stops_when_it_is_withdrawn() {
    let logs = tempfile::tempdir().unwrap();
    let bucket = puente_tests::seaweed::Bucket::fresh().await;
    let backend = BackendProcess::start(free_port(), &bucket.args(), &bucket.envs(), logs.path());

    let admin = found(&backend.enrolment_link(), &[(HOST, "ES"), (ORIGIN, "SN")]).await;
    let host_sup = invite_and_confirm(&admin, "supervisor", Some(HOST), "sofia.sup", 2).await;
    let host_cm = invite_and_confirm(&admin, "case_manager", Some(HOST), "carlos.cm", 3).await;
    let origin_sup = invite_and_confirm(&admin, "supervisor", Some(ORIGIN), "awa.sup", 4).await;
    let origin_cm = invite_and_confirm(&admin, "case_manager", Some(ORIGIN), "moussa.cm", 5).await;
    let stranger = invite_and_confirm(&admin, "case_manager", Some(HOST), "ursula.cm", 6).await;
    admin.close().await;
    let url = backend.url.clone();
    let (host_session, origin_sup_session, origin_cm_session, stranger_session) = (
        session_of(&url, "carlos.cm").await,
        session_of(&url, "awa.sup").await,
        session_of(&url, "moussa.cm").await,
        session_of(&url, "ursula.cm").await,
    );

    // Case one: consent to the handover, not to the host office reading on afterwards.
    let (family, talking) = (canary(), canary());
    let case = new_case_with_consent(&host_cm, &family, &["handover"]).await;
    // Before it is sent, nothing of it reaches the origin office.
    assert_eq!(fetch_status(&url, &origin_sup_session.token, case, 1).await, 403);
    assert!(!feed_names(&url, &origin_sup_session.token, case).await);
    hand_over(&host_cm, &talking).await;
    host_sup.click("a.brand").await;
    lists(&host_sup, &family, "the host supervisor has the team's case").await;

    // The origin office's supervisor receives it, with what was sent ahead, and accepts it
    // for the case manager there.
    origin_sup.click("a.brand").await;
    lists(&origin_sup, &family, "the handover reaches the origin supervisor").await;
    open_listed(&origin_sup, &family).await;
    origin_sup.wait_for("#accept-handover", 30).await;
    assert!(origin_sup.text("#accept-handover").await.contains(&talking));
    let assignee = origin_cm_session.user_id.to_string();
    origin_sup.wait_for(&format!("#accept-to option[value='{assignee}']"), 30).await;
    origin_sup.set_value("#accept-to", &assignee).await;
    origin_sup.click("#accept-submit").await;
    section(&origin_sup, "handover").await;
    origin_sup.wait_for("#handover-accepted", 30).await;
    synced(&origin_sup, "the acceptance is synced").await;
    assert_eq!(origin_sup.eval("return document.querySelector('#accept-handover') === null").await, true);

    // The case manager there has it, and step 1 of the first session shows what was sent.
    origin_cm.click("a.brand").await;
    lists(&origin_cm, &family, "the accepted case reaches the origin case manager").await;
    open_listed(&origin_cm, &family).await;
    section(&origin_cm, "sharing").await;
    origin_cm.wait_for(&format!("#access-people li[data-user='{assignee}'][data-share=owner]"), 30).await;
    section(&origin_cm, "handover").await;
    origin_cm.wait_for("#handover-accepted", 60).await;
    section(&origin_cm, "sessions").await;
    origin_cm.click("#start-first_after_arrival").await;
    origin_cm
        .until(
            "step 1 shows what the host office sent",
            &format!(
                "return (document.querySelector('#handover-summary')?.innerText ?? '').includes({})",
                serde_json::json!(talking)
            ),
            20,
        )
        .await;
    synced(&origin_cm, "the first session is synced").await;

    // The consent did not keep the host office in: it no longer gets the case, and what it
    // types now stays on its device.
    until_refused(&url, &host_session.token, case, "the host office kept the case after acceptance").await;
    assert!(!feed_names(&url, &host_session.token, case).await);
    section(&host_cm, "registration").await;
    host_cm.type_into("#notes", " written after the handover").await;
    host_cm.wait_for("#push-refused", 60).await;

    // Case two: handed over, then the consent is withdrawn before the origin office accepts.
    let (second, second_talking, after) = (canary(), canary(), canary());
    let second_case = new_case_with_consent(&host_cm, &second, &["handover", "host_follow_up"]).await;
    hand_over(&host_cm, &second_talking).await;
    origin_sup.click("#back").await;
    lists(&origin_sup, &second, "the second handover reaches the origin supervisor").await;
    section(&host_cm, "registration").await;
    host_cm.click("#consent-list button.withdraw").await;
    section(&host_cm, "handover").await;
    host_cm
        .until(
            "the handover shows it was stopped",
            "return document.querySelector('#handover-sent')?.classList.contains('notice') === true",
            10,
        )
        .await;
    section(&host_cm, "registration").await;
    host_cm.type_into("#notes", &after).await;
    synced(&host_cm, "the withdrawal and a later edit are synced").await;
    until_refused(&url, &origin_sup_session.token, second_case, "the origin office kept the stopped handover").await;
    assert!(!feed_names(&url, &origin_sup_session.token, second_case).await);
    // Its device still offers to accept what it had received; the server refuses.
    open_listed(&origin_sup, &second).await;
    origin_sup.wait_for("#accept-handover", 30).await;
    origin_sup.wait_for(&format!("#accept-to option[value='{assignee}']"), 30).await;
    origin_sup.set_value("#accept-to", &assignee).await;
    origin_sup.click("#accept-submit").await;
    origin_sup
        .until(
            "accepting a stopped handover is refused",
            "return (document.querySelector('#accept-error')?.innerText ?? '').includes('no_access')",
            20,
        )
        .await;
    assert_eq!(fetch_status(&url, &origin_cm_session.token, second_case, 1).await, 403);
    // The host office's own supervisor still has it, edits included.
    host_sup.click("a.brand").await;
    lists(&host_sup, &second, "the host supervisor keeps the second case").await;

    // The unrelated case manager of the host office has neither case, in any way.
    stranger.click("a.brand").await;
    let list = listed(&stranger).await;
    assert!(!list.contains(&family) && !list.contains(&second), "the stranger's device lists a case");
    for id in [case, second_case] {
        assert_eq!(fetch_status(&url, &stranger_session.token, id, 1).await, 403);
        assert!(!feed_names(&url, &stranger_session.token, id).await);
    }

    // The names and what was typed are nowhere they should not be.
    let secrets = [&family, &talking, &second, &second_talking, &after];
    let stranger_db = stranger.indexed_db_dump().await;
    let origin_db = origin_sup.indexed_db_dump().await;
    for secret in secrets {
        assert!(!stranger_db.contains(secret.as_str()), "the stranger's IndexedDB holds {secret}");
        assert!(!origin_db.contains(secret.as_str()), "an IndexedDB holds {secret} in clear");
    }
    for (key, bytes) in bucket.objects().await {
        puente_tests::assert_absent(&format!("object {key}"), &bytes, secrets);
    }
    let logged = backend.logs();
    assert!(logged.contains("access changed"));
    for secret in secrets {
        assert!(!logged.contains(secret.as_str()), "the server's log holds {secret}");
    }
    for browser in [host_sup, host_cm, origin_sup, origin_cm, stranger] {
        browser.close().await;
    }
    backend.stop();
}
