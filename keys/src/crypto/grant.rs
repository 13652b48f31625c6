//! A grant: one case key sealed to one person (or to the organisation's recovery key),
//! signed by the member who gives it. Sealing alone (HPKE base mode) does not say who
//! sealed, so without the signature a server could hand a device a key of its own making
//! as a case's key. The binding names the organisation, the case, the key and the
//! recipient, so a grant opens nowhere else.

use super::identity::{IdentityKeys, PublicIdentity, Purpose, Signature};
use super::seal::{open_sealed_key, seal_key_to};
use super::{CryptoError, SecretKey};
use crate::ids::{CaseId, KeyId, TenantId, UserId};
use crate::wire::b64;
use serde::{Deserialize, Serialize};

/// Who a grant is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "user", rename_all = "snake_case")]
pub enum Recipient {
    Member(UserId),
    /// The organisation's recovery key, kept off the system.
    Recovery,
}

impl Recipient {
    fn bytes(&self) -> [u8; 17] {
        let mut out = [0u8; 17];
        if let Recipient::Member(user) = self {
            out[0] = 1;
            out[1..].copy_from_slice(user.as_bytes());
        }
        out
    }
}

/// A case key given to one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub case: CaseId,
    pub key_id: KeyId,
    pub to: Recipient,
    /// The member who gave it and signed it.
    pub by: UserId,
    /// The case key sealed to the recipient's X25519 key.
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
    pub signature: Signature,
}

fn binding(tenant: TenantId, case: CaseId, key_id: KeyId, to: Recipient) -> Vec<u8> {
    [b"puente/grant/v1".as_slice(), tenant.as_bytes(), case.as_bytes(), key_id.as_bytes(), &to.bytes()].concat()
}

impl Grant {
    /// Seals `key` (of `case`, named `key_id`) to `to`, whose X25519 key is `to_public`,
    /// signed by `by`.
    #[allow(clippy::too_many_arguments)]
    pub fn give(
        tenant: TenantId,
        case: CaseId,
        key_id: KeyId,
        key: &SecretKey,
        to: Recipient,
        to_public: &[u8; 32],
        by: UserId,
        signer: &IdentityKeys,
    ) -> Result<Self, CryptoError> {
        let sealed = seal_key_to(to_public, &binding(tenant, case, key_id, to), key)?;
        let mut grant = Self { case, key_id, to, by, sealed, signature: Signature([0; 64]) };
        grant.signature = signer.sign(Purpose::Grant, &grant.statement(tenant));
        Ok(grant)
    }

    /// What the giver signs: the binding, the giver and the sealed key.
    fn statement(&self, tenant: TenantId) -> Vec<u8> {
        [binding(tenant, self.case, self.key_id, self.to).as_slice(), self.by.as_bytes(), &self.sealed].concat()
    }

    /// Checks that `giver` (the keys the caller trusts for [`Grant::by`]) signed this grant.
    pub fn verify(&self, tenant: TenantId, giver: &PublicIdentity) -> Result<(), CryptoError> {
        giver.verify(Purpose::Grant, &self.statement(tenant), &self.signature)
    }

