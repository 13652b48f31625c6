//! An organisation's configuration: the follow-up intervals by risk level (rule 2) and the
//! directory of service providers (D-REFER). It names services, never returnees, so it is
//! the one thing the server stores readable; it is changed by an administrator.

use crate::casefile::followup::Policy;
use crate::casefile::referral::Service;
use crate::validation::{bounded_text, required_line, ErrorCode, FieldError, LINE_MAX_CHARS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// At most this many providers in a directory.
pub const MAX_PROVIDERS: usize = 2_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationSettings {
    pub follow_up: Policy,
    pub providers: Vec<Provider>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provider {
    pub name: String,
    pub services: BTreeSet<Service>,
    /// How to reach it (a secure channel, an office).
    pub contact: String,
    /// Where it works.
    pub area: String,
}

impl OrganisationSettings {
    /// Accepts settings only if the intervals are sound and every provider has a name and
    /// at least one service.
    pub fn parse(self) -> Result<Self, Vec<FieldError>> {
        let mut errors = self.follow_up.parse().err().unwrap_or_default();
        if self.providers.len() > MAX_PROVIDERS {
            errors.push(FieldError { field: "providers", code: ErrorCode::TooLong, limit: Some(MAX_PROVIDERS) });
        }
        for provider in &self.providers {
            errors.extend(required_line("provider_name", &provider.name).err());
            errors.extend(bounded_text("provider_contact", &provider.contact, LINE_MAX_CHARS, false).err());
            errors.extend(bounded_text("provider_area", &provider.area, LINE_MAX_CHARS, false).err());
            if provider.services.is_empty() {
                errors.push(FieldError { field: "provider_services", code: ErrorCode::Required, limit: None });
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The providers of `service`, by name.
    pub fn providers_of(&self, service: Service) -> Vec<&Provider> {
        let mut providers: Vec<&Provider> = self.providers.iter().filter(|p| p.services.contains(&service)).collect();
        providers.sort_by_key(|p| p.name.to_lowercase());
        providers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(name: &str, services: &[Service]) -> Provider {
        Provider { name: name.into(), services: services.iter().copied().collect(), ..Provider::default() }
    }

    #[test]
    fn defaults_are_valid_and_json_missing_parts_take_defaults() {
        assert!(OrganisationSettings::default().parse().is_ok());
        let parsed: OrganisationSettings = serde_json::from_str(r#"{"providers": []}"#).unwrap();
        assert_eq!(parsed.follow_up, Policy::default());
    }

    #[test]
    fn providers_need_a_name_and_a_service_and_bad_intervals_are_refused() {
        let settings = OrganisationSettings {
            follow_up: Policy { critical_days: 400, ..Policy::default() },
            providers: vec![provider("", &[Service::Health]), provider("Clinic", &[])],
        };
        let fields: Vec<_> = settings.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["critical_days", "critical_days", "provider_name", "provider_services"]);
    }

    #[test]
    fn a_directory_may_hold_up_to_its_limit_of_providers() {
        let many = |n| OrganisationSettings {
            providers: (0..n).map(|i| provider(&format!("Provider {i}"), &[Service::Health])).collect(),
            ..OrganisationSettings::default()
        };
        assert!(many(MAX_PROVIDERS).parse().is_ok());
        let errors = many(MAX_PROVIDERS + 1).parse().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field, errors[0].code, errors[0].limit),
            ("providers", ErrorCode::TooLong, Some(MAX_PROVIDERS))
        );
    }

    #[test]
    fn the_directory_lists_a_services_providers_by_name() {
        let settings = OrganisationSettings {
            providers: vec![
                provider("Zeta clinic", &[Service::Health]),
                provider("alpha clinic", &[Service::Health, Service::MentalHealth]),
                provider("Housing office", &[Service::Housing]),
            ],
            ..OrganisationSettings::default()
        };
        let names: Vec<_> = settings.providers_of(Service::Health).iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["alpha clinic", "Zeta clinic"]);
    }
}
