//! What this process knows of each organization's change counters, so that authentication
//! and the gateway's offers need no database round trip per request.
//!
//! Every organization has three counters, bumped by triggers in the same transaction as the
//! change they count: `keys_version` (its provider keys), `policy_version` (its model
//! policy) and `tokens_version` (a revoked or deleted access token). This board keeps, per
//! organization, the counters last read, and per token hash the principal it stood for and
//! the organization's `tokens_version` at that read. A cached principal is good while that
//! counter has not moved.
//!
//! How the board stays true:
//! - **changes made by this process**: the store forgets the organization right after the
//!   write commits ([`ChangeBoard::forget_org`]); a read that began before the write and
//!   ends after it is not kept (the board's generation moved while it ran);
//! - **changes made by other processes** (other replicas, the CLI): a background task polls
//!   the counters of every organization on the board ([`crate::Store::poll_changes`], every
//!   `AIPROVIDERS_CHANGE_POLL_MS`, 100 ms by default) and updates them; counters only grow,
//!   so an older reading never replaces a newer one;
//! - **when the poll cannot run**: the board is trusted only while the last poll succeeded
//!   and began less than [`ChangeBoard::trust`] ago (four poll intervals). A failed poll
//!   distrusts it at once; until a poll succeeds again, every request reads the database
//!   (and gets its errors).
//!
//! So a change made elsewhere is seen here within one poll interval (plus the poll's own
//! round trip), and never later than the trust bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aiproviders_domain::{OrgId, Principal};

use crate::OrgVersions;

/// More entries than this and the board is emptied (each one is re-read on its next use).
const MAX_ENTRIES: usize = 100_000;

/// An organization's counters as read together in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrgCounters {
    pub versions: OrgVersions,
    pub tokens: i64,
}

impl OrgCounters {
    /// The newer of two readings (each counter only grows).
    fn max(self, other: Self) -> Self {
        Self {
            versions: OrgVersions {
                keys: self.versions.keys.max(other.versions.keys),
                policy: self.versions.policy.max(other.versions.policy),
            },
            tokens: self.tokens.max(other.tokens),
        }
    }
}

struct CachedPrincipal {
    principal: Principal,
    /// The organization's `tokens_version` when the token was read.
    tokens: i64,
}

#[derive(Default)]
struct Board {
    /// Bumped by every local forget: a read that saw another generation is not kept.
    generation: u64,
    /// When the last successful poll began; `None` before the first one and after a failure.
    verified_at: Option<Instant>,
    orgs: HashMap<OrgId, OrgCounters>,
    principals: HashMap<[u8; 32], CachedPrincipal>,
}

impl Board {
    fn trusted(&self, now: Instant, trust: Duration) -> bool {
        self.verified_at
            .is_some_and(|at| now.saturating_duration_since(at) < trust)
    }

    fn merge(&mut self, org: &OrgId, counters: OrgCounters) {
        if self.orgs.len() >= MAX_ENTRIES && !self.orgs.contains_key(org) {
            self.orgs.clear();
            self.principals.clear();
        }
        self.orgs
            .entry(org.clone())
            .and_modify(|known| *known = known.max(counters))
            .or_insert(counters);
    }
}

/// See the module documentation. `None` trust (a zero poll interval) disables the board:
/// every read goes to the database.
pub(crate) struct ChangeBoard {
    board: Mutex<Board>,
    trust: Option<Duration>,
}

/// A token of the board's generation when a read began, handed back when it is stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Generation(u64);

