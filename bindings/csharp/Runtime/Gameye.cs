// Process-wide parts of the binding: version, status names, the logging hook,
// and the bookkeeping of GCHandles handed to native code as callback userdata.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using AOT;
using GameyeSdk.Native;

namespace GameyeSdk
{
    /// <summary>Library-wide functions: version, status names and logging.</summary>
    public static class Gameye
    {
        /// <summary>The native library's version, such as "0.1.0".</summary>
        public static string Version
        {
            get { return Utf8.Decode(NativeMethods.gameye_version()); }
        }

        /// <summary>The version of the header this binding was written against.</summary>
        public static string BindingVersion
        {
            get
            {
                return NativeMethods.VersionMajor + "." + NativeMethods.VersionMinor + "." +
                       NativeMethods.VersionPatch;
            }
        }

        /// <summary>The stable name of a status number, such as "GAMEYE_STATUS_NOT_FOUND".</summary>
        public static string StatusName(uint status)
        {
            // A static string: decoded, never freed.
            return Utf8.Decode(NativeMethods.gameye_status_name(status));
        }

        /// <summary>The stable name of a status, such as "GAMEYE_STATUS_NOT_FOUND".</summary>
        public static string StatusName(GameyeStatus status)
        {
            return StatusName((uint)status);
        }

        // ---- logging ----

        private sealed class LoggerState
        {
            internal readonly Action<LogLevel, string> Action;
            internal LoggerState(Action<LogLevel, string> action) { Action = action; }
        }

        private static readonly object LoggerLock = new object();
        // The delegate handed to native code, kept alive for the process's life.
        private static readonly NativeMethods.LogCallback OnLogDelegate = OnLog;
        private static IntPtr s_loggerUserdata;
        private static volatile LoggerState s_logger;

        /// <summary>
        /// Routes the library's log events at <paramref name="level"/> and above
        /// to <paramref name="logger"/>, replacing any earlier logger;
        /// <see cref="LogLevel.Off"/> or a null logger turns logging off.
        /// The logger runs on whichever thread logs (often a library I/O thread),
        /// possibly concurrently: it must be thread-safe and quick, and must not
        /// call into GameyeClient. UnityEngine.Debug.Log is fine. Exceptions it
        /// throws are swallowed (they cannot cross into native code). Messages
        /// never contain the token or env values.
        /// </summary>
        public static void SetLogger(LogLevel level, Action<LogLevel, string> logger)
        {
            lock (LoggerLock)
            {
                IntPtr previous = s_loggerUserdata;
                IntPtr userdata = IntPtr.Zero;
                LoggerState state = null;
                if (level == LogLevel.Off || logger == null)
                {
                    NativeMethods.gameye_set_logger((uint)LogLevel.Off, null, IntPtr.Zero);
                }
                else
                {
                    HookUnload();
                    state = new LoggerState(logger);
                    userdata = CallbackHandles.Alloc(state);
                    uint status = NativeMethods.gameye_set_logger((uint)level, OnLogDelegate, userdata);
                    if (status != (uint)GameyeStatus.Ok)
                    {
                        // Refused: the earlier logger (if any) is still in place.
                        CallbackHandles.Free(userdata);
                        throw new ArgumentOutOfRangeException("level", level, StatusName(status));
                    }
                }
                s_loggerUserdata = userdata;
                s_logger = state;
                // A library thread may still be inside the old callback: its
                // GCHandle stays valid for a grace period before it is freed.
                if (previous != IntPtr.Zero) CallbackHandles.Retire(previous);
                CallbackHandles.Collect();
            }
        }

        private static bool s_unloadHooked;

        // The native library outlives a script domain: in the Unity editor the
        // domain reloads (after a recompile) while libgameye stays loaded, and
        // a logger pointing into the unloaded domain would crash the editor on
        // the next log event. So the logger is turned off when the domain goes.
        private static void HookUnload()
        {
            if (s_unloadHooked) return;
            s_unloadHooked = true;
            AppDomain.CurrentDomain.DomainUnload += (sender, e) => TurnOffNativeLogger();
            AppDomain.CurrentDomain.ProcessExit += (sender, e) => TurnOffNativeLogger();
        }

        private static void TurnOffNativeLogger()
        {
            try
            {
                NativeMethods.gameye_set_logger((uint)LogLevel.Off, null, IntPtr.Zero);
                s_logger = null;
            }
            catch (Exception)
            {
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.LogCallback))]
        private static void OnLog(IntPtr userdata, uint level, IntPtr message)
        {
            try
            {
                var state = (LoggerState)CallbackHandles.Target(userdata);
                state.Action((LogLevel)level, Utf8.Decode(message));
            }
            catch (Exception)
            {
                // Never let an exception unwind into native code.
            }
        }

        /// <summary>Reports a failure inside a native callback (a binding bug) to the logger.</summary>
        internal static void ReportCallbackFailure(string where, Exception e)
        {
            try
            {
                LoggerState state = s_logger;
                if (state != null) state.Action(LogLevel.Error, "gameye C# binding: " + where + ": " + e);
            }
            catch (Exception)
            {
            }
        }

        /// <summary>
        /// Diagnostics: how many GCHandles this binding currently holds for native
        /// callbacks (pending operations, downloads, the logger, and handles in
        /// their grace period). Drops back once operations complete.
        /// </summary>
        public static int LiveCallbackHandles
        {
            get { return CallbackHandles.Live; }
        }
    }

    /// <summary>
    /// GCHandles passed to native code as userdata. Each is freed exactly once:
    /// the owner claims its IntPtr with Interlocked.Exchange before freeing.
    /// Userdata that a library thread may still be using for a moment (an old
    /// logger, a cancelled download's write callback) is retired: freed by a
    /// later Collect once a grace period has passed.
    /// </summary>
    internal static class CallbackHandles
    {
        private static readonly long GraceTicks = Stopwatch.Frequency * 5;
        private static readonly List<KeyValuePair<IntPtr, long>> Retired = new List<KeyValuePair<IntPtr, long>>();
        private static int s_live;

        internal static int Live { get { return Volatile.Read(ref s_live); } }

        internal static IntPtr Alloc(object target)
        {
            GCHandle handle = GCHandle.Alloc(target);
            Interlocked.Increment(ref s_live);
            return GCHandle.ToIntPtr(handle);
        }

        internal static object Target(IntPtr userdata)
        {
            return GCHandle.FromIntPtr(userdata).Target;
        }

        internal static void Free(IntPtr userdata)
        {
            GCHandle.FromIntPtr(userdata).Free();
            Interlocked.Decrement(ref s_live);
        }

        /// <summary>Frees <paramref name="userdata"/> after the grace period.</summary>
        internal static void Retire(IntPtr userdata)
        {
            lock (Retired)
            {
                Retired.Add(new KeyValuePair<IntPtr, long>(userdata, Stopwatch.GetTimestamp() + GraceTicks));
            }
        }

        /// <summary>Frees retired handles whose grace period is over. Cheap when there are none.</summary>
        internal static void Collect()
        {
            lock (Retired)
            {
                if (Retired.Count == 0) return;
                long now = Stopwatch.GetTimestamp();
                for (int i = Retired.Count - 1; i >= 0; i--)
                {
                    if (Retired[i].Value <= now)
                    {
                        Free(Retired[i].Key);
                        Retired.RemoveAt(i);
                    }
                }
            }
        }
    }
}
