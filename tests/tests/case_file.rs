//! The whole case file, end to end in headless Chromium against the real backend: an adult
//! case and an unaccompanied child's case walked from registration to closure through the
//! screens, part of the way offline; the rules refusing what they must, with their
//! explanation; the plan printed to PDF; then everything synced and opened on a second
//! profile, intact, and nothing readable anywhere outside the browser's memory.

use puente_tests::backend_process::BackendProcess;
use puente_tests::browser::Browser;
use puente_tests::free_port;
use std::process::Command;

const PASSPHRASE: &str = "harbour lights 7 Cedar glass";

fn canary(label: &str) -> String {
    format!("{label}{}", &puente_shared::CaseId::random().to_string().replace('-', "")[..16])
}

/// Opens one part of the open case.
async fn section(browser: &Browser, name: &str) {
    browser.click_until(&format!("nav.tabs a[data-section={name}]"), &format!("#section-{name}"), 20).await;
}

async fn unlock(browser: &Browser) {
    browser.type_into("#unlock-passphrase", PASSPHRASE).await;
    browser.click("#unlock-submit").await;
    browser.wait_for("#lock", 60).await;
}

/// The sealed group session form as IndexedDB holds it.
async fn stored_group_form(browser: &Browser) -> String {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open("puente");
        open.onsuccess = () => {
            const db = open.result;
            const request = db.transaction("meta").objectStore("meta").get("group_draft");
            request.onsuccess = () => { db.close(); done(String(request.result)); };
        };
    "#;
    browser.eval_async(script).await.as_str().unwrap_or_default().to_owned()
}

async fn home(browser: &Browser) {
    browser.click("a.brand").await;
    browser.wait_for("#new-case", 20).await;
}

async fn open_case(browser: &Browser, name: &str) {
    home(browser).await;
    let script = format!(
        "const a = [...document.querySelectorAll('#case-list a[data-case]')].find(a => a.innerText.includes('{name}')); \
         if (a) {{ a.click(); return true; }} return false;"
    );
    browser.until(&format!("{name} is listed"), &script, 30).await;
    browser.wait_for("#case-name", 20).await;
}

async fn contains(browser: &Browser, css: &str, wanted: &str) {
    let (css_json, wanted_json) = (serde_json::json!(css), serde_json::json!(wanted));
    let script = format!("return (document.querySelector({css_json})?.innerText ?? '').includes({wanted_json})");
    browser.until(&format!("{css} shows {wanted:?}"), &script, 20).await;
}

async fn count(browser: &Browser, css: &str) -> u64 {
    browser
        .eval(&format!("return document.querySelectorAll({}).length", serde_json::json!(css)))
        .await
        .as_u64()
        .unwrap()
}

/// The device's local date (the app dates things by it), `years` and `days` from today.
async fn local_date(browser: &Browser, years: i64, days: i64) -> String {
    let script = format!(
        "const d = new Date(); d.setFullYear(d.getFullYear() + ({years})); d.setDate(d.getDate() + ({days})); \
         return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');"
    );
    browser.eval(&script).await.as_str().unwrap().to_owned()
}

async fn new_case(browser: &Browser, given: &str, family: &str, birth: &str) {
    home(browser).await;
    browser.click("#new-case").await;
    browser.type_into("#given_names", given).await;
    browser.type_into("#family_name", family).await;
    browser.set_value("#date_of_birth", birth).await;
}

async fn record_consent(browser: &Browser, giver: &str, name: &str, scopes: &[&str], services: &[&str]) {
    section(browser, "registration").await;
    browser.set_value("#consent_giver", giver).await;
    browser.type_into("#consent_giver_name", name).await;
    let today = local_date(browser, 0, 0).await;
    browser.set_value("#consent_given_on", &today).await;
    for scope in scopes {
        browser.click(&format!("input[name=consent_scopes][value={scope}]")).await;
    }
    for service in services {
        browser.click(&format!("input[name=consent_services][value={service}]")).await;
    }
    browser.click("#consent_informed_of_processing").await;
    let before = count(browser, "#consent-list li.entry").await;
    browser.click("#record-consent").await;
    let script = format!("return document.querySelectorAll('#consent-list li.entry').length === {}", before + 1);
    browser.until("the consent is listed", &script, 10).await;
}

