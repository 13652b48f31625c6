//! The organisation as a verified log says it is, and the rules each entry must follow.

use super::{
    Change, Country, Digest, Entry, LogError, MemberCard, Refusal, Role, SignedEntry, Team, MAX_TEAMS_PER_MEMBER,
    NAME_MAX_CHARS,
};
use crate::crypto::{IdentityKeys, PublicIdentity};
use crate::ids::{TeamId, TenantId, UserId};
use std::collections::{BTreeMap, BTreeSet};

/// A current member and the entry that added them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub card: MemberCard,
    /// Sequence number of the entry that added them.
    pub added_at: u64,
}

/// The organisation after replaying a verified log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: TenantId,
    pub name: String,
    /// Digest of the first entry.
    pub root: Digest,
    /// Digest of the last entry applied.
    pub head: Digest,
    /// Sequence number of the last entry applied.
    pub seq: u64,
    /// Public half of the organisation's recovery key.
    pub recovery: [u8; 32],
    members: BTreeMap<UserId, Member>,
    teams: BTreeMap<TeamId, Team>,
    /// Everyone who ever was a member, and every key ever vouched for (the recovery key
    /// included): neither comes back.
    ever_members: BTreeMap<UserId, PublicIdentity>,
    ever_keys: BTreeSet<[u8; 32]>,
}

fn refuse(seq: u64) -> impl Fn(Refusal) -> LogError {
    move |refusal| LogError { seq, refusal }
}

