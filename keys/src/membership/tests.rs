use super::*;
use crate::crypto::IdentityKeys;
use proptest::prelude::*;

/// A person with keys, who may sign entries if the log makes them an administrator.
struct Person {
    user: UserId,
    keys: IdentityKeys,
}

impl Person {
    fn new() -> Self {
        Self { user: UserId::random(), keys: IdentityKeys::generate() }
    }

    fn card(&self, role: Role) -> MemberCard {
        MemberCard { user: self.user, role, teams: vec![], supervises: vec![], keys: self.keys.public() }
    }
}

/// A founded organisation with its log and founder.
struct Log {
    entries: Vec<SignedEntry>,
    org: Organisation,
}

impl Log {
    fn found(founder: &Person) -> Self {
        let genesis = Organisation::founding_entry(
            TenantId::random(),
            "Casa del Retorno",
            founder.user,
            &founder.keys,
            [9; 32],
            1,
        );
        let org = Organisation::found(&genesis.digest(), &genesis).unwrap();
        Self { entries: vec![genesis], org }
    }

    fn root(&self) -> Digest {
        self.entries[0].digest()
    }

    /// Signs `change` as `by` and applies it.
    fn push(&mut self, by: &Person, change: Change) -> Result<(), Refusal> {
        let entry = Entry { org: self.org.id, seq: self.org.seq + 1, prev: self.org.head, at: 2, change };
        let signed = SignedEntry::sign(&entry, by.user, &by.keys);
        let before = self.org.clone();
        match self.org.apply(&signed) {
            Ok(()) => {
                self.entries.push(signed);
                Ok(())
            }
            Err(e) => {
                assert_eq!(self.org, before, "a refused entry changes nothing");
                assert_eq!(e.seq, before.seq + 1);
                Err(e.refusal)
            }
        }
    }

    fn add(&mut self, by: &Person, who: &Person, role: Role) {
        self.push(by, Change::MemberAdded { member: who.card(role) }).unwrap();
    }

    fn team(&mut self, by: &Person, country: &str) -> TeamId {
        let id = TeamId::random();
        let team = Team { id, name: format!("Office {country}"), country: Country::parse(country).unwrap() };
        self.push(by, Change::TeamAdded { team }).unwrap();
        id
    }
}

#[test]
fn the_founder_is_the_first_administrator_and_the_root_is_the_first_entry() {
    let founder = Person::new();
    let log = Log::found(&founder);
    let org = Organisation::verify(&log.root(), &log.entries).unwrap();
    assert_eq!(org.name, "Casa del Retorno");
    assert_eq!(org.recovery, [9; 32]);
    assert_eq!(org.seq, 0);
    assert_eq!(org.head, log.root());
    assert_eq!(org.administrators().map(|m| m.card.user).collect::<Vec<_>>(), vec![founder.user]);
    assert_eq!(org.keys_of(founder.user), Some(founder.keys.public()));
    // Another root (a log the server made up from scratch) is refused.
    let other = Log::found(&Person::new());
    assert_eq!(
        Organisation::verify(&log.root(), &other.entries).unwrap_err(),
        LogError { seq: 0, refusal: Refusal::WrongRoot }
    );
    assert_eq!(Organisation::verify(&log.root(), &[]).unwrap_err().refusal, Refusal::Malformed);
}

