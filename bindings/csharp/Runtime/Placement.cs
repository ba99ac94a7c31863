// Placing sessions near players: pinging locations from a game client (no
// token, no client), ranking locations by players' latencies, and the types
// GameyeClient.CreateSessionNear returns. The library speaks JSON for these;
// a small reader turns it into typed objects, and the raw JSON is kept so it
// can be sent to the backend as it is.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using GameyeSdk.Native;

namespace GameyeSdk
{
    /// <summary>Options of a ping: probes per IP, time between rounds, overall bound.</summary>
    public sealed class PingOptions
    {
        /// <summary>Echo requests per IP, 1..100. Default 5.</summary>
        public int Probes { get; set; } = 5;
        /// <summary>Milliseconds between rounds of probes. Default 200.</summary>
        public int IntervalMs { get; set; } = 200;
        /// <summary>Overall bound in milliseconds (up to 60000). Default 2000.</summary>
        public int TimeoutMs { get; set; } = 2000;

        internal string ToJson()
        {
            return "{\"probes\":" + Probes.ToString(CultureInfo.InvariantCulture) +
                   ",\"interval_ms\":" + IntervalMs.ToString(CultureInfo.InvariantCulture) +
                   ",\"timeout_ms\":" + TimeoutMs.ToString(CultureInfo.InvariantCulture) + "}";
        }
    }

    /// <summary>One location's latency from a ping. RTTs are null when no reply came.</summary>
    public sealed class LocationLatency
    {
        /// <summary>The location id.</summary>
        public string Id { get; internal set; }
        /// <summary>Fastest reply in milliseconds, or null.</summary>
        public double? MinMs { get; internal set; }
        /// <summary>Median reply in milliseconds, or null.</summary>
        public double? MedianMs { get; internal set; }
        /// <summary>90th percentile in milliseconds, or null.</summary>
        public double? P90Ms { get; internal set; }
        /// <summary>Share of probes lost, 0..1 (1 when none was sent).</summary>
        public double Loss { get; internal set; }
        /// <summary>Echo requests sent.</summary>
        public int Sent { get; internal set; }
        /// <summary>Replies received in time.</summary>
        public int Received { get; internal set; }
    }

    /// <summary>The outcome of a ping: every location, best first.</summary>
    public sealed class PingReport
    {
        /// <summary>"datagram", "raw", "icmp_api" or "none".</summary>
        public string Method { get; internal set; }
        /// <summary>Every location, best first (lowest median, then loss).</summary>
        public IReadOnlyList<LocationLatency> Locations { get; internal set; }
        /// <summary>The report as the library wrote it, to send to the backend.</summary>
        public string Json { get; internal set; }

        /// <summary>
        /// The report as one player's entry for <see cref="GameyePlacement.ChooseLocation"/>
        /// and <see cref="GameyeClient.CreateSessionNear"/>: the report with "player" added.
        /// </summary>
        public string ToPlayerJson(string player)
        {
            if (player == null) throw new ArgumentNullException("player");
            return "{\"player\":" + JsonObjectWriter.Quote(player) + "," + Json.Substring(1);
        }

        internal static PingReport Parse(string json)
        {
            var root = (Dictionary<string, object>)MiniJson.Parse(json);
            var list = new List<LocationLatency>();
            foreach (object o in (List<object>)root["locations"])
            {
                var l = (Dictionary<string, object>)o;
                list.Add(new LocationLatency
                {
                    Id = (string)l["id"],
                    MinMs = (double?)l["min_ms"],
                    MedianMs = (double?)l["median_ms"],
                    P90Ms = (double?)l["p90_ms"],
                    Loss = (double)l["loss"],
                    Sent = (int)(double)l["sent"],
                    Received = (int)(double)l["received"],
                });
            }
            return new PingReport { Method = (string)root["method"], Locations = list.AsReadOnly(), Json = json };
        }
    }

    /// <summary>An acceptable location and the figures it was ranked by.</summary>
    public sealed class RankedLocation
    {
        /// <summary>The location id.</summary>
        public string Id { get; internal set; }
        /// <summary>The worst player's median RTT (first sort key).</summary>
        public double WorstMs { get; internal set; }
        /// <summary>The mean of the players' medians (second sort key).</summary>
        public double MeanMs { get; internal set; }
    }

    /// <summary>An excluded location and why.</summary>
    public sealed class ExcludedLocation
    {
        /// <summary>The location id.</summary>
        public string Id { get; internal set; }
        /// <summary>"loss", "rtt", "no_sample" or "no_samples".</summary>
        public string Reason { get; internal set; }
        /// <summary>The player who ruled it out, or null.</summary>
        public string Player { get; internal set; }
        /// <summary>The reason in words.</summary>
        public string Message { get; internal set; }
    }

    /// <summary>Ranked and excluded locations.</summary>
    public sealed class Placement
    {
        /// <summary>Acceptable locations, best first.</summary>
        public IReadOnlyList<RankedLocation> Ranked { get; internal set; }
        /// <summary>The other candidates, with the reason.</summary>
        public IReadOnlyList<ExcludedLocation> Excluded { get; internal set; }
        /// <summary>The placement as the library wrote it.</summary>
        public string Json { get; internal set; }

