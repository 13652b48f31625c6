//! The envelope of one case revision:
//!
//! ```text
//! offset  len  field
//!      0    4  magic "PNTE"
//!      4    1  format version
//!      5   16  tenant id
//!     21   16  case id
//!     37    8  revision (big endian, ≥ 1)
//!     45    8  parent revision (big endian, < revision; 0 = none)
//!     53   16  key id (names the case key)
//!     69   72  case key wrapped by the account key (AAD: tenant, case, key id)
//!    141   24  nonce
//!    165    …  XChaCha20-Poly1305 ciphertext and tag (AAD: bytes 0..141)
//! ```
//! The first 69 bytes are the clear header the server checks against the path and the
//! session. Because they are authenticated, a blob moved to another tenant, case or
//! revision, or with any bit changed, does not open.

use super::wrap::{cipher, random_nonce, unwrap, wrap, WRAPPED_KEY_LEN};
use super::{CryptoError, SecretKey};
use crate::ids::{CaseId, KeyId, TenantId};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::XNonce;
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"PNTE";
pub const FORMAT_VERSION: u8 = 1;
pub const HEADER_LEN: usize = 69;
const AAD_LEN: usize = HEADER_LEN + WRAPPED_KEY_LEN;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Bytes an envelope adds to its plaintext.
pub const ENVELOPE_OVERHEAD: usize = AAD_LEN + NONCE_LEN + TAG_LEN;

/// The clear part of an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvelopeHeader {
    pub tenant: TenantId,
    pub case: CaseId,
    pub revision: u64,
    pub parent: u64,
    pub key_id: KeyId,
}

impl EnvelopeHeader {
    /// Reads and checks the header without any key (what the server does).
    pub fn parse(envelope: &[u8]) -> Result<Self, CryptoError> {
        if envelope.len() < ENVELOPE_OVERHEAD {
            return Err(CryptoError::Truncated(envelope.len()));
        }
        if &envelope[0..4] != MAGIC {
            return Err(CryptoError::BadMagic);
        }
        if envelope[4] != FORMAT_VERSION {
            return Err(CryptoError::UnsupportedVersion(envelope[4]));
        }
        let uuid = |at: usize| -> [u8; 16] { envelope[at..at + 16].try_into().expect("16 bytes") };
        let number = |at: usize| u64::from_be_bytes(envelope[at..at + 8].try_into().expect("8 bytes"));
        let header = Self {
            tenant: TenantId::from_bytes(uuid(5)),
            case: CaseId::from_bytes(uuid(21)),
            revision: number(37),
            parent: number(45),
            key_id: KeyId::from_bytes(uuid(53)),
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

    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..4].copy_from_slice(MAGIC);
        out[4] = FORMAT_VERSION;
        out[5..21].copy_from_slice(self.tenant.as_bytes());
        out[21..37].copy_from_slice(self.case.as_bytes());
        out[37..45].copy_from_slice(&self.revision.to_be_bytes());
        out[45..53].copy_from_slice(&self.parent.to_be_bytes());
        out[53..69].copy_from_slice(self.key_id.as_bytes());
        out
    }

    fn case_key_aad(&self) -> Vec<u8> {
        [b"puente/case-key/v1".as_slice(), self.tenant.as_bytes(), self.case.as_bytes(), self.key_id.as_bytes()]
            .concat()
    }
}

/// Seals `plaintext` as the revision described by `header`, under `case_key`, which
/// travels wrapped by `account_key`.
///
/// # Panics
/// If the header's revision numbers are inconsistent (a caller bug).
pub fn seal(header: &EnvelopeHeader, case_key: &SecretKey, account_key: &SecretKey, plaintext: &[u8]) -> Vec<u8> {
    header.check().expect("revision ≥ 1 and parent < revision");
    let mut out = Vec::with_capacity(ENVELOPE_OVERHEAD + plaintext.len());
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(&wrap(account_key, case_key, &header.case_key_aad()));
    let nonce = random_nonce();
    out.extend_from_slice(&nonce);
    let ciphertext = cipher(case_key)
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &out[..AAD_LEN] })
        .expect("sealing in memory cannot fail");
    out.extend_from_slice(&ciphertext);
    out
}

