//! The reintegration plan (D-PLAN, rule 3): goals, strengths, challenges and actions in
//! three dimensions, agreed by the returnee (for a child, the child and a parent or
//! guardian). An agreed plan is frozen; the plan made before departure is reviewed after
//! arrival in a new plan that points back at it.

use super::{Actor, CaseFile, EntryId, Event, RuleError, Stage, Stamp};
use crate::validation::{choice, optional_text, required_date, required_line, required_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use time::Date;

coded!(
    Dimension {
        Economic = "economic",
        Social = "social",
        Psychosocial = "psychosocial",
    }
);

coded!(
    Responsible {
        Returnee = "returnee",
        Organisation = "organisation",
        ServiceProvider = "service_provider",
        Family = "family",
    }
);

coded!(
    Term {
        Immediate = "immediate",
        LongTerm = "long_term",
    }
);

coded!(
    Assistance {
        Cash = "cash",
        InKind = "in_kind",
        Both = "both",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: EntryId,
    /// A [`Dimension`] code.
    #[serde(default)]
    pub dimension: String,
    /// A [`Responsible`] code.
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub what: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub by_when: String,
    /// A [`Term`] code.
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub done: bool,
}

impl Action {
    pub fn new() -> Self {
        Self {
            id: EntryId::random(),
            dimension: String::new(),
            responsible: String::new(),
            what: String::new(),
            by_when: String::new(),
            term: Term::Immediate.code().into(),
            done: false,
        }
    }
}

impl Default for Action {
    fn default() -> Self {
        Self::new()
    }
}

/// Who agreed, as typed before agreeing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgreementDraft {
    /// The returnee (for a child, the child).
    pub person: String,
    /// For a child: the parent, caregiver or guardian.
    pub guardian: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub person: String,
    pub guardian: String,
    pub agreed_on: Date,
    pub recorded: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: EntryId,
    pub stage: Stage,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub challenges: String,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// An [`Assistance`] code, or empty.
    #[serde(default)]
    pub assistance: String,
    #[serde(default)]
    pub agreement_draft: AgreementDraft,
    #[serde(default)]
    pub agreement: Option<Agreement>,
    /// The plan from before departure this one reviews.
    #[serde(default)]
    pub reviews: Option<EntryId>,
    #[serde(default)]
    pub review_notes: String,
    pub started: Stamp,
}

impl Plan {
    pub fn is_agreed(&self) -> bool {
        self.agreement.is_some()
    }

    pub fn goals(&self) -> impl Iterator<Item = &str> {
        self.goals.iter().map(|g| g.trim()).filter(|g| !g.is_empty())
    }
}

/// Checks one action as typed: it needs a dimension, who, what and by when.
pub fn validate_action(action: &Action) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    checks.collect(choice("action_dimension", &action.dimension, Dimension::from_code));
    checks.collect(choice("action_responsible", &action.responsible, Responsible::from_code));
    checks.collect(required_text("action_what", &action.what));
    checks.collect(required_date("action_by_when", &action.by_when));
    checks.collect(choice("action_term", &action.term, Term::from_code));
    checks.into_vec()
}

/// Checks the plan's own fields as typed (actions are checked one by one).
pub fn validate(plan: &Plan) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    for goal in &plan.goals {
        checks.collect(optional_text("plan_goal", goal));
    }
    checks.collect(optional_text("plan_strengths", &plan.strengths));
    checks.collect(optional_text("plan_challenges", &plan.challenges));
    if !plan.assistance.is_empty() {
        checks.collect(choice("plan_assistance", &plan.assistance, Assistance::from_code));
    }
    checks.collect(optional_text("plan_review_notes", &plan.review_notes));
    checks.into_vec()
}

/// Starts an empty plan at `stage`.
pub fn start(file: &mut CaseFile, stage: Stage, actor: &Actor) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    let id = EntryId::random();
    file.plans.push(Plan {
        id,
        stage,
        goals: vec![String::new()],
        strengths: String::new(),
        challenges: String::new(),
        actions: vec![Action::new()],
        assistance: String::new(),
        agreement_draft: AgreementDraft::default(),
        agreement: None,
        reviews: None,
        review_notes: String::new(),
        started: actor.into(),
    });
    file.record(actor, Event::PlanStarted { plan: id });
    Ok(id)
}

