use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;

type Sync = CaseSync<&'static str>;

fn stored_and_pushed() -> Sync {
    let mut sync = Sync::created();
    sync.stored(1);
    let push = sync.push().unwrap();
    sync.accepted(push);
    sync
}

#[test]
fn a_new_case_is_saving_until_stored_then_waits_for_the_server() {
    let mut sync = Sync::created();
    assert_eq!(sync.badge(false), Badge::Saving);
    assert_eq!(sync.push(), None, "nothing is pushed before it is stored");
    sync.stored(1);
    assert_eq!(sync.badge(false), Badge::Waiting);
    assert_eq!(sync.badge(true), Badge::Offline);
    assert_eq!(sync.push(), Some(Push { revision: 1, edit_seq: 1 }));
}

#[test]
fn an_accepted_push_is_synced_only_if_nothing_was_typed_since_it_was_sealed() {
    let mut sync = Sync::created();
    sync.stored(1);
    let push = sync.push().unwrap();
    sync.edited();
    sync.stored(2);
    sync.accepted(push);
    assert_eq!(sync.base_rev(), 1);
    assert!(sync.is_dirty(), "the edit after sealing is still to push");
    assert_eq!(sync.push(), Some(Push { revision: 2, edit_seq: 2 }));
    sync.accepted(sync.push().unwrap());
    assert_eq!(sync.badge(false), Badge::Synced);
    assert!(sync.push().is_none());
}

#[test]
fn typing_shows_saving_until_the_keystroke_is_stored() {
    let mut sync = stored_and_pushed();
    assert_eq!(sync.badge(false), Badge::Synced);
    sync.edited();
    assert_eq!(sync.badge(false), Badge::Saving);
    assert_eq!(sync.badge(true), Badge::Saving);
    sync.stored(1);
    assert_eq!(sync.badge(false), Badge::Saving, "an older stored state does not count");
    sync.stored(2);
    assert_eq!(sync.badge(false), Badge::Waiting);
}

#[test]
fn stores_finishing_out_of_order_never_move_the_stored_state_back() {
    let mut sync = Sync::created();
    sync.edited();
    sync.stored(2);
    sync.stored(1);
    assert_eq!(sync.badge(false), Badge::Waiting);
}

#[test]
fn a_pulled_revision_replaces_a_clean_case_and_must_be_stored_before_it_shows_synced() {
    let mut sync = stored_and_pushed();
    assert_eq!(sync.pulled(1, "mine again"), Pulled::Known);
    assert_eq!(sync.pulled(2, "theirs"), Pulled::Adopt("theirs"));
    assert_eq!(sync.base_rev(), 2);
    assert_eq!(sync.badge(false), Badge::Saving);
    sync.stored(sync.to_store().edit_seq);
    assert_eq!(sync.badge(false), Badge::Synced);
}

#[test]
fn a_pulled_revision_over_local_changes_is_kept_beside_them() {
    let mut sync = stored_and_pushed();
    sync.edited();
    assert_eq!(sync.pulled(2, "theirs"), Pulled::Kept);
    assert_eq!(sync.badge(false), Badge::Saving, "the local side is not stored yet");
    sync.stored(2);
    assert_eq!(sync.badge(false), Badge::Conflict);
    assert_eq!(sync.push(), None, "nothing is pushed over a conflict");
    assert_eq!(sync.pulled(2, "theirs"), Pulled::Known);
    assert_eq!(sync.pulled(3, "later"), Pulled::Kept);
    assert_eq!(sync.conflict(), Some(&Theirs { revision: 3, version: "later" }), "the latest is kept");
    assert!(!sync.wants(3));
    assert!(sync.wants(4));
}