#[test]
fn a_founding_entry_must_be_signed_by_its_founder_as_administrator() {
    let founder = Person::new();
    let forger = Person::new();
    let tenant = TenantId::random();
    let card = founder.card(Role::Administrator);
    let found = |change: Change, seq: u64, prev: Digest, signer: &Person| {
        let entry = Entry { org: tenant, seq, prev, at: 0, change };
        let signed = SignedEntry::sign(&entry, signer.user, &signer.keys);
        Organisation::found(&signed.digest(), &signed).map(|_| ()).map_err(|e| e.refusal)
    };
    let founded =
        |card: MemberCard, name: &str| Change::Founded { name: name.into(), founder: card, recovery: [1; 32] };
    assert_eq!(found(founded(card.clone(), "Org"), 0, Digest::NONE, &founder), Ok(()));
    // The founder's keys are checked like anyone's, and the recovery key is not one of them.
    let mut bent_keys = card.clone();
    bent_keys.keys.agreement = bent_keys.keys.signing;
    assert_eq!(found(founded(bent_keys, "Org"), 0, Digest::NONE, &founder), Err(Refusal::BadKeys));
    let recovery_is_mine = Change::Founded { name: "Org".into(), founder: card.clone(), recovery: card.keys.agreement };
    assert_eq!(found(recovery_is_mine, 0, Digest::NONE, &founder), Err(Refusal::KeysInUse));
    // Signed by someone else, even naming themselves as signer.
    assert_eq!(found(founded(card.clone(), "Org"), 0, Digest::NONE, &forger), Err(Refusal::BadFounding));
    let mut forged = founded(card.clone(), "Org");
    if let Change::Founded { founder: f, .. } = &mut forged {
        f.user = forger.user;
    }
    assert_eq!(found(forged, 0, Digest::NONE, &forger), Err(Refusal::BadSignature));
    assert_eq!(
        found(founded(founder.card(Role::Supervisor), "Org"), 0, Digest::NONE, &founder),
        Err(Refusal::BadFounding)
    );
    assert_eq!(found(founded(card.clone(), "Org"), 1, Digest::NONE, &founder), Err(Refusal::OutOfOrder));
    assert_eq!(found(founded(card.clone(), "Org"), 0, Digest([1; 32]), &founder), Err(Refusal::OutOfOrder));
    assert_eq!(found(founded(card.clone(), ""), 0, Digest::NONE, &founder), Err(Refusal::BadName));
    assert_eq!(found(founded(card.clone(), " Org"), 0, Digest::NONE, &founder), Err(Refusal::BadName));
    let mut with_team = card.clone();
    with_team.teams.push(TeamId::random());
    assert_eq!(found(founded(with_team, "Org"), 0, Digest::NONE, &founder), Err(Refusal::UnknownTeam));
    let mut supervising = card.clone();
    supervising.supervises.push(TeamId::random());
    assert_eq!(found(founded(supervising, "Org"), 0, Digest::NONE, &founder), Err(Refusal::UnknownTeam));
    assert_eq!(found(Change::MemberAdded { member: card }, 0, Digest::NONE, &founder), Err(Refusal::BadFounding));
}

#[test]
fn only_a_current_administrator_signs_and_the_server_cannot_add_anyone() {
    let admin = Person::new();
    let mut log = Log::found(&admin);
    let case_manager = Person::new();
    log.add(&admin, &case_manager, Role::CaseManager);
    // A case manager cannot add a colleague, nor make themselves administrator.
    let stranger = Person::new();
    assert_eq!(
        log.push(&case_manager, Change::MemberAdded { member: stranger.card(Role::CaseManager) }),
        Err(Refusal::NotAnAdministrator)
    );
    assert_eq!(
        log.push(&case_manager, Change::RoleChanged { user: case_manager.user, role: Role::Administrator }),
        Err(Refusal::NotAnAdministrator)
    );
    // Someone the log does not know (the server, with a key it invented) cannot either.
    assert_eq!(
        log.push(&stranger, Change::MemberAdded { member: stranger.card(Role::Administrator) }),
        Err(Refusal::NotAnAdministrator)
    );
    // Naming the administrator as signer does not help without the administrator's key.
    let entry = Entry {
        org: log.org.id,
        seq: 2,
        prev: log.org.head,
        at: 0,
        change: Change::MemberAdded { member: stranger.card(Role::Administrator) },
    };
    let forged = SignedEntry::sign(&entry, admin.user, &stranger.keys);
    assert_eq!(log.org.apply(&forged).unwrap_err().refusal, Refusal::BadSignature);
    // A second administrator can sign; once removed, no longer.
    let deputy = Person::new();
    log.add(&admin, &deputy, Role::Administrator);
    let supervisor = Person::new();
    log.add(&deputy, &supervisor, Role::Supervisor);
    log.push(&admin, Change::MemberRemoved { user: deputy.user }).unwrap();
    assert_eq!(
        log.push(&deputy, Change::MemberAdded { member: stranger.card(Role::CaseManager) }),
        Err(Refusal::NotAnAdministrator)
    );
    // A demoted administrator cannot sign either.
    let other_admin = Person::new();
    log.add(&admin, &other_admin, Role::Administrator);
    log.push(&admin, Change::RoleChanged { user: other_admin.user, role: Role::CaseManager }).unwrap();
    assert_eq!(
        log.push(&other_admin, Change::MemberAdded { member: stranger.card(Role::CaseManager) }),
        Err(Refusal::NotAnAdministrator)
    );
    assert!(Organisation::verify(&log.root(), &log.entries).is_ok());
}

