//! Counselling sessions (D-SESSION, rule 6). The first session after arrival carries a
//! six-step guide the case manager ticks through; it can be paused and resumed at any time,
//! the returnee may ask for a pause.

use super::{Actor, CaseFile, EntryId, Event, GroupId, RuleError, Stamp};
use crate::validation::{
    bounded_text, choice, optional_text, parse_iso_date, past_date, ErrorCode, FieldError, FieldErrors, LINE_MAX_CHARS,
};
use serde::{Deserialize, Serialize};
use time::Date;

coded!(
    Kind {
        PreDepartureIndividual = "pre_departure_individual",
        PreDepartureGroup = "pre_departure_group",
        PreDepartureFamily = "pre_departure_family",
        FirstAfterArrival = "first_after_arrival",
        FollowUp = "follow_up",
    }
);

coded!(
    Mode {
        InPerson = "in_person",
        Remote = "remote",
    }
);

/// The six steps of the first session after arrival.
pub const STEPS: usize = 6;
/// Step 4 assesses vulnerabilities: where a life-threatening disclosure may come.
pub const ASSESSMENT_STEP: u8 = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// Who ticked each step, and when.
    pub steps: [Option<Stamp>; STEPS],
    /// Set while the session is paused.
    pub paused: Option<Stamp>,
}

impl Guide {
    /// The first step not yet ticked (1-based); `None` when all are done.
    pub fn current_step(&self) -> Option<u8> {
        self.steps.iter().position(Option::is_none).map(|i| i as u8 + 1)
    }
}

/// A group session seen from one attendee's file: how many attended, never who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: GroupId,
    pub topic: String,
    pub attendees: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: EntryId,
    pub kind: Kind,
    /// A [`Mode`] code.
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub place: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub interpreter: String,
    /// The interpreter was briefed on confidentiality.
    #[serde(default)]
    pub interpreter_briefed: bool,
    #[serde(default)]
    pub notes: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub next_session: String,
    #[serde(default)]
    pub guide: Option<Guide>,
    #[serde(default)]
    pub group: Option<GroupRef>,
    pub started: Stamp,
}

/// Checks a session's fields as typed.
pub fn validate(session: &Session, today: Date) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    checks.collect(choice("session_mode", &session.mode, Mode::from_code));
    checks.collect(bounded_text("session_place", &session.place, LINE_MAX_CHARS, false));
    let date = checks.collect(past_date("session_date", &session.date, today));
    if !session.next_session.trim().is_empty() {
        match (parse_iso_date(session.next_session.trim()), date) {
            (None, _) => checks.push("session_next", ErrorCode::InvalidDate),
            (Some(next), Some(date)) if next < date => checks.push("session_next", ErrorCode::InvalidDate),
            _ => {}
        }
    }
    checks.collect(bounded_text("session_interpreter", &session.interpreter, LINE_MAX_CHARS, false));
    if !session.interpreter.trim().is_empty() && !session.interpreter_briefed {
        checks.push("session_interpreter_briefed", ErrorCode::Required);
    }
    checks.collect(optional_text("session_notes", &session.notes));
    checks.into_vec()
}

/// Opens a new session of `kind` dated today.
pub fn start(file: &mut CaseFile, kind: Kind, actor: &Actor) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    let id = EntryId::random();
    file.sessions.push(new_session(id, kind, actor));
    file.record(actor, Event::SessionStarted { session: id });
    Ok(id)
}

pub(crate) fn new_session(id: EntryId, kind: Kind, actor: &Actor) -> Session {
    Session {
        id,
        kind,
        mode: Mode::InPerson.code().into(),
        place: String::new(),
        date: actor.today.to_string(),
        interpreter: String::new(),
        interpreter_briefed: false,
        notes: String::new(),
        next_session: String::new(),
        guide: (kind == Kind::FirstAfterArrival).then(Guide::default),
        group: None,
        started: actor.into(),
    }
}

fn guide_mut(file: &mut CaseFile, session: EntryId) -> Result<&mut Guide, RuleError> {
    file.ensure_open()?;
    let session = file.sessions.iter_mut().find(|s| s.id == session).ok_or(RuleError::NotFound)?;
    session.guide.as_mut().ok_or(RuleError::NotAGuidedSession)
}

/// Ticks (or unticks) step 1–6 of the first session's guide.
pub fn tick(file: &mut CaseFile, session: EntryId, step: u8, done: bool, actor: &Actor) -> Result<(), RuleError> {
    let guide = guide_mut(file, session)?;
    if guide.paused.is_some() {
        return Err(RuleError::SessionPaused);
    }
    let slot = guide.steps.get_mut(usize::from(step).wrapping_sub(1)).ok_or(RuleError::NotFound)?;
    *slot = done.then(|| actor.into());
    file.record(actor, Event::SessionStep { session, step });
    Ok(())
}

