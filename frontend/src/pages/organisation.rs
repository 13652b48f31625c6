//! The organisation (`/organisation`): who belongs, in which role and teams, as this
//! device verified the membership log; for the coordinator, founding it once (with the
//! recovery sheet), teams, invitations, confirming newcomers by their safety number, and
//! disabling a member who leaves.

use crate::components::qr::Qr;
use crate::components::tr::{use_tr, Tr};
use crate::organisation::{OrgError, OrgView};
use crate::pages::member_edit::MemberEditor;
use crate::pages::recover::RecoverForm;
use crate::pages::settings::SettingsForm;
use crate::workspace::{use_workspace, Workspace};
use leptos::prelude::*;
use puente_shared::crypto::{open_sealed, seal_to};
use puente_shared::ids::TeamId;
use puente_shared::membership::{Change, Country, MemberCard, Organisation, Role, Team};
use puente_shared::protocol::{InviteRequest, PendingMember};
use puente_shared::UserId;
use zeroize::Zeroizing;

/// What an invite's label is bound to: only its author opens it.
const LABEL_BINDING: &[u8] = b"puente/invite-label/v1";

fn short(user: UserId) -> String {
    user.to_string()[..8].to_owned()
}

fn org_error(tr: Tr, error: &OrgError) -> String {
    match error {
        OrgError::Api(e) if e.code() == "offline" => tr.s("error_network"),
        OrgError::Api(e) if e.code() == "not_the_founder" => tr.s("org_not_founder"),
        OrgError::Api(e) => tr.with("org_failed", &[("code", e.code())]),
        OrgError::Refused(refusal) => tr.code("org_refusal", refusal.code()),
        OrgError::NotVerified | OrgError::Vault(_) => tr.s("org_need_network"),
        OrgError::Busy => tr.s("org_busy"),
    }
}

/// Runs an administration step with the session's token; its error as text.
pub(crate) async fn act<T, F, Fut>(ws: Workspace, tr: Tr, step: F) -> Result<T, String>
where
    F: FnOnce(std::rc::Rc<crate::vault::Vault>, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, OrgError>>,
{
    let (Some(vault), Some(token)) = (ws.session.vault(), ws.session.token()) else {
        return Err(tr.s("org_need_network"));
    };
    step(vault, token).await.map_err(|e| org_error(tr, &e))
}

#[component]
pub fn OrganisationPage() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    // The recovery sheet's words, shown once right after founding and never kept.
    let recovery = RwSignal::new(None::<Zeroizing<String>>);
    // Owned here, not by the member list: a new entry of the log redraws the list, and must
    // not close a form half filled in (or end the callback a change under way will call).
    let panel = RwSignal::new(None::<Panel>);
    let me = ws.session.user_id();
    let admin = Memo::new(move |_| {
        ws.org.view_with(|view| match view {
            OrgView::Verified { organisation, .. } => {
                me.and_then(|me| organisation.member(me)).is_some_and(|m| m.card.role == Role::Administrator)
            }
            _ => false,
        })
    });
    view! {
        <section class="card" id="organisation">
            <h1>{move || tr.s("nav_organisation")}</h1>
            {move || match recovery.get() {
                Some(words) => view! { <RecoverySheet words=words recovery=recovery /> }.into_any(),
                None => match ws.org.view() {
                    OrgView::Unknown => view! { <p class="notice" id="org-unknown">{tr.s("org_syncing")}</p> }.into_any(),
                    OrgView::NotFounded => view! { <FoundForm recovery=recovery /> }.into_any(),
                    OrgView::Refused(error) => view! {
                        <p class="notice bad" id="org-refused">
                            {tr.with("org_refused", &[("code", &tr.code("org_refusal", error.refusal.code()))])}
                        </p>
                    }
                    .into_any(),
                    OrgView::Verified { organisation, root_from_server } => {
                        view! { <Details organisation=*organisation root_from_server=root_from_server panel=panel /> }
                            .into_any()
                    }
                },
            }}
            {move || panel.get().filter(|_| admin.get()).map(|open| {
                let close = Callback::new(move |()| panel.set(None));
                match open {
                    Panel::Edit(user) => view! { <MemberEditor user=user close=close /> }.into_any(),
                    Panel::Recover(user) => view! { <RecoverForm user=user close=close /> }.into_any(),
                }
            })}
            <Show when=move || admin.get() && recovery.with(Option::is_none)>
                <SettingsForm />
            </Show>
        </section>
    }
}

