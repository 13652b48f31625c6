//! End to end, as a case manager would: real headless Chromium over WebDriver, the real
//! backend binary serving the built app, on the filesystem store and on S3 (SeaweedFS).
//!
//! Enrol, write a case holding a unique canary, reload; stop the backend, edit offline,
//! reload (the service worker serves the app); start the backend, watch it sync; sign in
//! on a second browser profile and find the case; then look for the canary everywhere it
//! must not be: IndexedDB, the object store, the backend's logs.

use puente_shared::crypto::RecoveryKey;
use puente_tests::backend_process::BackendProcess;
use puente_tests::browser::Browser;
use puente_tests::free_port;

const PASSPHRASE: &str = "lantern river 42 Oak maple";
/// One browser scenario at a time: two cores do not run two Chromiums well.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A string that appears nowhere unless this test put it there.
fn canary() -> String {
    format!("Canary{}", puente_shared::CaseId::random().to_string().replace('-', ""))
}

async fn case_sync_state(browser: &Browser) -> String {
    browser
        .eval("return document.querySelector('#case-status [data-sync]')?.dataset.sync ?? ''")
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
}

async fn wait_case_state(browser: &Browser, wanted: &[&str], seconds: u64) {
    let list = wanted.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(",");
    let script = format!("return [{list}].includes(document.querySelector('#case-status [data-sync]')?.dataset.sync)");
    browser.until(&format!("the case is {wanted:?}"), &script, seconds).await;
}

async fn unlock(browser: &Browser) {
    unlock_with(browser, PASSPHRASE).await;
}

async fn unlock_with(browser: &Browser, passphrase: &str) {
    browser.type_into("#unlock-passphrase", passphrase).await;
    browser.click("#unlock-submit").await;
    browser.wait_for("#lock", 60).await;
}

/// Types `passphrase` on the lock screen and waits for the refusal.
async fn unlock_refused(browser: &Browser, passphrase: &str) -> String {
    clear(browser, "#unlock-passphrase").await;
    browser.type_into("#unlock-passphrase", passphrase).await;
    browser.click("#unlock-submit").await;
    let refusal = browser.wait_for("#unlock-error", 60).await.text().await.unwrap();
    clear(browser, "#unlock-passphrase").await;
    refusal
}

async fn clear(browser: &Browser, css: &str) {
    let css = serde_json::json!(css);
    browser
        .eval(&format!("const e = document.querySelector({css}); e.value = ''; e.dispatchEvent(new Event('input'));"))
        .await;
}

/// A field of the vault's header as the device stores it (ids and flags are in clear).
async fn header_field(browser: &Browser, field: &str) -> String {
    let dump = browser.indexed_db_dump().await;
    let marker = format!("\\\"{field}\\\":");
    let at = dump.find(&marker).unwrap_or_else(|| panic!("no {field} in the vault header"));
    let rest = &dump[at + marker.len()..];
    let rest = rest.strip_prefix("\\\"").unwrap_or(rest);
    rest.split(['\\', ',', '}']).next().unwrap_or_default().to_owned()
}

enum Store {
    Fs(tempfile::TempDir),
    S3(puente_tests::seaweed::Bucket),
}

impl Store {
    fn args(&self) -> Vec<String> {
        match self {
            Self::Fs(dir) => vec!["--store".into(), "fs".into(), "--data-dir".into(), dir.path().display().to_string()],
            Self::S3(bucket) => bucket.args(),
        }
    }

    fn envs(&self) -> Vec<(&'static str, &str)> {
        match self {
            Self::Fs(_) => vec![],
            Self::S3(bucket) => bucket.envs(),
        }
    }

    /// Every object in the store, key and bytes.
    async fn objects(&self) -> Vec<(String, Vec<u8>)> {
        match self {
            Self::Fs(dir) => puente_tests::files_under(dir.path()),
            Self::S3(bucket) => bucket.objects().await,
        }
    }
}