#[test]
fn a_taken_revision_becomes_a_conflict_and_resolving_it_pushes_after_theirs() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.stored(2);
    let push = sync.push().unwrap();
    assert_eq!(push.revision, 2);
    sync.taken(push, Theirs { revision: 4, version: "theirs" });
    assert_eq!(sync.badge(false), Badge::Conflict);
    let theirs = sync.resolve(false).unwrap();
    assert_eq!(theirs.version, "theirs");
    assert_eq!(sync.badge(false), Badge::Saving, "the chosen state is stored first");
    sync.stored(sync.to_store().edit_seq);
    assert_eq!(sync.push().map(|p| p.revision), Some(5));
    assert_eq!(sync.resolve(false), None, "nothing left to resolve");
}

#[test]
fn a_refusal_naming_an_older_revision_than_one_kept_keeps_the_later_one() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.stored(2);
    let push = sync.push().unwrap();
    sync.pulled(4, "latest");
    sync.taken(push, Theirs { revision: 3, version: "older" });
    assert_eq!(sync.conflict(), Some(&Theirs { revision: 4, version: "latest" }));
    sync.taken(push, Theirs { revision: 4, version: "latest, again" });
    assert_eq!(sync.conflict().map(|c| c.version), Some("latest"), "a revision already kept is not replaced");
}

#[test]
fn keeping_exactly_their_version_leaves_nothing_to_push() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.pulled(2, "theirs");
    sync.resolve(true);
    sync.stored(sync.to_store().edit_seq);
    assert_eq!(sync.badge(false), Badge::Synced);
    assert_eq!(sync.base_rev(), 2);
}

#[test]
fn late_answers_to_a_push_already_overtaken_change_nothing() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.stored(2);
    let push = sync.push().unwrap();
    sync.pulled(2, "theirs");
    sync.resolve(false);
    let after = sync.clone();
    sync.taken(push, Theirs { revision: 2, version: "theirs" });
    assert_eq!(sync, after, "a conflict already resolved does not come back");
    sync.accepted(push);
    assert_eq!(sync, after);
}

#[test]
fn a_push_accepted_after_the_feed_showed_it_ends_the_conflict_with_itself() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.stored(2);
    let push = sync.push().unwrap();
    // The push reached the server; its answer is late, and the feed shows revision 2.
    sync.pulled(2, "my own push");
    sync.accepted(push);
    assert_eq!(sync.conflict(), None);
    assert_eq!(sync.badge(false), Badge::Synced);
}

#[test]
fn a_later_conflict_survives_the_acceptance_of_an_earlier_push() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.stored(2);
    let push = sync.push().unwrap();
    sync.pulled(3, "theirs, after my push");
    sync.accepted(push);
    assert_eq!(sync.base_rev(), 2);
    assert_eq!(sync.badge(false), Badge::Conflict);
    assert!(sync.is_dirty(), "a conflict always has local changes to resolve");
}

#[test]
fn the_stored_bookkeeping_restores_what_was_stored() {
    let mut sync = stored_and_pushed();
    sync.edited();
    sync.pulled(2, "theirs");
    let restored = Sync::restored(sync.to_store(), sync.conflict().cloned(), None);
    assert_eq!(restored.badge(false), Badge::Conflict);
    assert_eq!(restored.to_store(), sync.to_store());
    let clean = Sync::restored(Stored { base_rev: 3, dirty: false, edit_seq: 9 }, None, None);
    assert_eq!(clean.badge(false), Badge::Synced);
    assert_eq!(clean.push(), None);
    let conflict_without_flag = Sync::restored(
        Stored { base_rev: 3, dirty: false, edit_seq: 9 },
        Some(Theirs { revision: 4, version: "x" }),
        None,
    );
    assert!(conflict_without_flag.is_dirty());
}