impl ChangeBoard {
    pub(crate) fn new(poll_interval: Duration) -> Self {
        Self {
            board: Mutex::default(),
            trust: (!poll_interval.is_zero()).then(|| poll_interval * 4),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Board> {
        // The board holds no invariant a panicking holder could break halfway.
        self.board
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether polling is on at all.
    pub(crate) fn enabled(&self) -> bool {
        self.trust.is_some()
    }

    pub(crate) fn generation(&self) -> Generation {
        Generation(self.lock().generation)
    }

    /// The principal of a token hash, if it is on the board and still current.
    pub(crate) fn principal(&self, token_hash: &[u8; 32]) -> Option<Principal> {
        let trust = self.trust?;
        let board = self.lock();
        if !board.trusted(Instant::now(), trust) {
            return None;
        }
        let cached = board.principals.get(token_hash)?;
        let org = board.orgs.get(cached.principal.org_id())?;
        (org.tokens == cached.tokens).then(|| cached.principal.clone())
    }

    /// The organization's key and policy versions, if on the board and trusted.
    pub(crate) fn versions(&self, org: &OrgId) -> Option<OrgVersions> {
        let trust = self.trust?;
        let board = self.lock();
        if !board.trusted(Instant::now(), trust) {
            return None;
        }
        board.orgs.get(org).map(|counters| counters.versions)
    }

    /// Keeps what a token lookup read, unless something was forgotten since it began.
    pub(crate) fn learn_token(
        &self,
        token_hash: [u8; 32],
        principal: &Principal,
        counters: OrgCounters,
        began: Generation,
    ) {
        if !self.enabled() {
            return;
        }
        let mut board = self.lock();
        if board.generation != began.0 {
            return;
        }
        board.merge(principal.org_id(), counters);
        if board.principals.len() >= MAX_ENTRIES {
            board.principals.clear();
        }
        board.principals.insert(
            token_hash,
            CachedPrincipal {
                principal: principal.clone(),
                tokens: counters.tokens,
            },
        );
    }

    /// Keeps an organization's counters read directly, unless something was forgotten
    /// since the read began.
    pub(crate) fn learn_org(&self, org: &OrgId, counters: OrgCounters, began: Generation) {
        if !self.enabled() {
            return;
        }
        let mut board = self.lock();
        if board.generation == began.0 {
            board.merge(org, counters);
        }
    }

    /// After this process changed something of the organization: its counters are read
    /// again on their next use.
    pub(crate) fn forget_org(&self, org: &OrgId) {
        let mut board = self.lock();
        board.generation += 1;
        board.orgs.remove(org);
    }

    /// After a change whose organization is not known here (a token revoked by id).
    pub(crate) fn forget_all(&self) {
        let mut board = self.lock();
        board.generation += 1;
        board.orgs.clear();
        board.principals.clear();
    }

    /// The organizations a poll should read.
    pub(crate) fn orgs_to_poll(&self) -> Vec<OrgId> {
        self.lock().orgs.keys().cloned().collect()
    }

    /// Applies a poll that began at `began` and read `rows` for the organizations `asked`.
    /// Only organizations still on the board are updated (one forgotten meanwhile stays
    /// forgotten); one that no longer exists is dropped.
    pub(crate) fn polled(&self, began: Instant, asked: &[OrgId], rows: Vec<(OrgId, OrgCounters)>) {
        let mut board = self.lock();
        let mut missing: std::collections::HashSet<&OrgId> = asked.iter().collect();
        for (org, counters) in rows {
            missing.remove(&org);
            if let Some(known) = board.orgs.get_mut(&org) {
                *known = known.max(counters);
            }
        }
        for org in missing {
            board.orgs.remove(org);
        }
        if board.verified_at.is_none_or(|at| at < began) {
            board.verified_at = Some(began);
        }
    }

    /// A poll failed: nothing on the board is trusted until one succeeds.
    pub(crate) fn poll_failed(&self) {
        self.lock().verified_at = None;
    }
}

#[cfg(test)]
mod tests {
    use aiproviders_domain::{Role, TokenId, UserId};

    use super::*;

    fn principal(org: &str) -> Principal {
        Principal::from_token(
            OrgId::from_trusted(org.to_owned()),
            UserId::from_trusted("u1".to_owned()),
            Role::Member,
            TokenId::from_trusted("t1".to_owned()),
        )
    }

    fn counters(keys: i64, policy: i64, tokens: i64) -> OrgCounters {
        OrgCounters {
            versions: OrgVersions { keys, policy },
            tokens,
        }
    }

    fn verified(board: &ChangeBoard) {
        board.polled(Instant::now(), &[], Vec::new());
    }

    #[test]
    fn nothing_is_trusted_before_the_first_poll_or_after_a_failed_one() {
        let board = ChangeBoard::new(Duration::from_millis(100));
        let p = principal("o1");
        board.learn_token([1; 32], &p, counters(1, 1, 1), board.generation());
        assert_eq!(board.principal(&[1; 32]), None);
        verified(&board);
        assert_eq!(board.principal(&[1; 32]), Some(p.clone()));
        assert_eq!(
            board.versions(p.org_id()),
            Some(OrgVersions { keys: 1, policy: 1 })
        );
        board.poll_failed();
        assert_eq!(board.principal(&[1; 32]), None);
        assert_eq!(board.versions(p.org_id()), None);
    }

    #[test]
    fn trust_runs_out_when_polls_stop() {
        let board = ChangeBoard::new(Duration::from_millis(5));
        let p = principal("o1");
        board.learn_token([1; 32], &p, counters(1, 1, 1), board.generation());
        verified(&board);
        assert!(board.principal(&[1; 32]).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(board.principal(&[1; 32]), None);
    }

    #[test]
    fn a_moved_tokens_counter_drops_the_organizations_principals() {
        let board = ChangeBoard::new(Duration::from_millis(100));
        let p = principal("o1");
        let other = principal("o2");
        board.learn_token([1; 32], &p, counters(1, 1, 1), board.generation());
        board.learn_token([2; 32], &other, counters(1, 1, 1), board.generation());
        let asked = board.orgs_to_poll();
        board.polled(
            Instant::now(),
            &asked,
            vec![
                (p.org_id().clone(), counters(1, 1, 2)),
                (other.org_id().clone(), counters(1, 1, 1)),
            ],
        );
        assert_eq!(board.principal(&[1; 32]), None, "revoked elsewhere");
        assert_eq!(board.principal(&[2; 32]), Some(other));
        // Keys or policy moving do not touch principals, but do move the versions.
        assert_eq!(
            board.versions(p.org_id()),
            Some(OrgVersions { keys: 1, policy: 1 })
        );
    }

    #[test]
    fn an_older_reading_never_replaces_a_newer_one() {
        let board = ChangeBoard::new(Duration::from_millis(100));
        let org = OrgId::from_trusted("o1".to_owned());
        board.learn_org(&org, counters(5, 3, 2), board.generation());
        board.polled(
            Instant::now(),
            std::slice::from_ref(&org),
            vec![(org.clone(), counters(4, 3, 2))],
        );
        assert_eq!(
            board.versions(&org),
            Some(OrgVersions { keys: 5, policy: 3 })
        );
        board.polled(
            Instant::now(),
            std::slice::from_ref(&org),
            vec![(org.clone(), counters(6, 4, 2))],
        );
        assert_eq!(
            board.versions(&org),
            Some(OrgVersions { keys: 6, policy: 4 })
        );
    }

    #[test]
    fn a_read_that_straddles_a_local_change_is_not_kept() {
        let board = ChangeBoard::new(Duration::from_millis(100));
        verified(&board);
        let org = OrgId::from_trusted("o1".to_owned());
        let began = board.generation();
        // The write commits and is forgotten while the read is under way.
        board.forget_org(&org);
        board.learn_org(&org, counters(1, 1, 1), began);
        assert_eq!(board.versions(&org), None);
        board.learn_org(&org, counters(2, 1, 1), board.generation());
        assert_eq!(
            board.versions(&org),
            Some(OrgVersions { keys: 2, policy: 1 })
        );
    }

    #[test]
    fn a_poll_does_not_bring_back_a_forgotten_or_vanished_organization() {
        let board = ChangeBoard::new(Duration::from_millis(100));
        let org = OrgId::from_trusted("o1".to_owned());
        let gone = OrgId::from_trusted("o2".to_owned());
        board.learn_org(&org, counters(1, 1, 1), board.generation());
        board.learn_org(&gone, counters(1, 1, 1), board.generation());
        let asked = board.orgs_to_poll();
        board.forget_org(&org);
        board.polled(
            Instant::now(),
            &asked,
            vec![(org.clone(), counters(1, 1, 1))],
        );
        assert_eq!(board.versions(&org), None);
        assert_eq!(board.versions(&gone), None);
    }

    #[test]
    fn a_zero_interval_turns_the_board_off() {
        let board = ChangeBoard::new(Duration::ZERO);
        let p = principal("o1");
        board.learn_token([1; 32], &p, counters(1, 1, 1), board.generation());
        verified(&board);
        assert_eq!(board.principal(&[1; 32]), None);
        assert_eq!(board.versions(p.org_id()), None);
    }
}
