//! Two backend instances on one SeaweedFS bucket, as an organisation that outgrows one
//! machine runs them behind a load balancer: devices alternate between them request by
//! request; a token either one issued works on both; the log they write together is
//! gap-free and holds every accepted revision exactly once; each member's feed is the same
//! from either.

use puente_backend::changelog::ChangeLog;
use puente_backend::store::S3Store;
use puente_shared::protocol::{ChangeEntry, ChangeKind};
use puente_shared::CaseId;
use puente_tests::api::{join_org, new_org_user, Device};
use puente_tests::seaweed;
use puente_tests::server::TestServer;
use reqwest::StatusCode;
use std::collections::BTreeSet;

const WRITERS: usize = 4;
const CASES_PER_WRITER: usize = 3;
const REVISIONS_PER_CASE: u64 = 4;

/// `device`, speaking to `url` instead, with the same session.
fn via(device: &Device, url: &str) -> Device {
    Device { url: url.to_owned(), ..device.clone() }
}

/// The revisions an entry list names, in its order.
fn revisions_in(entries: &[ChangeEntry]) -> Vec<(CaseId, u64)> {
    entries.iter().filter(|e| e.kind == ChangeKind::Revision).map(|e| (e.case, e.revision)).collect()
}

/// Every entry of the feed as instance `url` serves it, page by page.
async fn whole_feed(device: &Device, url: &str) -> Vec<ChangeEntry> {
    let device = via(device, url);
    let (mut entries, mut after) = (Vec::new(), 0);
    loop {
        let page = device.changes(after, 7).await;
        entries.extend(page.entries);
        after = page.next;
        if !page.more {
            return entries;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_bucket_serve_one_gap_free_feed_and_accept_each_others_tokens() {
    let (store, config) = seaweed::fresh_bucket().await;
    // Both start at once on the empty bucket: they must agree on one session signing key.
    let other = S3Store::connect(&config).await.expect("a second client of the bucket");
    let (a, b) = tokio::join!(TestServer::start(store.clone()), TestServer::start(other));
    let urls = [a.url.clone(), b.url.clone()];

    // One member enrols on each instance; each signs in again on the other.
    let first = new_org_user(&store, &a.url, "ana.cm").await;
    let second = join_org(&store, &b.url, first.tenant(), "bea.cm").await;
    for (device, other) in [(&first, &b.url), (&second, &a.url)] {
        // The feed answers 200 only to a token it accepts.
        via(device, other).changes(0, 1).await;
        let again = via(device, other).login().await;
        assert_eq!(again.status(), StatusCode::OK, "a member signs in on either instance");
    }

    // Writers push their own cases, alternating instance with every request; two of them
    // race for each revision of one shared case, through different instances.
    let shared_case = CaseId::random();
    assert_eq!(first.push_new(shared_case, b"shared 1").await.status(), StatusCode::CREATED);
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let device = if writer % 2 == 0 { first.clone() } else { second.clone() };
        let urls = urls.clone();
        tasks.push(tokio::spawn(async move {
            let mut accepted = Vec::new();
            for n in 0..CASES_PER_WRITER {
                let case = CaseId::random();
                let start = via(&device, &urls[(writer + n) % 2]);
                assert_eq!(start.push_new(case, b"one").await.status(), StatusCode::CREATED);
                accepted.push((case, 1));
                for revision in 2..=REVISIONS_PER_CASE {
                    let through = via(&device, &urls[(writer + n + revision as usize) % 2]);
                    let status = through.push(case, revision, through.seal(case, revision, b"more")).await.status();
                    assert_eq!(status, StatusCode::CREATED, "{case} revision {revision}");
                    accepted.push((case, revision));
                }
            }
            accepted
        }));
    }
    let mut race = Vec::new();
    for revision in 2..=REVISIONS_PER_CASE {
        let (one, two) = (via(&first, &urls[0]), via(&first, &urls[1]));
        let (x, y) = tokio::join!(
            one.push(shared_case, revision, one.seal(shared_case, revision, b"from a")),
            two.push(shared_case, revision, two.seal(shared_case, revision, b"from b")),
        );
        let statuses = [x.status(), y.status()];
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::CREATED).count(),
            1,
            "exactly one of two racing pushes of revision {revision} wins: {statuses:?}"
        );
        race.push((shared_case, revision));
    }

    let mut accepted: BTreeSet<(CaseId, u64)> = [(shared_case, 1)].into_iter().chain(race).collect();
    for task in tasks {
        accepted.extend(task.await.expect("a writer"));
    }
    let expected = 1 + (REVISIONS_PER_CASE as usize - 1) + WRITERS * CASES_PER_WRITER * REVISIONS_PER_CASE as usize;
    assert_eq!(accepted.len(), expected);

    // The log both instances wrote is numbered 1..=N without a gap and holds each accepted
    // revision once.
    let log = ChangeLog::default().read(&store, first.tenant(), 0, 100_000).await.expect("read the log");
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=log.len() as u64).collect::<Vec<_>>(), "the log has no gap");
    let logged = revisions_in(&log);
    assert_eq!(logged.len(), accepted.len(), "each accepted revision is logged once");
    assert_eq!(logged.iter().copied().collect::<BTreeSet<_>>(), accepted);

    // Each member gets the same feed from either instance; together they see every revision.
    let mut seen = BTreeSet::new();
    for device in [&first, &second] {
        let from_a = whole_feed(device, &a.url).await;
        let from_b = whole_feed(device, &b.url).await;
        let key = |feed: &[ChangeEntry]| feed.iter().map(|e| (e.seq, e.case, e.revision)).collect::<Vec<_>>();
        assert_eq!(key(&from_a), key(&from_b), "both instances serve one feed");
        seen.extend(revisions_in(&from_a));
    }
    assert_eq!(seen, accepted);

    // Each revision of the raced case opens through either instance, as the winner wrote it.
    for revision in 1..=REVISIONS_PER_CASE {
        let mut bodies = Vec::new();
        for url in &urls {
            let response = via(&first, url).fetch(shared_case, revision).await;
            assert_eq!(response.status(), StatusCode::OK);
            bodies.push(response.bytes().await.expect("a body"));
        }
        assert_eq!(bodies[0], bodies[1], "revision {revision}");
    }
}
