//! loom model checks of the log follower's state machine ([`Phase`]): reads,
//! close from another thread, and a read dropped midway (a cancelled async
//! read), over every interleaving.
//!
//! Run: `RUSTFLAGS="--cfg gameye_loom" CARGO_TARGET_DIR=target/loom
//! cargo test -p gameye-core --release --lib loom` (`scripts/test.sh` does).

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

use super::{lock, Begin, Phase};

/// A read as [`super::PendingRead`] does it: begin, then give the stream
/// back (`drop_midway`: the read is dropped instead, which closes the stream).
fn read(phase: &Mutex<Phase<u32>>, holders: &AtomicUsize, drop_midway: bool) -> Option<u32> {
    let begun = lock(phase).begin();
    match begun {
        Begin::Read(s) => {
            assert_eq!(
                holders.fetch_add(1, SeqCst),
                0,
                "one read at a time holds the stream"
            );
            holders.fetch_sub(1, SeqCst);
            if drop_midway {
                let _ = lock(phase).close();
            } else {
                let _ = lock(phase).finish(Some(s));
            }
            Some(s)
        }
        _ => None,
    }
}

#[test]
fn loom_log_stream_reads_and_close() {
    loom::model(|| {
        let phase = Arc::new(Mutex::new(Phase::Open(7u32)));
        let holders = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (phase, holders, closed) = (
                    Arc::clone(&phase),
                    Arc::clone(&holders),
                    Arc::clone(&closed),
                );
                thread::spawn(move || {
                    let was_closed = closed.load(SeqCst);
                    let got = read(&phase, &holders, false);
                    if was_closed {
                        assert!(got.is_none(), "no read gets the stream after close");
                    }
                })
            })
            .collect();
        let _ = lock(&phase).close();
        closed.store(true, SeqCst);
        for r in readers {
            r.join().unwrap();
        }
        assert!(matches!(*lock(&phase), Phase::Closed));
    });
}

#[test]
fn loom_a_read_dropped_midway_closes_the_stream() {
    loom::model(|| {
        let phase = Arc::new(Mutex::new(Phase::Open(1u32)));
        let holders = Arc::new(AtomicUsize::new(0));
        let dropped = {
            let (phase, holders) = (Arc::clone(&phase), Arc::clone(&holders));
            thread::spawn(move || read(&phase, &holders, true).is_some())
        };
        let first = read(&phase, &holders, false).is_some();
        let dropped_held = dropped.join().unwrap();
        let second = read(&phase, &holders, false).is_some();
        if dropped_held {
            // The cancelled read had the stream: it is closed for good.
            assert!(matches!(*lock(&phase), Phase::Closed));
            assert!(!second, "no read after the dropped one gets the stream");
        } else {
            // It was refused (busy): the other read gave the stream back.
            assert!(first && second);
            assert!(matches!(*lock(&phase), Phase::Open(1)));
        }
    });
}

#[test]
fn loom_opening_races_close() {
    loom::model(|| {
        let phase: Arc<Mutex<Phase<u32>>> = Arc::new(Mutex::new(Phase::Unopened("id".into())));
        let opener = {
            let phase = Arc::clone(&phase);
            thread::spawn(move || {
                if lock(&phase).begin_open().is_some() {
                    // The request succeeded; a close meanwhile gets it back.
                    let _ = lock(&phase).finish(Some(5));
                }
            })
        };
        let _ = lock(&phase).close();
        opener.join().unwrap();
        assert!(
            matches!(*lock(&phase), Phase::Closed),
            "a close during the open wins"
        );
    });
}
