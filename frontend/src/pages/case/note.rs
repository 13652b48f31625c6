//! The note typed right before an act's button (a withdrawal reason, a reopening reason…):
//! kept with the case as it is typed, like every other field, so that nothing typed is lost
//! before the button is pressed; the act that uses it clears it.

use super::{refused_field, CaseView};
use crate::components::field::FieldMessage;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::RuleError;

#[component]
pub fn NoteInput(
    case: CaseView,
    note: NoteFor,
    /// The field the act's rule names when it refuses the note (too long…).
    name: &'static str,
    /// The act's last refusal, whose message for this field shows under the input.
    outcome: RwSignal<Option<RuleError>>,
    /// Translation key of the placeholder and accessible name.
    hint: &'static str,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let tr = use_tr();
    let value = move || case.doc.with(|d| d.file.pending.get(note).to_owned());
    let write = move |ev| case.ws.edit_note(case.id, note, event_target_value(&ev));
    let hint = move || tr.s(hint);
    let error = refused_field(outcome, name);
    let input = if multiline {
        view! { <textarea name=name id=id rows="2" placeholder=hint aria-label=hint prop:value=value on:input=write></textarea> }
            .into_any()
    } else {
        view! { <input name=name id=id placeholder=hint aria-label=hint prop:value=value on:input=write /> }.into_any()
    };
    view! { {input} <FieldMessage error=error field=name /> }
}
