//! Changing a member's role and teams (administrators): each change is an entry of the
//! membership log, signed on this device; the log's own rules refuse what may not be (the
//! last administrator stepping down, supervising as anything but a supervisor, a team that
//! does not exist), and the refusal is shown.

use crate::components::tr::use_tr;
use crate::pages::organisation::act;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use puente_shared::ids::TeamId;
use puente_shared::membership::{changes_for, Role, Team};
use puente_shared::UserId;

/// Checkboxes for a set of teams.
#[component]
fn TeamChoice(teams: Vec<Team>, chosen: RwSignal<Vec<TeamId>>, name: &'static str) -> impl IntoView {
    teams
        .into_iter()
        .map(|team| {
            let id = team.id;
            let toggle = move |_| {
                chosen.update(|set| match set.iter().position(|t| *t == id) {
                    Some(at) => {
                        set.remove(at);
                    }
                    None => set.push(id),
                })
            };
            view! {
                <label class="check">
                    <input type="checkbox" name=name value=id.to_string()
                        prop:checked=move || chosen.with(|set| set.contains(&id)) on:change=toggle />
                    {team.name.clone()} " (" {team.country.as_str().to_owned()} ")"
                </label>
            }
        })
        .collect_view()
}

#[component]
pub fn MemberEditor(user: UserId, close: Callback<()>) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let Some(organisation) = ws.org.verified_untracked() else { return ().into_any() };
    let Some(card) = organisation.member(user).map(|m| m.card.clone()) else {
        return view! { <p class="notice">{move || tr.s("recovery_not_member")}</p> }.into_any();
    };
    let role = RwSignal::new(card.role);
    let teams = RwSignal::new(card.teams.clone());
    let supervises = RwSignal::new(card.supervises.clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let all_teams: Vec<Team> = organisation.teams().cloned().collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // From the member as the log says now: another administrator may have changed them
        // since the form opened, and only what differs from that is sent.
        let Some(card) = ws.org.verified_untracked().and_then(|org| org.member(user).map(|m| m.card.clone())) else {
            error.set(Some(tr.s("recovery_not_member")));
            return;
        };
        let changes = changes_for(&card, role.get_untracked(), teams.get_untracked(), supervises.get_untracked());
        if changes.is_empty() {
            close.try_run(());
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |vault, token| async move {
                for change in changes {
                    ws.org.append(&vault, &token, change).await?;
                }
                Ok(())
            })
            .await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    close.try_run(());
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let supervisor_teams = all_teams.clone();
    view! {
        <form class="card" id="member-editor" data-member=user.to_string() on:submit=submit>
            <h3>{move || tr.s("org_edit_member")}</h3>
            <label for="edit-role">{move || tr.s("org_invite_role")}</label>
            <select id="edit-role" on:change=move |ev| {
                let code = event_target_value(&ev);
                if let Some(chosen) = Role::ALL.into_iter().find(|r| r.code() == code) {
                    role.set(chosen);
                }
            }>
                {Role::ALL
                    .into_iter()
                    .map(|r| view! {
                        <option value=r.code() selected=move || role.get() == r>{move || tr.code("role", r.code())}</option>
                    })
                    .collect_view()}
            </select>
            <fieldset id="edit-teams">
                <legend>{move || tr.s("org_teams")}</legend>
                <TeamChoice teams=all_teams chosen=teams name="team" />
            </fieldset>
            <Show when=move || role.get().supervises()>
                <fieldset id="edit-supervises">
                    <legend>{move || tr.s("org_supervises")}</legend>
                    <TeamChoice teams=supervisor_teams.clone() chosen=supervises name="supervises" />
                </fieldset>
            </Show>
            <p class="field-error" id="edit-error" role="alert">{move || error.get()}</p>
            <div class="row">
                <button type="button" class="secondary" on:click=move |_| { close.try_run(()); }>{move || tr.s("cancel")}</button>
                <button type="submit" id="edit-submit" disabled=move || busy.get()>{move || tr.s("org_save_member")}</button>
            </div>
        </form>
    }
    .into_any()
}
