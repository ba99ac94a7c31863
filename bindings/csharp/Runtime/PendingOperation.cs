// A native operation bridged to a Task. The operation's completion callback is
// registered with the client's completion queue, so it runs only inside
// GameyeClient.Update(), on the thread that calls it (Unity: the main thread).
//
// Lifetime rules (all under the client's lock, which Update holds while draining):
// - The GCHandle passed as userdata is freed exactly once: by the callback when
//   it runs, or by Abandon when the client is disposed first (gameye_operation_free
//   guarantees the callback never runs after that, even if already queued).
// - The OperationHandle is disposed in both paths; SafeHandle reference counting
//   keeps a concurrent Cancel (from a CancellationToken, any thread) safe.

using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using AOT;
using GameyeSdk.Native;

namespace GameyeSdk
{
    internal abstract class PendingOperation
    {
        // The static callback handed to native code; a static field keeps the
        // delegate alive for the process's life (IL2CPP needs a static method).
        internal static readonly NativeMethods.CompletionCallback OnCompletedDelegate = OnCompleted;

        private readonly GameyeClient _client;
        private OperationHandle _op;
        private IntPtr _userdata;
        private CancellationToken _token;
        private CancellationTokenRegistration _registration;
        internal DownloadSink Sink;

        protected PendingOperation(GameyeClient client)
        {
            _client = client;
        }

        /// <summary>Registers the completion callback. Called under the client's lock.</summary>
        internal void Attach(OperationHandle op, QueueHandle queue, CancellationToken token)
        {
            _op = op;
            _token = token;
            _userdata = CallbackHandles.Alloc(this);
            uint status = NativeMethods.gameye_operation_set_callback(op, queue, OnCompletedDelegate, _userdata);
            if (status != (uint)GameyeStatus.Ok)
            {
                Release();
                throw new InvalidOperationException("gameye_operation_set_callback: " + Gameye.StatusName(status));
            }
            if (token.CanBeCanceled)
            {
                // A token cancelled from here on runs Cancel (GameyeClient.Start
                // never starts an operation for one cancelled before).
                _registration = token.Register(state => ((PendingOperation)state).Cancel(), this);
            }
        }

        private void Cancel()
        {
            try
            {
                NativeMethods.gameye_operation_cancel(_op);
            }
            catch (ObjectDisposedException)
            {
                // Completed (and freed) meanwhile: nothing to cancel.
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.CompletionCallback))]
        private static void OnCompleted(IntPtr userdata, IntPtr operation)
        {
            try
            {
                var pending = (PendingOperation)CallbackHandles.Target(userdata);
                pending.Complete();
            }
            catch (Exception e)
            {
                // Never let an exception unwind into native code.
                Gameye.ReportCallbackFailure("completion callback", e);
            }
        }

        private void Complete()
        {
            ResultHandle result = null;
            try
            {
                result = NativeMethods.gameye_operation_take_result(_op);
            }
            catch (Exception e)
            {
                Release();
                SetException(e);
                return;
            }
            Release();
            using (result)
            {
                try
                {
                    if (result.IsInvalid) throw new InvalidOperationException("the operation completed without a result");
                    GameyeResult r = result.Read();
                    DownloadSink sink = Sink;
                    if (sink != null) sink.Finish(r.status == (uint)GameyeStatus.Cancelled);
                    if (r.status == (uint)GameyeStatus.Cancelled && _token.IsCancellationRequested)
                    {
                        SetCanceled(_token);
                    }
                    else if (sink != null && sink.Error != null)
                    {
                        SetException(sink.IoError());
                    }
                    else if (r.status != (uint)GameyeStatus.Ok)
                    {
                        SetException(ResultReader.Error(r).ToException());
                    }
                    else
                    {
                        SetResult(r);
                    }
                }
                catch (Exception e)
                {
                    SetException(e);
                }
            }
        }

