//! Who may open a case while it is handed over to the office in the country of origin, and
//! after that office accepts it (D-HANDOVER). Sent under the person's consent, the case
//! reaches the supervisors of the origin office, who only read it; the host office keeps
//! writing it until one of them accepts it and names a case manager there as its owner.
//! From then on the host office reads it only if the consent covers that, and a consent
//! withdrawn before the acceptance takes the case back from the origin office.

use super::{AccessChange, AccessRecord, AccessRefusal, Share, MAX_PEOPLE};
use crate::ids::UserId;
use std::collections::{BTreeMap, BTreeSet};

/// The record after `by`, a supervisor of the origin office, accepts the handover and
/// makes `to` the owner. Accepting again what is already accepted this way changes nothing.
pub(super) fn accept(
    record: &AccessRecord,
    by: UserId,
    to: UserId,
    host_keeps: bool,
) -> Result<AccessRecord, AccessRefusal> {
    match record.share_of(by) {
        Some(Share::Origin) => {}
        // A retried acceptance: the accepting supervisor supervises, `to` owns.
        Some(Share::Supervisor | Share::Owner) if record.owner() == Some(to) => return Err(AccessRefusal::Unchanged),
        _ => return Err(AccessRefusal::MayNotChange),
    }
    let mut people: BTreeMap<UserId, Share> = BTreeMap::new();
    for person in &record.people {
        let share = match person.share {
            Share::Owner | Share::Supervisor | Share::Host => host_keeps.then_some(Share::Host),
            Share::Origin => Some(Share::Supervisor),
            Share::Colleague => Some(Share::Colleague),
        };
        if let Some(share) = share {
            people.insert(person.user, share);
        }
    }
    if !people.contains_key(&to) && people.len() >= MAX_PEOPLE {
        return Err(AccessRefusal::TooMany);
    }
    people.insert(to, Share::Owner);
    Ok(record.with_people(people))
}

/// What brings the server's record in line with the case's handover: each supervisor of
/// the origin office in `origin` (empty unless the case awaits that office's acceptance)
/// without access is given it as [`Share::Origin`]; an origin share no longer wanted is
/// taken back (the consent was withdrawn); and, unless `host_may_read`, the host office's
/// reading after an accepted handover ends.
pub fn handover_changes(record: &AccessRecord, origin: &BTreeSet<UserId>, host_may_read: bool) -> Vec<AccessChange> {
    let mut changes: Vec<AccessChange> = origin
        .iter()
        .filter(|user| record.share_of(**user).is_none())
        .map(|user| AccessChange::Grant { user: *user, share: Share::Origin })
        .collect();
    let ended = |share: Share, user: UserId| match share {
        Share::Origin => !origin.contains(&user),
        Share::Host => !host_may_read,
        _ => false,
    };
    changes
        .extend(record.people.iter().filter(|a| ended(a.share, a.user)).map(|a| AccessChange::Revoke { user: a.user }));
    changes
}

#[cfg(test)]
mod tests {
    use super::super::Access;
    use super::*;
    use crate::ids::CaseId;
    use proptest::prelude::*;

    struct Offices {
        host_cm: UserId,
        host_sup: UserId,
        focal_point: UserId,
        origin_sup: UserId,
        origin_sup2: UserId,
        origin_cm: UserId,
    }

    fn offices() -> Offices {
        Offices {
            host_cm: UserId::from_bytes([1; 16]),
            host_sup: UserId::from_bytes([2; 16]),
            focal_point: UserId::from_bytes([3; 16]),
            origin_sup: UserId::from_bytes([4; 16]),
            origin_sup2: UserId::from_bytes([5; 16]),
            origin_cm: UserId::from_bytes([6; 16]),
        }
    }

    /// A case of the host office, shared with a focal point and sent to the origin office.
    fn sent(o: &Offices) -> AccessRecord {
        let origin: BTreeSet<UserId> = [o.origin_sup, o.origin_sup2].into();
        let record = AccessRecord::created(CaseId::random(), o.host_cm)
            .apply_all(
                o.host_cm,
                &[
                    AccessChange::Grant { user: o.host_sup, share: Share::Supervisor },
                    AccessChange::Grant { user: o.focal_point, share: Share::Colleague },
                ],
            )
            .unwrap()
            .unwrap();
        let changes = handover_changes(&record, &origin, false);
        assert_eq!(
            changes,
            vec![
                AccessChange::Grant { user: o.origin_sup, share: Share::Origin },
                AccessChange::Grant { user: o.origin_sup2, share: Share::Origin },
            ]
        );
        let record = record.apply_all(o.host_cm, &changes).unwrap().unwrap();
        assert!(handover_changes(&record, &origin, false).is_empty(), "in line after one request");
        record
    }