/// Starts a review of the latest agreed plan — after arrival for the plan made before
/// departure, or at a periodic review: a new plan, pre-filled from it, that points back at
/// it. The earlier plan stays as it was agreed.
pub fn start_review(file: &mut CaseFile, actor: &Actor) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    let earlier = file.plans.last().ok_or(RuleError::NothingToReview)?;
    if !earlier.is_agreed() {
        return Err(if earlier.reviews.is_some() { RuleError::AlreadyReviewed } else { RuleError::NothingToReview });
    }
    let id = EntryId::random();
    let review = Plan {
        id,
        stage: Stage::AfterArrival,
        actions: earlier.actions.iter().map(|a| Action { id: EntryId::random(), ..a.clone() }).collect(),
        agreement_draft: AgreementDraft::default(),
        agreement: None,
        reviews: Some(earlier.id),
        review_notes: String::new(),
        started: actor.into(),
        ..earlier.clone()
    };
    let reviews = earlier.id;
    file.plans.push(review);
    file.record(actor, Event::PlanReviewStarted { plan: id, reviews });
    Ok(id)
}

/// A plan's fields may be typed into only while the case is open and it is not agreed.
pub fn ensure_editable(file: &CaseFile, plan: EntryId) -> Result<(), RuleError> {
    file.ensure_open()?;
    match file.plan(plan) {
        None => Err(RuleError::NotFound),
        Some(plan) if plan.is_agreed() => Err(RuleError::PlanAgreed),
        Some(_) => Ok(()),
    }
}

/// Marks a plan agreed today, by the person (and, for a child, a parent or guardian).
/// It needs at least one goal and one action, and every action complete.
pub fn agree(file: &mut CaseFile, plan: EntryId, child: bool, actor: &Actor) -> Result<(), RuleError> {
    ensure_editable(file, plan)?;
    let entry = file.plan(plan).expect("checked above");
    if entry.goals().next().is_none() || entry.actions.is_empty() {
        return Err(RuleError::PlanIncomplete);
    }
    let mut errors: Vec<FieldError> = validate(entry);
    errors.extend(entry.actions.iter().flat_map(validate_action));
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let draft = &entry.agreement_draft;
    let mut checks = FieldErrors::default();
    let person = checks.collect(required_line("agreement_person", &draft.person));
    let guardian = if child {
        checks.collect(required_line("agreement_guardian", &draft.guardian))
    } else {
        checks.collect(optional_text("agreement_guardian", &draft.guardian))
    };
    let (Some(person), Some(guardian)) = (person, guardian) else {
        return Err(if child { RuleError::ChildAgreementIncomplete } else { RuleError::Invalid(checks.into_vec()) });
    };
    let agreed_on = actor.today;
    let entry = file.plans.iter_mut().find(|p| p.id == plan).expect("checked above");
    entry.agreement = Some(Agreement { person, guardian, agreed_on, recorded: actor.into() });
    file.record(actor, Event::PlanAgreed { plan });
    Ok(())
}

impl CaseFile {
    pub fn plan(&self, id: EntryId) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The plan in use: the latest one.
    pub fn current_plan(&self) -> Option<&Plan> {
        self.plans.last()
    }

