//! Follow-up and review (D-MONITOR, rule 2): regular contact at the rhythm the risk level
//! sets, configurable per organisation, and visits after a child's case is closed.

use super::vulnerability::RiskLevel;
use super::{Actor, CaseFile, EntryId, Event, RuleError, Stamp};
use crate::validation::{choice, optional_text, parse_iso_date, past_date, ErrorCode, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

coded!(
    Method {
        Call = "call",
        Meeting = "meeting",
        HomeVisit = "home_visit",
        CommunityWorker = "community_worker",
    }
);

coded!(
    Kind {
        /// While the case is open.
        Regular = "regular",
        /// A visit after a child's case was closed.
        AfterClosure = "after_closure",
    }
);

/// Days between follow-ups for each risk level, and between plan reviews. Each
/// organisation sets its own; these are the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub low_days: u16,
    pub medium_days: u16,
    pub high_days: u16,
    pub critical_days: u16,
    pub plan_review_days: u16,
}

impl Default for Policy {
    fn default() -> Self {
        Self { low_days: 90, medium_days: 30, high_days: 14, critical_days: 7, plan_review_days: 90 }
    }
}

/// The longest interval an organisation may set.
pub const MAX_INTERVAL_DAYS: u16 = 365;

impl Policy {
    /// A policy is accepted only if every interval is 1–365 days and a higher risk is
    /// never followed up less often than a lower one.
    pub fn parse(self) -> Result<Self, Vec<FieldError>> {
        let mut checks = FieldErrors::default();
        let fields = [
            ("low_days", self.low_days),
            ("medium_days", self.medium_days),
            ("high_days", self.high_days),
            ("critical_days", self.critical_days),
            ("plan_review_days", self.plan_review_days),
        ];
        for (field, days) in fields {
            if days == 0 || days > MAX_INTERVAL_DAYS {
                checks.push_error(FieldError {
                    field,
                    code: ErrorCode::OutOfRange,
                    limit: Some(MAX_INTERVAL_DAYS.into()),
                });
            }
        }
        if !(self.critical_days <= self.high_days
            && self.high_days <= self.medium_days
            && self.medium_days <= self.low_days)
        {
            checks.push("critical_days", ErrorCode::Inconsistent);
        }
        let errors = checks.into_vec();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn interval(&self, risk: RiskLevel) -> Duration {
        let days = match risk {
            RiskLevel::Low => self.low_days,
            RiskLevel::Medium => self.medium_days,
            RiskLevel::High => self.high_days,
            RiskLevel::Critical => self.critical_days,
        };
        Duration::days(days.into())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub on: Date,
    pub method: Method,
    pub notes: String,
    pub recorded: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: EntryId,
    pub kind: Kind,
    pub due_on: Date,
    /// The contact that answered it; `None` while it is pending.
    pub contact: Option<Contact>,
}

/// A follow-up contact as being typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUpDraft {
    /// `YYYY-MM-DD`.
    pub on: String,
    /// A [`Method`] code.
    pub method: String,
    pub notes: String,
    /// `YYYY-MM-DD`; empty takes the interval of the risk level.
    pub next_due: String,
}

struct ParsedContact {
    on: Date,
    method: Method,
    notes: String,
    next_due: Option<Date>,
}

fn parse_draft(draft: &FollowUpDraft, today: Date) -> Result<ParsedContact, Vec<FieldError>> {
    let mut checks = FieldErrors::default();
    let on = checks.collect(past_date("follow_up_on", &draft.on, today));
    let method = checks.collect(choice("follow_up_method", &draft.method, Method::from_code));
    let notes = checks.collect(optional_text("follow_up_notes", &draft.notes));
    let next_due = match draft.next_due.trim() {
        "" => Some(None),
        raw => match (parse_iso_date(raw), on) {
            (Some(next), Some(on)) if next > on => Some(Some(next)),
            _ => {
                checks.push("follow_up_next_due", ErrorCode::InvalidDate);
                None
            }
        },
    };
    // Each check that failed left its value out, so all four are there only when none did.
    match (on, method, notes, next_due) {
        (Some(on), Some(method), Some(notes), Some(next_due)) => Ok(ParsedContact { on, method, notes, next_due }),
        _ => Err(checks.into_vec()),
    }
}

pub fn validate_draft(draft: &FollowUpDraft, today: Date) -> Vec<FieldError> {
    parse_draft(draft, today).err().unwrap_or_default()
}

/// Records the contact typed in the form. On an open case it answers the pending
/// follow-up and schedules the next one (the date typed, or the risk level's interval);
/// on a closed child case it answers the next visit after closure.
pub fn record_contact(file: &mut CaseFile, policy: &Policy, actor: &Actor) -> Result<EntryId, RuleError> {
    let kind = if file.is_closed() { Kind::AfterClosure } else { Kind::Regular };
    if kind == Kind::AfterClosure && !file.follow_ups.iter().any(|f| f.kind == kind && f.contact.is_none()) {
        return Err(RuleError::CaseClosed);
    }
    let parsed = parse_draft(&file.follow_up_draft, actor.today).map_err(RuleError::Invalid)?;
    let contact = Contact { on: parsed.on, method: parsed.method, notes: parsed.notes, recorded: actor.into() };
    let pending = file.follow_ups.iter_mut().filter(|f| f.kind == kind && f.contact.is_none()).min_by_key(|f| f.due_on);
    let id = match pending {
        Some(pending) => {
            pending.contact = Some(contact);
            pending.id
        }
        None => {
            let id = EntryId::random();
            file.follow_ups.push(FollowUp { id, kind, due_on: parsed.on, contact: Some(contact) });
            id
        }
    };
    file.record(actor, Event::FollowUpRecorded { follow_up: id });
    if kind == Kind::Regular {
        let due_on =
            parsed.next_due.unwrap_or(parsed.on + policy.interval(file.risk_level().unwrap_or(RiskLevel::Low)));
        schedule(file, Kind::Regular, due_on, actor);
    }
    file.follow_up_draft = FollowUpDraft::default();
    Ok(id)
}

pub(crate) fn schedule(file: &mut CaseFile, kind: Kind, due_on: Date, actor: &Actor) -> EntryId {
    let id = EntryId::random();
    file.follow_ups.push(FollowUp { id, kind, due_on, contact: None });
    file.record(actor, Event::FollowUpScheduled { follow_up: id });
    id
}

impl CaseFile {
    /// The last day the case manager saw or heard from the person.
    pub fn last_contact(&self) -> Option<Date> {
        let contacts = self.follow_ups.iter().filter_map(|f| f.contact.as_ref().map(|c| c.on));
        let sessions = self.sessions.iter().filter_map(|s| parse_iso_date(s.date.trim()));
        contacts.chain(sessions).max()
    }