#[test]
fn each_entry_must_be_the_next_one_of_this_organisation() {
    let admin = Person::new();
    let mut log = Log::found(&admin);
    let member = Person::new().card(Role::CaseManager);
    let sign = |org: TenantId, seq: u64, prev: Digest| {
        let change = Change::MemberAdded { member: member.clone() };
        SignedEntry::sign(&Entry { org, seq, prev, at: 0, change }, admin.user, &admin.keys)
    };
    let (id, head) = (log.org.id, log.org.head);
    let refusal = |org: &mut Organisation, signed: &SignedEntry| org.apply(signed).unwrap_err().refusal;
    assert_eq!(refusal(&mut log.org, &sign(TenantId::random(), 1, head)), Refusal::WrongOrganisation);
    assert_eq!(refusal(&mut log.org, &sign(id, 2, head)), Refusal::OutOfOrder);
    assert_eq!(refusal(&mut log.org, &sign(id, 0, head)), Refusal::OutOfOrder);
    assert_eq!(refusal(&mut log.org, &sign(id, 1, Digest([7; 32]))), Refusal::BrokenChain);
    let good = sign(id, 1, head);
    log.org.apply(&good).unwrap();
    assert_eq!(log.org.seq, 1);
    assert_eq!(log.org.head, good.digest());
    // The same entry again is not the next one.
    assert_eq!(refusal(&mut log.org, &good), Refusal::OutOfOrder);
    // A field this version does not know makes the entry unreadable, not half-read.
    let mut extended = serde_json::to_value(good.entry().unwrap()).unwrap();
    extended["expires"] = serde_json::json!(5);
    let extended = SignedEntry { body: serde_json::to_vec(&extended).unwrap(), ..good.clone() };
    assert_eq!(extended.entry(), Err(Refusal::Malformed));
    let mut in_change = serde_json::to_value(good.entry().unwrap()).unwrap();
    in_change["change"]["member"]["expires"] = serde_json::json!(5);
    assert_eq!(
        SignedEntry { body: serde_json::to_vec(&in_change).unwrap(), ..good.clone() }.entry(),
        Err(Refusal::Malformed)
    );
    let mut in_variant = serde_json::to_value(good.entry().unwrap()).unwrap();
    in_variant["change"]["note"] = serde_json::json!("x");
    assert_eq!(
        SignedEntry { body: serde_json::to_vec(&in_variant).unwrap(), ..good.clone() }.entry(),
        Err(Refusal::Malformed)
    );
    let garbage = SignedEntry { body: b"{".to_vec(), signer: admin.user, signature: good.signature };
    assert_eq!(refusal(&mut log.org, &garbage), Refusal::Malformed);
    let huge = SignedEntry { body: vec![b' '; MAX_ENTRY_BYTES + 1], ..good.clone() };
    assert_eq!(huge.entry(), Err(Refusal::Malformed));
    let mut at_limit = serde_json::to_vec(&good.entry().unwrap()).unwrap();
    at_limit.resize(MAX_ENTRY_BYTES, b' ');
    assert!(SignedEntry { body: at_limit, ..good }.entry().is_ok());
}

