// The raw C ABI of libgameye (include/gameye.h), one declaration per function.
//
// Rules kept throughout this file:
// - CallingConvention.Cdecl everywhere.
// - Strings going in are NUL-terminated UTF-8 byte arrays (Utf8.Encode), never
//   the platform default string marshalling.
// - Strings coming out are IntPtr, decoded with Utf8.Decode, and released only
//   by the library's own free functions (they live inside a GameyeResult, or
//   are static); the marshaller never frees them.
// - Owned pointers come back as SafeHandle subclasses whose ReleaseHandle calls
//   the library's free function; the free functions themselves take IntPtr.
// - Enums are uint, size_t is UIntPtr, uint8_t is byte, uint16_t is ushort.
//
// Most code should use GameyeClient instead; this layer is public for tests
// and for callers who need a function the managed API does not wrap.

using System;
using System.Runtime.InteropServices;

namespace GameyeSdk.Native
{
    /// <summary>P/Invoke declarations for every function of gameye.h.</summary>
    public static class NativeMethods
    {
        /// <summary>
        /// The library name. On iOS the library is linked statically into the
        /// player (libgameye.a), so functions are found in the main executable
        /// through "__Internal"; everywhere else "gameye" loads libgameye.so,
        /// libgameye.dylib or gameye.dll from the platform's plugin folder.
        /// </summary>
#if UNITY_IOS && !UNITY_EDITOR
        public const string Lib = "__Internal";
#else
        public const string Lib = "gameye";
#endif

        /// <summary>GAMEYE_VERSION_MAJOR of the header this file mirrors.</summary>
        public const int VersionMajor = 0;
        /// <summary>GAMEYE_VERSION_MINOR of the header this file mirrors.</summary>
        public const int VersionMinor = 1;
        /// <summary>GAMEYE_VERSION_PATCH of the header this file mirrors.</summary>
        public const int VersionPatch = 0;
        /// <summary>GAMEYE_STOP_IDEMPOTENT.</summary>
        public const uint StopIdempotent = 1;

        // ---- delegates (GameyeWriteCallback, GameyeLogCallback, GameyeCompletionCallback) ----

        /// <summary>GameyeWriteCallback: return 0 to continue, non-zero to stop.</summary>
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int WriteCallback(IntPtr userdata, IntPtr data, UIntPtr len);

        /// <summary>GameyeLogCallback: level is a GameyeLogLevel, message NUL-terminated UTF-8.</summary>
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void LogCallback(IntPtr userdata, uint level, IntPtr message);

        /// <summary>GameyeCompletionCallback.</summary>
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void CompletionCallback(IntPtr userdata, IntPtr operation);

        // ---- version, status, results ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr gameye_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr gameye_status_name(uint status);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern uint gameye_result_status(ResultHandle result);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_result_free(IntPtr result);

        // ---- client ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_client_new(byte[] config_json, out ClientHandle client_out);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_client_free(IntPtr client);

        // ---- logging ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern uint gameye_set_logger(uint level, LogCallback callback, IntPtr userdata);

        // ---- sessions ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_create(ClientHandle client, byte[] request_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_validate(byte[] request_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_list(ClientHandle client, byte[] filter_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_get(ClientHandle client, byte[] id);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_stop(ClientHandle client, byte[] id, uint flags);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_session_create_async(ClientHandle client, byte[] request_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_session_list_async(ClientHandle client, byte[] filter_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_session_get_async(ClientHandle client, byte[] id);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_session_stop_async(ClientHandle client, byte[] id, uint flags);

        // ---- players (players: an array of players_len pointers to NUL-terminated UTF-8) ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_players_join(ClientHandle client, byte[] session, IntPtr[] players, UIntPtr players_len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_players_leave(ClientHandle client, IntPtr[] players, UIntPtr players_len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_players_join_async(ClientHandle client, byte[] session, IntPtr[] players, UIntPtr players_len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_players_leave_async(ClientHandle client, IntPtr[] players, UIntPtr players_len);

        // ---- logs ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_logs_get(ClientHandle client, byte[] id);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_logs_get_async(ClientHandle client, byte[] id);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_logs_follow(ClientHandle client, byte[] id, out LogStreamHandle stream_out);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern LogStreamHandle gameye_logs_follow_async(ClientHandle client, byte[] id);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_log_stream_next(LogStreamHandle stream);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_log_stream_next_async(LogStreamHandle stream);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_log_stream_close(LogStreamHandle stream);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_log_stream_free(IntPtr stream);

        // ---- artifacts ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_artifacts_save(ClientHandle client, byte[] session, byte[] path, byte[] dest_path);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_artifacts_download(ClientHandle client, byte[] session, byte[] path, WriteCallback write, IntPtr userdata);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_artifacts_save_async(ClientHandle client, byte[] session, byte[] path, byte[] dest_path);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_artifacts_download_async(ClientHandle client, byte[] session, byte[] path, WriteCallback write, IntPtr userdata);

        // ---- locations and tags ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_locations_available(ClientHandle client, byte[] image);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_locations_available_async(ClientHandle client, byte[] image);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_tag_exists(ClientHandle client, byte[] region, byte[] image, byte[] version);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_tag_exists_async(ClientHandle client, byte[] region, byte[] image, byte[] version);

        // ---- placing sessions near players ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_locations_ping(byte[] locations_json, byte[] options_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_locations_ping_async(byte[] locations_json, byte[] options_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_location_choose(byte[] candidates_json, byte[] players_json, byte[] policy_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_session_create_near(ClientHandle client, byte[] request_json, byte[] players_json, byte[] policy_json);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern OperationHandle gameye_session_create_near_async(ClientHandle client, byte[] request_json, byte[] players_json, byte[] policy_json);

        // ---- operations ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern int gameye_operation_poll(OperationHandle op);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern ResultHandle gameye_operation_take_result(OperationHandle op);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern int gameye_operation_wait(OperationHandle op, ulong timeout_ms);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_operation_cancel(OperationHandle op);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_operation_free(IntPtr op);

        /// <summary>
        /// Pass a QueueHandle to run the callback inside gameye_queue_drain on the
        /// draining thread; an invalid (zero) QueueHandle selects library threads.
        /// </summary>
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern uint gameye_operation_set_callback(OperationHandle op, QueueHandle queue, CompletionCallback callback, IntPtr userdata);

        // ---- completion queues ----

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern QueueHandle gameye_queue_new();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern UIntPtr gameye_queue_drain(QueueHandle queue, UIntPtr max);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        public static extern void gameye_queue_free(IntPtr queue);
    }
}
