//! The state machine of a followed log (`GameyeLogStream`), apart from its
//! I/O so that loom can check it: one read at a time takes the stream out and
//! puts it back; cancelling a pending read or closing the stream ends it for
//! good, also while a read holds the stream.

/// Where a followed log is. `S` is the open stream (a `LogStream`).
pub(crate) enum Follow<S> {
    /// Not opened yet (`gameye_logs_follow_async`): the first read opens it.
    NotOpened(String),
    /// Open and idle.
    Open(S),
    /// A read is in flight (it holds the stream).
    Reading,
    /// The log ended or failed: reads give the end.
    Ended,
    /// A pending read was cancelled or freed, or the stream was closed:
    /// reads give `GAMEYE_STATUS_CANCELLED`.
    Cancelled,
}

/// What a read starts with.
pub(crate) enum Begin<S> {
    /// The open stream, now held by this read.
    Read(S),
    /// The session id: this read opens the log.
    Open(String),
    /// Another read is in flight.
    Busy,
    /// The log has ended.
    Ended,
    /// The stream was cancelled or closed.
    Cancelled,
}

impl<S> Follow<S> {
    /// Starts a read: takes the stream (or the id to open) out of the state.
    pub(crate) fn begin(&mut self) -> Begin<S> {
        match std::mem::replace(self, Follow::Reading) {
            Follow::Open(s) => Begin::Read(s),
            Follow::NotOpened(id) => Begin::Open(id),
            Follow::Reading => Begin::Busy,
            Follow::Ended => {
                *self = Follow::Ended;
                Begin::Ended
            }
            Follow::Cancelled => {
                *self = Follow::Cancelled;
                Begin::Cancelled
            }
        }
    }

    /// Ends the read that began: gives the stream back (`None`: the log ended
    /// or failed, or the read was dropped midway). A stream cancelled while
    /// the read ran stays cancelled; the stream given back is returned to be
    /// dropped outside the lock.
    pub(crate) fn finish(&mut self, stream: Option<S>) -> Option<S> {
        match self {
            Follow::Reading => {
                *self = stream.map_or(Follow::Ended, Follow::Open);
                None
            }
            _ => stream,
        }
    }

    /// Ends the stream for good (a cancelled read, or close/free). Returns
    /// the idle stream, if any, to be dropped outside the lock.
    pub(crate) fn cancel(&mut self) -> Option<S> {
        match std::mem::replace(self, Follow::Cancelled) {
            Follow::Open(s) => Some(s),
            _ => None,
        }
    }
}