async fn scenario(store: Store) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();
    let env_refs = store.envs();
    let backend = BackendProcess::start(port, &store.args(), &env_refs, logs.path());
    let family = canary();
    let note = canary();

    // Enrol and create the vault.
    let first = Browser::start().await;
    first.enrol(&backend.enrolment_link(), "amina.case", PASSPHRASE).await;

    // Write a case; it is saved on the device and synced.
    first.click("#new-case").await;
    first.type_into("#given_names", "Amina").await;
    first.type_into("#family_name", &family).await;
    first.type_into("#notes", &format!("First session. {note}")).await;
    wait_case_state(&first, &["synced"], 30).await;
    first.until("the service worker controls the page", "return navigator.serviceWorker.controller !== null", 30).await;

    // Reload: the vault locks. A wrong passphrase is refused with a message; the right one
    // shows the case again, then the list has it.
    first.reload().await;
    first.type_into("#unlock-passphrase", "not the passphrase at all").await;
    first.click("#unlock-submit").await;
    let refusal = first.wait_for("#unlock-error", 60).await.text().await.unwrap();
    assert!(refusal.contains("Wrong passphrase"), "{refusal}");
    first.eval("const p = document.querySelector('#unlock-passphrase'); p.value = ''; p.dispatchEvent(new Event('input'));").await;
    unlock(&first).await;
    assert!(first.value("#family_name").await == family, "the case reopens after a reload");
    first.click("#back").await;
    first.wait_for("#case-list a[data-case]", 20).await;
    let listed = first.eval("return document.querySelector('#case-list').innerText").await;
    assert!(listed.as_str().unwrap().contains(&family), "the case list shows the case: {listed}");

    // Search runs on the decrypted names.
    first.type_into("#search", "zzz-no-such-name").await;
    first.wait_for(".cases .notice", 10).await;
    first.eval("const s = document.querySelector('#search'); s.value = ''; s.dispatchEvent(new Event('input'));").await;

    // Offline: stop the backend, edit, reload from the service worker, find the edit.
    first.click("#case-list a[data-case]").await;
    first.wait_for("#notes", 20).await;
    backend.stop();
    let offline_edit = canary();
    first.type_into("#notes", &format!(" {offline_edit}")).await;
    wait_case_state(&first, &["offline", "waiting"], 30).await;
    first
        .until(
            "sync notices it is offline",
            "return document.querySelector('#net-status')?.dataset.state === 'offline'",
            30,
        )
        .await;
    first.reload().await;
    unlock(&first).await;
    first.wait_for("#notes", 20).await;
    let notes = first.value("#notes").await;
    assert!(notes.contains(&offline_edit), "the offline edit survived a reload: {notes:?}");

    // Back online: it syncs by itself.
    let backend = BackendProcess::start(port, &store.args(), &env_refs, logs.path());
    wait_case_state(&first, &["synced"], 60).await;

    // A second profile signs in as the same user and sees the case, edit included.
    let second = Browser::start().await;
    second.goto(&format!("{}/login", backend.url)).await;
    second.type_into("#login-username", "amina.case").await;
    second.type_into("#login-passphrase", PASSPHRASE).await;
    second.click("#login-submit").await;
    second.wait_for("#new-case", 60).await;
    second.wait_for("#case-list a[data-case]", 30).await;
    let listed = second.eval("return document.querySelector('#case-list').innerText").await;
    assert!(listed.as_str().unwrap().contains(&family), "the second device lists the case: {listed}");
    second.click("#case-list a[data-case]").await;
    second.wait_for("#notes", 20).await;
    let notes = second.value("#notes").await;
    assert!(
        notes.contains(&offline_edit) && notes.contains(&note),
        "the second device has the offline edit: {notes:?}"
    );

    // Both devices edit the same case offline. The first push back wins; the other device
    // gets a 409, keeps both versions side by side and marks the case in conflict.
    backend.stop();
    let (edit_one, edit_two) = (canary(), canary());
    // Each device also records an act (a session) that the other does not have.
    for (browser, kind) in [(&first, "follow_up"), (&second, "pre_departure_family")] {
        browser.click_until("nav.tabs a[data-section=sessions]", "#section-sessions", 20).await;
        browser.click(&format!("#start-{kind}")).await;
        browser.wait_for("article.session", 10).await;
        browser.click_until("nav.tabs a[data-section=registration]", "#section-registration", 20).await;
    }
    first.type_into("#notes", &format!(" {edit_one}")).await;
    second.type_into("#notes", &format!(" {edit_two}")).await;
    wait_case_state(&first, &["offline", "waiting"], 30).await;
    wait_case_state(&second, &["offline", "waiting"], 30).await;
    let backend = BackendProcess::start(port, &store.args(), &env_refs, logs.path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (loser, winner, loser_edit) = loop {
        if case_sync_state(&first).await == "conflict" {
            break (&first, &second, &edit_one);
        }
        if case_sync_state(&second).await == "conflict" {
            break (&second, &first, &edit_two);
        }
        assert!(std::time::Instant::now() < deadline, "no conflict was detected");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    wait_case_state(winner, &["synced"], 30).await;
    // Each device pushed twice (the act, then the typing), so the conflict may first show
    // the other device's intermediate revision; the newest one replaces it as it arrives.
    let script = format!(
        "const p = document.querySelector('#conflict')?.innerText ?? ''; return p.includes('{edit_one}') && p.includes('{edit_two}');"
    );
    loser.until("both versions are shown side by side", &script, 40).await;
    // A revision the winner pushes while the loser is choosing is a new conflict: the loser
    // keeps its version again (never more than a few times: the winner stops editing).
    let panel = "(document.querySelector('#conflict')?.innerText ?? '')";
    for _ in 0..3 {
        let before = loser.eval(&format!("return {panel}")).await;
        loser.click("#keep-mine").await;
        let settled = format!(
            "const s = document.querySelector('#case-status [data-sync]')?.dataset.sync; \
             return s === 'synced' || (s === 'conflict' && {panel} !== {before})"
        );
        loser.until("the choice is synced, or a newer revision conflicts", &settled, 30).await;
        if case_sync_state(loser).await == "synced" {
            break;
        }
    }
    wait_case_state(loser, &["synced"], 30).await;
    // The winner pulls the resolution (it was not editing), so both devices agree.
    let script = format!("return document.querySelector('#notes').value.includes('{loser_edit}')");
    winner.until("the other device receives the resolution", &script, 40).await;
    assert_eq!(first.value("#notes").await, second.value("#notes").await);
    // Whichever text was kept, both sessions survived the conflict, on both devices.
    for browser in [&first, &second] {
        browser.click_until("nav.tabs a[data-section=sessions]", "#section-sessions", 20).await;
        browser
            .until("both sessions are kept", "return document.querySelectorAll('article.session').length === 2", 30)
            .await;
        browser.click_until("nav.tabs a[data-section=registration]", "#section-registration", 20).await;
        browser.wait_for("#notes", 10).await;
    }

    // A colleague in the same organisation enrols (invited with `admin invite`) and writes
    // a case of their own, then is disabled. It is sealed for their keys only: this device cannot open it,
    // does not list it, and keeps syncing its own work past it in the feed.
    let colleague = Browser::start().await;
    colleague.enrol(&backend.invite(&store.args(), &env_refs), "bea.colleague", "another long passphrase 7").await;
    colleague.click("#new-case").await;
    let colleague_case = canary();
    colleague.type_into("#family_name", &colleague_case).await;
    wait_case_state(&colleague, &["synced"], 30).await;
    // The colleague leaves: disabled, their device is refused at its next sync and says why.
    backend.disable(&store.args(), &env_refs, "bea.colleague");
    colleague
        .until(
            "the disabled colleague's device shows it",
            "return document.querySelector('#net-status')?.dataset.state === 'disabled'",
            30,
        )
        .await;
    let shown = colleague.eval("return document.querySelector('#net-status').innerText").await;
    assert!(shown.as_str().is_some_and(|s| s.contains("disabled")), "the reason is shown: {shown}");
    colleague.close().await;
    let after_colleague = canary();
    first.type_into("#notes", &format!(" {after_colleague}")).await;
    wait_case_state(&first, &["synced"], 30).await;
    let script = format!("return document.querySelector('#notes').value.includes('{after_colleague}')");
    second.until("the other device still receives this account's edits", &script, 40).await;
    first.click("#back").await;
    first.wait_for("#case-list a[data-case]", 10).await;
    assert_eq!(first.eval("return document.querySelectorAll('#case-list a[data-case]').length").await, 1);
    assert_eq!(first.eval("return document.querySelector('#net-status').dataset.state").await, "online");

    // The interface switches language at any time.
    second.click("#back").await;
    second.wait_for("#new-case", 10).await;
    second
        .eval("const l = document.querySelector('#language'); l.value = 'es'; l.dispatchEvent(new Event('change'));")
        .await;
    second
        .until(
            "the interface is in Spanish",
            "return document.querySelector('#new-case').innerText === 'Nuevo caso'",
            10,
        )
        .await;

    // Left idle, the app locks itself and forgets the keys (the delay is a device setting;
    // zero minutes makes the test quick).
    second.eval("localStorage.setItem('puente.idle_minutes', '0')").await;
    second.reload().await;
    unlock(&second).await;
    let notice = second.wait_for("#unlock-form .notice", 30).await.text().await.unwrap();
    assert!(notice.contains("Bloqueado por inactividad"), "locked for inactivity, in Spanish: {notice}");

    // Nowhere in clear: IndexedDB of both profiles, the object store, the backend's logs.
    let written = [&family, &note, &offline_edit, &edit_one, &edit_two, &colleague_case, &after_colleague];
    let credentials = [PASSPHRASE, "another long passphrase 7", "amina.case", "bea.colleague"];
    for (name, browser) in [("first", &first), ("second", &second)] {
        let dump = browser.indexed_db_dump().await;
        assert!(dump.contains("\"cases\":[\""), "{name} profile stores the case: {dump:.300}");
        for secret in written.iter().map(|s| s.as_str()).chain(credentials.into_iter().take(2)) {
            assert!(!dump.contains(secret), "{name} profile's IndexedDB holds {secret} in clear");
        }
    }
    let objects = store.objects().await;
    assert!(objects.iter().any(|(key, _)| key.contains("/cases/")), "revisions reached the store: {objects:?}");
    for (key, bytes) in &objects {
        puente_tests::assert_absent(
            &format!("object {key}"),
            bytes,
            written.iter().map(|s| s.as_str()).chain(credentials),
        );
    }
    let logged = backend.logs();
    assert!(logged.contains("revision accepted"), "the backend logged its work");
    for secret in written.iter().map(|s| s.as_str()).chain(credentials) {
        assert!(!logged.contains(secret), "the backend's log holds {secret}");
    }
    first.close().await;
    second.close().await;
    backend.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_written_offline_reaches_a_second_device_and_never_leaks_on_the_filesystem_store() {
    scenario(Store::Fs(tempfile::tempdir().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_written_offline_reaches_a_second_device_and_never_leaks_on_s3() {
    scenario(Store::S3(puente_tests::seaweed::Bucket::fresh().await)).await;
}

/// The number shown as `css` once it is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_founds_the_organisation_confirms_colleagues_by_safety_number_and_recovers_one_with_the_sheet() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let store = Store::Fs(tempfile::tempdir().unwrap());
    let backend = BackendProcess::start(free_port(), &store.args(), &[], logs.path());

    // The first member founds the organisation and is shown the recovery sheet once.
    let admin = Browser::start().await;
    admin.enrol(&backend.enrolment_link(), "coordinator", PASSPHRASE).await;
    admin.click("#nav-organisation").await;
    admin.type_into("#org-name", "Casa del Retorno").await;
    admin.click("#found").await;
    admin.shown("#recovery-words").await;
    let words = admin
        .eval("return [...document.querySelectorAll('#recovery-words li')].map(li => li.innerText.trim()).join(' ')")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    let recovery = RecoveryKey::parse(&words).expect("the sheet shows 24 words that check");
    assert_eq!(words.split(' ').count(), 24, "{words}");
    // No QR code of the secret: nothing reads one back, and a phone's camera may keep it.
    assert_eq!(admin.eval("return document.querySelector('#recovery-sheet svg') === null").await, true);
    admin.click("#recovery-done").await;
    assert_eq!(admin.text("#org-name-shown").await, "Casa del Retorno");
    assert!(admin.text("#my-role").await.contains("Coordinator"));
    admin.type_into("#team-name", "Oficina Quetzaltenango").await;
    admin.type_into("#team-country", "GT").await;
    admin.click("#add-team").await;
    admin.until("the team is listed", "return document.querySelectorAll('#teams li').length === 1", 30).await;

    // Each colleague is invited from the app, enrols from the link, reads out their safety
    // number, and is confirmed by it; until then they are not confirmed on their device.
    let mut link = String::new();
    let mut kept = None;
    for (i, (role, username, label)) in [
        ("supervisor", "sofia.sup", "Sofía, supervisora"),
        ("case_manager", "carlos.cm", "Carlos"),
        ("case_manager", "dana.cm", "Dana"),
    ]
    .into_iter()
    .enumerate()
    {
        admin.set_value("#invite-role", role).await;
        admin.type_into("#invite-label", label).await;
        admin.click("#create-invite").await;
        let previous = serde_json::json!(link);
        admin
            .until(
                "a new link is shown",
                &format!("return (document.querySelector('#invite-link')?.innerText || {previous}) !== {previous}"),
                30,
            )
            .await;
        link = admin.text("#invite-link").await;
        assert_eq!(admin.eval("return document.querySelector('#invite-qr svg') !== null").await, true);
        assert!(link.contains("/enrol#") && link.contains('.'), "the link names the organisation's root: {link}");

        let colleague = Browser::start().await;
        colleague.enrol(&link, username, "another long passphrase 7").await;
        colleague.click("#nav-organisation").await;
        colleague
            .until(
                "the colleague sees the verified organisation",
                "return document.querySelector('#org-name-shown')?.innerText === 'Casa del Retorno'",
                40,
            )
            .await;
        assert!(colleague.text("#my-role").await.contains("Not confirmed"));
        let number = colleague.shown("#my-safety-number").await;

        admin.click("#refresh-pending").await;
        let number_js = serde_json::json!(number);
        let find = format!(
            "return [...document.querySelectorAll('#pending li')].find(li => li.querySelector('.safety-number').innerText === {number_js})"
        );
        admin.until("the newcomer waits, with the same number", &format!("{find} !== undefined"), 30).await;
        let pending_label = admin.eval(&format!("{find}.innerText")).await;
        assert!(
            pending_label.as_str().unwrap_or_default().contains(label),
            "the admin sees its own label: {pending_label}"
        );
        admin.eval(&format!("{find}.querySelector('button[data-confirm]').click()")).await;
        admin
            .until(
                "the member is listed",
                &format!("return document.querySelectorAll('#members tr').length === {}", i + 2),
                30,
            )
            .await;
        let role_label = if role == "supervisor" { "Supervisor" } else { "Case manager" };
        colleague
            .until(
                "the colleague's device shows the role the coordinator confirmed",
                &format!("return document.querySelector('#my-role')?.innerText === '{role_label}'"),
                40,
            )
            .await;
        if username == "dana.cm" {
            kept = Some(colleague);
        } else {
            colleague.close().await;
        }
    }
    let roles = admin
        .eval("return [...document.querySelectorAll('#members tr')].map(tr => tr.dataset.role).sort().join(',')")
        .await;
    assert_eq!(roles, "administrator,case_manager,case_manager,supervisor");

    // The coordinator makes a case manager the protection focal point of the office; each
    // change is a signed entry, and the list shows it.
    let rows = "[...document.querySelectorAll('#members tr')]";
    let moved =
        admin.eval(&format!("return {rows}.find(tr => tr.dataset.role === 'case_manager').dataset.member")).await;
    let moved = moved.as_str().unwrap().to_owned();
    admin.click(&format!("button[data-edit='{moved}']")).await;
    admin.set_value("#edit-role", "protection_focal_point").await;
    admin.click("#edit-teams input[type=checkbox]").await;
    admin.click("#edit-submit").await;
    admin
        .until(
            "the new role shows",
            &format!(
                "return {rows}.map(tr => tr.dataset.role).sort().join(',') === \
                 'administrator,case_manager,protection_focal_point,supervisor'"
            ),
            30,
        )
        .await;
    let row = admin.eval(&format!("return document.querySelector(\"tr[data-member='{moved}']\").innerText")).await;
    assert!(row.as_str().unwrap().contains("Oficina Quetzaltenango"), "the team shows: {row}");

    // The coordinator publishes the follow-up intervals and a provider in the app; a wrong
    // interval is refused on the device first. A colleague's device takes them at its sync.
    admin.wait_for("#save-settings:not([disabled])", 30).await;
    clear(&admin, "#days-critical").await;
    admin.type_into("#days-critical", "0").await;
    admin.click("#save-settings").await;
    let refusal = admin.shown("#settings-error").await;
    assert!(refusal.contains("Critical risk"), "the refused interval is named: {refusal}");
    clear(&admin, "#days-critical").await;
    admin.type_into("#days-critical", "3").await;
    admin.click("#add-provider").await;
    admin.type_into("fieldset.provider .provider-name", "Clínica San Juan").await;
    admin.click("fieldset.provider input[type=checkbox][value=health]").await;
    admin.click("#save-settings").await;
    admin.wait_for("#settings-saved", 30).await;
    let dana = kept.expect("dana's device");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while !dana.indexed_db_dump().await.contains("Clínica San Juan") {
        assert!(std::time::Instant::now() < deadline, "the colleague's device never took the settings");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }

    // Recovery drill. Dana writes a case; at its next sync her device seals her account key
    // to the organisation's recovery key. Then she forgets her passphrase.
    dana.click("a.brand").await;
    dana.click("#new-case").await;
    let dana_case = canary();
    dana.type_into("#family_name", &dana_case).await;
    wait_case_state(&dana, &["synced"], 30).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while header_field(&dana, "escrowed_to").await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "dana's device never kept its escrow");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let dana_id = header_field(&dana, "user_id").await;
    dana.click("#lock").await;
    dana.wait_for("#unlock-passphrase", 10).await;
    let drill = std::time::Instant::now();
    // Locking also ended the session on the server.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !store.objects().await.iter().any(|(key, _)| key.contains("/ended-sessions/")) {
        assert!(std::time::Instant::now() < deadline, "the lock did not end the session");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The coordinator types the sheet; a mistyped word is caught before anything is sent.
    admin.click(&format!("button[data-recover='{dana_id}']")).await;
    let mut mistyped: Vec<&str> = words.split(' ').collect();
    mistyped.swap(3, 4);
    let new_passphrase = "dana recovered 4 green hills";
    admin.type_into("#recovery-typed", &mistyped.join(" ")).await;
    admin.type_into("#recovery-passphrase", new_passphrase).await;
    admin.type_into("#recovery-confirm", new_passphrase).await;
    if mistyped.join(" ") != words {
        admin.click("#recover-submit").await;
        let refusal = admin.shown("#recover-error").await;
        assert!(refusal.contains("do not check") || refusal.contains("not this organisation"), "{refusal}");
    }
    clear(&admin, "#recovery-typed").await;
    admin.type_into("#recovery-typed", &words.to_uppercase()).await;
    admin.click("#recover-submit").await;
    admin.wait_for("#recovered", 60).await;
    let left = admin.eval("return document.querySelector('#recovery-typed')?.value ?? ''").await;
    assert_eq!(left, "", "the words are cleared from the screen");

    // Dana unlocks her own device with the new passphrase; her case opens again. The
    // forgotten passphrase no longer opens the device.
    // The coordinator saw that passphrase, so dana's device asks her to choose her own.
    unlock_with(&dana, new_passphrase).await;
    dana.wait_for("#recovered-notice", 30).await;
    let drill = drill.elapsed();
    println!("recovery drill (sheet typed, new passphrase, member's device unlocked): {:.1} s", drill.as_secs_f64());
    let her_own = "dana's own 9 blue lakes";
    dana.type_into("#current-passphrase", new_passphrase).await;
    dana.type_into("#new-passphrase", her_own).await;
    dana.type_into("#new-confirm", her_own).await;
    dana.click("#passphrase-submit").await;
    dana.wait_for("#passphrase-changed", 60).await;
    assert_eq!(dana.eval("return document.querySelector('#recovered-notice') === null").await, true);
    dana.click("a.brand").await;
    dana.wait_for("#case-list a[data-case]", 30).await;
    dana.click("#case-list a[data-case]").await;
    dana.wait_for("#family_name", 30).await;
    assert_eq!(dana.value("#family_name").await, dana_case, "dana's case opens again");
    dana.click("#lock").await;
    for forgotten in ["another long passphrase 7", new_passphrase] {
        let refusal = unlock_refused(&dana, forgotten).await;
        assert!(refusal.contains("Wrong passphrase"), "{refusal}");
    }
    unlock_with(&dana, her_own).await;
    assert_eq!(dana.eval("return location.pathname.startsWith('/cases/')").await, true, "no prompt any more");

    // The recovery key and its words are nowhere but on the sheet: not in either device's
    // IndexedDB, the store or the backend's logs.
    let raw = recovery.secret().expose();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let secrets = [words.as_str(), hex.as_str(), new_passphrase, her_own];
    for browser in [&admin, &dana] {
        let dump = browser.indexed_db_dump().await;
        for secret in secrets {
            assert!(!dump.contains(secret), "IndexedDB holds {secret}");
        }
    }
    for (name, bytes) in store.objects().await {
        puente_tests::assert_absent(&format!("object {name}"), &bytes, secrets);
        assert!(!bytes.windows(raw.len()).any(|w| w == raw), "object {name} holds the recovery key");
    }
    let logged = backend.logs();
    for secret in secrets {
        assert!(!logged.contains(secret), "the backend's log holds {secret}");
    }
    assert!(logged.contains("member recovered"), "the recovery is on record");
    dana.close().await;
    admin.close().await;
    backend.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passphrase_changed_on_one_device_no_longer_opens_the_other_once_it_syncs() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let store = Store::Fs(tempfile::tempdir().unwrap());
    let backend = BackendProcess::start(free_port(), &store.args(), &[], logs.path());
    let first = Browser::start().await;
    first.enrol(&backend.enrolment_link(), "lucia.cm", PASSPHRASE).await;
    first.click("#new-case").await;
    let before = canary();
    first.type_into("#family_name", &before).await;
    wait_case_state(&first, &["synced"], 30).await;
    let second = Browser::start().await;
    second.goto(&format!("{}/login", backend.url)).await;
    second.type_into("#login-username", "lucia.cm").await;
    second.type_into("#login-passphrase", PASSPHRASE).await;
    second.click("#login-submit").await;
    second.wait_for("#case-list a[data-case]", 60).await;

    // The first device changes the passphrase: the current one is checked first.
    let new_passphrase = "seven quiet rivers 88 north";
    first.click("#nav-passphrase").await;
    first.type_into("#current-passphrase", "not the current one").await;
    first.type_into("#new-passphrase", new_passphrase).await;
    first.type_into("#new-confirm", new_passphrase).await;
    first.click("#passphrase-submit").await;
    let refusal = first.shown("#passphrase-error").await;
    assert!(refusal.contains("Wrong passphrase"), "{refusal}");
    clear(&first, "#current-passphrase").await;
    first.type_into("#current-passphrase", PASSPHRASE).await;
    first.click("#passphrase-submit").await;
    first.wait_for("#passphrase-changed", 60).await;
    // It goes on syncing with its new session.
    first.click("a.brand").await;
    first.click("#new-case").await;
    let after = canary();
    first.type_into("#family_name", &after).await;
    wait_case_state(&first, &["synced"], 30).await;

    // The second device learns at its next sync, and its session is over.
    second
        .until(
            "the second device is told the passphrase changed",
            "return document.querySelector('#net-status')?.dataset.state === 'passphrasechanged'",
            40,
        )
        .await;
    second.click("#lock").await;
    second.wait_for("#unlock-must-sign-in", 10).await;
    let refusal = unlock_refused(&second, PASSPHRASE).await;
    assert!(refusal.contains("Wrong passphrase"), "the old passphrase no longer opens it: {refusal}");
    unlock_with(&second, new_passphrase).await;
    let script = format!("return (document.querySelector('#case-list')?.innerText ?? '').includes('{after}')");
    second.until("the second device syncs again, with the new passphrase", &script, 40).await;
    let listed = second.eval("return document.querySelector('#case-list').innerText").await;
    assert!(listed.as_str().unwrap().contains(&before), "{listed}");

    // The first device opens with the new passphrase offline too, and not with the old.
    first.click("#lock").await;
    backend.stop();
    let refusal = unlock_refused(&first, PASSPHRASE).await;
    assert!(refusal.contains("Wrong passphrase"), "{refusal}");
    unlock_with(&first, new_passphrase).await;
    first.close().await;
    second.close().await;
}
