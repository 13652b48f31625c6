//! A case handed over to an office this member supervises, awaiting acceptance: the
//! supervisor accepts it and names the case manager of that office who continues it. The
//! server makes that case manager the owner and this supervisor a supervisor of it, then
//! the acceptance is recorded in the case.

use super::sharing::{change_with_key, member_label};
use super::{CaseView, RefusedAct};
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::access::AccessChange;
use puente_shared::casefile::{handover, RuleError};
use puente_shared::membership::Role;
use puente_shared::UserId;

#[component]
pub fn AcceptHandover(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let org = case.ws.org;
    let me = case.ws.session.user_id();
    // Whom this member may give the case to: a case manager of the office it awaits (or
    // themself), if this member supervises that office.
    let candidates = Memo::new(move |_| {
        let office = case.doc.with(|d| handover::awaiting(&d.file))?;
        org.with_trusted(|o| {
            let mine = o.member(me?)?;
            if !mine.card.supervises.contains(&office) {
                return None;
            }
            let team = o.team(office).map(|t| t.name.clone()).unwrap_or_default();
            let people: Vec<_> = o
                .members()
                .filter(|m| {
                    m.card.user == mine.card.user
                        || (m.card.role == Role::CaseManager && m.card.teams.contains(&office))
                })
                .map(|m| (m.card.user, m.card.keys))
                .collect();
            Some((team, people))
        })
        .flatten()
    });
    let to = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<RuleError>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(user) = to.get_untracked().parse::<UserId>() else {
            error.set(Some(tr.s("reassign_choose")));
            return;
        };
        let Some(keys) = candidates.with_untracked(|c| {
            c.as_ref().and_then(|(_, people)| people.iter().find(|(u, _)| *u == user).map(|(_, k)| *k))
        }) else {
            return;
        };
        let host_keeps = case.doc.with_untracked(|d| handover::consent_keeps_host(&d.file));
        let grants = if Some(user) == me { vec![] } else { vec![(user, keys)] };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = change_with_key(case, &grants, vec![AccessChange::Accept { to: user, host_keeps }]).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    // Now a supervisor of the case, this member records the acceptance in it.
                    if case.act(outcome, |doc, actor| handover::accept(&mut doc.file, user, actor)).is_some() {
                        case.ws.sync.request();
                    }
                }
                Err(e) => error.set(Some(tr.with("handover_accept_failed", &[("code", e.code())]))),
            }
        });
    };
    move || {
        candidates.get().map(|(team, people)| {
            view! {
                <form class="card" id="accept-handover" on:submit=submit>
                    <h2>{move || tr.s("handover_accept_title")}</h2>
                    <p>{tr.with("handover_accept_intro", &[("office", &team)])}</p>
                    <super::handover::HandoverSummary case=case />
                    <label for="accept-to">{move || tr.s("handover_accept_to")}</label>
                    <select id="accept-to" on:change=move |ev| to.set(event_target_value(&ev))>
                        <option value="">{move || tr.s("choose")}</option>
                        {people.iter().map(|(user, _)| {
                            let label = if Some(*user) == me { tr.s("by_you") } else { member_label(org, tr, *user) };
                            view! { <option value=user.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" id="accept-submit" disabled=move || busy.get()>{move || tr.s("handover_accept_submit")}</button>
                    <p class="field-error" id="accept-error" role="alert">{move || error.get()}</p>
                    <RefusedAct outcome=outcome id="accept-refused" />
                </form>
            }
        })
    }
}