    /// The agreed plan from before departure that still awaits its review after arrival.
    pub fn plan_awaiting_review(&self) -> Option<&Plan> {
        self.plans
            .iter()
            .rev()
            .find(|p| p.stage == Stage::PreDeparture && p.is_agreed())
            .filter(|earlier| !self.plans.iter().any(|p| p.reviews == Some(earlier.id)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::testing::{actor, open_file};
    use super::*;
    use crate::validation::ErrorCode;

    pub fn complete_plan(file: &mut CaseFile, stage: Stage) -> EntryId {
        let id = start(file, stage, &actor()).unwrap();
        let plan = file.plans.iter_mut().find(|p| p.id == id).unwrap();
        plan.goals = vec!["Open a tailoring shop".into()];
        plan.actions[0] = Action {
            dimension: "economic".into(),
            responsible: "organisation".into(),
            what: "Buy a sewing machine".into(),
            by_when: "2027-02-01".into(),
            ..plan.actions[0].clone()
        };
        plan.agreement_draft.person = "Amina Diallo".into();
        id
    }

    #[test]
    fn an_action_needs_dimension_who_what_and_when() {
        let codes: Vec<_> = validate_action(&Action::new()).iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                ("action_dimension", ErrorCode::Required),
                ("action_responsible", ErrorCode::Required),
                ("action_what", ErrorCode::Required),
                ("action_by_when", ErrorCode::Required),
            ]
        );
    }

    #[test]
    fn agreeing_needs_a_goal_and_an_action() {
        let mut file = open_file();
        let id = start(&mut file, Stage::AfterArrival, &actor()).unwrap();
        file.plans[0].agreement_draft.person = "Amina".into();
        assert_eq!(agree(&mut file, id, false, &actor()), Err(RuleError::PlanIncomplete));
        file.plans[0].goals = vec!["Work".into()];
        file.plans[0].actions.clear();
        assert_eq!(agree(&mut file, id, false, &actor()), Err(RuleError::PlanIncomplete));
        file.plans[0].actions.push(Action::new());
        let before = file.clone();
        assert!(matches!(agree(&mut file, id, false, &actor()), Err(RuleError::Invalid(_))));
        assert_eq!(file, before, "refusing changes nothing");
    }

    #[test]
    fn agreement_records_who_and_when_and_freezes_the_plan() {
        let mut file = open_file();
        let id = complete_plan(&mut file, Stage::AfterArrival);
        agree(&mut file, id, false, &actor()).unwrap();
        let agreement = file.plans[0].agreement.as_ref().unwrap();
        assert_eq!((agreement.person.as_str(), agreement.agreed_on), ("Amina Diallo", actor().today));
        assert_eq!(agreement.recorded.by, actor().user);
        assert_eq!(ensure_editable(&file, id), Err(RuleError::PlanAgreed));
        assert_eq!(agree(&mut file, id, false, &actor()), Err(RuleError::PlanAgreed));
    }

    #[test]
    fn a_childs_plan_is_agreed_by_the_child_and_a_guardian() {
        let mut file = open_file();
        let id = complete_plan(&mut file, Stage::AfterArrival);
        assert_eq!(agree(&mut file, id, true, &actor()), Err(RuleError::ChildAgreementIncomplete));
        file.plans[0].agreement_draft.guardian = "Moussa Diallo (uncle, guardian)".into();
        agree(&mut file, id, true, &actor()).unwrap();
    }

    #[test]
    fn the_pre_departure_plan_is_reviewed_not_overwritten() {
        let mut file = open_file();
        assert_eq!(start_review(&mut file, &actor()), Err(RuleError::NothingToReview));
        let before_departure = complete_plan(&mut file, Stage::PreDeparture);
        assert_eq!(start_review(&mut file, &actor()), Err(RuleError::NothingToReview), "only an agreed plan");
        agree(&mut file, before_departure, false, &actor()).unwrap();
        let agreed = file.plans[0].clone();
        assert_eq!(file.plan_awaiting_review().map(|p| p.id), Some(before_departure));

        let review = start_review(&mut file, &actor()).unwrap();
        assert_eq!(file.current_plan().map(|p| p.id), Some(review), "the review is the plan in use");
        assert_eq!(file.plans[0], agreed, "the earlier plan is untouched");
        let review = file.plan(review).unwrap();
        assert_eq!((review.stage, review.reviews), (Stage::AfterArrival, Some(before_departure)));
        assert_eq!(review.goals, agreed.goals);
        assert!(review.agreement.is_none(), "the review is agreed afresh");
        assert_ne!(review.actions[0].id, agreed.actions[0].id);
        assert_eq!(file.plan_awaiting_review(), None);
        assert_eq!(start_review(&mut file, &actor()), Err(RuleError::AlreadyReviewed));
    }

    #[test]
    fn a_review_starts_unsigned_and_stamped_by_whoever_starts_it() {
        let mut file = open_file();
        let earlier = complete_plan(&mut file, Stage::PreDeparture);
        agree(&mut file, earlier, false, &actor()).unwrap();
        file.plans[0].review_notes = "noted before departure".into();
        let reviewer = Actor { now_ms: actor().now_ms + 60_000, user: crate::UserId::from_bytes([3; 16]), ..actor() };
        let id = start_review(&mut file, &reviewer).unwrap();
        let review = file.plan(id).unwrap();
        assert_eq!(review.agreement_draft, AgreementDraft::default(), "signed afresh");
        assert_eq!(review.review_notes, "");
        assert_eq!(review.started, Stamp::from(&reviewer));
    }

    #[test]
    fn only_an_agreed_plan_from_before_departure_awaits_review() {
        let mut file = open_file();
        let after = complete_plan(&mut file, Stage::AfterArrival);
        agree(&mut file, after, false, &actor()).unwrap();
        assert_eq!(file.plan_awaiting_review(), None, "made after arrival");
        complete_plan(&mut file, Stage::PreDeparture);
        assert_eq!(file.plan_awaiting_review(), None, "not agreed yet");
    }

    #[test]
    fn the_plans_text_is_checked_as_typed() {
        let mut file = open_file();
        let id = start(&mut file, Stage::AfterArrival, &actor()).unwrap();
        let plan = file.plan(id).unwrap();
        assert!(validate(plan).is_empty(), "an empty plan is not wrong yet");
        let plan = Plan { assistance: "gold".into(), strengths: "a\u{0}b".into(), ..plan.clone() };
        let codes: Vec<_> = validate(&plan).into_iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [("plan_strengths", ErrorCode::ControlCharacters), ("plan_assistance", ErrorCode::InvalidChoice)]
        );
    }
}
