//! Artifact downloads into a path or a Python file object.
//!
//! A path goes to the core's `download_artifact_to_file` (temporary file,
//! renamed into place when complete). A file object gets each chunk through
//! its `write()`: the blocking client drives the core's
//! `download_artifact` with a `std::io::Write` adapter that attaches to
//! Python only for the call; the async client reads the core's chunk stream
//! on its runtime and has each `write()` run on the event loop's thread, one
//! chunk at a time, awaiting it when it returns an awaitable.

use std::io;
use std::path::PathBuf;
use std::sync::Mutex;

use gameye_core::Client;
use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use tokio::sync::oneshot;

use crate::aio_future;
use crate::error::{self, GameyeError};
use crate::exit_gate;

/// Where a download goes.
pub(crate) enum Dest {
    /// A filesystem path (`str` or `os.PathLike`).
    Path(PathBuf),
    /// A binary file object, anything with `write(bytes)`.
    Writer(Py<PyAny>),
}

impl Dest {
    pub(crate) fn from_py(dest: &Bound<'_, PyAny>) -> PyResult<Dest> {
        if dest.is_instance_of::<PyString>() || dest.hasattr("__fspath__")? {
            return Ok(Dest::Path(dest.extract()?));
        }
        if dest.hasattr("write")? {
            return Ok(Dest::Writer(dest.clone().unbind()));
        }
        let type_name = dest.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "dest must be a path (str or os.PathLike) or a binary file object with write(), \
             not {type_name}"
        )))
    }
}

/// Writes the whole of `data` with `file.write()`, repeating the call when
/// it reports a partial write. Returns the awaitable of an async `write()`,
/// which then has the whole chunk.
fn write_py<'py>(file: &Bound<'py, PyAny>, data: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = file.py();
    let mut offset = 0;
    while offset < data.len() {
        let written = file.call_method1("write", (PyBytes::new(py, &data[offset..]),))?;
        if written.hasattr("__await__")? {
            return Ok(Some(written));
        }
        // `None` or another non-number: taken as all written, as most
        // file-like objects that return nothing write everything.
        match written.extract::<usize>() {
            Ok(0) => return Err(PyOSError::new_err("write() accepted no bytes")),
            Ok(n) => offset += n,
            Err(_) => break,
        }
    }
    Ok(None)
}

/// Calls `file.flush()` when it has one; returns its awaitable, if any.
fn flush_py<'py>(file: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if !file.hasattr("flush")? {
        return Ok(None);
    }
    let r = file.call_method0("flush")?;
    Ok(r.hasattr("__await__")?.then_some(r))
}

/// `std::io::Write` over a Python file object, for the blocking download;
/// keeps the Python exception of a failed call to raise as the cause.
struct PyWriter<'a> {
    file: &'a Py<PyAny>,
    failure: Option<PyErr>,
}

impl PyWriter<'_> {
    fn call(
        &mut self,
        f: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>>,
    ) -> io::Result<()> {
        let outcome = exit_gate::try_attach(|py| match f(self.file.bind(py)) {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = e.to_string();
                self.failure = Some(e);
                Err(io::Error::other(text))
            }
        });
        outcome.unwrap_or_else(|| Err(io::Error::other("the Python interpreter is exiting")))
    }
}

impl io::Write for PyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.call(|file| write_py(file, buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.call(flush_py)
    }
}

/// The blocking download; returns the number of bytes written.
pub(crate) fn download(
    py: Python<'_>,
    client: &Client,
    session: &str,
    path: &str,
    dest: Dest,
) -> PyResult<u64> {
    match dest {
        Dest::Path(to) => {
            exit_gate::detach(py, || client.download_artifact_to_file(session, path, &to))
                .map(|r| *r)
                .map_err(|e| GameyeError::from(e).into())
        }
        Dest::Writer(file) => {
            let mut writer = PyWriter {
                file: &file,
                failure: None,
            };
            let result =
                exit_gate::detach(py, || client.download_artifact(session, path, &mut writer));
            match (result, writer.failure) {
                (Ok(r), _) => Ok(*r),
                (Err(e), Some(cause)) => Err(error::caused_by(py, &e, cause)),
                (Err(e), None) => Err(GameyeError::from(e).into()),
            }
        }
    }
}

/// Why an async download failed.
enum Failure {
    Core(gameye_core::Error),
    /// The file object's `write()` or `flush()` raised.
    Write(PyErr),
}