/// Keys vouched for must be usable and never have been anyone's (nor the recovery key).
fn check_new_keys(keys: &PublicIdentity, used: &BTreeSet<[u8; 32]>) -> Result<(), Refusal> {
    keys.check().map_err(|_| Refusal::BadKeys)?;
    if used.contains(&keys.signing) || used.contains(&keys.agreement) {
        return Err(Refusal::KeysInUse);
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), Refusal> {
    let chars = name.trim().chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.trim() != name {
        return Err(Refusal::BadName);
    }
    Ok(())
}

impl Organisation {
    /// Replays `log` from its first entry, which must have the digest `root`.
    pub fn verify(root: &Digest, log: &[SignedEntry]) -> Result<Self, LogError> {
        let (first, rest) = log.split_first().ok_or(LogError { seq: 0, refusal: Refusal::Malformed })?;
        let mut organisation = Self::found(root, first)?;
        for signed in rest {
            organisation.apply(signed)?;
        }
        Ok(organisation)
    }

    /// The organisation its first entry founds, if that entry has the digest `root`.
    pub fn found(root: &Digest, signed: &SignedEntry) -> Result<Self, LogError> {
        let fail = refuse(0);
        if signed.digest() != *root {
            return Err(fail(Refusal::WrongRoot));
        }
        let entry = signed.entry().map_err(&fail)?;
        let Change::Founded { name, founder, recovery } = entry.change else {
            return Err(fail(Refusal::BadFounding));
        };
        if entry.seq != 0 || entry.prev != Digest::NONE {
            return Err(fail(Refusal::OutOfOrder));
        }
        if founder.user != signed.signer || founder.role != Role::Administrator {
            return Err(fail(Refusal::BadFounding));
        }
        signed.verify(&founder.keys).map_err(&fail)?;
        check_name(&name).map_err(&fail)?;
        check_new_keys(&founder.keys, &BTreeSet::from([recovery])).map_err(&fail)?;
        if !founder.teams.is_empty() || !founder.supervises.is_empty() {
            // No team exists before the first entry.
            return Err(fail(Refusal::UnknownTeam));
        }
        let mut organisation = Self {
            id: entry.org,
            name,
            root: *root,
            head: *root,
            seq: 0,
            recovery,
            members: BTreeMap::new(),
            teams: BTreeMap::new(),
            ever_members: BTreeMap::new(),
            ever_keys: BTreeSet::new(),
        };
        organisation.ever_keys.insert(recovery);
        organisation.admit(founder, 0);
        Ok(organisation)
    }

    /// Founds a new organisation: the first entry, signed by `founder`'s keys.
    pub fn founding_entry(
        org: TenantId,
        name: &str,
        founder: UserId,
        keys: &IdentityKeys,
        recovery: [u8; 32],
        at: i64,
    ) -> SignedEntry {
        let card = MemberCard {
            user: founder,
            role: Role::Administrator,
            teams: vec![],
            supervises: vec![],
            keys: keys.public(),
        };
        let entry = Entry {
            org,
            seq: 0,
            prev: Digest::NONE,
            at,
            change: Change::Founded { name: name.to_owned(), founder: card, recovery },
        };
        SignedEntry::sign(&entry, founder, keys)
    }

    /// Applies the next entry of the log, or refuses it and changes nothing.
    pub fn apply(&mut self, signed: &SignedEntry) -> Result<(), LogError> {
        let fail = refuse(self.seq + 1);
        let entry = signed.entry().map_err(&fail)?;
        if entry.org != self.id {
            return Err(fail(Refusal::WrongOrganisation));
        }
        if entry.seq != self.seq + 1 {
            return Err(fail(Refusal::OutOfOrder));
        }
        if entry.prev != self.head {
            return Err(fail(Refusal::BrokenChain));
        }
        let signer = self
            .members
            .get(&signed.signer)
            .filter(|m| m.card.role == Role::Administrator)
            .ok_or(fail(Refusal::NotAnAdministrator))?;
        signed.verify(&signer.card.keys).map_err(&fail)?;
        self.check(&entry.change).map_err(&fail)?;
        self.change(entry.change, entry.seq);
        self.seq = entry.seq;
        self.head = signed.digest();
        Ok(())
    }

    /// The next entry making `change`, to be signed by an administrator; refused when the
    /// change breaks a rule.
    pub fn next_entry(&self, change: Change, at: i64) -> Result<Entry, Refusal> {
        self.check(&change)?;
        Ok(Entry { org: self.id, seq: self.seq + 1, prev: self.head, at, change })
    }

    /// Whether `change` may follow the log as it is.
    pub fn check(&self, change: &Change) -> Result<(), Refusal> {
        match change {
            Change::Founded { .. } => Err(Refusal::NotFirst),
            Change::TeamAdded { team } => {
                check_name(&team.name)?;
                Country::parse(team.country.as_str())?;
                if self.teams.contains_key(&team.id) {
                    return Err(Refusal::TeamExists);
                }
                Ok(())
            }
            Change::MemberAdded { member } => {
                if self.ever_members.contains_key(&member.user) {
                    return Err(Refusal::AlreadyMember);
                }
                check_new_keys(&member.keys, &self.ever_keys)?;
                self.check_teams(member.role, &member.teams, &member.supervises)
            }
            Change::RoleChanged { user, role } => {
                let member = self.current(*user)?;
                if member.card.role == Role::Administrator && *role != Role::Administrator {
                    self.check_admin_remains(*user)?;
                }
                Ok(())
            }
            Change::TeamsChanged { user, teams, supervises } => {
                let member = self.current(*user)?;
                self.check_teams(member.card.role, teams, supervises)
            }
            Change::MemberRemoved { user } => {
                self.current(*user)?;
                self.check_admin_remains(*user)
            }
        }
    }

    fn current(&self, user: UserId) -> Result<&Member, Refusal> {
        self.members.get(&user).ok_or(Refusal::NotMember)
    }

    fn check_admin_remains(&self, leaving: UserId) -> Result<(), Refusal> {
        let others = self.administrators().filter(|m| m.card.user != leaving).count();
        if others == 0 {
            return Err(Refusal::LastAdministrator);
        }
        Ok(())
    }

    fn check_teams(&self, role: Role, teams: &[TeamId], supervises: &[TeamId]) -> Result<(), Refusal> {
        if teams.len() > MAX_TEAMS_PER_MEMBER || supervises.len() > MAX_TEAMS_PER_MEMBER {
            return Err(Refusal::TooManyTeams);
        }
        if !supervises.is_empty() && !role.supervises() {
            return Err(Refusal::NotASupervisor);
        }
        if teams.iter().chain(supervises).any(|t| !self.teams.contains_key(t)) {
            return Err(Refusal::UnknownTeam);
        }
        Ok(())
    }

    fn admit(&mut self, card: MemberCard, seq: u64) {
        self.ever_members.insert(card.user, card.keys);
        self.ever_keys.insert(card.keys.signing);
        self.ever_keys.insert(card.keys.agreement);
        self.members.insert(card.user, Member { card, added_at: seq });
    }

    /// Makes a checked change.
    fn change(&mut self, change: Change, seq: u64) {
        match change {
            Change::Founded { .. } => unreachable!("refused by check"),
            Change::TeamAdded { team } => {
                self.teams.insert(team.id, team);
            }
            Change::MemberAdded { mut member } => {
                dedup(&mut member.teams);
                dedup(&mut member.supervises);
                self.admit(member, seq);
            }
            Change::RoleChanged { user, role } => {
                let card = &mut self.members.get_mut(&user).expect("checked").card;
                card.role = role;
                if !role.supervises() {
                    card.supervises.clear();
                }
            }
            Change::TeamsChanged { user, mut teams, mut supervises } => {
                dedup(&mut teams);
                dedup(&mut supervises);
                let card = &mut self.members.get_mut(&user).expect("checked").card;
                card.teams = teams;
                card.supervises = supervises;
            }
            Change::MemberRemoved { user } => {
                self.members.remove(&user);
            }
        }
    }

    /// A current member.
    pub fn member(&self, user: UserId) -> Option<&Member> {
        self.members.get(&user)
    }

    /// The keys the log vouches for `user`, while they are a member.
    pub fn keys_of(&self, user: UserId) -> Option<PublicIdentity> {
        self.member(user).map(|m| m.card.keys)
    }

    /// Whether `user` was a member and was removed.
    pub fn was_removed(&self, user: UserId) -> bool {
        self.ever_members.contains_key(&user) && !self.members.contains_key(&user)
    }

    /// The keys the log vouched for `user` while they were a member, even if they were
    /// removed since: what they signed then (a revision, a grant) is still theirs.
    pub fn keys_ever_of(&self, user: UserId) -> Option<PublicIdentity> {
        self.ever_members.get(&user).copied()
    }

    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    pub fn administrators(&self) -> impl Iterator<Item = &Member> {
        self.members.values().filter(|m| m.card.role == Role::Administrator)
    }

    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    pub fn team(&self, id: TeamId) -> Option<&Team> {
        self.teams.get(&id)
    }

    /// The members who supervise `team`.
    pub fn supervisors_of(&self, team: TeamId) -> impl Iterator<Item = &Member> {
        self.members.values().filter(move |m| m.card.supervises.contains(&team))
    }
}

fn dedup(teams: &mut Vec<TeamId>) {
    teams.sort();
    teams.dedup();
}
