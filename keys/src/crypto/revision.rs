//! A case revision as it is synced: sealed under the case key, which it names but does not
//! carry (the key reaches each person who may open the case as a grant, `grant.rs`), and
//! signed by its author, so that who wrote it is proven rather than claimed.
//!
//! ```text
//! offset  len  field
//!      0    4  magic "PNTR"
//!      4    1  format version
//!      5   16  tenant id
//!     21   16  case id
//!     37    8  revision (big endian, ≥ 1)
//!     45    8  parent revision (big endian, < revision; 0 = none)
//!     53   16  key id (names the case key)
//!     69   16  author (user id)
//!     85   24  nonce
//!    109    …  XChaCha20-Poly1305 ciphertext and tag (AAD: bytes 0..85)
//!  end-64   64  Ed25519 signature by the author over every byte before it
//! ```
//! The first 85 bytes are the clear header the server checks against the path and the
//! session. The author is inside the authenticated data, so a signature cannot be swapped
//! for another member's without the case key.

use super::identity::{IdentityKeys, PublicIdentity, Purpose, Signature};
use super::wrap::{cipher, random_nonce};
use super::{CryptoError, SecretKey};
use crate::ids::{CaseId, KeyId, TenantId, UserId};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::XNonce;
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"PNTR";
pub const REVISION_FORMAT: u8 = 1;
pub const REVISION_HEADER_LEN: usize = 85;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const SIGNATURE_LEN: usize = 64;
/// Bytes a signed revision adds to its plaintext.
pub const REVISION_OVERHEAD: usize = REVISION_HEADER_LEN + NONCE_LEN + TAG_LEN + SIGNATURE_LEN;

/// The clear part of a signed revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevisionHeader {
    pub tenant: TenantId,
    pub case: CaseId,
    pub revision: u64,
    pub parent: u64,
    pub key_id: KeyId,
    pub author: UserId,
}

impl RevisionHeader {
    /// Reads and checks the header without any key (what the server does).
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() < REVISION_OVERHEAD {
            return Err(CryptoError::Truncated(bytes.len()));
        }
        if &bytes[0..4] != MAGIC {
            return Err(CryptoError::BadMagic);
        }
        if bytes[4] != REVISION_FORMAT {
            return Err(CryptoError::UnsupportedVersion(bytes[4]));
        }
        let uuid = |at: usize| -> [u8; 16] { bytes[at..at + 16].try_into().expect("16 bytes") };
        let number = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let header = Self {
            tenant: TenantId::from_bytes(uuid(5)),
            case: CaseId::from_bytes(uuid(21)),
            revision: number(37),
            parent: number(45),
            key_id: KeyId::from_bytes(uuid(53)),
            author: UserId::from_bytes(uuid(69)),
        };
        header.check()?;
        Ok(header)
    }

    fn check(&self) -> Result<(), CryptoError> {
        if self.revision == 0 || self.parent >= self.revision {
            return Err(CryptoError::BadRevision { revision: self.revision, parent: self.parent });
        }
        Ok(())
    }

    pub fn to_bytes(&self) -> [u8; REVISION_HEADER_LEN] {
        let mut out = [0u8; REVISION_HEADER_LEN];
        out[0..4].copy_from_slice(MAGIC);
        out[4] = REVISION_FORMAT;
        out[5..21].copy_from_slice(self.tenant.as_bytes());
        out[21..37].copy_from_slice(self.case.as_bytes());
        out[37..45].copy_from_slice(&self.revision.to_be_bytes());
        out[45..53].copy_from_slice(&self.parent.to_be_bytes());
        out[53..69].copy_from_slice(self.key_id.as_bytes());
        out[69..85].copy_from_slice(self.author.as_bytes());
        out
    }
}

/// Seals `plaintext` as the revision `header` describes, under `case_key`, signed by the
/// author's `signer`.
///
/// # Panics
/// If the header's revision numbers are inconsistent (a caller bug).
pub fn seal_revision(
    header: &RevisionHeader,
    case_key: &SecretKey,
    signer: &IdentityKeys,
    plaintext: &[u8],
) -> Vec<u8> {
    header.check().expect("revision ≥ 1 and parent < revision");
    let mut out = Vec::with_capacity(REVISION_OVERHEAD + plaintext.len());
    out.extend_from_slice(&header.to_bytes());
    let nonce = random_nonce();
    let ciphertext = cipher(case_key)
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &out[..REVISION_HEADER_LEN] })
        .expect("sealing in memory cannot fail");
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    let signature = signer.sign(Purpose::Revision, &out);
    out.extend_from_slice(&signature.0);
    out
}

