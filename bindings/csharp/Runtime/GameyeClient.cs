// The managed client: blocking calls (throwing GameyeException or Try-pattern),
// and Task-returning calls completed by Update() from the game loop.

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GameyeSdk.Native;

namespace GameyeSdk
{
    /// <summary>
    /// A Gameye Session API client. One client can be shared: the blocking calls
    /// may run on many threads at once. Blocking calls wait for the network, so
    /// on Unity's main thread use the *Async variants, and call
    /// <see cref="Update"/> once per frame (from a MonoBehaviour's Update) so
    /// their tasks complete. Dispose the client when done (OnDestroy).
    /// </summary>
    public sealed class GameyeClient : IDisposable
    {
        private static readonly SessionOptions NoOptions = new SessionOptions();

        private readonly ClientHandle _client;
        private readonly QueueHandle _queue;
        // Held while draining the queue, starting an operation and disposing:
        // so a completion callback never runs concurrently with those.
        private readonly object _sync = new object();
        private readonly HashSet<PendingOperation> _pending = new HashSet<PendingOperation>();
        private bool _disposed;

        /// <summary>A client for the sandbox environment with <paramref name="token"/>.</summary>
        public GameyeClient(string token)
            : this(new GameyeConfig { Token = token })
        {
        }

        /// <summary>A client with the given configuration.</summary>
        /// <exception cref="GameyeException">Status InvalidConfig; the message names the option.</exception>
        public GameyeClient(GameyeConfig config)
            : this(Utf8.Encode(Required(config, "config").ToJson()), 0)
        {
        }

        /// <summary>A client from gameye_client_new's JSON configuration.</summary>
        /// <exception cref="GameyeException">Status InvalidConfig; the message names the option.</exception>
        public static GameyeClient FromJson(string configJson)
        {
            return new GameyeClient(Utf8.EncodeRequired(configJson, "configJson"), 0);
        }

        private GameyeClient(byte[] configJson, int unused)
        {
            ClientHandle client;
            using (ResultHandle result = NativeMethods.gameye_client_new(configJson, out client))
            {
                GameyeResult r = result.Read();
                if (r.status != (uint)GameyeStatus.Ok)
                {
                    client.Dispose();
                    throw ResultReader.Error(r).ToException();
                }
            }
            _client = client;
            _queue = NativeMethods.gameye_queue_new();
            DomainLifetime.Track(this);
        }

        /// <summary>The native client, for calls through <see cref="NativeMethods"/>.</summary>
        public ClientHandle Handle { get { return _client; } }

        /// <summary>How many *Async operations have not completed yet.</summary>
        public int PendingOperations
        {
            get { lock (_sync) return _pending.Count; }
        }

        // ---- the game loop ----

        /// <summary>
        /// Completes the tasks of finished *Async operations, on the calling
        /// thread, at most <paramref name="maxCompletions"/> of them (0: all that
        /// are ready). Never blocks on I/O. Unity: call it every frame from one
        /// MonoBehaviour's Update. Call it from one thread at a time.
        /// Returns how many operations completed.
        /// </summary>
        public int Update(int maxCompletions = 0)
        {
            if (maxCompletions < 0) throw new ArgumentOutOfRangeException("maxCompletions");
            CallbackHandles.Collect();
            lock (_sync)
            {
                if (_disposed) return 0;
                return (int)NativeMethods.gameye_queue_drain(_queue, (UIntPtr)(uint)maxCompletions).ToUInt64();
            }
        }

        /// <summary>
        /// Disposes the client: pending *Async tasks fail with
        /// ObjectDisposedException, and the native client is freed once no
        /// blocking call on another thread still uses it.
        /// </summary>
        public void Dispose()
        {
            lock (_sync)
            {
                if (_disposed) return;
                _disposed = true;
                foreach (PendingOperation p in new List<PendingOperation>(_pending)) p.Abandon();
                _pending.Clear();
                _queue.Dispose();
            }
            _client.Dispose();
        }

        internal void Forget(PendingOperation p)
        {
            lock (_sync) _pending.Remove(p);
        }

        private void ThrowIfDisposed()
        {
            if (_disposed || _client.IsClosed) throw new ObjectDisposedException("GameyeClient");
        }

        private static T Required<T>(T value, string name) where T : class
        {
            if (value == null) throw new ArgumentNullException(name);
            return value;
        }

