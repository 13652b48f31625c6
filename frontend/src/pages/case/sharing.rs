//! The Sharing tab: who can open this case and why (from the server's access record), the
//! colleagues it was shared with and the consent each rests on (the disclosure log), and
//! sharing with a named colleague under a consent in force that covers it.

use super::{stamp_text, CaseView, RefusedAct};
use crate::api::ApiError;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::access::{AccessChange, AccessRecord, Share};
use puente_shared::casefile::consent::Scope;
use puente_shared::casefile::{assignment, sharing, EntryId, RuleError};
use puente_shared::crypto::{PublicIdentity, Recipient};
use puente_shared::membership::Role;
use puente_shared::protocol::{AccessRequest, AccessResponse};
use puente_shared::UserId;

#[component]
pub fn Sharing(case: CaseView) -> impl IntoView {
    view! {
        <WhoCanOpen case=case />
        <Disclosures case=case />
        <ShareForm case=case />
    }
}

/// A member's role and short id, as the verified log names them.
pub(super) fn member_label(
    org: crate::organisation::Membership,
    tr: crate::components::tr::Tr,
    user: UserId,
) -> String {
    let short = user.to_string()[..8].to_owned();
    let role = org.with_verified(|o| o.member(user).map(|m| m.card.role.code())).flatten();
    match role {
        Some(role) => format!("{} · {short}", tr.code("role", role)),
        None => short,
    }
}

/// The access record as the server holds it now (asked when the tab opens).
#[component]
fn WhoCanOpen(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let org = case.ws.org;
    let record: RwSignal<Option<Result<AccessRecord, String>>> = RwSignal::new(None);
    let ws = case.ws;
    let load = move || {
        record.set(None);
        leptos::task::spawn_local(async move {
            let Some(vault) = ws.session.vault() else { return };
            let answer = match crate::sync::session_token(ws.session, &vault).await {
                Ok(token) => {
                    crate::api::access(&token, case.id).await.map(|a| a.record).map_err(|e| e.code().to_owned())
                }
                Err(error) => Err(error.code().to_owned()),
            };
            record.set(Some(answer));
        });
    };
    load();
    view! {
        <section class="card" id="who-can-open">
            <h2>{move || tr.s("sharing_who")}</h2>
            {move || match record.get() {
                None => view! { <p class="notice">{tr.s("sharing_loading")}</p> }.into_any(),
                Some(Err(code)) => view! {
                    <p class="notice" id="sharing-unavailable" data-code=code>{tr.s("sharing_unavailable")}</p>
                }.into_any(),
                Some(Ok(record)) => view! {
                    <ul id="access-people">
                        {record.people.clone().into_iter().map(|person| {
                            let mine = ws.session.user_id() == Some(person.user);
                            let who = if mine { tr.s("by_you") } else { member_label(org, tr, person.user) };
                            view! {
                                <li data-user=person.user.to_string() data-share=person.share.code()>
                                    {who}" — "{tr.code("share", person.share.code())}
                                </li>
                            }
                        }).collect_view()}
                        <li data-share="recovery">{tr.s("share_recovery")}</li>
                    </ul>
                    {(record.owner() != case.doc.with_untracked(|d| d.file.assigned_to())).then(|| view! {
                        <p class="notice" id="owner-unrecorded">{tr.s("sharing_owner_unrecorded")}</p>
                    })}
                    <button type="button" class="secondary" id="refresh-access" on:click=move |_| load()>
                        {tr.s("sharing_refresh")}
                    </button>
                    {(ws.session.user_id().and_then(|me| record.share_of(me)) == Some(Share::Supervisor)).then(|| view! {
                        <ReassignForm case=case reload=Callback::new(move |()| load()) />
                    })}
                }.into_any(),
            }}
        </section>
    }
}

