//! An organisation of several people, each in their own browser profile, set up through the
//! screens as a coordinator would: founded, with offices, members invited and confirmed by
//! their safety numbers. And what the tests then ask of each person's device or account.

use crate::browser::Browser;
use puente_shared::protocol::ChangesResponse;
use puente_shared::CaseId;

/// The coordinator's passphrase.
pub const PASSPHRASE: &str = "lantern river 42 Oak maple";
/// Every other member's.
pub const MEMBER_PASSPHRASE: &str = "another long passphrase 7";

/// A name no other test and no other run uses, to look for where it must not be.
pub fn canary() -> String {
    format!("Canary{}", CaseId::random().to_string().replace('-', ""))
}

/// Enrols the coordinator, founds the organisation and adds each office (name, country).
pub async fn found(link: &str, offices: &[(&str, &str)]) -> Browser {
    let admin = Browser::start().await;
    admin.enrol(link, "coordinator", PASSPHRASE).await;
    admin.click("#nav-organisation").await;
    admin.type_into("#org-name", "Casa del Retorno").await;
    admin.click("#found").await;
    admin.shown("#recovery-words").await;
    admin.click("#recovery-done").await;
    for (n, (name, country)) in offices.iter().enumerate() {
        admin.type_into("#team-name", name).await;
        admin.type_into("#team-country", country).await;
        admin.click("#add-team").await;
        let listed = format!("return document.querySelectorAll('#teams li').length === {}", n + 1);
        admin.until("the office is listed", &listed, 30).await;
    }
    admin
}

/// Invites someone from the coordinator's screen (into the office named `office`, if any),
/// enrols them in a new profile and confirms them by their safety number; `members` is how
/// many the organisation has then.
pub async fn invite_and_confirm(
    admin: &Browser,
    role: &str,
    office: Option<&str>,
    username: &str,
    members: usize,
) -> Browser {
    admin.set_value("#invite-role", role).await;
    let team = match office {
        Some(name) => {
            let name = serde_json::json!(name);
            let script = format!(
                "return [...document.querySelectorAll('#invite-team option')].find(o => o.innerText.includes({name})).value"
            );
            admin.eval(&script).await
        }
        None => serde_json::json!(""),
    };
    admin.set_value("#invite-team", team.as_str().unwrap()).await;
    admin.type_into("#invite-label", username).await;
    let previous = admin.eval("return document.querySelector('#invite-link')?.innerText ?? ''").await;
    admin.click("#create-invite").await;
    admin
        .until(
            "a new link is shown",
            &format!("return (document.querySelector('#invite-link')?.innerText ?? '') !== {previous}"),
            30,
        )
        .await;
    let link = admin.text("#invite-link").await;
    let person = Browser::start().await;
    person.enrol(&link, username, MEMBER_PASSPHRASE).await;
    person.click("#nav-organisation").await;
    let number = serde_json::json!(person.shown("#my-safety-number").await);
    admin.click("#refresh-pending").await;
    let find = format!(
        "[...document.querySelectorAll('#pending li')].find(li => li.querySelector('.safety-number').innerText === {number})"
    );
    admin.until("the newcomer waits", &format!("return {find} !== undefined"), 30).await;
    admin.eval(&format!("{find}.querySelector('button[data-confirm]').click()")).await;
    admin
        .until(
            "the member is listed",
            &format!("return document.querySelectorAll('#members tr').length === {members}"),
            30,
        )
        .await;
    person
        .until(
            "the device shows its confirmed role",
            "return !(document.querySelector('#my-role')?.innerText ?? 'Not confirmed').includes('Not confirmed')",
            40,
        )
        .await;
    person
}

/// Whether the change feed, as `token`'s member sees it, names `case`.
pub async fn feed_names(url: &str, token: &str, case: CaseId) -> bool {
    let feed: ChangesResponse = reqwest::Client::new()
        .get(format!("{url}/api/changes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    feed.entries.iter().any(|e| e.case == case)
}

/// The status `token`'s member gets asking for revision `revision` of `case`.
pub async fn fetch_status(url: &str, token: &str, case: CaseId, revision: u64) -> u16 {
    let response = reqwest::Client::new()
        .get(format!("{url}/api/cases/{case}/revisions/{revision}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// Waits (up to a minute) until `token`'s member is refused `case`.
pub async fn until_refused(url: &str, token: &str, case: CaseId, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while fetch_status(url, token, case, 1).await != 403 {
        assert!(std::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The case open in `browser`.
pub async fn open_case_id(browser: &Browser) -> CaseId {
    let path = browser.eval("return location.pathname").await;
    path.as_str().unwrap().split('/').nth(2).unwrap().parse().unwrap()
}

/// Waits (up to a minute) until `browser`'s case list shows `name`.
pub async fn lists(browser: &Browser, name: &str, what: &str) {
    let name = serde_json::json!(name);
    let script = format!("return (document.querySelector('#case-list')?.innerText ?? '').includes({name})");
    browser.until(what, &script, 60).await;
}

/// What `browser`'s case list shows.
pub async fn listed(browser: &Browser) -> String {
    browser.eval("return document.querySelector('#case-list')?.innerText ?? ''").await.as_str().unwrap().to_owned()
}

/// Opens the listed case named `name`.
pub async fn open_listed(browser: &Browser, name: &str) {
    let name = serde_json::json!(name);
    browser
        .eval(&format!(
            "[...document.querySelectorAll('#case-list a[data-case]')].find(a => a.innerText.includes({name})).click()"
        ))
        .await;
    browser.wait_for("#case-name", 20).await;
}

/// Waits until the open case shows it is synced.
pub async fn synced(browser: &Browser, what: &str) {
    let script = "return document.querySelector('#case-status [data-sync]')?.dataset.sync === 'synced'";
    browser.until(what, script, 60).await;
}