        /// <summary>Starts an operation and bridges its completion to a Task.</summary>
        internal Task<T> Start<T>(Func<OperationHandle> begin, Func<GameyeResult, T> convert,
                                  CancellationToken token, DownloadSink sink = null)
        {
            if (token.IsCancellationRequested)
            {
                // Cancelled before it starts: no request at all (cancelling a
                // started one could lose the race against a quick answer).
                ThrowIfDisposed();
                if (sink != null) sink.Finish(false);
                var cancelled = new TaskCompletionSource<T>();
                cancelled.SetCanceled();
                return cancelled.Task;
            }
            var pending = new PendingOperation<T>(this, convert);
            pending.Sink = sink;
            lock (_sync)
            {
                bool started = false;
                try
                {
                    ThrowIfDisposed();
                    OperationHandle op = begin();
                    started = true;
                    _pending.Add(pending);
                    pending.Attach(op, _queue, token);
                }
                catch
                {
                    // Once started, a library thread may be writing to the sink.
                    if (sink != null) sink.Finish(started);
                    throw;
                }
            }
            return pending.Task;
        }

        private ResultHandle Call(Func<ResultHandle> call)
        {
            ThrowIfDisposed();
            return call();
        }

        // ---- sessions ----

        /// <summary>Starts a session (POST /session), blocking until the answer.</summary>
        /// <exception cref="GameyeException">Any failure: see Status, HttpStatus, Code, Violations.</exception>
        public Session CreateSession(string location, string image, SessionOptions options = null)
        {
            return CreateSessionFromJson(CreateJson(location, image, options));
        }

        /// <summary>Like <see cref="CreateSession"/>, returning false with the error instead of throwing.</summary>
        public bool TryCreateSession(string location, string image, out Session session, out GameyeError error,
                                     SessionOptions options = null)
        {
            byte[] json = Utf8.Encode(CreateJson(location, image, options));
            return ResultReader.TryConsume(Call(() => NativeMethods.gameye_session_create(_client, json)),
                                           ResultReader.Session, out session, out error);
        }