#[test]
fn members_teams_and_roles_follow_the_rules() {
    let admin = Person::new();
    let mut log = Log::found(&admin);
    let origin = log.team(&admin, "GT");
    let host = log.team(&admin, "MX");
    let duplicate = Team { id: origin, name: "Again".into(), country: Country::parse("GT").unwrap() };
    assert_eq!(log.push(&admin, Change::TeamAdded { team: duplicate }), Err(Refusal::TeamExists));
    let long =
        Team { id: TeamId::random(), name: "x".repeat(NAME_MAX_CHARS + 1), country: Country::parse("GT").unwrap() };
    assert_eq!(log.push(&admin, Change::TeamAdded { team: long }), Err(Refusal::BadName));
    let longest =
        Team { id: TeamId::random(), name: "é".repeat(NAME_MAX_CHARS), country: Country::parse("GT").unwrap() };
    assert_eq!(log.push(&admin, Change::TeamAdded { team: longest }), Ok(()));

    let ana = Person::new();
    let mut card = ana.card(Role::CaseManager);
    card.teams = vec![host, origin, host];
    log.push(&admin, Change::MemberAdded { member: card.clone() }).unwrap();
    let mut sorted = vec![host, origin];
    sorted.sort();
    assert_eq!(log.org.member(ana.user).unwrap().card.teams, sorted, "teams are kept once each");
    assert_eq!(log.org.member(ana.user).unwrap().added_at, log.org.seq);
    // Nobody is added twice, nor with keys someone else holds.
    assert_eq!(log.push(&admin, Change::MemberAdded { member: card.clone() }), Err(Refusal::AlreadyMember));
    let mut copycat = Person::new().card(Role::CaseManager);
    copycat.keys.signing = ana.keys.public().signing;
    assert_eq!(log.push(&admin, Change::MemberAdded { member: copycat.clone() }), Err(Refusal::KeysInUse));
    copycat.keys = PublicIdentity { agreement: ana.keys.public().agreement, ..Person::new().keys.public() };
    assert_eq!(log.push(&admin, Change::MemberAdded { member: copycat.clone() }), Err(Refusal::KeysInUse));
    let fresh = Person::new().keys.public();
    copycat.keys = PublicIdentity { agreement: fresh.signing, ..fresh };
    assert_eq!(log.push(&admin, Change::MemberAdded { member: copycat.clone() }), Err(Refusal::BadKeys));
    // Nor the organisation's recovery key.
    copycat.keys = PublicIdentity { agreement: log.org.recovery, ..fresh };
    assert_eq!(log.push(&admin, Change::MemberAdded { member: copycat }), Err(Refusal::KeysInUse));

    // Only a supervisor supervises, and only teams that exist.
    let bea = Person::new();
    let mut supervising = bea.card(Role::CaseManager);
    supervising.supervises = vec![host];
    assert_eq!(log.push(&admin, Change::MemberAdded { member: supervising.clone() }), Err(Refusal::NotASupervisor));
    supervising.role = Role::Supervisor;
    supervising.supervises = vec![TeamId::random()];
    assert_eq!(log.push(&admin, Change::MemberAdded { member: supervising.clone() }), Err(Refusal::UnknownTeam));
    supervising.supervises = vec![host];
    log.push(&admin, Change::MemberAdded { member: supervising }).unwrap();
    assert_eq!(log.org.supervisors_of(host).map(|m| m.card.user).collect::<Vec<_>>(), vec![bea.user]);
    assert_eq!(log.org.supervisors_of(origin).count(), 0);

    // Team changes.
    let change = |user, teams: Vec<TeamId>, supervises: Vec<TeamId>| Change::TeamsChanged { user, teams, supervises };
    assert_eq!(log.push(&admin, change(ana.user, vec![], vec![origin])), Err(Refusal::NotASupervisor));
    assert_eq!(log.push(&admin, change(ana.user, vec![TeamId::random()], vec![])), Err(Refusal::UnknownTeam));
    assert_eq!(log.push(&admin, change(UserId::random(), vec![], vec![])), Err(Refusal::NotMember));
    assert_eq!(
        log.push(&admin, change(ana.user, vec![origin; MAX_TEAMS_PER_MEMBER + 1], vec![])),
        Err(Refusal::TooManyTeams)
    );
    assert_eq!(
        log.push(&admin, change(bea.user, vec![], vec![origin; MAX_TEAMS_PER_MEMBER + 1])),
        Err(Refusal::TooManyTeams)
    );
    log.push(&admin, change(ana.user, vec![origin; MAX_TEAMS_PER_MEMBER], vec![])).unwrap();
    log.push(&admin, change(bea.user, vec![], vec![host; MAX_TEAMS_PER_MEMBER])).unwrap();
    assert_eq!(log.org.member(ana.user).unwrap().card.teams, vec![origin]);
    log.push(&admin, change(bea.user, vec![host], vec![origin, host, origin])).unwrap();
    assert_eq!(log.org.member(bea.user).unwrap().card.supervises, sorted);

    // A supervisor who becomes a case manager no longer supervises.
    log.push(&admin, Change::RoleChanged { user: bea.user, role: Role::CaseManager }).unwrap();
    assert!(log.org.member(bea.user).unwrap().card.supervises.is_empty());
    assert_eq!(log.org.member(bea.user).unwrap().card.teams, vec![host]);
    log.push(&admin, Change::RoleChanged { user: bea.user, role: Role::Supervisor }).unwrap();
    log.push(&admin, change(bea.user, vec![], vec![host])).unwrap();
    log.push(&admin, Change::RoleChanged { user: bea.user, role: Role::Supervisor }).unwrap();
    assert_eq!(log.org.member(bea.user).unwrap().card.supervises, vec![host], "a role kept keeps its teams");
    assert_eq!(
        log.push(&admin, Change::RoleChanged { user: UserId::random(), role: Role::Supervisor }),
        Err(Refusal::NotMember)
    );

    // Removed members are gone for good.
    log.push(&admin, Change::MemberRemoved { user: ana.user }).unwrap();
    assert!(log.org.member(ana.user).is_none());
    assert!(log.org.keys_of(ana.user).is_none());
    assert!(log.org.was_removed(ana.user));
    assert!(!log.org.was_removed(bea.user));
    assert!(!log.org.was_removed(UserId::random()));
    // What a removed member signed while a member still names their keys; nothing else does.
    assert_eq!(log.org.keys_of(ana.user), None);
    assert_eq!(log.org.keys_ever_of(ana.user), Some(ana.keys.public()));
    assert_eq!(log.org.keys_ever_of(bea.user), log.org.keys_of(bea.user));
    assert_eq!(log.org.keys_ever_of(UserId::random()), None);
    assert_eq!(log.push(&admin, Change::MemberRemoved { user: ana.user }), Err(Refusal::NotMember));
    assert_eq!(
        log.push(&admin, Change::MemberAdded { member: ana.card(Role::CaseManager) }),
        Err(Refusal::AlreadyMember)
    );
    let mut new_account_old_keys = Person::new().card(Role::CaseManager);
    new_account_old_keys.keys = ana.keys.public();
    assert_eq!(log.push(&admin, Change::MemberAdded { member: new_account_old_keys }), Err(Refusal::KeysInUse));
    assert_eq!(
        log.push(
            &admin,
            Change::Founded { name: "Again".into(), founder: ana.card(Role::Administrator), recovery: [0; 32] }
        ),
        Err(Refusal::NotFirst)
    );

    let replayed = Organisation::verify(&log.root(), &log.entries).unwrap();
    assert_eq!(replayed, log.org);
    assert_eq!(replayed.teams().count(), 3);
    assert_eq!(replayed.team(origin).unwrap().country.as_str(), "GT");
    assert!(replayed.team(TeamId::random()).is_none());
    assert_eq!(replayed.members().count(), 2);
}