        internal static Placement From(Dictionary<string, object> root, string json)
        {
            var ranked = new List<RankedLocation>();
            foreach (object o in (List<object>)root["ranked"])
            {
                var r = (Dictionary<string, object>)o;
                ranked.Add(new RankedLocation
                {
                    Id = (string)r["id"],
                    WorstMs = (double)r["worst_ms"],
                    MeanMs = (double)r["mean_ms"],
                });
            }
            var excluded = new List<ExcludedLocation>();
            foreach (object o in (List<object>)root["excluded"])
            {
                var e = (Dictionary<string, object>)o;
                object player;
                e.TryGetValue("player", out player);
                excluded.Add(new ExcludedLocation
                {
                    Id = (string)e["id"],
                    Reason = (string)e["reason"],
                    Player = player as string,
                    Message = (string)e["message"],
                });
            }
            return new Placement { Ranked = ranked.AsReadOnly(), Excluded = excluded.AsReadOnly(), Json = json };
        }
    }

    /// <summary>One location CreateSessionNear tried.</summary>
    public sealed class PlacementAttempt
    {
        /// <summary>The location.</summary>
        public string Location { get; internal set; }
        /// <summary>The session id sent there.</summary>
        public string SessionId { get; internal set; }
        /// <summary>"created" or "no_capacity".</summary>
        public string Outcome { get; internal set; }
    }

    /// <summary>A session started near its players.</summary>
    public sealed class PlacedSession
    {
        /// <summary>The session.</summary>
        public Session Session { get; internal set; }
        /// <summary>The location it runs in.</summary>
        public string Location { get; internal set; }
        /// <summary>Every location tried, in order; the last is <see cref="Location"/>.</summary>
        public IReadOnlyList<PlacementAttempt> Tried { get; internal set; }
        /// <summary>The ranking the attempts followed.</summary>
        public Placement Placement { get; internal set; }

        internal static PlacedSession Read(GameyeResult r)
        {
            string json = Utf8.Decode(r.text);
            var root = (Dictionary<string, object>)MiniJson.Parse(json);
            var tried = new List<PlacementAttempt>();
            foreach (object o in (List<object>)root["tried"])
            {
                var t = (Dictionary<string, object>)o;
                tried.Add(new PlacementAttempt
                {
                    Location = (string)t["location"],
                    SessionId = (string)t["session_id"],
                    Outcome = (string)t["outcome"],
                });
            }
            return new PlacedSession
            {
                Session = ResultReader.Session(r),
                Location = (string)root["location"],
                Tried = tried.AsReadOnly(),
                Placement = Placement.From((Dictionary<string, object>)root["placement"], null),
            };
        }
    }

    /// <summary>Pinging and ranking locations; needs no client and no token.</summary>
    public static class GameyePlacement
    {
        /// <summary>
        /// Pings every IP of every location with ICMP echo, blocking for at most
        /// about <see cref="PingOptions.TimeoutMs"/>: not on Unity's main thread;
        /// use <see cref="LocationPinger"/> there. <paramref name="locationsJson"/>
        /// is the locations as the backend got them from available locations:
        /// {"locations":[{"id":"europe","ips":["1.2.3.4"]}]} or the bare array.
        /// </summary>
        /// <exception cref="GameyeException">Status PingNotPermitted (the message names the cause and the fix), InvalidRequest.</exception>
        public static PingReport PingLocations(string locationsJson, PingOptions options = null)
        {
            byte[] locations = Utf8.EncodeRequired(locationsJson, "locationsJson");
            byte[] opts = options == null ? null : Utf8.Encode(options.ToJson());
            return ResultReader.Consume(NativeMethods.gameye_locations_ping(locations, opts),
                                        r => PingReport.Parse(Utf8.Decode(r.text)));
        }

        /// <summary>
        /// Ranks <paramref name="candidatesJson"/> (["europe","asia"], or locations)
        /// by <paramref name="playersJson"/> ([{"player":"alice","locations":[…]}];
        /// <see cref="PingReport.ToPlayerJson"/> gives an entry) under
        /// <paramref name="policyJson"/> (null, or {"max_loss":0.2,"max_rtt_ms":150,
        /// "allow_missing":false}). Pure: no network.
        /// </summary>
        /// <exception cref="GameyeException">Status InvalidRequest, naming the field.</exception>
        public static Placement ChooseLocation(string candidatesJson, string playersJson, string policyJson = null)
        {
            byte[] c = Utf8.EncodeRequired(candidatesJson, "candidatesJson");
            byte[] p = Utf8.EncodeRequired(playersJson, "playersJson");
            byte[] pol = policyJson == null ? null : Utf8.Encode(policyJson, "policyJson");
            return ResultReader.Consume(NativeMethods.gameye_locations_choose(c, p, pol), r =>
            {
                string json = Utf8.Decode(r.text);
                return Placement.From((Dictionary<string, object>)MiniJson.Parse(json), json);
            });
        }
    }

