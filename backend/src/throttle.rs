//! Failed-login throttling: after [`MAX_FAILURES`] failures for one username within
//! [`WINDOW`], further attempts are refused until the window ends. Kept per instance in
//! memory: with several instances the bound scales with their number, which still turns
//! an online guessing attack from millions of tries into a handful per window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// `Err(seconds)` to wait when `username` is locked out.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), u64> {
        let mut failures = self.failures.lock().expect("throttle lock");
        match failures.get(username) {
            Some(&(count, since)) if now.duration_since(since) >= WINDOW => {
                let _ = (count, failures.remove(username));
                Ok(())
            }
            Some(&(count, since)) if count >= MAX_FAILURES => {
                Err((WINDOW - now.duration_since(since)).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        // Forget stale entries so the map cannot grow without bound.
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
        let entry = failures.entry(username.to_owned()).or_insert((0, now));
        entry.0 += 1;
    }

    pub fn record_success(&self, username: &str) {
        self.failures.lock().expect("throttle lock").remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_until_the_window_ends() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check("ana", t0).is_ok());
            throttle.record_failure("ana", t0);
        }
        let wait = throttle.check("ana", t0 + Duration::from_secs(60)).unwrap_err();
        assert_eq!(wait, WINDOW.as_secs() - 60);
        assert!(throttle.check("bea", t0).is_ok(), "other users are unaffected");
        assert!(throttle.check("ana", t0 + WINDOW).is_ok());
    }

    #[test]
    fn success_clears_failures() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.record_failure("ana", t0);
        }
        throttle.record_success("ana");
        throttle.record_failure("ana", t0);
        assert!(throttle.check("ana", t0).is_ok());
    }
}