    #[test]
    fn the_origin_office_reads_until_it_accepts_and_the_host_keeps_writing() {
        let o = offices();
        let record = sent(&o);
        assert!(record.may_read(o.origin_sup) && !record.may_write(o.origin_sup));
        assert!(record.may_write(o.host_cm) && record.may_write(o.host_sup));
        // An origin supervisor may only accept: not share, not take anyone's access away.
        for change in [
            AccessChange::Grant { user: o.origin_cm, share: Share::Colleague },
            AccessChange::Revoke { user: o.host_sup },
            AccessChange::Reassign { to: o.origin_cm },
        ] {
            assert_eq!(record.apply(o.origin_sup, change), Err(AccessRefusal::MayNotChange));
            assert_eq!(record.apply_all(o.origin_sup, &[change]), Err(AccessRefusal::MayNotChange));
        }
        // Nobody else accepts it, not even the host office.
        let accept = AccessChange::Accept { to: o.origin_cm, host_keeps: false };
        for by in [o.host_cm, o.host_sup, o.focal_point, o.origin_cm] {
            assert_eq!(record.apply(by, accept), Err(AccessRefusal::MayNotChange));
            assert_eq!(record.apply_all(by, &[accept]), Err(AccessRefusal::MayNotChange));
        }
    }

    #[test]
    fn accepting_makes_the_origin_case_manager_the_owner_and_ends_the_hosts_access() {
        let o = offices();
        let record = sent(&o);
        let accept = AccessChange::Accept { to: o.origin_cm, host_keeps: false };
        let accepted = record.apply(o.origin_sup, accept).unwrap();
        assert_eq!(accepted.version, record.version + 1);
        assert_eq!(accepted.people[0], Access { user: o.origin_cm, share: Share::Owner });
        assert_eq!(accepted.share_of(o.origin_sup), Some(Share::Supervisor));
        assert_eq!(accepted.share_of(o.origin_sup2), Some(Share::Supervisor), "the office's other supervisor too");
        assert_eq!(accepted.share_of(o.focal_point), Some(Share::Colleague), "a sharing rests on its own consent");
        assert!(!accepted.may_read(o.host_cm) && !accepted.may_read(o.host_sup));
        assert!(!record.rekey && accepted.rekey, "the host office may still hold the key");
        // A retry changes nothing; the accepting supervisor now writes.
        assert_eq!(accepted.apply_all(o.origin_sup, &[accept]), Ok(None));
        assert_eq!(accepted.apply(o.origin_sup2, accept), Err(AccessRefusal::Unchanged));
        let other = AccessChange::Accept { to: o.origin_sup2, host_keeps: false };
        assert_eq!(accepted.apply(o.origin_sup, other), Err(AccessRefusal::MayNotChange), "accepted once");
        assert!(accepted.may_write(o.origin_sup));
        // The supervisor who accepts may also take the case themself.
        let own = record.apply(o.origin_sup, AccessChange::Accept { to: o.origin_sup, host_keeps: false }).unwrap();
        assert_eq!(own.owner(), Some(o.origin_sup));
        assert_eq!(own.people.iter().filter(|a| a.share == Share::Owner).count(), 1);
    }

    #[test]
    fn the_host_office_keeps_reading_when_the_consent_says_so_until_it_no_longer_does() {
        let o = offices();
        let accepted =
            sent(&o).apply(o.origin_sup, AccessChange::Accept { to: o.origin_cm, host_keeps: true }).unwrap();
        assert_eq!(accepted.share_of(o.host_cm), Some(Share::Host));
        assert_eq!(accepted.share_of(o.host_sup), Some(Share::Host));
        assert!(!accepted.rekey, "nobody left: the key stays");
        // That reading comes only with the acceptance, never from a grant.
        let planted = AccessChange::Grant { user: o.focal_point, share: Share::Host };
        assert_eq!(accepted.apply(o.origin_cm, planted), Err(AccessRefusal::NotGrantable));
        assert_eq!(sent(&o).apply(o.host_cm, planted), Err(AccessRefusal::NotGrantable));
        assert!(accepted.may_read(o.host_cm) && !accepted.may_write(o.host_cm));
        assert_eq!(
            accepted.apply(o.host_cm, AccessChange::Revoke { user: o.origin_cm }),
            Err(AccessRefusal::MayNotChange)
        );
        // Accepted, nothing to add; the host's reading holds while the consent does.
        assert!(handover_changes(&accepted, &BTreeSet::new(), true).is_empty());
        let withdrawn = handover_changes(&accepted, &BTreeSet::new(), false);
        assert_eq!(
            withdrawn,
            vec![AccessChange::Revoke { user: o.host_cm }, AccessChange::Revoke { user: o.host_sup }]
        );
        let after = accepted.apply_all(o.origin_cm, &withdrawn).unwrap().unwrap();
        assert!(!after.may_read(o.host_cm) && !after.may_read(o.host_sup));
        assert_eq!(after.share_of(o.focal_point), Some(Share::Colleague));
    }

