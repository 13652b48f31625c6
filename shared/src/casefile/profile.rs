//! Individual factors and the circumstances of return (D-PROFILE, Cuadro 2.1). Every
//! entry is optional: most are sensitive, and the form says why each one is asked.

use crate::validation::{optional_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

coded!(
    /// Individual factors (age and sex are part of registration).
    Factor {
        Gender = "gender",
        EthnicCulturalIdentity = "ethnic_cultural_identity",
        ReligiousIdentity = "religious_identity",
        HealthWellbeing = "health_wellbeing",
        SkillsKnowledge = "skills_knowledge",
        FamilySituation = "family_situation",
        Disability = "disability",
        SexualOrientation = "sexual_orientation",
        SocialNetworks = "social_networks",
        Motivations = "motivations",
        PersonalIdentity = "personal_identity",
        PersonalSecurity = "personal_security",
        EconomicSituation = "economic_situation",
        Psychosocial = "psychosocial",
        TimeAbroad = "time_abroad",
    }
);

impl Factor {
    /// Special-category data: asked only when the person is willing, never required.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            Self::Gender
                | Self::EthnicCulturalIdentity
                | Self::ReligiousIdentity
                | Self::HealthWellbeing
                | Self::Disability
                | Self::SexualOrientation
                | Self::PersonalSecurity
                | Self::Psychosocial
        )
    }
}

coded!(
    /// Circumstances of return.
    Circumstance {
        TimeAway = "time_away",
        HostConditions = "host_conditions",
        HealthExposure = "health_exposure",
        TransitDelays = "transit_delays",
        Detention = "detention",
        ReturnPreparedness = "return_preparedness",
        ResourcesInformation = "resources_information",
    }
);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub factors: BTreeMap<Factor, String>,
    pub circumstances: BTreeMap<Circumstance, String>,
    /// Anything else that matters, specified in words.
    pub other: String,
}

impl Profile {
    pub fn factor(&self, factor: Factor) -> &str {
        self.factors.get(&factor).map_or("", String::as_str)
    }

    pub fn circumstance(&self, circumstance: Circumstance) -> &str {
        self.circumstances.get(&circumstance).map_or("", String::as_str)
    }

    /// Sets a text; an empty one is removed, so "not recorded" leaves no trace.
    pub fn set_factor(&mut self, factor: Factor, text: String) {
        set_or_remove(&mut self.factors, factor, text);
    }

    pub fn set_circumstance(&mut self, circumstance: Circumstance, text: String) {
        set_or_remove(&mut self.circumstances, circumstance, text);
    }
}

fn set_or_remove<K: Ord>(map: &mut BTreeMap<K, String>, key: K, text: String) {
    if text.is_empty() {
        map.remove(&key);
    } else {
        map.insert(key, text);
    }
}

/// Errors of the profile as typed; the field name is the factor's or circumstance's code.
pub fn validate(profile: &Profile) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    for factor in Factor::ALL {
        checks.collect(optional_text(factor.code(), profile.factor(*factor)));
    }
    for circumstance in Circumstance::ALL {
        checks.collect(optional_text(circumstance.code(), profile.circumstance(*circumstance)));
    }
    checks.collect(optional_text("profile_other", &profile.other));
    checks.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::ErrorCode;

    #[test]
    fn an_empty_profile_is_valid_because_every_entry_is_optional() {
        assert!(validate(&Profile::default()).is_empty());
    }

    #[test]
    fn clearing_an_entry_removes_it() {
        let mut profile = Profile::default();
        profile.set_factor(Factor::Gender, "woman".into());
        profile.set_factor(Factor::Gender, String::new());
        assert!(profile.factors.is_empty());
    }

    #[test]
    fn control_characters_are_reported_under_the_factors_code() {
        let mut profile = Profile::default();
        profile.set_circumstance(Circumstance::Detention, "3 months\u{7}".into());
        let errors = validate(&profile);
        assert_eq!((errors[0].field, errors[0].code), ("detention", ErrorCode::ControlCharacters));
    }

    #[test]
    fn special_category_data_is_marked_sensitive() {
        let sensitive: Vec<_> = Factor::ALL.iter().copied().filter(|f| f.is_sensitive()).collect();
        assert_eq!(
            sensitive,
            [
                Factor::Gender,
                Factor::EthnicCulturalIdentity,
                Factor::ReligiousIdentity,
                Factor::HealthWellbeing,
                Factor::Disability,
                Factor::SexualOrientation,
                Factor::PersonalSecurity,
                Factor::Psychosocial,
            ]
        );
        assert!(!Factor::SkillsKnowledge.is_sensitive());
    }

    #[test]
    fn an_entry_reads_back_as_typed_and_an_unrecorded_one_is_empty() {
        let mut profile = Profile::default();
        assert_eq!(profile.factor(Factor::SkillsKnowledge), "");
        profile.set_factor(Factor::SkillsKnowledge, "Tailoring".into());
        profile.set_circumstance(Circumstance::Detention, "Two weeks".into());
        assert_eq!(profile.factor(Factor::SkillsKnowledge), "Tailoring");
        assert_eq!(profile.factor(Factor::Gender), "");
        assert_eq!(profile.circumstance(Circumstance::Detention), "Two weeks");
        assert_eq!(profile.circumstance(Circumstance::TimeAway), "");
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for factor in Factor::ALL {
            assert_eq!(Factor::from_code(factor.code()), Some(*factor));
        }
        let json = serde_json::to_string(&Profile {
            factors: [(Factor::SexualOrientation, "x".to_owned())].into(),
            ..Profile::default()
        })
        .unwrap();
        assert!(json.contains("\"sexual_orientation\""), "{json}");
    }
}