#[component]
fn FoundForm(recovery: RwSignal<Option<Zeroizing<String>>>) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result =
                act(ws, tr, |vault, token| async move { ws.org.found(&vault, &token, &name.get_untracked()).await })
                    .await;
            busy.set(false);
            match result {
                Ok(key) => recovery.set(Some(key.words())),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form id="found-form" on:submit=submit>
            <p>{move || tr.s("org_not_founded")}</p>
            <label for="org-name">{move || tr.s("org_name")}</label>
            <input id="org-name" required maxlength="100" autocomplete="off"
                prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <button type="submit" id="found" disabled=busy>{move || tr.s("org_found")}</button>
            <p class="field-error" id="found-error">{move || error.get()}</p>
        </form>
    }
}

/// The recovery sheet: the 24 words, numbered, to print for the organisation's safe. Shown
/// once; nothing of it is kept. No QR code: nothing in the app reads one back, and a phone's
/// camera app may keep or upload what it scans.
#[component]
fn RecoverySheet(words: Zeroizing<String>, recovery: RwSignal<Option<Zeroizing<String>>>) -> impl IntoView {
    let tr = use_tr();
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let numbered = words
        .split(' ')
        .enumerate()
        .map(|(i, word)| view! { <li value=(i + 1).to_string()>{word.to_owned()}</li> })
        .collect_view();
    view! {
        <div class="recovery-sheet" id="recovery-sheet">
            <h2>{move || tr.s("org_recovery_title")}</h2>
            <p>{move || tr.s("org_recovery_text")}</p>
            <ol class="recovery-words" id="recovery-words" dir="ltr">{numbered}</ol>
            <div class="row no-print">
                <button type="button" class="secondary" on:click=print>{move || tr.s("org_recovery_print")}</button>
                <button type="button" id="recovery-done" on:click=move |_| recovery.set(None)>
                    {move || tr.s("org_recovery_done")}
                </button>
            </div>
        </div>
    }
}

/// What an administrator opened for one member, below the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Edit(UserId),
    Recover(UserId),
}

#[component]
fn Details(organisation: Organisation, root_from_server: bool, panel: RwSignal<Option<Panel>>) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let me = ws.session.user_id();
    let mine = me.and_then(|me| organisation.member(me).cloned());
    let number = ws
        .session
        .vault()
        .zip(me)
        .map(|(vault, me)| vault.identity().public().safety_number(organisation.id, me))
        .unwrap_or_default();
    let admin = mine.as_ref().is_some_and(|m| m.card.role == Role::Administrator);
    let team_names = {
        let organisation = organisation.clone();
        move |teams: &[TeamId]| -> String {
            teams.iter().filter_map(|t| organisation.team(*t)).map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")
        }
    };
    let rows: Vec<_> = organisation
        .members()
        .map(|member| {
            let card = member.card.clone();
            let teams = team_names(&card.teams);
            let supervised = team_names(&card.supervises);
            let is_me = Some(card.user) == me;
            let user = card.user;
            view! {
                <tr data-member=user.to_string() data-role=card.role.code()>
                    <td>{short(user)} {is_me.then(|| format!(" ({})", tr.s("org_you")))}</td>
                    <td>{tr.code("role", card.role.code())}</td>
                    <td>
                        {teams}
                        {(!supervised.is_empty()).then(|| view! {
                            <span class="supervises">" · " {tr.s("org_supervises")} ": " {supervised.clone()}</span>
                        })}
                    </td>
                    <td>
                        <Show when=move || admin && !is_me>
                            <button type="button" class="secondary" data-edit=user.to_string()
                                on:click=move |_| panel.set(Some(Panel::Edit(user)))>
                                {move || tr.s("org_edit_member")}
                            </button>
                            <DisableButton user=user />
                            <button type="button" class="secondary" data-recover=user.to_string()
                                on:click=move |_| panel.set(Some(Panel::Recover(user)))>
                                {move || tr.s("recovery_start")}
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect();
    view! {
        <h2 id="org-name-shown">{organisation.name.clone()}</h2>
        <Show when=move || root_from_server>
            <p class="notice" id="org-root-from-server">{move || tr.s("org_root_from_server")}</p>
        </Show>
        <p id="my-role">
            {match &mine {
                Some(m) => tr.code("role", m.card.role.code()),
                None => tr.s("org_not_confirmed"),
            }}
        </p>
        <p>{move || tr.s("org_your_number")} " " <strong id="my-safety-number" dir="ltr">{number}</strong></p>
        <h3>{move || tr.s("org_members")}</h3>
        <table id="members">
            <tbody>{rows}</tbody>
        </table>
        <Show when=move || admin>
            <Admin organisation=organisation.clone() />
        </Show>
    }
}

#[component]
fn DisableButton(user: UserId) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let error = RwSignal::new(None::<String>);
    let disable = move |_| {
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |vault, token| async move {
                // Out of the log first (so no device vouches for their keys), then refused by the server.
                if ws.org.is_member(user) {
                    ws.org.append(&vault, &token, Change::MemberRemoved { user }).await?;
                }
                crate::api::disable_member(&token, user).await?;
                Ok(())
            })
            .await;
            error.set(result.err());
        });
    };
    view! {
        <button type="button" class="secondary" data-disable=user.to_string() on:click=disable>
            {move || tr.s("org_disable")}
        </button>
        <span class="field-error">{move || error.get()}</span>
    }
}