/// The async download: an asyncio future of the number of bytes written.
pub(crate) fn download_async<'py>(
    py: Python<'py>,
    client: &Client,
    session: String,
    path: String,
    dest: Dest,
) -> PyResult<Bound<'py, PyAny>> {
    match dest {
        Dest::Path(to) => {
            let core = client.clone();
            let work = async move {
                core.download_artifact_to_file_async(&session, &path, &to)
                    .await
            };
            aio_future::spawn_future(py, client, aio_future::Start::OnRuntime, work, |py, r| {
                let n = r.map_err(GameyeError::from)?.into_inner();
                Ok(n.into_pyobject(py)?.into_any().unbind())
            })
        }
        Dest::Writer(file) => {
            let event_loop = aio_future::running_loop(py)?.unbind();
            let core = client.clone();
            let work = async move {
                let (_, mut stream) = core
                    .open_artifact_async(&session, &path)
                    .await
                    .map_err(Failure::Core)?;
                let mut written = 0u64;
                while let Some(chunk) = stream.next_chunk().await {
                    let chunk = chunk.map_err(Failure::Core)?;
                    let len = chunk.len() as u64;
                    on_loop(&event_loop, &file, Some(Vec::from(chunk))).await?;
                    written += len;
                }
                on_loop(&event_loop, &file, None).await?;
                Ok(written)
            };
            aio_future::spawn_future(
                py,
                client,
                aio_future::Start::OnRuntime,
                work,
                |py, r: Result<u64, Failure>| match r {
                    Ok(n) => Ok(n.into_pyobject(py)?.into_any().unbind()),
                    Err(Failure::Core(e)) => Err(GameyeError::from(e).into()),
                    Err(Failure::Write(e)) => Err(error::write_failed(py, e)),
                },
            )
        }
    }
}

/// Runs one `write(chunk)` (or, for `None`, `flush()`) on the event loop and
/// waits until it (and the awaitable it returned) finished.
async fn on_loop(
    event_loop: &Py<PyAny>,
    file: &Py<PyAny>,
    chunk: Option<Vec<u8>>,
) -> Result<(), Failure> {
    let (tx, rx) = oneshot::channel();
    let scheduled = exit_gate::try_attach(|py| {
        let step = WriteStep {
            file: file.clone_ref(py),
            chunk,
            done: Mutex::new(Some(tx)),
        };
        event_loop
            .call_method1(py, "call_soon_threadsafe", (step,))
            .is_ok()
    });
    let closed = || {
        Failure::Core(error::cancelled(
            "the event loop closed during the download",
        ))
    };
    if scheduled != Some(true) {
        return Err(closed());
    }
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Failure::Write(e)),
        Err(_) => Err(closed()),
    }
}

type Done = Mutex<Option<oneshot::Sender<PyResult<()>>>>;

fn send(done: &Done, result: PyResult<()>) {
    if let Some(tx) = done.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = tx.send(result);
    }
}

/// One write (or the final flush) of an async download, called on the loop.
#[pyclass(frozen)]
struct WriteStep {
    file: Py<PyAny>,
    chunk: Option<Vec<u8>>,
    done: Done,
}

#[pymethods]
impl WriteStep {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        // The loop may run on a daemon thread; see `exit_gate`.
        let Some(_section) = exit_gate::enter() else {
            return Ok(());
        };
        let cancelled = match &*self.done.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(tx) => tx.is_closed(),
            None => true,
        };
        if cancelled {
            return Ok(()); // the download was cancelled: write nothing more
        }
        let file = self.file.bind(py);
        let step = match &self.chunk {
            Some(data) => write_py(file, data),
            None => flush_py(file),
        };
        match step {
            Ok(None) => send(&self.done, Ok(())),
            Ok(Some(awaitable)) => {
                let waiting = aio_future::asyncio(py)?
                    .call_method1("ensure_future", (awaitable,))
                    .and_then(|fut| {
                        let done =
                            Mutex::new(self.done.lock().unwrap_or_else(|e| e.into_inner()).take());
                        fut.call_method1("add_done_callback", (StepDone { done },))
                    });
                if let Err(e) = waiting {
                    send(&self.done, Err(e));
                }
            }
            Err(e) => send(&self.done, Err(e)),
        }
        Ok(())
    }
}

/// Reports the end of an awaited `write()` or `flush()`.
#[pyclass(frozen)]
struct StepDone {
    done: Done,
}

#[pymethods]
impl StepDone {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(_section) = exit_gate::enter() else {
            return Ok(());
        };
        let result = if future.call_method0("cancelled")?.is_truthy()? {
            Err(PyOSError::new_err("the file object's write was cancelled"))
        } else {
            match future.call_method0("exception")? {
                exc if exc.is_none() => Ok(()),
                exc => Err(PyErr::from_value(exc)),
            }
        };
        send(&self.done, result);
        Ok(())
    }
}