#[test]
fn the_organisation_always_keeps_an_administrator() {
    let admin = Person::new();
    let mut log = Log::found(&admin);
    assert_eq!(log.push(&admin, Change::MemberRemoved { user: admin.user }), Err(Refusal::LastAdministrator));
    assert_eq!(
        log.push(&admin, Change::RoleChanged { user: admin.user, role: Role::Supervisor }),
        Err(Refusal::LastAdministrator)
    );
    // Staying administrator is no loss.
    log.push(&admin, Change::RoleChanged { user: admin.user, role: Role::Administrator }).unwrap();
    let deputy = Person::new();
    log.add(&admin, &deputy, Role::Administrator);
    // With a second administrator, either may step down, but not both.
    log.push(&admin, Change::RoleChanged { user: admin.user, role: Role::CaseManager }).unwrap();
    assert_eq!(log.push(&deputy, Change::MemberRemoved { user: deputy.user }), Err(Refusal::LastAdministrator));
    log.push(&deputy, Change::MemberRemoved { user: admin.user }).unwrap();
    assert_eq!(log.org.administrators().count(), 1);
}

#[test]
fn codes_are_stable_and_distinct() {
    let codes: std::collections::BTreeSet<_> = Refusal::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), Refusal::ALL.len());
    assert_eq!(Refusal::LastAdministrator.code(), "last_administrator");
    let roles: std::collections::BTreeSet<_> = Role::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(roles.len(), Role::ALL.len());
    for role in Role::ALL {
        assert_eq!(serde_json::to_value(role).unwrap(), role.code(), "the wire name is the code");
        assert_eq!(role.supervises(), role == Role::Supervisor);
    }
    assert_eq!(
        LogError { seq: 4, refusal: Refusal::BrokenChain }.to_string(),
        "membership entry 4: the entry does not follow the one before it"
    );
}