/// The disclosure log: every colleague given the case, under which consent, and whether it
/// still holds.
#[component]
fn Disclosures(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let org = case.ws.org;
    let outcome = RwSignal::new(None::<RuleError>);
    let end = move |id: EntryId| {
        case.act(outcome, |doc, actor| sharing::end_sharing(&mut doc.file, id, actor));
        case.ws.sync.request();
    };
    view! {
        <section class="card" id="disclosures">
            <h2>{move || tr.s("sharing_log")}</h2>
            <Show when=move || case.doc.with(|d| d.file.disclosures.is_empty())>
                <p class="notice">{move || tr.s("sharing_none")}</p>
            </Show>
            <ul>
                {move || case.doc.with(|doc| doc.file.disclosures.iter().map(|d| {
                    let consent = doc.file.consents.iter().find(|c| c.id == d.consent)
                        .map(|c| format!("{} ({})", c.giver_name, c.given_on)).unwrap_or_default();
                    let id = d.id;
                    let given = stamp_text(case.ws, &d.given);
                    let ended = d.ended.map(|e| stamp_text(case.ws, &e));
                    view! {
                        <li class="disclosure" data-with=d.with.to_string() data-in-force=d.in_force().to_string()>
                            {member_label(org, tr, d.with)}" · "{tr.s("sharing_under")}" "{consent}" · "{given}
                            {match ended {
                                Some(ended) => view! { <span class="ended">" · "{tr.s("sharing_ended")}" "{ended}</span> }.into_any(),
                                None => view! {
                                    <button type="button" class="secondary" data-end=id.to_string()
                                        on:click=move |_| end(id)>{tr.s("sharing_end")}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view())}
            </ul>
            <RefusedAct outcome=outcome id="sharing-end-error" />
        </section>
    }
}

/// Shares the case with a member of the organisation, under a consent in force whose scope
/// covers sharing.
#[component]
fn ShareForm(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let org = case.ws.org;
    let with = RwSignal::new(String::new());
    let consent = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<RuleError>);
    let me = case.ws.session.user_id();
    let colleagues = move || {
        org.with_trusted(|o| o.members().filter(|m| Some(m.card.user) != me).map(|m| m.card.user).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let consents = move || {
        case.doc.with(|doc| {
            doc.file
                .consents
                .iter()
                .filter(|c| c.in_force() && c.scopes.contains(&Scope::Sharing))
                .map(|c| (c.id, format!("{} ({}) — {}", c.giver_name, c.given_on, c.recipients)))
                .collect::<Vec<_>>()
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(user), Ok(consent)) =
            (with.get_untracked().parse::<UserId>(), consent.get_untracked().parse::<EntryId>())
        else {
            outcome.set(Some(RuleError::NotFound));
            return;
        };
        let child = case.child.get_untracked();
        if case.act(outcome, |doc, actor| sharing::share(&mut doc.file, user, consent, child, actor)).is_some() {
            case.ws.sync.request();
        }
    };
    view! {
        <form class="card" id="share-form" on:submit=submit>
            <h2>{move || tr.s("sharing_new")}</h2>
            <Show when=move || org.with_trusted(|_| ()).is_none()>
                <p class="notice" id="sharing-untrusted">{move || tr.s("sharing_untrusted")}</p>
            </Show>
            <label for="share-with">{move || tr.s("sharing_with")}</label>
            <select id="share-with" on:change=move |ev| with.set(event_target_value(&ev))>
                <option value="">{move || tr.s("choose")}</option>
                {move || colleagues().into_iter().map(|user| {
                    view! { <option value=user.to_string()>{member_label(org, tr, user)}</option> }
                }).collect_view()}
            </select>
            <label for="share-consent">{move || tr.s("sharing_consent")}</label>
            <select id="share-consent" on:change=move |ev| consent.set(event_target_value(&ev))>
                <option value="">{move || tr.s("choose")}</option>
                {move || consents().into_iter().map(|(id, label)| {
                    view! { <option value=id.to_string()>{label}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{move || tr.s("sharing_hint")}</p>
            <button type="submit" id="share-submit">{move || tr.s("sharing_submit")}</button>
            <RefusedAct outcome=outcome id="share-error" />
        </form>
    }
}

/// Sends `changes` to the case's access with a grant of its key to each of `to`.
pub(super) async fn change_with_key(
    case: CaseView,
    to: &[(UserId, PublicIdentity)],
    changes: Vec<AccessChange>,
) -> Result<AccessResponse, ApiError> {
    let ws = case.ws;
    let key =
        ws.cases.with_untracked(|cases| cases.get(&case.id).map(|e| e.key.clone())).ok_or(ApiError::Unauthorized)?;
    let vault = ws.session.vault().ok_or(ApiError::Unauthorized)?;
    let mut grants = Vec::with_capacity(to.len());
    for (user, keys) in to {
        let grant = vault.grant(case.id, &key, Recipient::Member(*user), &keys.agreement);
        grants.push(grant.map_err(|e| ApiError::Malformed(e.to_string()))?);
    }
    let token = crate::sync::session_token(ws.session, &vault).await?;
    crate::api::change_access(&token, case.id, &AccessRequest { create: false, changes, grants }).await
}

/// A supervisor of the case moves it to another case manager: the key is granted to them,
/// then they become the owner and the previous owner's access ends. Once the server has
/// taken it, the move is recorded in the case, which is what a device renewing the case's
/// key trusts about who owns it (`puente_shared::access::plan_rotation`).
#[component]
fn ReassignForm(case: CaseView, reload: Callback<()>) -> impl IntoView {
    let tr = use_tr();
    let org = case.ws.org;
    let to = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<RuleError>);
    let busy = RwSignal::new(false);
    // Whom the case file says it belongs to: a move the server took but the case did not
    // record yet can be made again.
    let owner = case.doc.with_untracked(|d| d.file.assigned_to());
    let candidates = org
        .with_trusted(|o| {
            o.members()
                .filter(|m| m.card.role == Role::CaseManager && Some(m.card.user) != owner)
                .map(|m| (m.card.user, m.card.keys))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let keys_of = candidates.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(user) = to.get_untracked().parse::<UserId>() else {
            error.set(Some(tr.s("reassign_choose")));
            return;
        };
        let Some((_, keys)) = keys_of.iter().find(|(u, _)| *u == user).copied() else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = change_with_key(case, &[(user, keys)], vec![AccessChange::Reassign { to: user }]).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    // A move the case recorded already (made again to bring the server in
                    // line) needs no second entry.
                    let recorded = case.doc.with_untracked(|d| d.file.assigned_to() == Some(user));
                    if !recorded
                        && case.act(outcome, |doc, actor| assignment::reassign(&mut doc.file, user, actor)).is_some()
                    {
                        case.ws.sync.request();
                    }
                    reload.run(());
                }
                Err(e) => error.set(Some(tr.with("reassign_failed", &[("code", e.code())]))),
            }
        });
    };
    view! {
        <form class="subform" id="reassign-form" on:submit=submit>
            <h3>{move || tr.s("reassign_title")}</h3>
            <label for="reassign-to">{move || tr.s("reassign_to")}</label>
            <select id="reassign-to" on:change=move |ev| to.set(event_target_value(&ev))>
                <option value="">{move || tr.s("choose")}</option>
                {candidates.iter().map(|(user, _)| {
                    view! { <option value=user.to_string()>{member_label(org, tr, *user)}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{move || tr.s("reassign_hint")}</p>
            <button type="submit" id="reassign-submit" disabled=move || busy.get()>{move || tr.s("reassign_submit")}</button>
            <p class="field-error" id="reassign-error" role="alert">{move || error.get()}</p>
            <RefusedAct outcome=outcome id="reassign-refused" />
        </form>
    }
}