#[test]
fn a_push_sealed_from_a_later_state_than_the_store_holds_is_restored_as_that_state() {
    // An earlier version of the app could push state 5 while the store held state 4.
    let stored = Stored { base_rev: 1, dirty: true, edit_seq: 4 };
    let waiting = Push { revision: 2, edit_seq: 5 };
    assert!(Sync::outbox_is_newer(&stored, Some(waiting)));
    assert!(!Sync::outbox_is_newer(&stored, Some(Push { edit_seq: 4, ..waiting })), "the same state");
    assert!(!Sync::outbox_is_newer(&stored, Some(Push { edit_seq: 3, ..waiting })));
    assert!(!Sync::outbox_is_newer(&stored, None));
    // Restored as the outbox's state: accepted as it is, it is synced…
    let mut sync = Sync::restored(stored, None, Some(waiting));
    assert_eq!(sync.to_store().edit_seq, 5);
    assert_eq!(sync.badge(false), Badge::Waiting, "on the device, in the outbox");
    sync.accepted(waiting);
    assert_eq!(sync.badge(false), Badge::Synced);
    assert!(!sync.is_dirty());
    // …and typed in after the reload, it is not.
    let mut typed = Sync::restored(stored, None, Some(waiting));
    typed.edited();
    typed.stored(typed.to_store().edit_seq);
    typed.accepted(waiting);
    assert!(typed.is_dirty(), "the state typed after the reload is still to push");
    assert_eq!(typed.push().map(|p| p.revision), Some(3));
    let older = Sync::restored(Stored { edit_seq: 7, ..stored }, None, Some(waiting));
    assert_eq!(older.to_store().edit_seq, 7, "a push of an older state keeps the store's number");
    assert!(Sync::restored(Stored { dirty: false, ..stored }, None, Some(waiting)).is_dirty());
}

#[test]
fn a_case_received_from_the_feed_is_clean_once_stored() {
    let mut sync = Sync::received(7);
    assert_eq!(sync.badge(false), Badge::Saving);
    sync.stored(1);
    assert_eq!(sync.badge(false), Badge::Synced);
    assert!(!sync.wants(7));
    assert!(sync.wants(8));
}

#[test]
fn badge_codes_are_stable() {
    let codes: Vec<_> = Badge::ALL.map(Badge::code).into();
    assert_eq!(codes, ["saving", "waiting", "offline", "synced", "conflict"]);
}

// ---------------------------------------------------------------------------------------
// The model: one device (the one under test) with its memory, its store's write queue and
// outbox, a server with a linear history per case, and a second device that pushes on top
// of the latest revision whenever it likes. Keystrokes are unique tokens; a version is the
// set of tokens in it. Every step of the browser's async work is its own operation, so the
// interleavings include edits during a store or a push, answers lost on the way, stores
// lost in a crash, and requests that reach the server after the page was reloaded.

type Token = u32;

/// A set of tokens as the bits of one number: the model runs thousands of interleavings, and
/// copying and comparing versions this way keeps it fast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Doc(u128);

impl Doc {
    fn new() -> Self {
        Self(0)
    }

    fn insert(&mut self, token: Token) {
        assert!(token < 128, "the model types at most 127 tokens");
        self.0 |= 1 << token;
    }

    fn contains(&self, token: &Token) -> bool {
        self.0 & (1 << token) != 0
    }

    fn union(&self, other: &Doc) -> Doc {
        Doc(self.0 | other.0)
    }

    fn difference(&self, other: &Doc) -> Doc {
        Doc(self.0 & !other.0)
    }

    fn extend(&mut self, other: Doc) {
        self.0 |= other.0;
    }

    fn iter(&self) -> impl Iterator<Item = Token> + '_ {
        (0..128).filter(move |t| self.contains(t))
    }
}

#[derive(Clone, Debug)]
enum Op {
    Type,
    StoreBegin,
    StoreCommit,
    PushBegin,
    PushDeliver,
    PushAnswerLost,
    PushSettle,
    OtherDevicePushes,
    Pull,
    Resolve { keep_mine: bool },
    Reload { request_lands: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Type),
        3 => Just(Op::StoreBegin),
        3 => Just(Op::StoreCommit),
        2 => Just(Op::PushBegin),
        2 => Just(Op::PushDeliver),
        1 => Just(Op::PushAnswerLost),
        2 => Just(Op::PushSettle),
        2 => Just(Op::OtherDevicePushes),
        2 => Just(Op::Pull),
        1 => any::<bool>().prop_map(|keep_mine| Op::Resolve { keep_mine }),
        1 => any::<bool>().prop_map(|request_lands| Op::Reload { request_lands }),
    ]
}