        /// <summary>Starts a session from the spec's SessionRun JSON, as gameye_session_create takes it.</summary>
        public Session CreateSessionFromJson(string requestJson)
        {
            byte[] json = Utf8.EncodeRequired(requestJson, "requestJson");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_session_create(_client, json)), ResultReader.Session);
        }

        /// <summary>Non-blocking <see cref="CreateSession"/>; the task completes in <see cref="Update"/>.</summary>
        public Task<Session> CreateSessionAsync(string location, string image, SessionOptions options = null,
                                                CancellationToken cancellationToken = default(CancellationToken))
        {
            return CreateSessionFromJsonAsync(CreateJson(location, image, options), cancellationToken);
        }

        /// <summary>Non-blocking <see cref="CreateSessionFromJson"/>.</summary>
        public Task<Session> CreateSessionFromJsonAsync(string requestJson,
                                                        CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] json = Utf8.EncodeRequired(requestJson, "requestJson");
            return Start(() => NativeMethods.gameye_session_create_async(_client, json), ResultReader.Session,
                         cancellationToken);
        }

        /// <summary>
        /// Checks a create request exactly as <see cref="CreateSession"/> would,
        /// without a client or the network. Returns the violations, one per bad
        /// field; empty when the request is valid.
        /// </summary>
        public static IReadOnlyList<Violation> ValidateSession(string location, string image, SessionOptions options = null)
        {
            return ValidateSessionJson(CreateJson(location, image, options));
        }

        /// <summary>Like <see cref="ValidateSession"/>, for the spec's SessionRun JSON.</summary>
        public static IReadOnlyList<Violation> ValidateSessionJson(string requestJson)
        {
            byte[] json = Utf8.EncodeRequired(requestJson, "requestJson");
            using (ResultHandle result = NativeMethods.gameye_session_validate(json))
            {
                GameyeResult r = result.Read();
                GameyeError error = r.status == (uint)GameyeStatus.Ok ? null : ResultReader.Error(r);
                if (error == null) return new List<Violation>().AsReadOnly();
                if (error.Status != GameyeStatus.InvalidRequest) throw error.ToException();
                return error.Violations;
            }
        }

        private static string CreateJson(string location, string image, SessionOptions options)
        {
            Required(location, "location");
            Required(image, "image");
            return (options ?? NoOptions).ToJson(location, image);
        }

        /// <summary>Lists sessions (GET /session): every running one when <paramref name="filter"/> is null.</summary>
        public SessionInfo[] ListSessions(SessionFilter filter = null)
        {
            byte[] json = filter == null ? null : Utf8.Encode(filter.ToJson());
            return ResultReader.Consume(Call(() => NativeMethods.gameye_session_list(_client, json)), ResultReader.Sessions);
        }

        /// <summary>Non-blocking <see cref="ListSessions"/>.</summary>
        public Task<SessionInfo[]> ListSessionsAsync(SessionFilter filter = null,
                                                     CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] json = filter == null ? null : Utf8.Encode(filter.ToJson());
            return Start(() => NativeMethods.gameye_session_list_async(_client, json), ResultReader.Sessions,
                         cancellationToken);
        }

        /// <summary>Describes one session (GET /session/{id}); an unknown id throws with Status NotFound.</summary>
        public SessionInfo GetSession(string id)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_session_get(_client, bytes)), ResultReader.SessionInfo);
        }

        /// <summary>Like <see cref="GetSession"/>, returning false with the error instead of throwing.</summary>
        public bool TryGetSession(string id, out SessionInfo session, out GameyeError error)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            return ResultReader.TryConsume(Call(() => NativeMethods.gameye_session_get(_client, bytes)),
                                           ResultReader.SessionInfo, out session, out error);
        }

        /// <summary>Non-blocking <see cref="GetSession"/>.</summary>
        public Task<SessionInfo> GetSessionAsync(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            return Start(() => NativeMethods.gameye_session_get_async(_client, bytes), ResultReader.SessionInfo,
                         cancellationToken);
        }

        /// <summary>
        /// Stops a session (DELETE /session/{id}). Without <paramref name="idempotent"/>
        /// an unknown session throws NotFound and a terminated one Conflict; with it
        /// both succeed and the outcome says which case it was.
        /// </summary>
        public StopOutcome StopSession(string id, bool idempotent = false)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            uint flags = idempotent ? NativeMethods.StopIdempotent : 0;
            return ResultReader.Consume(Call(() => NativeMethods.gameye_session_stop(_client, bytes, flags)), ResultReader.Stop);
        }

        /// <summary>Non-blocking <see cref="StopSession"/>.</summary>
        public Task<StopOutcome> StopSessionAsync(string id, bool idempotent = false,
                                                  CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            uint flags = idempotent ? NativeMethods.StopIdempotent : 0;
            return Start(() => NativeMethods.gameye_session_stop_async(_client, bytes, flags), ResultReader.Stop,
                         cancellationToken);
        }

        // ---- players ----

        /// <summary>Registers players as joined to a session (PUT /session/player/join).</summary>
        public PlayersResult JoinPlayers(string session, params string[] players)
        {
            byte[] id = Utf8.EncodeRequired(session, "session");
            Required(players, "players");
            return ResultReader.Consume(Call(() =>
            {
                using (var array = new Utf8Array(players, "players"))
                    return NativeMethods.gameye_players_join(_client, id, array.Pointers, array.Length);
            }), ResultReader.Players);
        }

        /// <summary>Non-blocking <see cref="JoinPlayers"/>.</summary>
        public Task<PlayersResult> JoinPlayersAsync(string session, string[] players,
                                                    CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] id = Utf8.EncodeRequired(session, "session");
            Required(players, "players");
            return Start(() =>
            {
                using (var array = new Utf8Array(players, "players"))
                    return NativeMethods.gameye_players_join_async(_client, id, array.Pointers, array.Length);
            }, ResultReader.Players, cancellationToken);
        }

        /// <summary>Removes players from their session (DELETE /session/player/leave).</summary>
        public PlayersResult LeavePlayers(params string[] players)
        {
            Required(players, "players");
            return ResultReader.Consume(Call(() =>
            {
                using (var array = new Utf8Array(players, "players"))
                    return NativeMethods.gameye_players_leave(_client, array.Pointers, array.Length);
            }), ResultReader.Players);
        }

        /// <summary>Non-blocking <see cref="LeavePlayers"/>.</summary>
        public Task<PlayersResult> LeavePlayersAsync(string[] players,
                                                     CancellationToken cancellationToken = default(CancellationToken))
        {
            Required(players, "players");
            return Start(() =>
            {
                using (var array = new Utf8Array(players, "players"))
                    return NativeMethods.gameye_players_leave_async(_client, array.Pointers, array.Length);
            }, ResultReader.Players, cancellationToken);
        }

        // ---- logs ----

        /// <summary>The session's logs so far (GET /logs?id=…).</summary>
        public string GetLogs(string id)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_logs_get(_client, bytes)), ResultReader.Text);
        }

        /// <summary>Non-blocking <see cref="GetLogs"/>.</summary>
        public Task<string> GetLogsAsync(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            return Start(() => NativeMethods.gameye_logs_get_async(_client, bytes), ResultReader.Text, cancellationToken);
        }

        /// <summary>
        /// Follows the session's logs, blocking until the response starts; an
        /// unknown session throws NotFound. Read lines with the stream's ReadLine.
        /// </summary>
        public LogStream FollowLogs(string id)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            ThrowIfDisposed();
            LogStreamHandle stream;
            using (ResultHandle result = NativeMethods.gameye_logs_follow(_client, bytes, out stream))
            {
                GameyeResult r = result.Read();
                if (r.status != (uint)GameyeStatus.Ok)
                {
                    stream.Dispose();
                    throw ResultReader.Error(r).ToException();
                }
            }
            return new LogStream(this, stream);
        }

        /// <summary>
        /// Follows the session's logs without blocking: the stream is returned at
        /// once and its first read opens the log (so an unknown session fails
        /// that read). Meant for <see cref="LogStream.ReadLineAsync"/> on the main thread.
        /// </summary>
        public LogStream OpenLogStream(string id)
        {
            byte[] bytes = Utf8.EncodeRequired(id, "id");
            ThrowIfDisposed();
            LogStreamHandle stream = NativeMethods.gameye_logs_follow_async(_client, bytes);
            if (stream.IsInvalid) throw new ArgumentException("gameye_logs_follow_async refused the id", "id");
            return new LogStream(this, stream);
        }

        // ---- artifacts ----

        /// <summary>
        /// Downloads the tar.gz of <paramref name="path"/> in a terminated session's
        /// container to the file <paramref name="destPath"/>, which appears only
        /// when complete. Returns the file's size.
        /// </summary>
        public long SaveArtifact(string session, string path, string destPath)
        {
            byte[] s = Utf8.EncodeRequired(session, "session");
            byte[] p = Utf8.EncodeRequired(path, "path");
            byte[] d = Utf8.EncodeRequired(destPath, "destPath");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_artifacts_save(_client, s, p, d)),
                                        ResultReader.BytesWritten);
        }

        /// <summary>Non-blocking <see cref="SaveArtifact"/>.</summary>
        public Task<long> SaveArtifactAsync(string session, string path, string destPath,
                                            CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] s = Utf8.EncodeRequired(session, "session");
            byte[] p = Utf8.EncodeRequired(path, "path");
            byte[] d = Utf8.EncodeRequired(destPath, "destPath");
            return Start(() => NativeMethods.gameye_artifacts_save_async(_client, s, p, d), ResultReader.BytesWritten,
                         cancellationToken);
        }

        /// <summary>
        /// Downloads an artifact into <paramref name="destination"/>, chunk by
        /// chunk on the calling thread. Returns the bytes written. An exception
        /// from the stream stops the download: GameyeException with Status Io and
        /// the stream's exception as InnerException.
        /// </summary>
        public long DownloadArtifact(string session, string path, Stream destination)
        {
            byte[] s = Utf8.EncodeRequired(session, "session");
            byte[] p = Utf8.EncodeRequired(path, "path");
            Required(destination, "destination");
            ThrowIfDisposed();
            var sink = new DownloadSink(destination);
            try
            {
                using (ResultHandle result = NativeMethods.gameye_artifacts_download(
                           _client, s, p, DownloadSink.OnWriteDelegate, sink.Userdata))
                {
                    GameyeResult r = result.Read();
                    if (sink.Error != null) throw sink.IoError();
                    if (r.status != (uint)GameyeStatus.Ok) throw ResultReader.Error(r).ToException();
                    return ResultReader.BytesWritten(r);
                }
            }
            finally
            {
                // The blocking call has returned: no write can follow.
                sink.Finish(false);
            }
        }

        /// <summary>
        /// Non-blocking <see cref="DownloadArtifact"/>. The stream is written on a
        /// library I/O thread while the download runs (one chunk at a time), so
        /// it must not be used elsewhere until the task completes.
        /// </summary>
        public Task<long> DownloadArtifactAsync(string session, string path, Stream destination,
                                                CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] s = Utf8.EncodeRequired(session, "session");
            byte[] p = Utf8.EncodeRequired(path, "path");
            Required(destination, "destination");
            var sink = new DownloadSink(destination);
            return Start(() => NativeMethods.gameye_artifacts_download_async(
                             _client, s, p, DownloadSink.OnWriteDelegate, sink.Userdata),
                         ResultReader.BytesWritten, cancellationToken, sink);
        }

        // ---- locations and tags ----

        /// <summary>The locations that can currently host <paramref name="image"/>. Do not cache the answer.</summary>
        public Location[] AvailableLocations(string image)
        {
            byte[] bytes = Utf8.EncodeRequired(image, "image");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_locations_available(_client, bytes)),
                                        ResultReader.Locations);
        }

        /// <summary>Non-blocking <see cref="AvailableLocations"/>.</summary>
        public Task<Location[]> AvailableLocationsAsync(string image,
                                                        CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] bytes = Utf8.EncodeRequired(image, "image");
            return Start(() => NativeMethods.gameye_locations_available_async(_client, bytes), ResultReader.Locations,
                         cancellationToken);
        }

        /// <summary>Whether an image tag exists in a region (GET /tag/{region}/{image}/{version}).</summary>
        public bool TagExists(string region, string image, string version)
        {
            byte[] r = Utf8.EncodeRequired(region, "region");
            byte[] i = Utf8.EncodeRequired(image, "image");
            byte[] v = Utf8.EncodeRequired(version, "version");
            return ResultReader.Consume(Call(() => NativeMethods.gameye_tag_exists(_client, r, i, v)), ResultReader.TagExists);
        }

        /// <summary>Non-blocking <see cref="TagExists"/>.</summary>
        public Task<bool> TagExistsAsync(string region, string image, string version,
                                         CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] r = Utf8.EncodeRequired(region, "region");
            byte[] i = Utf8.EncodeRequired(image, "image");
            byte[] v = Utf8.EncodeRequired(version, "version");
            return Start(() => NativeMethods.gameye_tag_exists_async(_client, r, i, v), ResultReader.TagExists,
                         cancellationToken);
        }

        // ---- placing sessions near players ----

        /// <summary>
        /// Starts a session of <paramref name="image"/> near its players: ranks the
        /// locations in <paramref name="playersJson"/> ([{"player":"alice","locations":[…]}],
        /// e.g. <see cref="PingReport.ToPlayerJson"/> entries) under
        /// <paramref name="policyJson"/> (null, or {"max_loss":0.2,"max_rtt_ms":150,
        /// "allow_missing":false,"max_locations":3}), creates in the best one and, on
        /// 420, in the next. Each location tried gets its own session id; any other
        /// error ends the call there, so no second session can start. Blocking.
        /// </summary>
        /// <exception cref="GameyeException">NoCapacity when every location tried was full; InvalidRequest when none is acceptable.</exception>
        public PlacedSession CreateSessionNear(string image, string playersJson, string policyJson = null,
                                               SessionOptions options = null)
        {
            byte[] req, players, policy;
            NearArgs(image, playersJson, policyJson, options, out req, out players, out policy);
            return ResultReader.Consume(
                Call(() => NativeMethods.gameye_session_create_near(_client, req, players, policy)), PlacedSession.Read);
        }

        /// <summary>Non-blocking <see cref="CreateSessionNear"/>; completes in <see cref="Update"/>.</summary>
        public Task<PlacedSession> CreateSessionNearAsync(string image, string playersJson, string policyJson = null,
                                                          SessionOptions options = null,
                                                          CancellationToken cancellationToken = default(CancellationToken))
        {
            byte[] req, players, policy;
            NearArgs(image, playersJson, policyJson, options, out req, out players, out policy);
            return Start(() => NativeMethods.gameye_session_create_near_async(_client, req, players, policy),
                         PlacedSession.Read, cancellationToken);
        }

        private static void NearArgs(string image, string playersJson, string policyJson, SessionOptions options,
                                     out byte[] req, out byte[] players, out byte[] policy)
        {
            // The location is the ranking's to choose; the library ignores this one.
            req = Utf8.Encode((options ?? NoOptions).ToJson("(chosen by placement)", Required(image, "image")), "request");
            players = Utf8.EncodeRequired(playersJson, "playersJson");
            policy = policyJson == null ? null : Utf8.Encode(policyJson, "policyJson");
        }
    }

    /// <summary>
    /// The script domain's end (Unity: a domain reload in the editor, after a
    /// recompile, while libgameye stays loaded). Every live client is disposed
    /// and every live log stream closed before the domain goes: their pending
    /// operations are freed, and gameye_operation_free guarantees that no
    /// library thread calls into this domain (a download's write callback, a
    /// completion) once it returns.
    /// </summary>
    internal static class DomainLifetime
    {
        private static readonly List<WeakReference> Live = new List<WeakReference>();
        private static bool s_hooked;

        internal static void Track(IDisposable owner)
        {
            lock (Live)
            {
                Live.RemoveAll(w => !w.IsAlive);
                Live.Add(new WeakReference(owner));
                if (s_hooked) return;
                s_hooked = true;
            }
            AppDomain.CurrentDomain.DomainUnload += (sender, e) => EndAll();
        }

        /// <summary>Closes every live log stream, then disposes every live client.</summary>
        internal static void EndAll()
        {
            var owners = new List<IDisposable>();
            lock (Live)
            {
                foreach (WeakReference w in Live)
                {
                    var owner = w.Target as IDisposable;
                    if (owner != null) owners.Add(owner);
                }
                Live.Clear();
            }
            // Streams first: a read blocked on another thread returns at once.
            owners.Sort((a, b) => (a is LogStream ? 0 : 1).CompareTo(b is LogStream ? 0 : 1));
            foreach (IDisposable owner in owners)
            {
                try
                {
                    var stream = owner as LogStream;
                    if (stream != null) stream.Close(); else owner.Dispose();
                }
                catch (Exception)
                {
                    // Already disposed, or disposing elsewhere: nothing left to stop.
                }
            }
        }
    }

    /// <summary>
    /// A followed log. Read it line by line: <see cref="ReadLine"/> blocks,
    /// <see cref="ReadLineAsync"/> completes in GameyeClient.Update. Both give
    /// null once the log has ended (the session stopped). One read at a time.
    /// Dispose it to stop following (also while a read is pending), before
    /// disposing its client.
    /// </summary>
    public sealed class LogStream : IDisposable
    {
        private readonly GameyeClient _client;
        private readonly LogStreamHandle _handle;
        private readonly object _readLock = new object();

        internal LogStream(GameyeClient client, LogStreamHandle handle)
        {
            _client = client;
            _handle = handle;
            DomainLifetime.Track(this);
        }

        /// <summary>The native stream, for calls through <see cref="NativeMethods"/>.</summary>
        public LogStreamHandle Handle { get { return _handle; } }

        /// <summary>The next line without its line ending, blocking until it arrives; null at the end.</summary>
        public string ReadLine()
        {
            lock (_readLock)
            {
                return ResultReader.Consume(NativeMethods.gameye_log_stream_next(_handle), ResultReader.Text);
            }
        }

        /// <summary>
        /// Non-blocking <see cref="ReadLine"/>. Cancelling it while the read is
        /// pending ends the stream: later reads throw GameyeException with Status Cancelled.
        /// </summary>
        public Task<string> ReadLineAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return _client.Start(() => NativeMethods.gameye_log_stream_next_async(_handle), ResultReader.Text,
                                 cancellationToken);
        }

        /// <summary>
        /// Ends following without freeing: a <see cref="ReadLine"/> blocked on
        /// another thread throws GameyeException with Status Cancelled within
        /// 100 ms, and so do later reads. Any thread; closing twice is fine.
        /// </summary>
        public void Close()
        {
            try
            {
                NativeMethods.gameye_log_stream_close(_handle);
            }
            catch (ObjectDisposedException)
            {
                // Already disposed: nothing to close.
            }
        }

        /// <summary>
        /// Stops following and frees the stream. From another thread while
        /// <see cref="ReadLine"/> blocks, that read throws GameyeException with
        /// Status Cancelled within 100 ms; the native stream is freed once it returned.
        /// </summary>
        public void Dispose()
        {
            // Close first: the SafeHandle frees the native stream only once the
            // blocked read holding it returns, and the close is what wakes it.
            Close();
            _handle.Dispose();
        }
    }
}
