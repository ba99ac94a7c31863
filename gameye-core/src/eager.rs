//! The state machine of a task started on the caller's thread and handed
//! to a runtime by its first wake ([`crate::Client::spawn_eager`]). Generic
//! over how a task is spawned and aborted, so that loom can check it with a
//! stand-in runtime (`eager/loom_tests.rs`).
//!
//! The caller polls the task (`Polling`), then gives it to [`Eager::after_poll`]:
//! not woken meanwhile, it waits (`Waiting`) and the first [`Eager::wake`]
//! spawns it; woken, it is polled again (or spawned). [`Eager::abort`] drops
//! a task not yet spawned, or aborts the spawned one. Spawning happens
//! outside the lock (`Spawning`): a runtime that shut down drops the task at
//! once, and a task's drop may run any code, including a wake of itself.

#[cfg(gameye_loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(gameye_loom))]
use std::sync::{Mutex, MutexGuard};

/// How tasks are handed to a runtime, and aborted there.
pub(crate) trait Spawn {
    type Task;
    type Handle;
    fn spawn(&self, task: Self::Task) -> Self::Handle;
    fn abort(handle: &Self::Handle);
}

/// One eager task.
pub(crate) struct Eager<S: Spawn> {
    spawner: S,
    stage: Mutex<Stage<S::Task, S::Handle>>,
}

pub(crate) enum Stage<T, H> {
    /// Being polled on the caller's thread; `woken` when something woke it
    /// meanwhile.
    Polling { woken: bool },
    /// Polled, waiting: the first wake spawns it.
    Waiting(T),
    /// Being handed to the runtime, outside the lock.
    Spawning,
    /// On the runtime, which polls it with its own waker from now on.
    Spawned(H),
    /// Aborted while `Polling` or `Spawning`: dropped or aborted once that
    /// is done.
    Aborted,
    /// Finished, dropped or aborted.
    Ended,
}

impl<S: Spawn> Eager<S> {
    /// A task about to be polled for the first time.
    pub(crate) fn new(spawner: S) -> Self {
        Eager {
            spawner,
            stage: Mutex::new(Stage::Polling { woken: false }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Stage<S::Task, S::Handle>> {
        self.stage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A poll on the caller's thread finished the task.
    pub(crate) fn finished(&self) {
        *self.lock() = Stage::Ended;
    }

    /// A poll on the caller's thread returned pending. Not woken meanwhile:
    /// kept for the first wake. Woken: given back to be polled again when
    /// `again`, else spawned. Aborted meanwhile: dropped.
    pub(crate) fn after_poll(&self, task: S::Task, again: bool) -> Option<S::Task> {
        let mut stage = self.lock();
        match std::mem::replace(&mut *stage, Stage::Ended) {
            Stage::Polling { woken: false } => *stage = Stage::Waiting(task),
            Stage::Polling { woken: true } if again => {
                *stage = Stage::Polling { woken: false };
                return Some(task);
            }
            Stage::Polling { woken: true } => {
                *stage = Stage::Spawning;
                drop(stage);
                self.spawn(task);
            }
            _ => {
                drop(stage);
                drop(task);
            }
        }
        None
    }

    /// Something the task waits for happened.
    pub(crate) fn wake(&self) {
        let mut stage = self.lock();
        match std::mem::replace(&mut *stage, Stage::Ended) {
            Stage::Polling { .. } => *stage = Stage::Polling { woken: true },
            Stage::Waiting(task) => {
                *stage = Stage::Spawning;
                drop(stage);
                self.spawn(task);
            }
            other => *stage = other,
        }
    }

    /// Cancels the task: dropped here when not yet spawned, else aborted on
    /// the runtime.
    pub(crate) fn abort(&self) {
        let dropped = {
            let mut stage = self.lock();
            match std::mem::replace(&mut *stage, Stage::Ended) {
                Stage::Waiting(task) => Some(task),
                Stage::Spawned(handle) => {
                    S::abort(&handle);
                    None
                }
                Stage::Polling { .. } | Stage::Spawning => {
                    *stage = Stage::Aborted;
                    None
                }
                Stage::Aborted | Stage::Ended => None,
            }
        };
        // Outside the lock: its drop may run code that wakes it.
        drop(dropped);
    }

    /// Hands `task` to the runtime, outside the lock.
    fn spawn(&self, task: S::Task) {
        let handle = self.spawner.spawn(task);
        let mut stage = self.lock();
        match &*stage {
            Stage::Aborted => {
                *stage = Stage::Ended;
                S::abort(&handle);
            }
            _ => *stage = Stage::Spawned(handle),
        }
    }
}

#[cfg(all(test, gameye_loom))]
mod loom_tests;