    /// When the next regular follow-up is due: the one scheduled, or else the risk level's
    /// interval after the last contact (or the registration). `None` while there is no
    /// risk level yet, or the case is closed.
    pub fn next_follow_up(&self, policy: &Policy) -> Option<Date> {
        if self.is_closed() {
            return None;
        }
        let scheduled =
            self.follow_ups.iter().filter(|f| f.kind == Kind::Regular && f.contact.is_none()).map(|f| f.due_on).min();
        scheduled.or_else(|| {
            let risk = self.risk_level()?;
            let from = self.last_contact().or(self.registered_on)?;
            Some(from + policy.interval(risk))
        })
    }

    /// When the current agreed plan is due for review.
    pub fn plan_review_due(&self, policy: &Policy) -> Option<Date> {
        if self.is_closed() {
            return None;
        }
        let plan = self.current_plan()?;
        let agreed = plan.agreement.as_ref()?;
        Some(agreed.agreed_on + Duration::days(policy.plan_review_days.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{actor, actor_on, open_file, TODAY};
    use super::super::vulnerability::{self, AssessmentDraft, Vulnerability};
    use super::super::Stage;
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn assess(file: &mut CaseFile, found: &[Vulnerability]) {
        file.assessment_draft = AssessmentDraft {
            stage: Stage::AfterArrival.code().into(),
            found: found.iter().copied().collect(),
            ..AssessmentDraft::default()
        };
        vulnerability::record(file, &actor()).unwrap();
    }

    fn contact(file: &mut CaseFile, on: &str, next_due: &str) -> Result<EntryId, RuleError> {
        file.follow_up_draft =
            FollowUpDraft { on: on.into(), method: "call".into(), notes: "ok".into(), next_due: next_due.into() };
        record_contact(file, &Policy::default(), &actor())
    }

    #[test]
    fn the_risk_level_sets_the_next_follow_up() {
        let mut file = open_file();
        assert_eq!(file.next_follow_up(&Policy::default()), None, "no risk level yet");
        assess(&mut file, &[Vulnerability::Trafficking]);
        assert_eq!(file.next_follow_up(&Policy::default()), Some(TODAY + Duration::days(14)));
        let strict = Policy { high_days: 3, critical_days: 2, ..Policy::default() };
        assert_eq!(file.next_follow_up(&strict), Some(TODAY + Duration::days(3)), "the organisation's interval");
        assess(&mut file, &[]);
        assert_eq!(file.next_follow_up(&Policy::default()), Some(TODAY + Duration::days(90)));
    }

    #[test]
    fn a_contact_answers_the_pending_follow_up_and_schedules_the_next() {
        let mut file = open_file();
        assess(&mut file, &[Vulnerability::HealthNeeds]);
        contact(&mut file, "2026-11-20", "").unwrap();
        assert_eq!(file.next_follow_up(&Policy::default()), Some(date!(2026 - 12 - 20)));
        contact(&mut file, "2026-11-21", "2026-11-28").unwrap();
        assert_eq!(file.next_follow_up(&Policy::default()), Some(date!(2026 - 11 - 28)));
        let pending = file.follow_ups.iter().filter(|f| f.contact.is_none()).count();
        assert_eq!(pending, 1, "one pending follow-up at a time");
        assert_eq!(file.follow_up_draft, FollowUpDraft::default());
    }

    #[test]
    fn a_bad_contact_is_refused_and_kept_as_typed() {
        let mut file = open_file();
        let Err(RuleError::Invalid(errors)) = contact(&mut file, "2026-11-23", "2026-11-01") else { panic!() };
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(codes, [("follow_up_on", ErrorCode::FutureDate), ("follow_up_next_due", ErrorCode::InvalidDate)]);
        assert_eq!(file.follow_up_draft.on, "2026-11-23");
        assert!(file.follow_ups.is_empty());
    }

    #[test]
    fn the_next_follow_up_typed_must_come_after_the_contact() {
        let draft = |next: &str| FollowUpDraft {
            on: "2026-11-20".into(),
            method: "call".into(),
            notes: String::new(),
            next_due: next.into(),
        };
        let codes =
            |d: &FollowUpDraft| -> Vec<_> { validate_draft(d, TODAY).into_iter().map(|e| (e.field, e.code)).collect() };
        assert!(codes(&draft("2026-11-21")).is_empty());
        assert_eq!(codes(&draft("2026-11-20")), [("follow_up_next_due", ErrorCode::InvalidDate)], "the same day");
        assert_eq!(codes(&draft("soon")), [("follow_up_next_due", ErrorCode::InvalidDate)]);
        assert_eq!(
            codes(&FollowUpDraft::default()),
            [("follow_up_on", ErrorCode::Required), ("follow_up_method", ErrorCode::Required)]
        );
    }

    #[test]
    fn without_a_follow_up_scheduled_the_interval_runs_from_the_last_session() {
        let mut file = open_file();
        assess(&mut file, &[Vulnerability::HealthNeeds]);
        let session = super::super::session::start(&mut file, super::super::session::Kind::FollowUp, &actor()).unwrap();
        file.sessions.iter_mut().find(|s| s.id == session).unwrap().date = "2026-11-30".into();
        assert_eq!(file.last_contact(), Some(date!(2026 - 11 - 30)));
        assert_eq!(file.next_follow_up(&Policy::default()), Some(date!(2026 - 12 - 30)));
    }

    #[test]
    fn an_agreed_plan_is_due_for_review_after_the_organisations_interval() {
        let mut file = open_file();
        let plan = super::super::plan::tests::complete_plan(&mut file, Stage::AfterArrival);
        assert_eq!(file.plan_review_due(&Policy::default()), None, "not agreed yet");
        super::super::plan::agree(&mut file, plan, false, &actor()).unwrap();
        let policy = Policy { plan_review_days: 45, ..Policy::default() };
        assert_eq!(file.plan_review_due(&policy), Some(TODAY + Duration::days(45)));
        file.closure = Some(super::super::closure::tests::a_closure());
        assert_eq!(file.plan_review_due(&policy), None, "a closed case");
    }

    #[test]
    fn a_closed_childs_case_takes_contacts_only_while_visits_are_pending() {
        let mut file = open_file();
        file.closure_draft = super::super::closure::ClosureDraft { reason: "left_area".into(), ..Default::default() };
        super::super::closure::close(&mut file, true, &actor()).unwrap();
        for day in ["2026-11-20", "2026-11-21", "2026-11-22"] {
            contact(&mut file, day, "").unwrap();
        }
        assert_eq!(file.visits_after_closure().count(), 0);
        assert_eq!(contact(&mut file, "2026-11-22", ""), Err(RuleError::CaseClosed), "every visit is made");
        assert!(file.follow_ups.iter().all(|f| f.kind == Kind::AfterClosure), "no regular follow-up on a closed case");
    }

    #[test]
    fn a_policy_must_be_in_range_and_consistent() {
        assert!(Policy::default().parse().is_ok());
        let errors = Policy { low_days: 0, ..Policy::default() }.parse().unwrap_err();
        assert_eq!(errors[0].code, ErrorCode::OutOfRange);
        let errors = Policy { critical_days: 60, ..Policy::default() }.parse().unwrap_err();
        assert_eq!(errors[0].code, ErrorCode::Inconsistent);
    }

    #[test]
    fn follow_ups_stop_with_closure_and_reviews_follow_agreement() {
        let mut file = open_file();
        assess(&mut file, &[]);
        assert_eq!(file.plan_review_due(&Policy::default()), None);
        file.closure = Some(super::super::closure::tests::a_closure());
        assert_eq!(file.next_follow_up(&Policy::default()), None);
        assert_eq!(contact(&mut file, "2026-11-20", ""), Err(RuleError::CaseClosed), "adult: nothing after closure");
        let _ = actor_on(TODAY);
    }

    proptest! {
        #[test]
        fn higher_risk_is_never_followed_up_later(
            days in proptest::array::uniform4(1u16..=365),
            last in 0i64..400,
        ) {
            let mut sorted = days;
            sorted.sort_unstable();
            let policy = Policy { critical_days: sorted[0], high_days: sorted[1], medium_days: sorted[2], low_days: sorted[3], plan_review_days: 90 }
                .parse()
                .unwrap();
            let from = TODAY - Duration::days(last);
            let mut previous = None;
            for risk in RiskLevel::ALL.iter().rev() {
                let due = from + policy.interval(*risk);
                if let Some(previous) = previous {
                    prop_assert!(previous <= due);
                }
                previous = Some(due);
            }
        }
    }
}