#[component]
fn Admin(organisation: Organisation) -> impl IntoView {
    let tr = use_tr();
    let teams: Vec<Team> = organisation.teams().cloned().collect();
    view! {
        <h3>{move || tr.s("org_teams")}</h3>
        <ul id="teams">
            {teams.iter().map(|t| view! { <li>{t.name.clone()} " (" {t.country.as_str().to_owned()} ")"</li> }).collect_view()}
        </ul>
        <TeamForm />
        <InviteForm teams=teams />
        <Pending organisation=organisation />
    }
}

#[component]
fn TeamForm() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let name = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |vault, token| async move {
                let country = Country::parse(country.get_untracked().trim())?;
                let team = Team { id: TeamId::random(), name: name.get_untracked().trim().to_owned(), country };
                ws.org.append(&vault, &token, Change::TeamAdded { team }).await
            })
            .await;
            if result.is_ok() {
                name.set(String::new());
            }
            error.set(result.err());
        });
    };
    view! {
        <form id="team-form" class="row" on:submit=submit>
            <label>{move || tr.s("org_team_name")}
                <input id="team-name" required maxlength="100" autocomplete="off"
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>{move || tr.s("org_team_country")}
                <input id="team-country" required maxlength="2" autocomplete="off"
                    prop:value=country on:input=move |ev| country.set(event_target_value(&ev).to_uppercase()) />
            </label>
            <button type="submit" id="add-team">{move || tr.s("org_add_team")}</button>
            <p class="field-error">{move || error.get()}</p>
        </form>
    }
}

