//! The unit that is sealed into a case revision: the registration form, the rest of the
//! case file, and who changed it last.

use super::child::is_child_at;
use super::registration::CaseForm;
use super::{CaseFile, Event, HistoryEntry, Stamp};
use crate::ids::{CaseId, UserId};
use crate::validation::parse_iso_date;
use serde::{Deserialize, Serialize};
use time::Date;

/// What is sealed into a case revision: the registration form, the rest of the case file,
/// and bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDocument {
    pub id: CaseId,
    pub form: CaseForm,
    #[serde(default)]
    pub file: CaseFile,
    /// Unix time in milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: UserId,
}

impl CaseDocument {
    /// A new, empty case registered on `today` (the case manager's local date).
    pub fn new(id: CaseId, author: UserId, now_ms: i64, today: Date) -> Self {
        let mut file = CaseFile { registered_on: Some(today), ..CaseFile::default() };
        file.history.push(HistoryEntry { stamp: Stamp { by: author, at: now_ms }, event: Event::Opened });
        Self { id, form: CaseForm::default(), file, created_at: now_ms, updated_at: now_ms, updated_by: author }
    }

    /// The name shown in lists and matched by search.
    pub fn display_name(&self) -> String {
        let given = self.form.given_names.trim();
        let family = self.form.family_name.trim();
        match (given.is_empty(), family.is_empty()) {
            (true, true) => String::new(),
            (true, false) => family.to_owned(),
            (false, true) => given.to_owned(),
            (false, false) => format!("{given} {family}"),
        }
    }

    /// Case-insensitive match of every word of `query` against the names.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = self.display_name().to_lowercase();
        query.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// The day the case was registered (older revisions: the creation time, UTC).
    pub fn registered_on(&self) -> Option<Date> {
        self.file.registered_on.or_else(|| {
            time::OffsetDateTime::from_unix_timestamp(self.created_at.div_euclid(1000)).ok().map(|t| t.date())
        })
    }

    pub fn date_of_birth(&self) -> Option<Date> {
        parse_iso_date(self.form.date_of_birth.trim())
    }

    /// Under 18 on the day of registration: the child rules apply to the whole case.
    pub fn is_child(&self) -> bool {
        is_child_at(self.date_of_birth(), self.registered_on())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn named(given: &str, family: &str) -> CaseDocument {
        let mut doc = CaseDocument::new(CaseId::random(), UserId::random(), 0, date!(2026 - 01 - 01));
        doc.form = CaseForm { given_names: given.into(), family_name: family.into(), ..CaseForm::default() };
        doc
    }

    #[test]
    fn search_matches_every_word_case_insensitively() {
        let doc = named("Amina", "Diallo");
        assert!(doc.matches("amina"));
        assert!(doc.matches("DIALLO am"));
        assert!(!doc.matches("amina smith"));
        assert!(doc.matches(""));
    }

    #[test]
    fn the_display_name_joins_what_is_there() {
        assert_eq!(named(" Amina ", " Diallo ").display_name(), "Amina Diallo");
        assert_eq!(named("", "Diallo").display_name(), "Diallo");
        assert_eq!(named("Amina", "  ").display_name(), "Amina");
        assert_eq!(named("", "").display_name(), "");
    }

    #[test]
    fn a_new_case_is_opened_by_its_author_on_the_day_given() {
        let author = UserId::random();
        let doc = CaseDocument::new(CaseId::random(), author, 1_000, date!(2026 - 03 - 04));
        assert_eq!(doc.registered_on(), Some(date!(2026 - 03 - 04)));
        assert_eq!(doc.file.history.len(), 1);
        assert_eq!(doc.file.history[0].event, Event::Opened);
        assert_eq!(doc.file.history[0].stamp, Stamp { by: author, at: 1_000 });
        assert_eq!((doc.created_at, doc.updated_at, doc.updated_by), (1_000, 1_000, author));
    }

    #[test]
    fn a_revision_without_a_registration_day_counts_from_its_creation_time() {
        let mut doc = named("Amina", "Diallo");
        doc.file.registered_on = None;
        doc.created_at = 1_767_225_600_000 + 5_000; // 2026-01-01T00:00:05Z
        assert_eq!(doc.registered_on(), Some(date!(2026 - 01 - 01)));
    }

    #[test]
    fn childhood_is_judged_on_the_day_of_registration() {
        let mut doc = named("Amina", "Diallo");
        doc.form.date_of_birth = "2008-01-02".into();
        assert!(doc.is_child(), "17 on 2026-01-01");
        doc.form.date_of_birth = " 2008-01-01 ".into();
        assert!(!doc.is_child(), "18 that very day");
        doc.form.date_of_birth = "not a date".into();
        assert_eq!(doc.date_of_birth(), None);
    }
}