        /// <summary>
        /// The client is being disposed while this operation is pending: free the
        /// operation (its callback will never run) and fail the task.
        /// </summary>
        internal void Abandon()
        {
            Release();
            if (Sink != null) Sink.Finish(true);
            SetException(new ObjectDisposedException("GameyeClient", "the client was disposed before the operation completed"));
        }

        /// <summary>Frees the operation, the GCHandle (once) and the registration.</summary>
        private void Release()
        {
            if (_op != null) _op.Dispose();
            IntPtr userdata = Interlocked.Exchange(ref _userdata, IntPtr.Zero);
            if (userdata != IntPtr.Zero) CallbackHandles.Free(userdata);
            _registration.Dispose();
            _client.Forget(this);
        }

        protected abstract void SetResult(GameyeResult r);
        protected abstract void SetException(Exception e);
        protected abstract void SetCanceled(CancellationToken token);
    }

    internal sealed class PendingOperation<T> : PendingOperation
    {
        // Continuations run on the thread pool (or the awaiting context, such as
        // Unity's main thread), never inside the native callback or its lock.
        private readonly TaskCompletionSource<T> _tcs =
            new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<GameyeResult, T> _convert;

        internal PendingOperation(GameyeClient client, Func<GameyeResult, T> convert)
            : base(client)
        {
            _convert = convert;
        }

        internal Task<T> Task { get { return _tcs.Task; } }

        protected override void SetResult(GameyeResult r) { _tcs.TrySetResult(_convert(r)); }
        protected override void SetException(Exception e) { _tcs.TrySetException(e); }
        protected override void SetCanceled(CancellationToken token) { _tcs.TrySetCanceled(token); }
    }

    /// <summary>
    /// The managed side of a GameyeWriteCallback: copies each chunk into a Stream.
    /// An exception from the stream stops the download and is reported as
    /// GameyeStatus.Io with the exception as InnerException.
    /// </summary>
    internal sealed class DownloadSink
    {
        internal static readonly NativeMethods.WriteCallback OnWriteDelegate = OnWrite;

        private readonly Stream _stream;
        private readonly object _lock = new object();
        private byte[] _buffer;
        private bool _closed;
        private IntPtr _userdata;

        internal DownloadSink(Stream stream)
        {
            _stream = stream;
            _userdata = CallbackHandles.Alloc(this);
        }

        internal IntPtr Userdata { get { return _userdata; } }
        internal Exception Error { get; private set; }

        [MonoPInvokeCallback(typeof(NativeMethods.WriteCallback))]
        private static int OnWrite(IntPtr userdata, IntPtr data, UIntPtr len)
        {
            try
            {
                return ((DownloadSink)CallbackHandles.Target(userdata)).Write(data, len);
            }
            catch (Exception)
            {
                return 1; // stop the download
            }
        }

        private int Write(IntPtr data, UIntPtr len)
        {
            lock (_lock)
            {
                if (_closed) return 1;
                try
                {
                    int n = checked((int)len.ToUInt64());
                    if (_buffer == null || _buffer.Length < n) _buffer = new byte[Math.Max(n, 64 * 1024)];
                    Marshal.Copy(data, _buffer, 0, n);
                    _stream.Write(_buffer, 0, n);
                    return 0;
                }
                catch (Exception e)
                {
                    Error = e;
                    return 1;
                }
            }
        }

        /// <summary>
        /// No more writes are accepted; frees the GCHandle (once). When the
        /// download was cancelled or abandoned a library thread may still be
        /// about to call the write callback, so the handle is retired instead
        /// (freed after a grace period) and any late call is refused.
        /// </summary>
        internal void Finish(bool mayStillBeCalled)
        {
            lock (_lock) _closed = true;
            IntPtr userdata = Interlocked.Exchange(ref _userdata, IntPtr.Zero);
            if (userdata == IntPtr.Zero) return;
            if (mayStillBeCalled) CallbackHandles.Retire(userdata); else CallbackHandles.Free(userdata);
        }

        internal GameyeException IoError()
        {
            return new GameyeException(
                ResultReader.Error(GameyeStatus.Io, "writing the download to the stream failed: " + Error.Message), Error);
        }
    }
}