/// Sealed bytes: a nonce makes two seals of the same state different, as in the envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sealed {
    nonce: u64,
    edit_seq: u64,
    doc: Doc,
}

#[derive(Clone, Debug)]
struct Record {
    doc: Doc,
    stored: Stored,
    conflict: Option<Theirs<Doc>>,
    /// The write also removes the outbox entry (a push's outcome, recorded whole).
    clears_outbox: bool,
}

#[derive(Clone, Debug)]
enum Answer {
    Accepted,
    Taken { latest: u64 },
}

#[derive(Clone, Debug)]
struct InFlight {
    push: Push,
    sealed: Sealed,
    answer: Option<Answer>,
}

#[derive(Default)]
struct Server {
    revisions: Vec<Sealed>,
}

impl Server {
    fn latest(&self) -> u64 {
        self.revisions.len() as u64
    }

    fn latest_doc(&self) -> Doc {
        self.revisions.last().map(|s| s.doc).unwrap_or_default()
    }

    fn doc(&self, revision: u64) -> Doc {
        self.revisions[revision as usize - 1].doc
    }

    /// Create-if-absent, with the same bytes accepted again.
    fn push(&mut self, revision: u64, sealed: &Sealed) -> Answer {
        if revision == self.latest() + 1 {
            self.revisions.push(sealed.clone());
            Answer::Accepted
        } else if revision <= self.latest() && self.revisions[revision as usize - 1].nonce == sealed.nonce {
            Answer::Accepted
        } else {
            Answer::Taken { latest: self.latest() }
        }
    }
}

struct Device {
    doc: Doc,
    sync: CaseSync<Doc>,
    /// Writes to the device's store, in the order they were made; they land in order.
    writes: VecDeque<Record>,
    record: Option<Record>,
    outbox: Option<(u64, Sealed)>,
    in_flight: Option<InFlight>,
}

struct World {
    device: Device,
    server: Server,
    next_token: Token,
    next_nonce: u64,
    /// Every keystroke typed on the device under test.
    typed: Doc,
    /// Lost in a reload before autosave stored them (the page showed "saving").
    crash_lost: Doc,
    /// Dropped by the case manager's choice of the other version's text.
    discarded: Doc,
}

impl World {
    fn new() -> Self {
        let device = Device {
            doc: Doc::new(),
            sync: CaseSync::created(),
            writes: VecDeque::new(),
            record: None,
            outbox: None,
            in_flight: None,
        };
        Self {
            device,
            server: Server::default(),
            next_token: 0,
            next_nonce: 0,
            typed: Doc::new(),
            crash_lost: Doc::new(),
            discarded: Doc::new(),
        }
    }

    fn token(&mut self) -> Token {
        self.next_token += 1;
        self.next_token
    }

    fn seal(&mut self, doc: &Doc, edit_seq: u64) -> Sealed {
        self.next_nonce += 1;
        Sealed { nonce: self.next_nonce, edit_seq, doc: *doc }
    }