    /// <summary>
    /// A ping that runs in the background and completes in <see cref="Update"/>,
    /// for a game loop: create it, call Update() once per frame (from a
    /// MonoBehaviour's Update), and read <see cref="Report"/> or
    /// <see cref="Error"/> once <see cref="IsDone"/>. <see cref="Completed"/>
    /// fires inside Update, on the thread that calls it. Never blocks.
    /// Dispose it to stop a ping in progress (OnDestroy). Not thread-safe:
    /// use one pinger from one thread.
    /// </summary>
    public sealed class LocationPinger : IDisposable
    {
        private OperationHandle _op;

        /// <summary>Starts pinging; see <see cref="GameyePlacement.PingLocations"/> for the arguments.</summary>
        public LocationPinger(string locationsJson, PingOptions options = null)
        {
            byte[] locations = Utf8.EncodeRequired(locationsJson, "locationsJson");
            byte[] opts = options == null ? null : Utf8.Encode(options.ToJson());
            _op = NativeMethods.gameye_locations_ping_async(locations, opts);
        }

        /// <summary>Raised once, inside <see cref="Update"/>, when the ping is done.</summary>
        public event Action<LocationPinger> Completed;

        /// <summary>Whether the ping is done (Report or Error is set).</summary>
        public bool IsDone { get; private set; }
        /// <summary>The report, once done without error.</summary>
        public PingReport Report { get; private set; }
        /// <summary>The error, once done with one (PingNotPermitted names the cause and fix).</summary>
        public GameyeError Error { get; private set; }

        /// <summary>Checks the ping; call once per frame. Returns true once done. Never blocks.</summary>
        public bool Update()
        {
            if (IsDone) return true;
            if (_op == null || _op.IsClosed) return false;
            if (NativeMethods.gameye_operation_poll(_op) != 1) return false;
            PingReport report;
            GameyeError error;
            ResultReader.TryConsume(NativeMethods.gameye_operation_take_result(_op),
                                    r => PingReport.Parse(Utf8.Decode(r.text)), out report, out error);
            Report = report;
            Error = error;
            IsDone = true;
            _op.Dispose();
            Action<LocationPinger> done = Completed;
            if (done != null) done(this);
            return true;
        }

        /// <summary>Stops a ping in progress and frees it. Safe to call twice.</summary>
        public void Dispose()
        {
            if (_op != null) _op.Dispose();
        }
    }

    /// <summary>A minimal JSON reader: objects, arrays, strings, numbers (double), true/false/null.</summary>
    internal static class MiniJson
    {
        internal static object Parse(string json)
        {
            int i = 0;
            object v = Value(json, ref i);
            Skip(json, ref i);
            if (i != json.Length) throw new FormatException("trailing characters in JSON at " + i);
            return v;
        }

        private static void Skip(string s, ref int i)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        }

        private static object Value(string s, ref int i)
        {
            Skip(s, ref i);
            if (i >= s.Length) throw new FormatException("unexpected end of JSON");
            char c = s[i];
            if (c == '{')
            {
                var obj = new Dictionary<string, object>();
                i++;
                Skip(s, ref i);
                if (s[i] == '}') { i++; return obj; }
                while (true)
                {
                    Skip(s, ref i);
                    string key = String(s, ref i);
                    Skip(s, ref i);
                    Expect(s, ref i, ':');
                    obj[key] = Value(s, ref i);
                    Skip(s, ref i);
                    if (s[i] == ',') { i++; continue; }
                    Expect(s, ref i, '}');
                    return obj;
                }
            }
            if (c == '[')
            {
                var list = new List<object>();
                i++;
                Skip(s, ref i);
                if (s[i] == ']') { i++; return list; }
                while (true)
                {
                    list.Add(Value(s, ref i));
                    Skip(s, ref i);
                    if (s[i] == ',') { i++; continue; }
                    Expect(s, ref i, ']');
                    return list;
                }
            }
            if (c == '"') return String(s, ref i);
            if (s.Substring(i).StartsWith("true", StringComparison.Ordinal)) { i += 4; return true; }
            if (s.Substring(i).StartsWith("false", StringComparison.Ordinal)) { i += 5; return false; }
            if (s.Substring(i).StartsWith("null", StringComparison.Ordinal)) { i += 4; return null; }
            int start = i;
            while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0) i++;
            return double.Parse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private static void Expect(string s, ref int i, char c)
        {
            if (i >= s.Length || s[i] != c) throw new FormatException("expected '" + c + "' in JSON at " + i);
            i++;
        }

        private static string String(string s, ref int i)
        {
            Expect(s, ref i, '"');
            var sb = new StringBuilder();
            while (s[i] != '"')
            {
                char c = s[i++];
                if (c != '\\') { sb.Append(c); continue; }
                char e = s[i++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u':
                        sb.Append((char)int.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: sb.Append(e); break;
                }
            }
            i++;
            return sb.ToString();
        }
    }
}