pub fn pause(file: &mut CaseFile, session: EntryId, actor: &Actor) -> Result<(), RuleError> {
    let guide = guide_mut(file, session)?;
    if guide.paused.is_some() {
        return Err(RuleError::SessionPaused);
    }
    guide.paused = Some(actor.into());
    file.record(actor, Event::SessionPaused { session });
    Ok(())
}

pub fn resume(file: &mut CaseFile, session: EntryId, actor: &Actor) -> Result<(), RuleError> {
    let guide = guide_mut(file, session)?;
    if guide.paused.take().is_none() {
        return Err(RuleError::StatusChange);
    }
    file.record(actor, Event::SessionResumed { session });
    Ok(())
}

impl CaseFile {
    pub fn session(&self, id: EntryId) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Whether the person has had a session after arrival (first or follow-up).
    pub fn arrived(&self) -> bool {
        self.sessions.iter().any(|s| matches!(s.kind, Kind::FirstAfterArrival | Kind::FollowUp))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{actor, open_file, TODAY};
    use super::*;

    #[test]
    fn the_first_session_after_arrival_has_the_six_step_guide() {
        let mut file = open_file();
        let first = start(&mut file, Kind::FirstAfterArrival, &actor()).unwrap();
        let other = start(&mut file, Kind::FollowUp, &actor()).unwrap();
        assert_eq!(file.session(first).unwrap().guide.as_ref().unwrap().current_step(), Some(1));
        assert_eq!(tick(&mut file, other, 1, true, &actor()), Err(RuleError::NotAGuidedSession));
        for step in 1..=6 {
            tick(&mut file, first, step, true, &actor()).unwrap();
        }
        assert_eq!(file.session(first).unwrap().guide.as_ref().unwrap().current_step(), None);
        assert_eq!(tick(&mut file, first, 7, true, &actor()), Err(RuleError::NotFound));
        assert_eq!(tick(&mut file, first, 0, true, &actor()), Err(RuleError::NotFound));
    }

    #[test]
    fn a_paused_session_keeps_its_steps_and_resumes_where_it_stopped() {
        let mut file = open_file();
        let id = start(&mut file, Kind::FirstAfterArrival, &actor()).unwrap();
        tick(&mut file, id, 1, true, &actor()).unwrap();
        tick(&mut file, id, 2, true, &actor()).unwrap();
        pause(&mut file, id, &actor()).unwrap();
        assert_eq!(tick(&mut file, id, 3, true, &actor()), Err(RuleError::SessionPaused));
        assert_eq!(pause(&mut file, id, &actor()), Err(RuleError::SessionPaused));
        let json = serde_json::to_string(&file).unwrap();
        let mut file: CaseFile = serde_json::from_str(&json).unwrap();
        resume(&mut file, id, &actor()).unwrap();
        assert_eq!(file.session(id).unwrap().guide.as_ref().unwrap().current_step(), Some(3));
        assert_eq!(resume(&mut file, id, &actor()), Err(RuleError::StatusChange));
    }

    #[test]
    fn an_interpreter_must_be_briefed_and_dates_must_make_sense() {
        let mut file = open_file();
        let id = start(&mut file, Kind::PreDepartureIndividual, &actor()).unwrap();
        let session = file.sessions.iter_mut().find(|s| s.id == id).unwrap();
        assert!(validate(session, TODAY).is_empty(), "{:?}", validate(session, TODAY));
        session.interpreter = "Farid".into();
        session.next_session = "2026-11-01".into();
        session.date = "2026-11-20".into();
        let codes: Vec<_> = validate(session, TODAY).iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [("session_next", ErrorCode::InvalidDate), ("session_interpreter_briefed", ErrorCode::Required)]
        );
        session.interpreter_briefed = true;
        session.next_session = "2026-12-01".into();
        assert!(validate(session, TODAY).is_empty());
        session.date = "2027-01-01".into();
        assert_eq!(validate(session, TODAY)[0].code, ErrorCode::FutureDate);
        session.date = "2026-11-20".into();
        session.next_session = "2026-11-20".into();
        assert!(validate(session, TODAY).is_empty(), "the next session may be later the same day");
        session.next_session = "next week".into();
        assert_eq!(validate(session, TODAY)[0].field, "session_next");
    }
}
