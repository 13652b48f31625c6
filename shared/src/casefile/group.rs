//! Group pre-departure sessions (D-GROUP, rule 8): attendance is recorded in each
//! attendee's own file — the topic, the date and how many attended, never who else was there.

use super::session::{new_session, GroupRef, Kind};
use super::{Actor, CaseFile, EntryId, Event, GroupId, RuleError};
use crate::validation::{bounded_text, past_date, required_line, FieldError, FieldErrors, LINE_MAX_CHARS};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupDraft {
    pub topic: String,
    pub place: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

pub fn validate(draft: &GroupDraft, actor: &Actor) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    checks.collect(required_line("group_topic", &draft.topic));
    checks.collect(bounded_text("group_place", &draft.place, LINE_MAX_CHARS, false));
    checks.collect(past_date("group_date", &draft.date, actor.today));
    checks.into_vec()
}

/// Records one group session in every attendee's file, or in none if any is refused.
pub fn record(attendees: &mut [&mut CaseFile], draft: &GroupDraft, actor: &Actor) -> Result<GroupId, RuleError> {
    if attendees.is_empty() {
        return Err(RuleError::NoAttendees);
    }
    if attendees.iter().any(|file| file.is_closed()) {
        return Err(RuleError::AttendeeCaseClosed);
    }
    let errors = validate(draft, actor);
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let group = GroupId::random();
    let count = u32::try_from(attendees.len()).unwrap_or(u32::MAX);
    for file in attendees.iter_mut() {
        let mut session = new_session(EntryId::random(), Kind::PreDepartureGroup, actor);
        session.place = draft.place.trim().to_owned();
        session.date = draft.date.trim().to_owned();
        session.group = Some(GroupRef { id: group, topic: draft.topic.trim().to_owned(), attendees: count });
        file.sessions.push(session);
        file.record(actor, Event::GroupAttended { group });
    }
    Ok(group)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{actor, open_file};
    use super::*;
    use crate::casefile::registration::CaseForm;
    use crate::{CaseDocument, CaseId};

    fn draft() -> GroupDraft {
        GroupDraft {
            topic: "What to expect on arrival".into(),
            place: "Reception centre".into(),
            date: "2026-11-20".into(),
        }
    }

    #[test]
    fn each_attendee_gets_their_own_session_without_the_others_names() {
        let mut docs: Vec<CaseDocument> = ["Amina", "Bakary", "Chantal"]
            .iter()
            .map(|name| {
                let mut doc = CaseDocument::new(CaseId::random(), actor().user, actor().now_ms, actor().today);
                doc.form = CaseForm { family_name: (*name).into(), ..CaseForm::default() };
                doc
            })
            .collect();
        let mut files: Vec<&mut CaseFile> = docs.iter_mut().map(|d| &mut d.file).collect();
        let group = record(&mut files, &draft(), &actor()).unwrap();
        for doc in &docs {
            assert_eq!(doc.file.sessions.len(), 1);
            let session = &doc.file.sessions[0];
            assert_eq!(session.group.as_ref().map(|g| (g.id, g.attendees)), Some((group, 3)));
            let json = serde_json::to_string(doc).unwrap();
            for other in docs.iter().filter(|o| o.id != doc.id) {
                assert!(!json.contains(&other.form.family_name), "another attendee's name in a file");
                assert!(!json.contains(&other.id.to_string()), "another attendee's case id in a file");
            }
        }
    }

    #[test]
    fn a_closed_attendee_or_a_bad_form_records_nothing_anywhere() {
        let mut open = open_file();
        let mut closed = open_file();
        closed.closure = Some(super::super::closure::tests::a_closure());
        let (before_open, before_closed) = (open.clone(), closed.clone());
        assert_eq!(record(&mut [&mut open, &mut closed], &draft(), &actor()), Err(RuleError::AttendeeCaseClosed));
        assert_eq!((&open, &closed), (&before_open, &before_closed));
        let bad = GroupDraft { topic: String::new(), ..draft() };
        assert!(matches!(record(&mut [&mut open], &bad, &actor()), Err(RuleError::Invalid(_))));
        assert_eq!(open, before_open);
        assert_eq!(record(&mut [], &draft(), &actor()), Err(RuleError::NoAttendees));
    }
}