/// Fills the newest action of the plan being edited.
async fn fill_action(browser: &Browser, what: &str, by_when: &str) {
    let row = "#plan-editor .action-rows > .action-row:last-child";
    browser.set_value(&format!("{row} [name=action_dimension]"), "economic").await;
    browser.set_value(&format!("{row} [name=action_responsible]"), "organisation").await;
    browser.type_into(&format!("{row} [name=action_what]"), what).await;
    browser.set_value(&format!("{row} [name=action_by_when]"), by_when).await;
}

async fn wait_all_synced(browser: &Browser, cases: u64) {
    home(browser).await;
    let script = format!(
        "const s = [...document.querySelectorAll('#case-list [data-sync]')].map(e => e.dataset.sync); \
         return s.length === {cases} && s.every(x => x === 'synced');"
    );
    browser.until("every case is synced", &script, 90).await;
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by `cargo xtask test`");
    assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adult_and_an_unaccompanied_child_are_walked_from_registration_to_closure() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let store = vec!["--store".to_owned(), "fs".into(), "--data-dir".into(), data.path().display().to_string()];
    let port = free_port();
    let backend = BackendProcess::start(port, &store, &[], logs.path());
    // The organisation follows critical cases every 3 days and lists its providers.
    backend.publish_settings(
        &store,
        r#"{"follow_up": {"low_days": 60, "medium_days": 30, "high_days": 10, "critical_days": 3, "plan_review_days": 90},
            "providers": [{"name": "Counselling centre", "services": ["mental_health"], "contact": "secure line 2"}]}"#,
    );
    let first = Browser::start().await;
    first.enrol(&backend.enrolment_link(), "rosa.manager", PASSPHRASE).await;

    let adult = canary("Adult");
    let child = canary("Child");
    let goal = canary("Goal");
    let action = canary("Action");
    let disclosure = canary("Disclosure");
    let views = canary("Views");
    let topic = canary("Topic");
    let talking = canary("Talking");
    let today = local_date(&first, 0, 0).await;

    // Registration with consent: the adult consents to registration and to referrals for
    // psychosocial support.
    new_case(&first, "Amina", &adult, "1990-05-01").await;
    first.set_value("#preferred_language", "es").await;
    record_consent(&first, "person", "Amina", &["registration", "referral"], &["mental_health"]).await;

    // The child, 15, unaccompanied: the file flags it and lists what a child's case needs.
    let child_birth = local_date(&first, -15, 0).await;
    new_case(&first, "Ibrahim", &child, &child_birth).await;
    first.wait_for("#flag-child", 10).await;
    section(&first, "child").await;
    contains(&first, "#child-gaps", "parent, caregiver or guardian").await;
    first.click("#child_unaccompanied").await;
    contains(&first, "#child-gaps", "Family tracing").await;
    contains(&first, "#child-gaps", "Best Interests Assessment").await;

    // A group pre-departure session: each attendee's file gets it, no other names.
    home(&first).await;
    first.click("#group-session").await;
    first.type_into("#group_topic", &topic).await;
    first.type_into("#group_place", "Reception centre").await;
    // The form spans several cases; it is kept sealed on the device, so a reload loses
    // nothing of it either.
    let before = stored_group_form(&first).await;
    first.click("input[name=attendee]").await;
    for _ in 0..50 {
        if stored_group_form(&first).await != before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    first.reload().await;
    unlock(&first).await;
    first.wait_for("#record-group", 20).await;
    let kept = "return document.querySelector('#group_topic').value !== '' && document.querySelectorAll('input[name=attendee]:checked').length === 1";
    first.until("the group form is back after a reload", kept, 10).await;
    assert_eq!(first.value("#group_topic").await, topic);
    assert_eq!(first.value("#group_place").await, "Reception centre");
    first.click("input[name=attendee]:not(:checked)").await;
    first.click("#record-group").await;
    contains(&first, "#group-recorded", "2").await;
    assert_eq!(first.value("#group_topic").await, "", "a recorded session's form starts afresh");

    // Adult: a pre-departure session, and an interpreter must be briefed on confidentiality.
    open_case(&first, &adult).await;
    section(&first, "sessions").await;
    contains(&first, "#session-list", &topic).await;
    first.click("#start-pre_departure_individual").await;
    first.type_into("article.session [name=session_place]", "Reception centre, room 2").await;
    first.type_into("article.session [name=session_interpreter]", "Farid").await;
    first.wait_for("article.session [id^=session_interpreter_briefed][id$=-error]", 10).await;
    first.click("article.session [name=session_interpreter_briefed]").await;
    first.until("the briefing is recorded", "return !document.querySelector('article.session .field-error')", 10).await;

    // The plan before departure: refused while empty, agreed once it has a goal and an action.
    section(&first, "plan").await;
    first.click("#start-plan-pre_departure").await;
    first.type_into("#plan-editor [name=agreement_person]", "Amina").await;
    first.click("#agree-plan").await;
    contains(&first, "#agree-refused", "at least one goal and one action").await;
    first.type_into("#plan-editor [name=plan_goal]", &format!("Open a tailoring shop {goal}")).await;
    fill_action(&first, &format!("Buy a sewing machine {action}"), "2027-02-01").await;
    first.click("#agree-plan").await;
    first.wait_for("article.plan.agreed", 10).await;
    first.wait_for("#start-plan-review", 10).await;

    // The handover to the country of origin goes only with the person's consent to it.
    section(&first, "handover").await;
    first.type_into("#handover_destination", "Dakar office").await;
    first.type_into("#handover_talking_points", &format!("Start with her health {talking}")).await;
    first.click("#send-handover").await;
    contains(&first, "#handover-refused", "no consent in force allows sending").await;
    record_consent(&first, "person", "Amina", &["handover"], &[]).await;
    section(&first, "handover").await;
    first.click("#send-handover").await;
    first.wait_for("#handover-sent", 10).await;

    // Offline from here: the return journey has no network.
    backend.stop();

    // The first session after arrival follows the six steps, and can be paused.
    section(&first, "sessions").await;
    first.click("#start-first_after_arrival").await;
    // Step 1 shows what the host country sent.
    contains(&first, "#handover-summary", &talking).await;
    for step in 1..=3 {
        first.click(&format!(".guide li[data-step='{step}'] input")).await;
    }
    first.click("#pause-session").await;
    first.wait_for("#session-paused", 10).await;
    assert_eq!(first.eval("return document.querySelector(\".guide li[data-step='4'] input\").disabled").await, true);
    first.click("#resume-session").await;
    // Step 4: the assessment, where a life-threatening disclosure offers an urgent referral.
    first.set_value(".guide #assessment_stage", "after_arrival").await;
    first.click(".guide input[name=assessment_found][value=health_needs]").await;
    first.click(".guide #assessment_life_threatening").await;
    first.type_into(".guide #assessment_disclosure", &format!("Chest pain for days {disclosure}")).await;
    first.click("#refer-urgently").await;
    first.wait_for("#section-referrals article.referral[data-status=proposed]", 10).await;
    let urgent = "article.referral[data-status=proposed]";
    first.type_into(&format!("{urgent} [name=referral_provider]"), "District hospital").await;
    first.type_into(&format!("{urgent} [name=referral_reason]"), "Cardiology today").await;
    first.click(&format!("{urgent} .mark-sent")).await;
    first.wait_for("article.referral[data-status=sent]", 10).await;
    contains(&first, "article.referral[data-status=sent] .consent-used", "without consent").await;

    // Back to the session: tick step 4, record the assessment; the case is flagged.
    section(&first, "sessions").await;
    first.click(".guide li[data-step='4'] input").await;
    section(&first, "assessment").await;
    first.click("#record-assessment").await;
    first.wait_for("#flag-life-threat", 10).await;
    contains(&first, "#assessment-list", "Critical").await;

    // A referral needs a consent covering its service: housing is refused, psychosocial
    // support is not.
    section(&first, "referrals").await;
    first.click("#propose-referral").await;
    contains(&first, "#new_referral_service-error", "This field is required").await;
    first.set_value("#new-referral-service", "housing").await;
    first.click("#propose-referral").await;
    let proposed = "article.referral[data-status=proposed]";
    first.type_into(&format!("{proposed} [name=referral_provider]"), "Housing office").await;
    first.type_into(&format!("{proposed} [name=referral_reason]"), "No home").await;
    first.click(&format!("{proposed} .mark-sent")).await;
    contains(&first, &format!("{proposed} .rule-error"), "no consent in force covers").await;
    first.click(&format!("{proposed} .decline")).await;
    first.wait_for("article.referral[data-status=declined]", 10).await;
    first.set_value("#new-referral-service", "mental_health").await;
    first.click("#propose-referral").await;
    // The organisation's directory suggests its providers of the service.
    let suggested = first
        .eval(&format!("return [...document.querySelectorAll('{proposed} datalist option')].map(o => o.value).join()"))
        .await;
    assert_eq!(suggested, "Counselling centre — secure line 2");
    first.type_into(&format!("{proposed} [name=referral_provider]"), "Counselling centre").await;
    first.type_into(&format!("{proposed} [name=referral_reason]"), "Follow-up care").await;
    first.click(&format!("{proposed} .mark-sent")).await;
    first
        .until(
            "two referrals are sent",
            "return document.querySelectorAll('article.referral[data-status=sent]').length === 2",
            10,
        )
        .await;
    contains(&first, "#referral-list", "Sent under the consent of Amina").await;

    // A reason typed before its button is kept like any other keystroke: reloading the page
    // (offline) before pressing the button loses nothing.
    section(&first, "registration").await;
    let reason = canary("Prefers to wait ");
    first.type_into("#consent-list [name=withdrawal_reason]", &reason).await;
    let saved =
        "return ['waiting', 'offline'].includes(document.querySelector('#case-status [data-sync]')?.dataset.sync)";
    first.until("the reason is saved on the device", saved, 20).await;
    first.reload().await;
    unlock(&first).await;
    first.wait_for("#section-registration", 20).await;
    assert_eq!(first.value("#consent-list [name=withdrawal_reason]").await, reason, "the reason survived a reload");

    // Withdrawing the consent stops the referral that relied on it; the urgent one goes on.
    first.click("#consent-list .withdraw").await;
    contains(&first, "#consent-list", &reason).await;
    contains(&first, "#consent-list", "Withdrawn on").await;
    section(&first, "referrals").await;
    first.wait_for("article.referral[data-status=stopped]", 10).await;
    assert_eq!(count(&first, "article.referral[data-status=sent]").await, 1, "the urgent referral is not stopped");

    // The urgent referral is on the home screen's due list until it is answered.
    home(&first).await;
    first.wait_for("#due-list a[data-due=urgent_referral]", 10).await;
    open_case(&first, &adult).await;
    section(&first, "referrals").await;
    first.click("article.referral[data-status=sent] button[data-set=accepted]").await;
    first.wait_for("article.referral[data-status=accepted]", 10).await;
    home(&first).await;
    assert_eq!(count(&first, "#due-list a[data-due=urgent_referral]").await, 0);
    // The agreed plan from before departure is due for review now the person has arrived.
    first.wait_for("#due-list a[data-due=arrival_plan_review]", 10).await;

    // The plan is reviewed after arrival in a new plan; the earlier one stays as agreed.
    open_case(&first, &adult).await;
    section(&first, "plan").await;
    first.click("#start-plan-review").await;
    first.wait_for("#plan-editor [name=plan_review_notes]", 10).await;
    assert!(first.value("#plan-editor [name=plan_goal]").await.contains(&goal), "the review starts from the plan");
    first.type_into("#plan-editor [name=plan_review_notes]", "Health first, shop in spring").await;
    first.type_into("#plan-editor [name=agreement_person]", "Amina").await;
    first.click("#agree-plan").await;
    first
        .until("both plans are agreed", "return document.querySelectorAll('article.plan.agreed').length === 2", 10)
        .await;

    // The printed copy: in the returnee's language (Spanish), the goals, the actions and
    // the signature lines, on A4.
    first.click("article.plan.agreed .print-plan").await;
    first.wait_for("#printable-plan", 10).await;
    assert_eq!(first.value("#print-language").await, "es", "the returnee's preferred language");
    contains(&first, "#printable-plan", "Firma de la persona retornada").await;
    let printed = pdf_text(&first.print_pdf().await);
    for wanted in [
        goal.as_str(),
        action.as_str(),
        "Plan de reintegración",
        "Firma de la persona retornada",
        "Firma del gestor de caso",
    ] {
        assert!(printed.contains(wanted), "the printed plan shows {wanted:?}:\n{printed}");
    }
    assert!(!printed.contains("Cases") && !printed.contains("Lock"), "no app chrome in print:\n{printed}");
    // Arabic, right to left, for a returnee who reads it.
    first.set_value("#print-language", "ar").await;
    contains(&first, "#printable-plan", "توقيع مدير الحالة").await;
    assert_eq!(first.eval("return document.querySelector('#printable-plan').dir").await, "rtl");
    let printed = pdf_text(&first.print_pdf().await);
    assert!(printed.contains(&goal), "the Arabic copy carries the plan's own words:\n{printed}");
    first.set_value("#print-language", "en").await;
    contains(&first, "#printable-plan", "Signature of the returnee").await;
    first.click("#back-to-plan").await;
    first.wait_for("#section-plan", 10).await;

    // A follow-up contact.
    section(&first, "follow_up").await;
    first.set_value("#follow_up_on", &today).await;
    first.set_value("#follow_up_method", "home_visit").await;
    first.type_into("#follow_up_notes", "Doing better").await;
    first.click("#record-follow-up").await;
    contains(&first, "#follow-up-list", "Doing better").await;
    contains(&first, "#next-follow-up", "every 3 days").await;

    // Closure needs the plan review, exit interview and evaluation; then the case is read-only.
    section(&first, "closure").await;
    first.set_value("#closure_reason", "support_period_ended").await;
    first.click("#close-case").await;
    contains(&first, "#close-refused", "the exit interview").await;
    first.type_into("#closure_plan_review", "Goals met").await;
    first.type_into("#closure_exit_interview", "Satisfied").await;
    first.type_into("#closure_evaluation", "Reintegrated").await;
    first.click("#close-case").await;
    first.wait_for("#closed-summary", 10).await;
    first.wait_for("#flag-closed", 10).await;
    section(&first, "registration").await;
    first.wait_for("#read-only", 10).await;
    assert_eq!(first.eval("return document.querySelector('#family_name').matches(':disabled')").await, true);
    section(&first, "history").await;
    for event in ["event_consent_withdrawn", "event_referral_stopped", "event_plan_agreed", "event_closed"] {
        first.wait_for(&format!("#history-list li[data-event={event}]"), 10).await;
    }

    // The child: a guardian's consent, the child's views, tracing and the BIA.
    open_case(&first, &child).await;
    record_consent(
        &first,
        "guardian",
        "Moussa Diallo (uncle)",
        &["registration", "referral", "tracing"],
        &["family_tracing", "child_protection"],
    )
    .await;
    section(&first, "child").await;
    first.type_into("#childs_views", &format!("Wants to live with his aunt {views}")).await;
    first.type_into("#guardian_name", "Moussa Diallo").await;
    first.set_value("#guardian_appointed_by", "judicial").await;
    first.set_value("#tracing_started_on", &today).await;
    first.set_value("#bia_on", &today).await;
    first.type_into("#bia_report", "Placement with the aunt recommended").await;
    first.wait_for("#child-complete", 10).await;

    // A child's plan is agreed by the child and a guardian.
    section(&first, "plan").await;
    first.click("#start-plan-after_arrival").await;
    first.type_into("#plan-editor [name=plan_goal]", "Back to school").await;
    fill_action(&first, "School fees", "2027-01-15").await;
    first.type_into("#plan-editor [name=agreement_person]", "Ibrahim").await;
    first.click("#agree-plan").await;
    contains(&first, "#agree-refused", "parent or guardian").await;
    first.type_into("#plan-editor [name=agreement_guardian]", "Moussa Diallo").await;
    first.click("#agree-plan").await;
    first.wait_for("article.plan.agreed", 10).await;

    // Closing a child's case schedules visits for three months.
    section(&first, "closure").await;
    first.set_value("#closure_reason", "reintegration_achieved").await;
    first.type_into("#closure_plan_review", "In school").await;
    first.type_into("#closure_exit_interview", "Happy with his aunt").await;
    first.type_into("#closure_evaluation", "Achieved").await;
    first.click("#close-case").await;
    first.wait_for("#closed-summary", 10).await;
    section(&first, "follow_up").await;
    assert_eq!(count(&first, "#visits-after-closure li").await, 3);

    // A child about to turn 18 appears on the due list as a transition.
    let soon_adult = canary("Soon");
    let birth = local_date(&first, -18, 20).await;
    new_case(&first, "Yusuf", &soon_adult, &birth).await;
    home(&first).await;
    first.wait_for("#due-list a[data-due=turns_eighteen]", 10).await;

    // Back online: everything syncs by itself.
    let backend = BackendProcess::start(port, &store, &[], logs.path());
    wait_all_synced(&first, 3).await;

    // A second profile signs in and finds both files intact.
    let second = Browser::start().await;
    second.goto(&format!("{}/login", backend.url)).await;
    second.type_into("#login-username", "rosa.manager").await;
    second.type_into("#login-passphrase", PASSPHRASE).await;
    second.click("#login-submit").await;
    second.wait_for("#new-case", 60).await;
    wait_all_synced(&second, 3).await;
    for name in [&adult, &child] {
        for browser in [&first, &second] {
            open_case(browser, name).await;
            section(browser, "history").await;
        }
        let (one, two) = (first.text("#history-list").await, second.text("#history-list").await);
        assert_eq!(one, two, "the history of {name} is the same on both profiles");
        for part in ["plan", "handover", "referrals", "child", "closure"] {
            section(&first, part).await;
            section(&second, part).await;
            let script = format!("return document.querySelector('#section-{part}').innerText");
            assert_eq!(first.eval(&script).await, second.eval(&script).await, "{part} of {name} is the same on both");
        }
    }
    open_case(&second, &adult).await;
    second.wait_for("#flag-closed", 10).await;
    second.wait_for("#flag-life-threat", 10).await;
    section(&second, "sessions").await;
    contains(&second, "#session-list", &topic).await;
    assert_eq!(count(&second, ".guide li.done").await, 4, "the guide's ticks are kept");

    // The interface in Arabic reads right to left; what the case holds is unchanged.
    second.set_value("#language", "ar").await;
    let rtl = "return document.documentElement.dir === 'rtl' && document.documentElement.lang === 'ar'";
    second.until("the page is laid out right to left", rtl, 10).await;
    contains(&second, "nav.tabs", "الجلسات").await;
    contains(&second, "#session-list", &topic).await;
    second.set_value("#language", "en").await;
    second.until("the page is left to right again", "return document.documentElement.dir === 'ltr'", 10).await;

    // Nothing readable outside the browser's memory.
    let written = [&adult, &child, &goal, &action, &disclosure, &views, &topic, &talking, &soon_adult, &reason];
    for browser in [&first, &second] {
        let dump = browser.indexed_db_dump().await;
        for secret in written {
            assert!(!dump.contains(secret.as_str()), "IndexedDB holds {secret} in clear");
        }
    }
    let objects = puente_tests::files_under(data.path());
    assert!(!objects.is_empty());
    for (path, bytes) in &objects {
        puente_tests::assert_absent(path, bytes, written);
    }
    let logged = backend.logs();
    for secret in written {
        assert!(!logged.contains(secret.as_str()), "the backend's log holds {secret}");
    }
    first.close().await;
    second.close().await;
    backend.stop();
}
