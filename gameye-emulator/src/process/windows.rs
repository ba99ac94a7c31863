//! Windows equivalents of the POSIX process group and signals that
//! [`super`] uses to run a session's process like a container:
//!
//! - process group → a **job object**: the process is started suspended,
//!   put in a fresh job, then resumed, so everything it ever starts is in
//!   the job too. Ending the job ends the whole tree. The job is created with
//!   "kill on job close", so should the emulator die without stopping its
//!   sessions its handle closes and Windows ends the tree (the counterpart of
//!   `PR_SET_PDEATHSIG` on Linux).
//! - SIGTERM → **CTRL_BREAK_EVENT** to the process's console process group
//!   (it is started with `CREATE_NEW_PROCESS_GROUP`, so the emulator's own
//!   Ctrl+C never reaches it, as a terminal's SIGINT never reaches a POSIX
//!   session's group). This only works when the emulator has a console; if
//!   the event cannot be sent the stop goes straight to the next step.
//! - SIGKILL → **TerminateJobObject**.

use std::io;
use std::ptr;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Console::{GenerateConsoleCtrlEvent, CTRL_BREAK_EVENT};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
};
use windows_sys::Win32::System::Threading::{
    OpenThread, ResumeThread, CREATE_NEW_PROCESS_GROUP, CREATE_SUSPENDED, THREAD_SUSPEND_RESUME,
};

/// Creation flags for a session's process: its own console process group
/// (for CTRL_BREAK) and suspended until it is in its job.
pub(super) const CREATION_FLAGS: u32 = CREATE_NEW_PROCESS_GROUP | CREATE_SUSPENDED;

/// The exit code every process of a job gets when the job is ended, like
/// the 128+9 a shell reports for SIGKILL.
const KILLED_EXIT_CODE: u32 = 137;

/// An owned handle, closed on drop.
struct OwnedHandle(HANDLE);

impl Drop for OwnedHandle {
    fn drop(&mut self) {
        // SAFETY: the handle was returned open by the Win32 call that made
        // this value, and nothing else closes it.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// A job object holding one session's process tree. Dropping it ends every
/// process still in it.
pub(super) struct Job(OwnedHandle);

// SAFETY: a job handle is a kernel object handle; Win32 allows using it from
// any thread, and `Job` never hands out the raw value.
unsafe impl Send for Job {}
// SAFETY: as above; the calls made through `&Job` are thread-safe kernel calls.
unsafe impl Sync for Job {}

impl Job {
    /// A new job whose processes all end when its last handle closes.
    pub(super) fn new() -> io::Result<Job> {
        // SAFETY: null attributes and name are allowed (default security,
        // unnamed job).
        let handle = unsafe { CreateJobObjectW(ptr::null(), ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        let job = Job(OwnedHandle(handle));
        // SAFETY: the struct is plain data; all-zero is "no limits".
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        // SAFETY: `limits` is the struct this information class expects, and
        // the size passed is its size.
        let ok = unsafe {
            SetInformationJobObject(
                job.0 .0,
                JobObjectExtendedLimitInformation,
                (&limits as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(job)
    }

    /// Puts a process (by its handle, which the caller keeps open) in the job.
    pub(super) fn assign(&self, process: HANDLE) -> io::Result<()> {
        // SAFETY: both handles are open for the duration of the call.
        if unsafe { AssignProcessToJobObject(self.0 .0, process) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Ends every process in the job at once (the SIGKILL of a group).
    pub(super) fn terminate(&self) {
        // SAFETY: the handle is open; ending an empty job is harmless.
        unsafe {
            TerminateJobObject(self.0 .0, KILLED_EXIT_CODE);
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // Closing the handle would do it too (kill on job close), unless
        // another handle to the job exists; be explicit.
        self.terminate();
    }
}

/// Resumes every thread of process `pid` (one created with
/// `CREATE_SUSPENDED`, which has only its main thread). `std` keeps the
/// main thread's handle to itself, so the thread is found by a snapshot.
pub(super) fn resume(pid: u32) -> io::Result<()> {
    // SAFETY: no pointers are passed; the result is checked below.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
    if snapshot == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    let snapshot = OwnedHandle(snapshot);
    // SAFETY: plain data; dwSize is set before use as the API requires.
    let mut entry: THREADENTRY32 = unsafe { std::mem::zeroed() };
    entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
    let mut resumed = 0;
    // SAFETY: `entry` is a valid, sized THREADENTRY32 for each call.
    let mut more = unsafe { Thread32First(snapshot.0, &mut entry) } != 0;
    while more {
        if entry.th32OwnerProcessID == pid {
            // SAFETY: no pointers; the handle is checked and closed.
            let thread = unsafe { OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID) };
            if !thread.is_null() {
                let thread = OwnedHandle(thread);
                // SAFETY: an open thread handle with THREAD_SUSPEND_RESUME.
                if unsafe { ResumeThread(thread.0) } != u32::MAX {
                    resumed += 1;
                }
            }
        }
        // SAFETY: as for Thread32First.
        more = unsafe { Thread32Next(snapshot.0, &mut entry) } != 0;
    }
    if resumed == 0 {
        return Err(io::Error::other(format!(
            "found no thread of process {pid} to resume"
        )));
    }
    Ok(())
}

/// Sends CTRL_BREAK_EVENT to the console process group led by `pid`. It
/// fails when the emulator has no console shared with that group.
pub(super) fn ctrl_break(pid: u32) -> io::Result<()> {
    // SAFETY: no pointers; a failure is reported by the return value.
    if unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid) } == 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("CTRL_BREAK: {e}")));
    }
    Ok(())
}