    #[test]
    fn a_consent_withdrawn_before_acceptance_takes_the_case_back_from_the_origin_office() {
        let o = offices();
        let record = sent(&o);
        let changes = handover_changes(&record, &BTreeSet::new(), false);
        assert_eq!(
            changes,
            vec![AccessChange::Revoke { user: o.origin_sup }, AccessChange::Revoke { user: o.origin_sup2 }]
        );
        let back = record.apply_all(o.host_cm, &changes).unwrap().unwrap();
        assert!(!back.may_read(o.origin_sup) && !back.may_read(o.origin_sup2));
        assert_eq!(back.share_of(o.focal_point), Some(Share::Colleague));
        assert_eq!(back.share_of(o.host_sup), Some(Share::Supervisor));
        // Too late to accept.
        let accept = AccessChange::Accept { to: o.origin_cm, host_keeps: false };
        assert_eq!(back.apply_all(o.origin_sup, &[accept]), Err(AccessRefusal::MayNotChange));
        // Someone with access another way is not made an origin supervisor.
        let only_colleague: BTreeSet<UserId> = [o.focal_point].into();
        assert!(handover_changes(&back, &only_colleague, false).is_empty());
    }

    #[test]
    fn accepting_into_a_full_case_is_refused() {
        let o = offices();
        let mut record = sent(&o);
        while record.people.len() < MAX_PEOPLE {
            let grant = AccessChange::Grant { user: UserId::random(), share: Share::Colleague };
            record = record.apply(o.host_cm, grant).unwrap();
        }
        let accept = AccessChange::Accept { to: o.origin_cm, host_keeps: true };
        assert_eq!(record.apply(o.origin_sup, accept), Err(AccessRefusal::TooMany));
        // Someone already there may still be made the owner.
        let own = AccessChange::Accept { to: o.origin_sup2, host_keeps: true };
        assert_eq!(record.apply(o.origin_sup, own).unwrap().people.len(), MAX_PEOPLE);
    }

    proptest! {
        /// However the handover's access is moved along, a refused change leaves the record
        /// as it was, it keeps one owner, and only the origin office ever accepts.
        #[test]
        fn handovers_keep_one_owner_and_only_the_origin_office_accepts(
            steps in proptest::collection::vec((0..6usize, 0..6usize, any::<bool>(), 0..5u8), 0..30)
        ) {
            let o = offices();
            let people = [o.host_cm, o.host_sup, o.focal_point, o.origin_sup, o.origin_sup2, o.origin_cm];
            let mut record = sent(&o);
            for (by, to, keeps, kind) in steps {
                let before = record.clone();
                let (by, to) = (people[by], people[to]);
                let change = match kind {
                    0 => AccessChange::Accept { to, host_keeps: keeps },
                    1 => AccessChange::Revoke { user: to },
                    2 => AccessChange::Reassign { to },
                    3 => AccessChange::Grant { user: to, share: Share::Host },
                    _ => AccessChange::Grant { user: to, share: Share::Origin },
                };
                match record.apply(by, change) {
                    Ok(next) => {
                        if let AccessChange::Accept { .. } = change {
                            prop_assert_eq!(before.share_of(by), Some(Share::Origin));
                            prop_assert_eq!(next.owner(), Some(to));
                            prop_assert!(next.people.iter().all(|a| a.share != Share::Origin));
                        } else {
                            prop_assert!(before.may_write(by));
                            let planted_host = matches!(change, AccessChange::Grant { share: Share::Host, .. });
                            prop_assert!(!planted_host);
                        }
                        record = next;
                    }
                    Err(_) => prop_assert_eq!(&record, &before),
                }
                prop_assert_eq!(record.people.iter().filter(|a| a.share == Share::Owner).count(), 1);
                prop_assert_eq!(record.people[0].share, Share::Owner);
            }
        }
    }
}