#[test]
fn countries_are_two_capital_letters() {
    assert_eq!(Country::parse("GT").unwrap().as_str(), "GT");
    for bad in ["gt", "G", "GTM", "", "G1", "ÉT"] {
        assert_eq!(Country::parse(bad), Err(Refusal::BadCountry), "{bad}");
    }
    assert!(serde_json::from_str::<Country>("\"mx\"").is_err());
    assert_eq!(serde_json::to_string(&Country::parse("MX").unwrap()).unwrap(), "\"MX\"");
}

#[test]
fn a_root_travels_as_text() {
    let log = Log::found(&Person::new());
    let root = log.root();
    assert_eq!(Digest::parse(&root.encode()), Ok(root));
    assert_eq!(root.encode().len(), 43);
    assert_eq!(Digest::parse("not base64!"), Err(Refusal::Malformed));
    assert_eq!(Digest::parse(&root.encode()[..42]), Err(Refusal::Malformed));
}

#[test]
fn next_entry_builds_on_the_head_and_checks_the_change() {
    let admin = Person::new();
    let log = Log::found(&admin);
    let entry = log.org.next_entry(Change::MemberAdded { member: Person::new().card(Role::MeOfficer) }, 5).unwrap();
    assert_eq!((entry.org, entry.seq, entry.prev, entry.at), (log.org.id, 1, log.org.head, 5));
    assert_eq!(
        log.org.next_entry(Change::MemberRemoved { user: admin.user }, 5).unwrap_err(),
        Refusal::LastAdministrator
    );
}

/// One step of a random administration history.
#[derive(Clone, Debug)]
enum Op {
    AddTeam,
    Add {
        role: usize,
        team: usize,
    },
    SetRole {
        member: usize,
        role: usize,
    },
    SetTeams {
        member: usize,
        team: usize,
        supervise: bool,
    },
    Remove {
        member: usize,
    },
    /// Signed by a member chosen at random (an administrator or not).
    SignedBy {
        member: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::AddTeam),
        3 => (0..6usize, 0..4usize).prop_map(|(role, team)| Op::Add { role, team }),
        2 => (0..8usize, 0..6usize).prop_map(|(member, role)| Op::SetRole { member, role }),
        2 => (0..8usize, 0..4usize, any::<bool>()).prop_map(|(member, team, supervise)| Op::SetTeams { member, team, supervise }),
        1 => (0..8usize).prop_map(|member| Op::Remove { member }),
        1 => (0..8usize).prop_map(|member| Op::SignedBy { member }),
    ]
}