    /// Opens the case key with the recipient's X25519 private key, after checking the
    /// giver's signature.
    pub fn open(
        &self,
        tenant: TenantId,
        giver: &PublicIdentity,
        recipient: &SecretKey,
    ) -> Result<SecretKey, CryptoError> {
        self.verify(tenant, giver)?;
        open_sealed_key(recipient, &binding(tenant, self.case, self.key_id, self.to), &self.sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::public_of;

    struct Fixture {
        tenant: TenantId,
        case: CaseId,
        key_id: KeyId,
        key: SecretKey,
        giver: IdentityKeys,
        giver_id: UserId,
        bea: IdentityKeys,
        bea_id: UserId,
    }

    fn fixture() -> Fixture {
        Fixture {
            tenant: TenantId::random(),
            case: CaseId::random(),
            key_id: KeyId::random(),
            key: SecretKey::random(),
            giver: IdentityKeys::generate(),
            giver_id: UserId::random(),
            bea: IdentityKeys::generate(),
            bea_id: UserId::random(),
        }
    }

    fn to_bea(f: &Fixture) -> Grant {
        let to = Recipient::Member(f.bea_id);
        let public = f.bea.public().agreement;
        Grant::give(f.tenant, f.case, f.key_id, &f.key, to, &public, f.giver_id, &f.giver).unwrap()
    }

    #[test]
    fn a_grant_opens_for_its_recipient_with_its_givers_signature() {
        let f = fixture();
        let grant = to_bea(&f);
        assert_eq!(grant.open(f.tenant, &f.giver.public(), f.bea.agreement()).unwrap(), f.key);
        assert!(grant.verify(f.tenant, &f.giver.public()).is_ok());
        // Not for another recipient, nor vouched for by another giver.
        let stranger = IdentityKeys::generate();
        assert_eq!(grant.open(f.tenant, &f.giver.public(), stranger.agreement()), Err(CryptoError::Authentication));
        assert_eq!(grant.open(f.tenant, &stranger.public(), f.bea.agreement()), Err(CryptoError::BadSignature));
        assert_eq!(grant.verify(TenantId::random(), &f.giver.public()), Err(CryptoError::BadSignature));
    }

    #[test]
    fn no_field_of_a_grant_can_be_changed() {
        let f = fixture();
        let grant = to_bea(&f);
        let giver = f.giver.public();
        let changed = [
            Grant { case: CaseId::random(), ..grant.clone() },
            Grant { key_id: KeyId::random(), ..grant.clone() },
            Grant { to: Recipient::Member(UserId::random()), ..grant.clone() },
            Grant { to: Recipient::Recovery, ..grant.clone() },
            Grant { by: UserId::random(), ..grant.clone() },
        ];
        for bent in changed {
            assert_eq!(bent.verify(f.tenant, &giver), Err(CryptoError::BadSignature), "{bent:?}");
        }
        for bit in 0..grant.sealed.len() * 8 {
            let mut bent = grant.clone();
            bent.sealed[bit / 8] ^= 1 << (bit % 8);
            assert!(bent.open(f.tenant, &giver, f.bea.agreement()).is_err(), "sealed bit {bit}");
        }
        for bit in 0..512 {
            let mut bent = grant.clone();
            bent.signature.0[bit / 8] ^= 1 << (bit % 8);
            assert!(bent.verify(f.tenant, &giver).is_err(), "signature bit {bit}");
        }
    }

    #[test]
    fn a_key_resealed_by_someone_else_under_the_givers_name_is_refused() {
        // The server could seal a key of its own to Bea; without the giver's signature it
        // does not pass.
        let f = fixture();
        let mut forged = to_bea(&f);
        let fake = SecretKey::random();
        let to = forged.to;
        forged.sealed =
            seal_key_to(&f.bea.public().agreement, &binding(f.tenant, f.case, f.key_id, to), &fake).unwrap();
        assert_eq!(forged.open(f.tenant, &f.giver.public(), f.bea.agreement()), Err(CryptoError::BadSignature));
    }

    #[test]
    fn a_grant_to_the_recovery_key_opens_with_it_only() {
        let f = fixture();
        let recovery = SecretKey::random();
        let grant = Grant::give(
            f.tenant,
            f.case,
            f.key_id,
            &f.key,
            Recipient::Recovery,
            &public_of(&recovery),
            f.giver_id,
            &f.giver,
        )
        .unwrap();
        assert_eq!(grant.open(f.tenant, &f.giver.public(), &recovery).unwrap(), f.key);
        // A member's grant and the recovery grant are bound apart.
        let as_member = Grant { to: Recipient::Member(f.bea_id), ..grant.clone() };
        assert!(as_member.verify(f.tenant, &f.giver.public()).is_err());
    }

    #[test]
    fn a_grant_to_the_nil_member_is_not_one_to_the_recovery_key() {
        let f = fixture();
        let nil = Recipient::Member(UserId::from_bytes([0; 16]));
        assert_ne!(nil.bytes(), Recipient::Recovery.bytes());
        let public = f.bea.public().agreement;
        let grant = Grant::give(f.tenant, f.case, f.key_id, &f.key, nil, &public, f.giver_id, &f.giver).unwrap();
        let as_recovery = Grant { to: Recipient::Recovery, ..grant.clone() };
        assert_eq!(as_recovery.verify(f.tenant, &f.giver.public()), Err(CryptoError::BadSignature));
    }

    #[test]
    fn the_sealed_key_is_bound_to_its_case_even_under_a_valid_signature() {
        // Whoever holds the giver's key could re-sign a grant moved to another case: the
        // sealing itself still refuses to open there.
        let f = fixture();
        let grant = to_bea(&f);
        let mut moved = Grant { case: CaseId::random(), ..grant };
        moved.signature = f.giver.sign(Purpose::Grant, &moved.statement(f.tenant));
        assert!(moved.verify(f.tenant, &f.giver.public()).is_ok());
        assert_eq!(moved.open(f.tenant, &f.giver.public(), f.bea.agreement()), Err(CryptoError::Authentication));
    }

    #[test]
    fn a_signature_made_for_another_purpose_does_not_count() {
        let f = fixture();
        let grant = to_bea(&f);
        for purpose in [Purpose::Revision, Purpose::MembershipEntry, Purpose::Escrow, Purpose::Recovery] {
            let other = Grant { signature: f.giver.sign(purpose, &grant.statement(f.tenant)), ..grant.clone() };
            assert_eq!(other.verify(f.tenant, &f.giver.public()), Err(CryptoError::BadSignature), "{purpose:?}");
        }
    }

    #[test]
    fn a_grant_reads_back_from_json_as_it_was() {
        let f = fixture();
        let grant = to_bea(&f);
        let json = serde_json::to_string(&grant).unwrap();
        assert!(json.contains("\"kind\":\"member\""), "{json}");
        assert_eq!(serde_json::from_str::<Grant>(&json).unwrap(), grant);
        let recovery = serde_json::to_string(&Recipient::Recovery).unwrap();
        assert_eq!(serde_json::from_str::<Recipient>(&recovery).unwrap(), Recipient::Recovery);
    }
}