/// Checks that `bytes` is a well-formed revision signed by `author` (the keys the caller
/// trusts for the member its header names), and returns its header. Needs no case key:
/// the server runs it too.
pub fn verify_revision(bytes: &[u8], author: &PublicIdentity) -> Result<RevisionHeader, CryptoError> {
    let header = RevisionHeader::parse(bytes)?;
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let signature = Signature(signature.try_into().expect("64 bytes"));
    author.verify(Purpose::Revision, signed, &signature)?;
    Ok(header)
}

/// Opens a revision found where `tenant`/`case`/`revision` say it belongs, after checking
/// that `author` signed it, with the case key its header names.
pub fn open_revision(
    bytes: &[u8],
    case_key: &SecretKey,
    author: &PublicIdentity,
    tenant: TenantId,
    case: CaseId,
    revision: Option<u64>,
) -> Result<(RevisionHeader, Zeroizing<Vec<u8>>), CryptoError> {
    let header = verify_revision(bytes, author)?;
    if header.tenant != tenant {
        return Err(CryptoError::Misplaced("organisation"));
    }
    if header.case != case {
        return Err(CryptoError::Misplaced("case"));
    }
    if revision.is_some_and(|r| r != header.revision) {
        return Err(CryptoError::Misplaced("revision"));
    }
    let body = &bytes[REVISION_HEADER_LEN..bytes.len() - SIGNATURE_LEN];
    let (nonce, ciphertext) = body.split_at(NONCE_LEN);
    let plaintext = cipher(case_key)
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &bytes[..REVISION_HEADER_LEN] })
        .map_err(|_| CryptoError::Authentication)?;
    Ok((header, Zeroizing::new(plaintext)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Fixture {
        header: RevisionHeader,
        case_key: SecretKey,
        author: IdentityKeys,
    }

    fn fixture() -> Fixture {
        Fixture {
            header: RevisionHeader {
                tenant: TenantId::random(),
                case: CaseId::random(),
                revision: 3,
                parent: 2,
                key_id: KeyId::random(),
                author: UserId::random(),
            },
            case_key: SecretKey::random(),
            author: IdentityKeys::generate(),
        }
    }

    fn open_at(f: &Fixture, bytes: &[u8]) -> Result<(RevisionHeader, Zeroizing<Vec<u8>>), CryptoError> {
        open_revision(bytes, &f.case_key, &f.author.public(), f.header.tenant, f.header.case, Some(f.header.revision))
    }

    const SECRET: &[u8] = b"{\"family_name\":\"CANARY-Diallo\"}";

    #[test]
    fn seal_then_open_gives_back_header_and_plaintext() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        assert_eq!(sealed.len(), SECRET.len() + REVISION_OVERHEAD);
        let (header, plaintext) = open_at(&f, &sealed).unwrap();
        assert_eq!(header, f.header);
        assert_eq!(plaintext.as_slice(), SECRET);
        assert_eq!(RevisionHeader::parse(&sealed).unwrap(), f.header);
        assert_eq!(verify_revision(&sealed, &f.author.public()).unwrap(), f.header);
        assert!(!sealed.windows(6).any(|w| w == b"CANARY"));
    }

    #[test]
    fn flipping_any_bit_anywhere_is_refused() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        for bit in 0..sealed.len() * 8 {
            let mut bent = sealed.clone();
            bent[bit / 8] ^= 1 << (bit % 8);
            assert!(open_at(&f, &bent).is_err(), "bit {bit} was accepted");
            assert!(verify_revision(&bent, &f.author.public()).is_err(), "bit {bit} verified");
        }
    }

    #[test]
    fn only_the_authors_key_verifies_it() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        let stranger = IdentityKeys::generate().public();
        assert_eq!(verify_revision(&sealed, &stranger), Err(CryptoError::BadSignature));
        let result = open_revision(&sealed, &f.case_key, &stranger, f.header.tenant, f.header.case, None);
        assert_eq!(result.err(), Some(CryptoError::BadSignature));
    }

    #[test]
    fn a_revision_resigned_by_someone_else_with_their_name_does_not_open() {
        // Whoever holds no case key cannot claim a revision: the author is sealed in.
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        let mallory = IdentityKeys::generate();
        let mut forged = sealed[..sealed.len() - SIGNATURE_LEN].to_vec();
        forged[69..85].copy_from_slice(UserId::random().as_bytes());
        let signature = mallory.sign(Purpose::Revision, &forged);
        forged.extend_from_slice(&signature.0);
        assert!(verify_revision(&forged, &mallory.public()).is_ok());
        let opened = open_revision(&forged, &f.case_key, &mallory.public(), f.header.tenant, f.header.case, None);
        assert_eq!(opened.err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn a_revision_opens_only_where_it_belongs_and_with_its_key() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        let author = f.author.public();
        let (t, c) = (f.header.tenant, f.header.case);
        let other_tenant = open_revision(&sealed, &f.case_key, &author, TenantId::random(), c, None);
        assert_eq!(other_tenant.err(), Some(CryptoError::Misplaced("organisation")));
        let other_case = open_revision(&sealed, &f.case_key, &author, t, CaseId::random(), None);
        assert_eq!(other_case.err(), Some(CryptoError::Misplaced("case")));
        let other_revision = open_revision(&sealed, &f.case_key, &author, t, c, Some(4));
        assert_eq!(other_revision.err(), Some(CryptoError::Misplaced("revision")));
        let other_key = open_revision(&sealed, &SecretKey::random(), &author, t, c, None);
        assert_eq!(other_key.err(), Some(CryptoError::Authentication));
        assert!(open_revision(&sealed, &f.case_key, &author, t, c, Some(3)).is_ok());
    }

    #[test]
    fn headers_that_do_not_parse_say_why() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, b"");
        assert_eq!(sealed.len(), REVISION_OVERHEAD);
        assert_eq!(RevisionHeader::parse(&sealed[..REVISION_OVERHEAD - 1]), Err(CryptoError::Truncated(188)));
        let mut magic = sealed.clone();
        magic[0] = b'X';
        assert_eq!(RevisionHeader::parse(&magic), Err(CryptoError::BadMagic));
        let mut version = sealed.clone();
        version[4] = 9;
        assert_eq!(RevisionHeader::parse(&version), Err(CryptoError::UnsupportedVersion(9)));
        let mut parent = sealed.clone();
        parent[52] ^= 1; // parent 2 → 3 == revision
        assert!(matches!(RevisionHeader::parse(&parent), Err(CryptoError::BadRevision { .. })));
        let zero = RevisionHeader { revision: 0, parent: 0, ..f.header }.to_bytes();
        let mut first = sealed;
        first[..REVISION_HEADER_LEN].copy_from_slice(&zero);
        assert!(matches!(RevisionHeader::parse(&first), Err(CryptoError::BadRevision { revision: 0, parent: 0 })));
    }

    #[test]
    fn a_signature_made_for_another_purpose_over_the_same_bytes_does_not_count() {
        let f = fixture();
        let sealed = seal_revision(&f.header, &f.case_key, &f.author, SECRET);
        let signed = &sealed[..sealed.len() - SIGNATURE_LEN];
        for purpose in [Purpose::Grant, Purpose::MembershipEntry, Purpose::Escrow, Purpose::Recovery] {
            let mut other = signed.to_vec();
            other.extend_from_slice(&f.author.sign(purpose, signed).0);
            assert_eq!(verify_revision(&other, &f.author.public()), Err(CryptoError::BadSignature), "{purpose:?}");
        }
    }

    #[test]
    #[should_panic(expected = "revision")]
    fn sealing_with_inconsistent_revision_numbers_is_a_bug() {
        let f = fixture();
        seal_revision(&RevisionHeader { parent: 3, ..f.header }, &f.case_key, &f.author, SECRET);
    }

    proptest! {
        #[test]
        fn any_plaintext_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let f = fixture();
            let sealed = seal_revision(&f.header, &f.case_key, &f.author, &plaintext);
            let (_, opened) = open_at(&f, &sealed).unwrap();
            prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
        }

        #[test]
        fn garbage_never_parses_into_a_revision_that_verifies(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let f = fixture();
            prop_assert!(verify_revision(&bytes, &f.author.public()).is_err());
        }
    }
}