    fn store(&mut self, clears_outbox: bool) {
        let d = &mut self.device;
        d.writes.push_back(Record {
            doc: d.doc,
            stored: d.sync.to_store(),
            conflict: d.sync.conflict().cloned(),
            clears_outbox,
        });
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Type => {
                let token = self.token();
                self.typed.insert(token);
                self.device.doc.insert(token);
                self.device.sync.edited();
            }
            Op::StoreBegin => self.store(false),
            Op::StoreCommit => {
                if let Some(write) = self.device.writes.pop_front() {
                    self.device.sync.stored(write.stored.edit_seq);
                    if write.clears_outbox {
                        self.device.outbox = None;
                    }
                    self.device.record = Some(write);
                }
            }
            Op::PushBegin => {
                if self.device.in_flight.is_some() {
                    return;
                }
                let Some(push) = self.device.sync.push() else { return };
                // The bytes of an unanswered push are sent again, so the server knows them.
                let sealed = match &self.device.outbox {
                    Some((revision, sealed)) if *revision == push.revision => sealed.clone(),
                    _ => {
                        let doc = self.device.doc;
                        let sealed = self.seal(&doc, push.edit_seq);
                        self.device.outbox = Some((push.revision, sealed.clone()));
                        sealed
                    }
                };
                let push = Push { revision: push.revision, edit_seq: sealed.edit_seq };
                self.device.in_flight = Some(InFlight { push, sealed, answer: None });
            }
            Op::PushDeliver => {
                if let Some(flight) = self.device.in_flight.as_mut().filter(|f| f.answer.is_none()) {
                    flight.answer = Some(self.server.push(flight.push.revision, &flight.sealed));
                }
            }
            Op::PushAnswerLost => self.device.in_flight = None,
            Op::PushSettle => {
                let Some(InFlight { push, answer: Some(answer), .. }) = self.device.in_flight.clone() else { return };
                self.device.in_flight = None;
                match answer {
                    Answer::Accepted => self.device.sync.accepted(push),
                    Answer::Taken { latest } => {
                        let version = self.server.doc(latest);
                        self.device.sync.taken(push, Theirs { revision: latest, version });
                    }
                }
                self.store(true);
            }
            Op::OtherDevicePushes => {
                let mut doc = self.server.latest_doc();
                let token = self.token();
                doc.insert(token);
                let sealed = self.seal(&doc, 0);
                let revision = self.server.latest() + 1;
                self.server.push(revision, &sealed);
            }
            Op::Pull => {
                for revision in 1..=self.server.latest() {
                    if !self.device.sync.wants(revision) {
                        continue;
                    }
                    let version = self.server.doc(revision);
                    if let Pulled::Adopt(doc) = self.device.sync.pulled(revision, version) {
                        self.device.doc = doc;
                    }
                    self.store(false);
                }
            }
            Op::Resolve { keep_mine } => {
                let Some(theirs) = self.device.sync.conflict().cloned() else { return };
                let chosen: Doc = if *keep_mine {
                    self.device.doc.union(&theirs.version)
                } else {
                    // Their text continues: what only this device typed is dropped by choice.
                    self.discarded.extend(self.device.doc.difference(&theirs.version));
                    theirs.version
                };
                self.device.sync.resolve(chosen == theirs.version);
                self.device.doc = chosen;
                self.store(false);
            }
            Op::Reload { request_lands } => {
                if let Some(flight) = self.device.in_flight.take() {
                    if *request_lands && flight.answer.is_none() {
                        self.server.push(flight.push.revision, &flight.sealed);
                    }
                }
                self.device.writes.clear();
                let record = self.device.record.clone();
                let before = self.device.doc;
                match record {
                    Some(record) => {
                        let waiting = self
                            .device
                            .outbox
                            .as_ref()
                            .map(|(revision, sealed)| Push { revision: *revision, edit_seq: sealed.edit_seq });
                        // As the browser does: the outbox's state when it is the later one.
                        self.device.doc = match &self.device.outbox {
                            Some((_, sealed)) if CaseSync::<Doc>::outbox_is_newer(&record.stored, waiting) => {
                                sealed.doc
                            }
                            _ => record.doc,
                        };
                        self.device.sync = CaseSync::restored(record.stored, record.conflict, waiting);
                    }
                    None => {
                        // Never stored: the case is created again, empty.
                        self.device.doc = Doc::new();
                        self.device.sync = CaseSync::created();
                    }
                }
                self.crash_lost.extend(before.difference(&self.device.doc));
            }
        }
    }

    /// Checked after every step.
    fn check_invariants(&self) -> Result<(), TestCaseError> {
        let d = &self.device;
        let badge = d.sync.badge(false);
        if badge != Badge::Saving {
            let stored = d.record.as_ref().map(|r| &r.doc);
            prop_assert_eq!(stored, Some(&d.doc), "not 'saving' while memory differs from the store");
        }
        if badge == Badge::Synced {
            prop_assert!(d.sync.base_rev() > 0);
            prop_assert_eq!(&self.server.doc(d.sync.base_rev()), &d.doc, "'synced' means the server has it");
        }
        if d.sync.conflict().is_some() {
            prop_assert!(d.sync.is_dirty());
        }
        let mut accounted = d.doc.union(&self.server.latest_doc()).union(&self.crash_lost).union(&self.discarded);
        if let Some(conflict) = d.sync.conflict() {
            accounted.extend(conflict.version);
        }
        let lost = self.typed.difference(&accounted);
        prop_assert_eq!(lost, Doc::new(), "keystrokes lost: {:?}", lost.iter().collect::<Vec<_>>());
        Ok(())
    }

    /// Lets autosave and every write land and sync run until nothing is left, resolving
    /// conflicts by keeping this device's text; then the server must have every keystroke.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..50 {
            if self.device.sync.badge(false) == Badge::Saving {
                // Autosave's timer fires for what is still in memory only.
                self.step(&Op::StoreBegin);
            }
            while !self.device.writes.is_empty() {
                self.step(&Op::StoreCommit);
            }
            for op in [Op::PushBegin, Op::PushDeliver, Op::PushSettle, Op::StoreCommit, Op::Pull] {
                self.step(&op);
                self.check_invariants()?;
            }
            if self.device.sync.conflict().is_some() {
                self.step(&Op::Resolve { keep_mine: true });
            }
            while !self.device.writes.is_empty() {
                self.step(&Op::StoreCommit);
            }
            if self.device.sync.badge(false) == Badge::Synced {
                break;
            }
        }
        prop_assert_eq!(self.device.sync.badge(false), Badge::Synced, "sync comes to rest");
        let on_server = self.server.latest_doc();
        prop_assert_eq!(&on_server, &self.device.doc);
        let missing = self.typed.difference(&on_server.union(&self.crash_lost).union(&self.discarded));
        prop_assert_eq!(missing, Doc::new(), "never reached the server: {:?}", missing.iter().collect::<Vec<_>>());
        Ok(())
    }
}

