//! The design the UI is editing, held by the shell under a revision number, with what the
//! shell derives from it.
//!
//! A 2,000-service design is about 5 MB of JSON. Sending it with every analysis call (and
//! parsing it, and rebuilding the evaluator each time) cost seconds per call, so the UI sends a
//! design once (`set_design`, or `open_design` reads it) and then names it by the revision the
//! shell gave it. Revisions come from one counter per app run, so a revision never names two
//! different designs; a revision the shell no longer holds is a `stale_revision` error, and the
//! UI sends the design again. An answer is never computed from a design other than the one named.
//!
//! Per revision the shell keeps the evaluator (built once, for today's date) and, compiled on
//! first use, the reach graph every simulation runs on, so a second simulation from another
//! origin only runs the simulation; and the fixpoints of its last few breaches, so the whole
//! answer a click asks for after its spread does not run the same breach again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use bulkhead_core::eval::Evaluator;
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::{Assumption, Outcome};

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::session::lock;

/// How many revisions are held. Two, so that answers still being computed for the revision
/// before the latest edit are not refused (the UI drops them, but it need not re-send for them),
/// and an undo after an edit names a design still held. The least recently used goes first:
/// an edit, its undo and another edit keep the design undone to, which allowing and undoing
/// again names (by revision order it would be dropped, and sent again on every later undo).
pub const HELD_REVISIONS: usize = 2;

/// What the shell derives from a design, borrowing it.
#[derive(Debug)]
pub struct Derived<'d> {
    evaluator: Evaluator<'d>,
    graph: OnceLock<ReachGraph>,
    /// The answer to `flow_verdicts`, as JSON text, once made.
    flow_verdicts: OnceLock<IpcResult<String>>,
}

self_cell::self_cell!(
    /// A design and what is derived from it, in one value that can be shared between commands.
    struct Compiled {
        owner: Design,
        #[covariant]
        dependent: Derived,
    }
    impl {Debug}
);

/// How many breaches' fixpoints a held revision keeps ([`Held::breach_outcome`]). A click needs
/// one (its spread, then its whole answer); a few more cover clicks answered out of order.
pub const HELD_OUTCOMES: usize = 4;

/// One held revision of the design.
#[derive(Debug)]
pub struct Held {
    revision: u64,
    today: Date,
    compiled: Compiled,
    /// The fixpoints of breaches run on this revision, by origin node and assumption, the most
    /// recently used last. They are of this design, this date's evaluator and its graph, so an
    /// edit (a new revision) or a new date (a new `Held`) starts without any.
    outcomes: Mutex<VecDeque<(usize, Assumption, Arc<Outcome>)>>,
}

impl Held {
    /// Holds `design` as `revision`, with its evaluator for `today` built at once (every
    /// analysis needs it).
    pub fn new(revision: u64, design: Design, today: Date) -> Self {
        Held {
            revision,
            today,
            compiled: Compiled::new(design, |d| Derived {
                evaluator: Evaluator::at(d, today),
                graph: OnceLock::new(),
                flow_verdicts: OnceLock::new(),
            }),
            outcomes: Mutex::new(VecDeque::new()),
        }
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The date the evaluator decides on (rules expire).
    pub fn today(&self) -> Date {
        self.today
    }

    pub fn design(&self) -> &Design {
        self.compiled.borrow_owner()
    }

    /// The evaluator for the design on [`Held::today`].
    pub fn evaluator(&self) -> &Evaluator<'_> {
        &self.compiled.borrow_dependent().evaluator
    }

    /// The compiled reach graph of the design (what every simulation and the choke-point search
    /// run on), compiled on first use.
    pub fn graph(&self) -> &ReachGraph {
        let derived = self.compiled.borrow_dependent();
        derived
            .graph
            .get_or_init(|| ReachGraph::compile(&derived.evaluator))
    }

    /// The fixpoint of the breach from `origin` (a node of [`Held::graph`]) under `assumption`,
    /// made by `make` unless this revision already ran it, and kept (the last
    /// [`HELD_OUTCOMES`]). `make` runs outside the lock: two askers of the same breach at once
    /// may both run it, and both get the same answer.
    pub fn breach_outcome(
        &self,
        origin: usize,
        assumption: Assumption,
        make: impl FnOnce() -> Outcome,
    ) -> Arc<Outcome> {
        let this = |(o, a, _): &(usize, Assumption, Arc<Outcome>)| *o == origin && *a == assumption;
        if let Some((_, _, out)) = touch(&mut lock(&self.outcomes), this) {
            return out;
        }
        let out = Arc::new(make());
        let mut outcomes = lock(&self.outcomes);
        if !outcomes.iter().any(this) {
            push_bounded(
                &mut outcomes,
                (origin, assumption, Arc::clone(&out)),
                HELD_OUTCOMES,
            );
        }
        out
    }