/// Runs `ops`, each signed by a current administrator (or, for `SignedBy`, by anyone).
fn history(ops: &[Op]) -> (Log, Vec<Person>) {
    let founder = Person::new();
    let mut log = Log::found(&founder);
    let mut people = vec![founder];
    let mut teams: Vec<TeamId> = vec![];
    let mut signer = 0;
    for op in ops {
        let pick = |i: usize| i % people.len();
        let change = match op {
            Op::AddTeam => {
                let id = TeamId::random();
                teams.push(id);
                Change::TeamAdded { team: Team { id, name: "Team".into(), country: Country::parse("SN").unwrap() } }
            }
            Op::Add { role, team } => {
                let person = Person::new();
                let mut card = person.card(Role::ALL[*role]);
                card.teams = teams.get(*team).copied().into_iter().collect();
                people.push(person);
                Change::MemberAdded { member: card }
            }
            Op::SetRole { member, role } => {
                Change::RoleChanged { user: people[pick(*member)].user, role: Role::ALL[*role] }
            }
            Op::SetTeams { member, team, supervise } => {
                let team: Vec<TeamId> = teams.get(*team).copied().into_iter().collect();
                let user = people[pick(*member)].user;
                if *supervise {
                    Change::TeamsChanged { user, teams: vec![], supervises: team }
                } else {
                    Change::TeamsChanged { user, teams: team, supervises: vec![] }
                }
            }
            Op::Remove { member } => Change::MemberRemoved { user: people[pick(*member)].user },
            Op::SignedBy { member } => {
                signer = pick(*member);
                continue;
            }
        };
        let admin = log.org.administrators().next().expect("always one").card.user;
        let by = if signer == usize::MAX { admin } else { people[signer].user };
        signer = usize::MAX;
        let by = people.iter().find(|p| p.user == by).unwrap();
        let _ = log.push(by, change);
    }
    (log, people)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever administrators did, the log replays to the same organisation; it always has
    /// an administrator; every member's keys are the ones they were added with.
    #[test]
    fn any_history_replays_to_the_same_organisation(ops in proptest::collection::vec(op(), 0..40)) {
        let (log, people) = history(&ops);
        let replayed = Organisation::verify(&log.root(), &log.entries).unwrap();
        prop_assert_eq!(&replayed, &log.org);
        prop_assert!(replayed.administrators().count() >= 1);
        for member in replayed.members() {
            let person = people.iter().find(|p| p.user == member.card.user).unwrap();
            prop_assert_eq!(member.card.keys, person.keys.public());
            prop_assert!(member.card.supervises.is_empty() || member.card.role == Role::Supervisor);
        }
        for pair in log.entries.windows(2) {
            prop_assert_eq!(pair[1].entry().unwrap().prev, pair[0].digest());
        }
    }

    /// Any change to a stored log — a flipped bit in any entry, an entry dropped or two
    /// swapped — is refused when a device replays it.
    #[test]
    fn any_tampering_with_a_stored_log_is_refused(
        ops in proptest::collection::vec(op(), 1..20),
        which in any::<proptest::sample::Index>(),
        bit in any::<proptest::sample::Index>(),
        part in 0..3usize,
    ) {
        let (log, _) = history(&ops);
        let root = log.root();
        let i = which.index(log.entries.len());
        let mut bent = log.entries.clone();
        match part {
            0 => { let body = &mut bent[i].body; let b = bit.index(body.len() * 8); body[b / 8] ^= 1 << (b % 8); }
            1 => { let s = &mut bent[i].signature.0; let b = bit.index(512); s[b / 8] ^= 1 << (b % 8); }
            _ => bent[i].signer = UserId::random(),
        }
        prop_assert!(Organisation::verify(&root, &bent).is_err());
        if log.entries.len() > 2 && i + 1 < log.entries.len() {
            let mut dropped = log.entries.clone();
            dropped.remove(i);
            prop_assert!(Organisation::verify(&root, &dropped).is_err());
            let mut swapped = log.entries.clone();
            swapped.swap(i, i + 1);
            prop_assert!(Organisation::verify(&root, &swapped).is_err());
        }
    }
}
