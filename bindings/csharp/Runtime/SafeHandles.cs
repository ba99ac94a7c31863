// SafeHandle subclasses for every object libgameye hands out. Each one frees
// its pointer with the library's own free function, exactly once, and never
// while a P/Invoke call that received the handle is still running (SafeHandle
// reference counting): that is what makes "do not free the client while another
// thread is inside a call that uses it" hold even if Dispose races a call.
//
// A handle whose pointer is zero is "invalid": passing one to a function gives
// the library a NULL pointer (which it reports as GAMEYE_STATUS_NULL_ARGUMENT).
// A disposed handle can no longer be passed at all (ObjectDisposedException).

using System;
using System.Runtime.InteropServices;

namespace GameyeSdk.Native
{
    /// <summary>The common base: zero is invalid, the handle is owned.</summary>
    public abstract class GameyeHandle : SafeHandle
    {
        /// <summary>An invalid (NULL) handle; P/Invoke fills in the pointer.</summary>
        protected GameyeHandle() : base(IntPtr.Zero, true) { }

        /// <inheritdoc/>
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
    }

    /// <summary>An owned GameyeClient *; freed with gameye_client_free.</summary>
    [Preserve]
    public sealed class ClientHandle : GameyeHandle
    {
        /// <summary>A NULL client handle.</summary>
        [Preserve] public ClientHandle() { }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            NativeMethods.gameye_client_free(handle);
            return true;
        }
    }

    /// <summary>An owned GameyeResult *; freed with gameye_result_free.</summary>
    [Preserve]
    public sealed class ResultHandle : GameyeHandle
    {
        /// <summary>A NULL result handle.</summary>
        [Preserve] public ResultHandle() { }

        /// <summary>
        /// Copies the result struct out of library memory. The pointers inside
        /// it stay valid only until this handle is disposed.
        /// </summary>
        public GameyeResult Read()
        {
            if (IsClosed) throw new ObjectDisposedException("ResultHandle");
            if (IsInvalid) throw new InvalidOperationException("NULL result");
            return Marshal.PtrToStructure<GameyeResult>(handle);
        }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            NativeMethods.gameye_result_free(handle);
            return true;
        }
    }

    /// <summary>An owned GameyeOperation *; freed with gameye_operation_free (also while pending).</summary>
    [Preserve]
    public sealed class OperationHandle : GameyeHandle
    {
        /// <summary>A NULL operation handle.</summary>
        [Preserve] public OperationHandle() { }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            NativeMethods.gameye_operation_free(handle);
            return true;
        }
    }

    /// <summary>An owned GameyeQueue *; freed with gameye_queue_free.</summary>
    [Preserve]
    public sealed class QueueHandle : GameyeHandle
    {
        /// <summary>A NULL queue handle (gameye_operation_set_callback: library-thread mode).</summary>
        [Preserve] public QueueHandle() { }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            NativeMethods.gameye_queue_free(handle);
            return true;
        }
    }

    /// <summary>An owned GameyeLogStream *; freed with gameye_log_stream_free.</summary>
    [Preserve]
    public sealed class LogStreamHandle : GameyeHandle
    {
        /// <summary>A NULL log stream handle.</summary>
        [Preserve] public LogStreamHandle() { }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            NativeMethods.gameye_log_stream_free(handle);
            return true;
        }
    }
}