    /// The answer to `flow_verdicts` for this revision as JSON text, made by `make` from the
    /// evaluator the first time it is asked for and kept. The app makes it for the command-line
    /// design right after opening it, so the page's first question is answered at once; a
    /// second asker while it is being made waits for it instead of making it again.
    pub fn flow_verdicts_json(
        &self,
        make: impl FnOnce(&Evaluator<'_>) -> IpcResult<String>,
    ) -> IpcResult<String> {
        let derived = self.compiled.borrow_dependent();
        derived
            .flow_verdicts
            .get_or_init(|| make(&derived.evaluator))
            .clone()
    }

    /// The answer to `flow_verdicts` for this revision if it was made already (without waiting
    /// for it, or making it).
    pub fn flow_verdicts_made(&self) -> Option<&IpcResult<String>> {
        self.compiled.borrow_dependent().flow_verdicts.get()
    }
}

/// The held revisions, most recently held or asked about last, and the counter that numbers them.
#[derive(Debug, Default)]
pub struct HeldDesigns {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    last: u64,
    held: VecDeque<Arc<Held>>,
}

impl HeldDesigns {
    /// Holds `design` under a new revision and returns it. Building the evaluator happens
    /// outside the lock, so a long build never blocks answers for the revisions already held.
    pub fn hold(&self, design: Design, today: Date) -> u64 {
        let revision = {
            let mut inner = lock(&self.inner);
            inner.last += 1;
            inner.last
        };
        let held = Arc::new(Held::new(revision, design, today));
        push_bounded(&mut lock(&self.inner).held, held, HELD_REVISIONS);
        revision
    }