#[component]
fn InviteForm(teams: Vec<Team>) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let label = RwSignal::new(String::new());
    let role = RwSignal::new(Role::CaseManager.code().to_owned());
    let team = RwSignal::new(String::new());
    let link = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |vault, token| async move {
                let role =
                    Role::ALL.into_iter().find(|r| r.code() == role.get_untracked()).unwrap_or(Role::CaseManager);
                let chosen: Vec<TeamId> = team.get_untracked().parse().ok().into_iter().collect();
                let supervises = if role.supervises() { chosen.clone() } else { vec![] };
                let mine = vault.identity().public().agreement;
                let label = seal_to(&mine, LABEL_BINDING, label.get_untracked().trim().as_bytes())
                    .map_err(|_| OrgError::NotVerified)?;
                let request = InviteRequest { role, teams: chosen, supervises, label };
                Ok(crate::api::invite(&token, &request).await?.invite)
            })
            .await;
            match (result, ws.org.root()) {
                (Ok(code), Some(root)) => {
                    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                    link.set(Some(format!("{origin}/enrol#{code}.{}", root.encode())));
                    label.set(String::new());
                    error.set(None);
                }
                (Err(message), _) => error.set(Some(message)),
                (Ok(_), None) => error.set(Some(tr.s("org_need_network"))),
            }
        });
    };
    view! {
        <h3>{move || tr.s("org_invite")}</h3>
        <form id="invite-form" on:submit=submit>
            <label for="invite-label">{move || tr.s("org_invite_label")}</label>
            <input id="invite-label" maxlength="80" autocomplete="off"
                prop:value=label on:input=move |ev| label.set(event_target_value(&ev)) />
            <label for="invite-role">{move || tr.s("org_invite_role")}</label>
            <select id="invite-role" on:change=move |ev| role.set(event_target_value(&ev))>
                {Role::ALL
                    .into_iter()
                    .map(|r| {
                        view! {
                            <option value=r.code() selected=move || role.get() == r.code()>
                                {move || tr.code("role", r.code())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="invite-team">{move || tr.s("org_invite_team")}</label>
            <select id="invite-team" on:change=move |ev| team.set(event_target_value(&ev))>
                <option value="" selected=move || team.get().is_empty()>{move || tr.s("org_no_team")}</option>
                {teams
                    .iter()
                    .map(|t| {
                        let id = t.id.to_string();
                        let chosen = id.clone();
                        view! { <option value=id selected=move || team.get() == chosen>{t.name.clone()}</option> }
                    })
                    .collect_view()}
            </select>
            <button type="submit" id="create-invite">{move || tr.s("org_invite_create")}</button>
            <p class="field-error">{move || error.get()}</p>
        </form>
        <Show when=move || link.get().is_some()>
            <p>{move || tr.s("org_invite_link")}</p>
            <p class="invite-link" id="invite-link" dir="ltr">{move || link.get()}</p>
            <Qr text=Signal::derive(move || link.get().unwrap_or_default()) id="invite-qr"
                label=Signal::derive(move || tr.s("org_invite_qr")) />
        </Show>
    }
}

#[component]
fn Pending(organisation: Organisation) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let pending = RwSignal::new(Vec::<PendingMember>::new());
    let error = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |_, token| async move { Ok(crate::api::pending(&token).await?) }).await;
            match result {
                Ok(found) => {
                    pending.set(found);
                    error.set(None);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    load();
    let org_id = organisation.id;
    view! {
        <h3>{move || tr.s("org_pending")}</h3>
        <button type="button" class="secondary" id="refresh-pending" on:click=move |_| load()>
            {move || tr.s("org_pending_refresh")}
        </button>
        <p class="field-error">{move || error.get()}</p>
        <Show when=move || pending.with(|p| p.is_empty())>
            <p class="notice">{move || tr.s("org_pending_none")}</p>
        </Show>
        <ul id="pending">
            <For each=move || pending.get() key=|p| p.user_id let:person>
                <PendingRow person=person org_id=org_id />
            </For>
        </ul>
    }
}

#[component]
fn PendingRow(person: PendingMember, org_id: puente_shared::TenantId) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let label = ws
        .session
        .vault()
        .zip(person.intended.as_ref())
        .and_then(|(vault, intended)| {
            open_sealed(vault.identity().agreement(), LABEL_BINDING, &intended.invite.label).ok()
        })
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let role = person.intended.as_ref().map_or(Role::CaseManager, |i| i.invite.role);
    let teams = ws.org.team_names(person.intended.as_ref().map(|i| i.invite.teams.as_slice()).unwrap_or_default());
    let number = person.keys.safety_number(org_id, person.user_id);
    let user = person.user_id;
    let card = MemberCard {
        user,
        role,
        teams: person.intended.as_ref().map(|i| i.invite.teams.clone()).unwrap_or_default(),
        supervises: person.intended.as_ref().map(|i| i.invite.supervises.clone()).unwrap_or_default(),
        keys: person.keys,
    };
    let confirm = move |_| {
        let card = card.clone();
        leptos::task::spawn_local(async move {
            let result = act(ws, tr, |vault, token| async move {
                ws.org.append(&vault, &token, Change::MemberAdded { member: card }).await
            })
            .await;
            done.set(result.is_ok());
            error.set(result.err());
        });
    };
    view! {
        <li data-pending=user.to_string()>
            <strong>{label}</strong> " · " {short(user)} " · " {tr.code("role", role.code())} " · " {teams}
            <p>{move || tr.s("org_compare")} " " <strong class="safety-number" dir="ltr">{number.clone()}</strong></p>
            <Show when=move || !done.get() fallback=move || view! { <span class="badge ok">{tr.s("org_confirmed")}</span> }>
                <button type="button" data-confirm=user.to_string() on:click=confirm.clone()>{move || tr.s("org_confirm")}</button>
                <DisableButton user=user />
            </Show>
            <span class="field-error">{move || error.get()}</span>
        </li>
    }
}