/// How many random interleavings the model test runs (printed by `--nocapture`).
const MODEL_CASES: u32 = 2_000;

proptest! {
    #![proptest_config(ProptestConfig { cases: MODEL_CASES, ..ProptestConfig::default() })]

    #[test]
    fn no_interleaving_loses_a_keystroke_or_shows_synced_over_unsaved_edits(
        ops in proptest::collection::vec(op(), 1..80)
    ) {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
            world.check_invariants()?;
        }
        world.settle()?;
    }
}

/// An outbox left by an earlier version of the app, which pushed the state in memory: it
/// holds a later state than the store. After a reload that state is restored, and new typing
/// is not taken as pushed when that push is accepted.
#[test]
fn a_push_of_an_unstored_state_left_in_the_outbox_loses_nothing() {
    let mut world = World::new();
    for op in [Op::StoreBegin, Op::StoreCommit, Op::Type] {
        world.step(&op);
    }
    let doc = world.device.doc;
    let sealed = world.seal(&doc, world.device.sync.to_store().edit_seq);
    world.device.outbox = Some((1, sealed));
    world.step(&Op::Reload { request_lands: false });
    assert_eq!(world.device.doc, doc, "the keystroke only the outbox held is back");
    assert_eq!(world.crash_lost, Doc::new());
    for op in [Op::Type, Op::StoreBegin, Op::StoreCommit, Op::PushBegin, Op::PushDeliver, Op::PushSettle] {
        world.step(&op);
        world.check_invariants().unwrap();
    }
    assert_ne!(
        world.device.sync.badge(false),
        Badge::Synced,
        "the keystroke typed after the reload is not on the server"
    );
    world.settle().unwrap();
}
