// The managed face of gameye.h's result structs: plain immutable objects
// copied out of library memory before the native result is freed. The enums
// (GameyeStatus, SessionState, StopOutcome, LogLevel) are generated from the
// header into Generated/Enums.g.cs.

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace GameyeSdk
{
    /// <summary>One problem with one field, from client-side validation or the server's 422.</summary>
    public sealed class Violation
    {
        /// <summary>A violation of <paramref name="field"/>.</summary>
        /// <param name="field">The field, as in <see cref="Field"/>.</param>
        /// <param name="description">What is wrong with it.</param>
        public Violation(string field, string description)
        {
            Field = field;
            Description = description;
        }

        /// <summary>The field, such as "location", "env.PORT" or "args[2]".</summary>
        public string Field { get; private set; }
        /// <summary>What is wrong with it.</summary>
        public string Description { get; private set; }

        /// <summary>"FIELD: DESCRIPTION".</summary>
        public override string ToString() { return Field + ": " + Description; }
    }

    /// <summary>One mapped port of a session.</summary>
    public sealed class Port
    {
        /// <summary>A port mapping.</summary>
        /// <param name="protocol">"tcp", "udp" or another name.</param>
        /// <param name="container">The port inside the container.</param>
        /// <param name="host">The port on the host.</param>
        public Port(string protocol, int container, int host)
        {
            Protocol = protocol;
            Container = container;
            Host = host;
        }

        /// <summary>"tcp", "udp", or a newer name as the server sent it.</summary>
        public string Protocol { get; private set; }
        /// <summary>The port inside the container.</summary>
        public int Container { get; private set; }
        /// <summary>The port on the host that players connect to.</summary>
        public int Host { get; private set; }

        /// <summary>"CONTAINER/PROTOCOL -> HOST", such as "7777/udp -> 49152".</summary>
        public override string ToString()
        {
            return Container.ToString(CultureInfo.InvariantCulture) + "/" + Protocol + " -> " +
                   Host.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A started session: where players connect.</summary>
    public sealed class Session
    {
        /// <summary>A session, its ports copied into a read-only list.</summary>
        /// <param name="id">The session id.</param>
        /// <param name="host">The IP address players connect to.</param>
        /// <param name="ports">The mapped ports.</param>
        public Session(string id, string host, IList<Port> ports)
        {
            Id = id;
            Host = host;
            Ports = new ReadOnlyCollection<Port>(ports);
        }

        /// <summary>The session id (the server's, or the one sent when the server omitted it).</summary>
        public string Id { get; private set; }
        /// <summary>The IP address players connect to.</summary>
        public string Host { get; private set; }
        /// <summary>The mapped ports.</summary>
        public IReadOnlyList<Port> Ports { get; private set; }
    }

    /// <summary>A listed or described session.</summary>
    public sealed class SessionInfo
    {
        internal SessionInfo() { }

        /// <summary>The session id.</summary>
        public string Id { get; internal set; }
        /// <summary>The container image it runs.</summary>
        public string Image { get; internal set; }
        /// <summary>The image tag, or null when the server did not say.</summary>
        public string Tag { get; internal set; }
        /// <summary>The location it runs in, such as "europe".</summary>
        public string Location { get; internal set; }
        /// <summary>The IP address players connect to.</summary>
        public string Host { get; internal set; }
        /// <summary>Creation time in milliseconds since the Unix epoch.</summary>
        public long CreatedMs { get; internal set; }
        /// <summary>Creation time.</summary>
        public DateTime CreatedUtc
        {
            get { return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(CreatedMs); }
        }
        /// <summary>The mapped ports.</summary>
        public IReadOnlyList<Port> Ports { get; internal set; }
        /// <summary>The status as the API spells it, or null.</summary>
        public string Status { get; internal set; }
        /// <summary>The status as an enum: <see cref="SessionState.Other"/> for a status newer than this library,
        /// <see cref="SessionState.Unknown"/> when the server did not say.</summary>
        public SessionState State { get; internal set; }
        /// <summary>The labels the session was created with (empty when none).</summary>
        public IReadOnlyDictionary<string, string> Labels { get; internal set; }
        /// <summary>The number of players, or null when the server did not say.</summary>
        public long? PlayerCount { get; internal set; }
        /// <summary>The ids of the players who joined (described sessions only; empty otherwise).</summary>
        public IReadOnlyList<string> Joined { get; internal set; }
    }

    /// <summary>A location that can host an image.</summary>
    public sealed class Location
    {
        /// <summary>A location and the addresses to ping in it.</summary>
        /// <param name="id">The location id.</param>
        /// <param name="ips">IPv4 addresses to ping.</param>
        public Location(string id, IList<string> ips)
        {
            Id = id;
            Ips = new ReadOnlyCollection<string>(ips);
        }

        /// <summary>The location id, as a create request names it ("europe").</summary>
        public string Id { get; private set; }
        /// <summary>IPv4 addresses to ping.</summary>
        public IReadOnlyList<string> Ips { get; private set; }
    }

    /// <summary>The answer of <see cref="GameyeClient.JoinPlayers"/> and <see cref="GameyeClient.LeavePlayers"/>.</summary>
    public sealed class PlayersResult
    {
        /// <summary>A join or leave answer.</summary>
        /// <param name="playerCount">The session's player count after the call.</param>
        /// <param name="players">The player ids affected.</param>
        public PlayersResult(long playerCount, IList<string> players)
        {
            PlayerCount = playerCount;
            Players = new ReadOnlyCollection<string>(players);
        }

        /// <summary>The session's player count after the call.</summary>
        public long PlayerCount { get; private set; }
        /// <summary>The player ids affected.</summary>
        public IReadOnlyList<string> Players { get; private set; }
    }

    /// <summary>The client configuration (gameye_client_new's JSON).</summary>
    public sealed class GameyeConfig
    {
        /// <summary>The API token (required).</summary>
        public string Token { get; set; }
        /// <summary>The API's base URL; exclusive with <see cref="Environment"/>.</summary>
        public string BaseUrl { get; set; }
        /// <summary>"sandbox" (the default) or "production"; exclusive with <see cref="BaseUrl"/>.</summary>
        public string Environment { get; set; }
        /// <summary>Time allowed to open a connection (10 s by default).</summary>
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>Time allowed for one whole request.</summary>
        public TimeSpan? RequestTimeout { get; set; }
        /// <summary>Allow plain http:// to a host that is not loopback (the token travels in clear).</summary>
        public bool? AllowInsecureHttp { get; set; }
        /// <summary>Cap on a JSON response body (1 MiB by default); a larger one is an error.</summary>
        public long? MaxResponseBytes { get; set; }
        /// <summary>Cap on the logs text fetched without follow.</summary>
        public long? MaxLogBytes { get; set; }
        /// <summary>Which failures are retried and how often; null keeps the library's defaults.</summary>
        public RetryConfig Retry { get; set; }
        /// <summary>Requests in flight at once (256 by default); more calls wait for a slot.</summary>
        public long? MaxConcurrentRequests { get; set; }
        /// <summary>A PEM file of extra trusted CA certificates, or null.</summary>
        public string CaBundlePath { get; set; }
        /// <summary>A proxy every request goes through (http://host:port or https://host:port;
        /// plain http only to a loopback proxy unless <see cref="AllowInsecureHttp"/>), or null.</summary>
        public string Proxy { get; set; }
        /// <summary>Use HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment; off by default.</summary>
        public bool? ProxyFromEnv { get; set; }
        /// <summary>How long a kept connection may idle and still be reused (30 s by default);
        /// keep it under the idle timeout of any load balancer in front of the API.</summary>
        public TimeSpan? IdleTimeout { get; set; }

        /// <summary>The JSON that gameye_client_new reads.</summary>
        public string ToJson()
        {
            return new JsonObjectWriter()
                .String("token", Token)
                .String("base_url", BaseUrl)
                .String("environment", Environment)
                .Number("connect_timeout_ms", Millis(ConnectTimeout))
                .Number("request_timeout_ms", Millis(RequestTimeout))
                .Bool("allow_insecure_http", AllowInsecureHttp)
                .Number("max_response_bytes", MaxResponseBytes)
                .Number("max_log_bytes", MaxLogBytes)
                .Object("retry", Retry == null ? null : Retry.ToJson())
                .Number("max_concurrent_requests", MaxConcurrentRequests)
                .String("ca_bundle_path", CaBundlePath)
                .String("proxy", Proxy)
                .Bool("proxy_from_env", ProxyFromEnv)
                .Number("idle_timeout_ms", Millis(IdleTimeout))
                .ToString();
        }

        internal static long? Millis(TimeSpan? t)
        {
            return t.HasValue ? (long?)(long)t.Value.TotalMilliseconds : null;
        }
    }

    /// <summary>
    /// The client's retry policy (420, 5xx and lost responses are retried with
    /// jittered backoff); every field optional. MaxAttempts = 1 turns retries off.
    /// </summary>
    public sealed class RetryConfig
    {
        /// <summary>Attempts per call, the first included (at least 1).</summary>
        public int? MaxAttempts { get; set; }
        /// <summary>The bound of the first retry's wait (250 ms by default): each wait is random
        /// below a bound that doubles per retry, up to <see cref="MaxBackoff"/>.</summary>
        public TimeSpan? InitialBackoff { get; set; }
        /// <summary>The cap on that bound (8 s by default).</summary>
        public TimeSpan? MaxBackoff { get; set; }
        /// <summary>The deadline of one call, retries included.</summary>
        public TimeSpan? Deadline { get; set; }

        /// <summary>The "retry" object of the client configuration.</summary>
        public string ToJson()
        {
            return new JsonObjectWriter()
                .Number("max_attempts", MaxAttempts)
                .Number("initial_backoff_ms", GameyeConfig.Millis(InitialBackoff))
                .Number("max_backoff_ms", GameyeConfig.Millis(MaxBackoff))
                .Number("deadline_ms", GameyeConfig.Millis(Deadline))
                .ToString();
        }
    }

    /// <summary>The optional fields of a create request (the spec's SessionRun).</summary>
    public sealed class SessionOptions
    {
        /// <summary>The session id; a UUIDv4 is generated when null.</summary>
        public string Id { get; set; }
        /// <summary>Environment variables (values must be non-empty).</summary>
        public IDictionary<string, string> Env { get; set; }
        /// <summary>Program arguments (each non-empty).</summary>
        public IList<string> Args { get; set; }
        /// <summary>Restart the session automatically when it fails.</summary>
        public bool? Restart { get; set; }
        /// <summary>Key/value metadata, usable as list filters.</summary>
        public IDictionary<string, string> Labels { get; set; }
        /// <summary>The image tag; the highest-priority tag when null.</summary>
        public string Version { get; set; }
        /// <summary>Lifetime after which the session is stopped: "1m", "1h", "2h30m".</summary>
        public string Ttl { get; set; }
        /// <summary>A caller-provided identifier for this session.</summary>
        public string ExternalId { get; set; }

        /// <summary>The request JSON for <paramref name="location"/> and <paramref name="image"/>.</summary>
        public string ToJson(string location, string image)
        {
            return new JsonObjectWriter()
                .String("id", Id)
                .String("location", location)
                .String("image", image)
                .Map("env", Env)
                .Strings("args", Args)
                .Bool("restart", Restart)
                .Map("labels", Labels)
                .String("version", Version)
                .String("ttl", Ttl)
                .String("external_id", ExternalId)
                .ToString();
        }
    }

    /// <summary>Filters for <see cref="GameyeClient.ListSessions"/>; every field optional.</summary>
    public sealed class SessionFilter
    {
        /// <summary>Also list terminated sessions.</summary>
        public bool? All { get; set; }
        /// <summary>Sessions in this location.</summary>
        public string Location { get; set; }
        /// <summary>Sessions running this image.</summary>
        public string Image { get; set; }
        /// <summary>Sessions running this image tag.</summary>
        public string Tag { get; set; }
        /// <summary>Sessions on this host IP address.</summary>
        public string Host { get; set; }
        /// <summary>Sessions with fewer players than this.</summary>
        public long? PlayerCountLessThan { get; set; }
        /// <summary>Sessions with more players than this.</summary>
        public long? PlayerCountGreaterThan { get; set; }
        /// <summary>Sessions carrying every one of these labels.</summary>
        public IDictionary<string, string> Labels { get; set; }

        /// <summary>The filter JSON that gameye_session_list reads.</summary>
        public string ToJson()
        {
            return new JsonObjectWriter()
                .Bool("all", All)
                .String("location", Location)
                .String("image", Image)
                .String("tag", Tag)
                .String("host", Host)
                .Number("player_count_lt", PlayerCountLessThan)
                .Number("player_count_gt", PlayerCountGreaterThan)
                .Map("labels", Labels)
                .ToString();
        }
    }

    /// <summary>What went wrong with a call: every error field of the native result, copied.</summary>
    public sealed class GameyeError
    {
        internal GameyeError() { }

        /// <summary>The library's status (stable numbers, gameye.h's GameyeStatus).</summary>
        public GameyeStatus Status { get; internal set; }
        /// <summary>The status's stable name, such as "GAMEYE_STATUS_NOT_FOUND".</summary>
        public string StatusName { get { return Gameye.StatusName((uint)Status); } }
        /// <summary>The HTTP status of the response, 0 when no response arrived.</summary>
        public int HttpStatus { get; internal set; }
        /// <summary>A readable description (never contains the token).</summary>
        public string Message { get; internal set; }
        /// <summary>The API's error code, or null.</summary>
        public string Code { get; internal set; }
        /// <summary>The API's error details, or null.</summary>
        public string Details { get; internal set; }
        /// <summary>The API's request identifier (quote it to support), or null.</summary>
        public string Identifier { get; internal set; }
        /// <summary>Field violations (empty when none).</summary>
        public IReadOnlyList<Violation> Violations { get; internal set; }
        /// <summary>How many attempts the call made under the retry policy (0: nothing was sent).</summary>
        public int Attempts { get; internal set; }
        /// <summary>The raw response body, or null when no response arrived.</summary>
        public byte[] Body { get; internal set; }
        /// <summary>The raw response body decoded as UTF-8 (invalid bytes as U+FFFD), or null.</summary>
        public string BodyText
        {
            get { return Body == null ? null : new System.Text.UTF8Encoding(false, false).GetString(Body); }
        }

        /// <summary>"STATUS_NAME: MESSAGE".</summary>
        public override string ToString()
        {
            return StatusName + ": " + Message;
        }

        /// <summary>This error as an exception.</summary>
        public GameyeException ToException()
        {
            return new GameyeException(this);
        }
    }

    /// <summary>A failed call. The fields mirror <see cref="GameyeError"/>.</summary>
    public class GameyeException : Exception
    {
        /// <summary>An exception carrying <paramref name="error"/>; its message is the error's.</summary>
        /// <param name="error">What went wrong.</param>
        public GameyeException(GameyeError error)
            : this(error, null)
        {
        }

        /// <summary>An exception carrying <paramref name="error"/>, caused by <paramref name="inner"/>.</summary>
        /// <param name="error">What went wrong.</param>
        /// <param name="inner">The exception that caused it, or null.</param>
        public GameyeException(GameyeError error, Exception inner)
            : base(error.Message ?? error.StatusName, inner)
        {
            Error = error;
        }

        /// <summary>Everything the library said.</summary>
        public GameyeError Error { get; private set; }
        /// <summary><see cref="GameyeError.Status"/>.</summary>
        public GameyeStatus Status { get { return Error.Status; } }
        /// <summary><see cref="GameyeError.HttpStatus"/>.</summary>
        public int HttpStatus { get { return Error.HttpStatus; } }
        /// <summary><see cref="GameyeError.Code"/>.</summary>
        public string Code { get { return Error.Code; } }
        /// <summary><see cref="GameyeError.Details"/>.</summary>
        public string Details { get { return Error.Details; } }
        /// <summary><see cref="GameyeError.Identifier"/>.</summary>
        public string Identifier { get { return Error.Identifier; } }
        /// <summary><see cref="GameyeError.Violations"/>.</summary>
        public IReadOnlyList<Violation> Violations { get { return Error.Violations; } }
    }
}