    /// The held design of `revision`, with its evaluator for `today`. A revision the shell does
    /// not hold is a `stale_revision` error; a held one whose evaluator is for another day (the
    /// app ran past midnight) is rebuilt for today, so expired rules stop applying.
    pub fn get(&self, revision: u64, today: Date) -> IpcResult<Arc<Held>> {
        let found = {
            let mut inner = lock(&self.inner);
            let newest = inner.held.iter().map(|h| h.revision).max();
            touch(&mut inner.held, |h| h.revision == revision)
                .ok_or_else(|| stale(revision, newest))?
        };
        if found.today == today {
            return Ok(found);
        }
        let fresh = Arc::new(Held::new(revision, found.design().clone(), today));
        let mut inner = lock(&self.inner);
        if let Some(slot) = inner.held.iter_mut().find(|h| h.revision == revision) {
            *slot = Arc::clone(&fresh);
        }
        Ok(fresh)
    }
}

/// The first entry `is` picks, moved last: used now, so the last to be dropped. The held
/// revisions and each revision's breaches are both kept most recently used last.
fn touch<T: Clone>(entries: &mut VecDeque<T>, is: impl FnMut(&T) -> bool) -> Option<T> {
    let at = entries.iter().position(is)?;
    let entry = entries.remove(at)?;
    entries.push_back(entry);
    entries.back().cloned()
}

/// Adds `entry` last, dropping the least recently used beyond `cap`.
fn push_bounded<T>(entries: &mut VecDeque<T>, entry: T, cap: usize) {
    entries.push_back(entry);
    while entries.len() > cap {
        entries.pop_front();
    }
}

fn stale(revision: u64, newest: Option<u64>) -> IpcError {
    let holds = match newest {
        Some(n) => format!("its newest is revision {n}"),
        None => "it holds none".to_string(),
    };
    IpcError::new(
        ErrorCode::StaleRevision,
        format!(
            "the shell does not hold revision {revision} of the design ({holds}); send the design again with `set_design`"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::eval::{Caller, Request};
    use bulkhead_core::model::{Exposure, Peer, Rule, Service};

    fn today() -> Date {
        Date::from_unix_days(20_000)
    }

    fn design(name: &str) -> Design {
        let mut d = Design::new(name);
        for id in ["web", "db"] {
            d.services.push(Service {
                id: id.into(),
                exposure: Exposure::Internal,
                ..Default::default()
            });
        }
        d
    }

    #[test]
    fn revisions_are_new_numbers_and_name_exactly_their_design() {
        let held = HeldDesigns::default();
        let a = held.hold(design("a"), today());
        let b = held.hold(design("b"), today());
        assert!(b > a, "each design gets a new revision");
        assert_eq!(held.get(a, today()).unwrap().design().name, "a");
        assert_eq!(held.get(b, today()).unwrap().design().name, "b");
        let c = held.hold(design("c"), today());
        assert_eq!(held.get(c, today()).unwrap().design().name, "c");
        let e = held.get(a, today()).unwrap_err();
        assert_eq!(e.code, ErrorCode::StaleRevision);
        assert!(
            e.message.contains(&format!("revision {a}"))
                && e.message.contains(&format!("newest is revision {c}")),
            "{}",
            e.message
        );
        assert_eq!(
            HeldDesigns::default().get(1, today()).unwrap_err().code,
            ErrorCode::StaleRevision,
            "nothing held yet"
        );
    }

    #[test]
    fn the_least_recently_used_revision_is_dropped_first() {
        let held = HeldDesigns::default();
        let opened = held.hold(design("opened"), today());
        let edited = held.hold(design("edited"), today());
        // Undo: the opened design is asked about again; then another edit.
        held.get(opened, today()).unwrap();
        let again = held.hold(design("again"), today());
        assert_eq!(held.get(opened, today()).unwrap().design().name, "opened");
        assert_eq!(held.get(again, today()).unwrap().design().name, "again");
        let e = held.get(edited, today()).unwrap_err();
        assert_eq!(e.code, ErrorCode::StaleRevision);
        assert!(
            e.message.contains(&format!("newest is revision {again}")),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_evaluator_and_graph_are_the_designs_and_follow_the_date() {
        let mut d = design("x");
        d.rules.push(Rule {
            id: "web-db".into(),
            from: Peer::Service("web".into()),
            to: Peer::Service("db".into()),
            expires: Some("2024-10-01".into()),
            ..Default::default()
        });
        let before = Date::parse("2024-09-30").unwrap();
        let after = Date::parse("2024-10-02").unwrap();
        let held = HeldDesigns::default();
        let r = held.hold(d.clone(), before);
        let call = |h: &Held| {
            h.evaluator()
                .allowed(&Caller::Service("web".into()), "db", &Request::default())
                .is_allowed()
        };
        let h = held.get(r, before).unwrap();
        assert!(call(&h), "the rule applies before it expires");
        assert_eq!(
            h.graph(),
            &ReachGraph::compile(&Evaluator::at(&d, before)),
            "the cached graph is the one the core compiles"
        );
        let h = held.get(r, after).unwrap();
        assert_eq!(h.today(), after);
        assert!(
            !call(&h),
            "a day later the evaluator is rebuilt and the rule has expired"
        );
        assert_eq!(held.get(r, after).unwrap().today(), after);
    }

    #[test]
    fn the_flow_verdicts_answer_is_made_once_per_revision() {
        let held = HeldDesigns::default();
        let r = held.hold(design("x"), today());
        let h = held.get(r, today()).unwrap();
        let made = std::cell::Cell::new(0);
        let make = |e: &Evaluator<'_>| {
            made.set(made.get() + 1);
            Ok(e.design().name.clone())
        };
        assert_eq!(h.flow_verdicts_json(make).unwrap(), "x");
        assert_eq!(h.flow_verdicts_json(make).unwrap(), "x");
        assert_eq!(made.get(), 1, "kept after the first time");
        let other = held.get(held.hold(design("y"), today()), today()).unwrap();
        assert_eq!(
            other.flow_verdicts_json(make).unwrap(),
            "y",
            "each revision its own"
        );
        assert_eq!(made.get(), 2);
    }

    #[test]
    fn a_breachs_fixpoint_is_kept_per_revision_origin_and_assumption() {
        use bulkhead_core::simulate::{SimulateOptions, breach_outcome};
        let held = HeldDesigns::default();
        let h = held.get(held.hold(design("x"), today()), today()).unwrap();
        let made = std::cell::Cell::new(0);
        let run = |h: &Held, origin: usize, assumption: Assumption| {
            h.breach_outcome(origin, assumption, || {
                made.set(made.get() + 1);
                let options = SimulateOptions {
                    assumption,
                    ..SimulateOptions::default()
                };
                breach_outcome(h.evaluator(), h.graph(), origin, &options)
            })
        };
        let internet = h.graph().n;
        let first = run(&h, internet, Assumption::Worst);
        assert!(Arc::ptr_eq(&first, &run(&h, internet, Assumption::Worst)));
        assert_eq!(made.get(), 1, "the same breach is run once");
        run(&h, internet, Assumption::Known);
        run(&h, 0, Assumption::Worst);
        assert_eq!(
            made.get(),
            3,
            "another assumption or origin is another breach"
        );
        // An edit is a new revision: nothing of the old one's breaches.
        let edited = held.get(held.hold(design("x"), today()), today()).unwrap();
        run(&edited, internet, Assumption::Worst);
        assert_eq!(made.get(), 4);
        // The least recently used goes first.
        let others = [0, 1]
            .into_iter()
            .flat_map(|origin| [Assumption::Known, Assumption::Probabilistic].map(|a| (origin, a)));
        for (origin, assumption) in others.take(HELD_OUTCOMES) {
            run(&h, origin, assumption);
        }
        let made_before = made.get();
        run(&h, internet, Assumption::Worst);
        assert_eq!(
            made.get(),
            made_before + 1,
            "dropped after HELD_OUTCOMES others"
        );
    }
}