/// An opened envelope: its header, the case key (to seal the next revision with) and the
/// plaintext, wiped when dropped.
pub struct Opened {
    pub header: EnvelopeHeader,
    pub case_key: SecretKey,
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// Opens an envelope found where `tenant`/`case`/`revision` say it belongs.
pub fn open(
    envelope: &[u8],
    account_key: &SecretKey,
    tenant: TenantId,
    case: CaseId,
    revision: Option<u64>,
) -> Result<Opened, CryptoError> {
    let header = EnvelopeHeader::parse(envelope)?;
    if header.tenant != tenant {
        return Err(CryptoError::Misplaced("organisation"));
    }
    if header.case != case {
        return Err(CryptoError::Misplaced("case"));
    }
    if revision.is_some_and(|r| r != header.revision) {
        return Err(CryptoError::Misplaced("revision"));
    }
    let case_key = unwrap(account_key, &envelope[HEADER_LEN..AAD_LEN], &header.case_key_aad())?;
    let (nonce, ciphertext) = envelope[AAD_LEN..].split_at(NONCE_LEN);
    let plaintext = cipher(&case_key)
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &envelope[..AAD_LEN] })
        .map_err(|_| CryptoError::Authentication)?;
    Ok(Opened { header, case_key, plaintext: Zeroizing::new(plaintext) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Fixture {
        header: EnvelopeHeader,
        case_key: SecretKey,
        account_key: SecretKey,
    }

    fn fixture() -> Fixture {
        Fixture {
            header: EnvelopeHeader {
                tenant: TenantId::random(),
                case: CaseId::random(),
                revision: 3,
                parent: 2,
                key_id: KeyId::random(),
            },
            case_key: SecretKey::random(),
            account_key: SecretKey::random(),
        }
    }

    fn open_at(f: &Fixture, envelope: &[u8]) -> Result<Opened, CryptoError> {
        open(envelope, &f.account_key, f.header.tenant, f.header.case, Some(f.header.revision))
    }

    const SECRET: &[u8] = b"{\"family_name\":\"CANARY-Diallo\"}";

    #[test]
    fn seal_then_open_returns_plaintext_header_and_case_key() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        assert_eq!(sealed.len(), SECRET.len() + ENVELOPE_OVERHEAD);
        let opened = open_at(&f, &sealed).unwrap();
        assert_eq!(opened.plaintext.as_slice(), SECRET);
        assert_eq!(opened.header, f.header);
        assert_eq!(opened.case_key, f.case_key);
        assert_eq!(EnvelopeHeader::parse(&sealed).unwrap(), f.header);
    }

    #[test]
    fn the_wrapped_case_key_opens_only_for_its_own_organisation_case_and_key_id() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let wrapped = &sealed[HEADER_LEN..AAD_LEN];
        assert_eq!(unwrap(&f.account_key, wrapped, &f.header.case_key_aad()).unwrap(), f.case_key);
        let elsewhere = [
            EnvelopeHeader { tenant: TenantId::random(), ..f.header },
            EnvelopeHeader { case: CaseId::random(), ..f.header },
            EnvelopeHeader { key_id: KeyId::random(), ..f.header },
        ];
        for header in elsewhere {
            assert!(unwrap(&f.account_key, wrapped, &header.case_key_aad()).is_err(), "{header:?}");
        }
        // The revision is not part of it: one case key serves every revision of its case.
        let next = EnvelopeHeader { revision: 4, parent: 3, ..f.header };
        assert_eq!(unwrap(&f.account_key, wrapped, &next.case_key_aad()).unwrap(), f.case_key);
    }

    #[test]
    fn the_smallest_envelope_is_one_of_an_empty_plaintext() {
        let f = fixture();
        let empty = seal(&f.header, &f.case_key, &f.account_key, b"");
        assert_eq!(empty.len(), ENVELOPE_OVERHEAD);
        assert_eq!(EnvelopeHeader::parse(&empty).unwrap(), f.header);
        assert!(open_at(&f, &empty).unwrap().plaintext.is_empty());
    }

    #[test]
    fn ciphertext_does_not_contain_the_plaintext_and_nonces_differ() {
        let f = fixture();
        let a = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let b = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        assert_ne!(a, b);
        assert!(!a.windows(6).any(|w| w == b"CANARY"));
    }

    #[test]
    fn flipping_any_bit_anywhere_is_refused() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        for bit in 0..sealed.len() * 8 {
            let mut tampered = sealed.clone();
            tampered[bit / 8] ^= 1 << (bit % 8);
            let byte = bit / 8;
            let result = open_at(&f, &tampered);
            let expected_field = match byte {
                0..=3 => "magic",
                4 => "version",
                5..=20 => "tenant",
                21..=36 => "case",
                37..=44 => "revision",
                45..=52 => "parent",
                53..=68 => "key id",
                69..=140 => "wrapped key",
                141..=164 => "nonce",
                _ => "ciphertext",
            };
            assert!(result.is_err(), "bit {bit} in the {expected_field} was accepted");
        }
    }

    #[test]
    fn header_tampering_reports_what_is_wrong() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let mut bad_magic = sealed.clone();
        bad_magic[0] = b'X';
        assert_eq!(open_at(&f, &bad_magic).err(), Some(CryptoError::BadMagic));
        let mut bad_version = sealed.clone();
        bad_version[4] = 9;
        assert_eq!(open_at(&f, &bad_version).err(), Some(CryptoError::UnsupportedVersion(9)));
        let mut other_tenant = sealed.clone();
        other_tenant[5] ^= 1;
        assert_eq!(open_at(&f, &other_tenant).err(), Some(CryptoError::Misplaced("organisation")));
        let mut other_case = sealed.clone();
        other_case[21] ^= 1;
        assert_eq!(open_at(&f, &other_case).err(), Some(CryptoError::Misplaced("case")));
        let mut other_revision = sealed.clone();
        other_revision[44] ^= 1; // 3 → 2, still > parent? no: 2 == parent → inconsistent
        assert!(matches!(open_at(&f, &other_revision).err(), Some(CryptoError::BadRevision { .. })));
        let mut parent = sealed.clone();
        parent[52] ^= 1; // parent 2 → 3 == revision
        assert!(matches!(open_at(&f, &parent).err(), Some(CryptoError::BadRevision { .. })));
        let mut key_id = sealed;
        key_id[60] ^= 1;
        assert_eq!(open_at(&f, &key_id).err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn a_rewritten_header_that_matches_a_new_location_still_fails_to_open() {
        // An attacker moves a blob and rewrites its header to match: the AEAD catches it.
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let moves = [
            EnvelopeHeader { tenant: TenantId::random(), ..f.header },
            EnvelopeHeader { case: CaseId::random(), ..f.header },
            EnvelopeHeader { revision: 7, ..f.header },
            EnvelopeHeader { parent: 1, ..f.header },
        ];
        for moved in moves {
            let mut forged = sealed.clone();
            forged[..HEADER_LEN].copy_from_slice(&moved.to_bytes());
            let result = open(&forged, &f.account_key, moved.tenant, moved.case, Some(moved.revision));
            assert_eq!(result.err(), Some(CryptoError::Authentication), "{moved:?}");
        }
    }

    #[test]
    fn swapping_the_wrapped_key_or_body_between_cases_fails() {
        let f = fixture();
        let g = Fixture { header: EnvelopeHeader { case: CaseId::random(), ..f.header }, ..fixture() };
        let g = Fixture { account_key: f.account_key.clone(), ..g };
        let a = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let b = seal(&g.header, &g.case_key, &g.account_key, b"another returnee");
        let mut wrapped_swapped = a.clone();
        wrapped_swapped[HEADER_LEN..AAD_LEN].copy_from_slice(&b[HEADER_LEN..AAD_LEN]);
        assert_eq!(open_at(&f, &wrapped_swapped).err(), Some(CryptoError::Authentication));
        let mut body_swapped = a[..AAD_LEN].to_vec();
        body_swapped.extend_from_slice(&b[AAD_LEN..]);
        assert_eq!(open_at(&f, &body_swapped).err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn the_wrong_account_key_is_refused() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        let result = open(&sealed, &SecretKey::random(), f.header.tenant, f.header.case, None);
        assert_eq!(result.err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn truncated_and_empty_input_is_refused() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        assert_eq!(open_at(&f, &[]).err(), Some(CryptoError::Truncated(0)));
        assert_eq!(
            open_at(&f, &sealed[..ENVELOPE_OVERHEAD - 1]).err(),
            Some(CryptoError::Truncated(ENVELOPE_OVERHEAD - 1))
        );
        assert_eq!(open_at(&f, &sealed[..sealed.len() - 1]).err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn revision_zero_and_parent_not_below_revision_are_malformed() {
        let f = fixture();
        let sealed = seal(&f.header, &f.case_key, &f.account_key, SECRET);
        for (revision, parent) in [(0u64, 0u64), (5, 5), (5, 9)] {
            let mut bad = sealed.clone();
            bad[37..45].copy_from_slice(&revision.to_be_bytes());
            bad[45..53].copy_from_slice(&parent.to_be_bytes());
            assert_eq!(EnvelopeHeader::parse(&bad), Err(CryptoError::BadRevision { revision, parent }));
        }
    }

    proptest! {
        #[test]
        fn round_trip_any_plaintext_and_revision(plaintext in proptest::collection::vec(any::<u8>(), 0..2048), revision in 1u64..u64::MAX) {
            let f = fixture();
            let header = EnvelopeHeader { revision, parent: revision - 1, ..f.header };
            let sealed = seal(&header, &f.case_key, &f.account_key, &plaintext);
            let opened = open(&sealed, &f.account_key, header.tenant, header.case, Some(revision)).unwrap();
            prop_assert_eq!(opened.plaintext.as_slice(), plaintext.as_slice());
            prop_assert_eq!(opened.header, header);
        }

        #[test]
        fn header_parse_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = EnvelopeHeader::parse(&bytes);
        }
    }
}
