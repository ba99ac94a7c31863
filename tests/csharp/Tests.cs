// C# tests of the Unity binding (bindings/csharp) against the real libgameye
// and a running emulator (GAMEYE_TEST_BASE_URL, started by tests/csharp/run.sh
// with tests/emulator-config.json). A plain program: prints one line per
// failure and a final "N passed, N failed"; exits non-zero on any failure.
//
// Optional inputs from run.sh: GAMEYE_HEADER (include/gameye.h, to check that
// every function has a declaration), GAMEYE_LAYOUT_FILE (the struct layout
// as the C compiler sees it, printed by tests/csharp/layout.g.c) and
// GAMEYE_CONSTANTS_FILE (every enum constant of the header as the C compiler
// sees it, printed by a program tests/csharp/constants.sh generates).

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GameyeSdk;
using GameyeSdk.Native;

internal static partial class Tests
{
    private static int s_passed;
    private static int s_failed;
    private static string s_baseUrl;
    private static string s_runId;
    private static string s_outDir;

    private const string Token = "gameye-emulator-token";
    private const string Nginx = "nginx";

    private static int Main()
    {
        s_baseUrl = Environment.GetEnvironmentVariable("GAMEYE_TEST_BASE_URL");
        if (string.IsNullOrEmpty(s_baseUrl))
        {
            Console.Error.WriteLine("GAMEYE_TEST_BASE_URL is not set");
            return 2;
        }
        s_runId = "cs" + Process.GetCurrentProcess().Id + "-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        s_outDir = Environment.GetEnvironmentVariable("GAMEYE_TEST_OUT") ?? Path.GetTempPath();

        Run("version", TestVersion);
        Run("header coverage", TestHeaderCoverage);
        Run("struct layout", TestLayout);
        Run("enum constants", TestConstants);
        Run("unity ios build", TestUnityIosBuild);
        Run("utf8 and json", TestUtf8AndJson);
        Run("client config", TestClientConfig);
        Run("every config key", TestConfigKeys);
        Run("https: every operation", TestHttpsEveryOperation);
        using (GameyeClient client = NewClient(Token))
        {
            Run("create", () => TestCreate(client));
            Run("missing id", () => TestMissingId(client));
            Run("api errors", () => TestApiErrors(client));
            Run("transport errors", TestTransportErrors);
            Run("bad input", () => TestBadInput(client));
            Run("null and disposed handles", () => TestHandles(client));
            Run("shared client threads", () => TestThreads(client));
            Run("list get stop players", () => TestListGetStop(client));
            Run("logs", () => TestLogs(client));
            Run("artifacts", () => TestArtifacts(client));
            Run("locations and tags", () => TestLocationsTags(client));
            Run("auth errors", TestAuthErrors);
            Run("bad arguments", () => TestBadArguments(client));
            Run("async: 50 creates by polling", () => TestAsyncCreates(client));
            Run("async: every endpoint", () => TestAsyncEndpoints(client));
            Run("the endpoint table's sweep", () => TestSweep(client));
            Run("async: cancellation", () => TestCancellation(client));
            Run("cancel a download from inside Stream.Write", () => TestCancelInsideWrite(client));
            Run("LogStream.Dispose during ReadLine", () => TestDisposeDuringReadLine(client));
        }
        Run("dispose with pending operations", TestDisposePending);
        Run("dispose during a blocking call", TestDisposeDuringCall);
        Run("logger", TestLogger);
        Run("domain unload with a download in flight", TestDomainUnloadPath);
        Run("AppDomain.Unload with a download in flight", TestRealDomainUnload);
        Run("callback handles released", TestHandlesReleased);

        Console.WriteLine("{0} passed, {1} failed", s_passed, s_failed);
        return s_failed == 0 ? 0 : 1;
    }

    // ---- helpers ----

    private static void Run(string name, Action test)
    {
        Console.WriteLine("== " + name);
        try
        {
            test();
        }
        catch (Exception e)
        {
            Fail(name + ": unexpected exception: " + e);
        }
    }

    private static bool Check(bool condition, string what)
    {
        if (condition)
        {
            s_passed++;
        }
        else
        {
            Fail(what);
        }
        return condition;
    }

    private static void Fail(string what)
    {
        s_failed++;
        Console.Error.WriteLine("FAIL " + what);
    }

    private static GameyeClient NewClient(string token, int requestTimeoutMs = 20000)
    {
        return new GameyeClient(new GameyeConfig
        {
            Token = token,
            BaseUrl = s_baseUrl,
            RequestTimeout = TimeSpan.FromMilliseconds(requestTimeoutMs),
        });
    }

    private static string Sid(string name)
    {
        return s_runId + "-" + name;
    }

    /// <summary>Runs <paramref name="action"/> and expects a GameyeException with <paramref name="want"/>.</summary>
    private static GameyeException ExpectError(GameyeStatus want, string what, Action action)
    {
        try
        {
            action();
            Fail(what + ": want " + want + ", got success");
        }
        catch (GameyeException e)
        {
            if (Check(e.Status == want, what + ": want " + want + ", got " + e.Status + " (" + e.Message + ")")) return e;
        }
        catch (Exception e)
        {
            Fail(what + ": want GameyeException " + want + ", got " + e);
        }
        return null;
    }

    private static TException Expect<TException>(string what, Action action) where TException : Exception
    {
        try
        {
            action();
            Fail(what + ": want " + typeof(TException).Name + ", got success");
        }
        catch (TException e)
        {
            s_passed++;
            return e;
        }
        catch (Exception e)
        {
            Fail(what + ": want " + typeof(TException).Name + ", got " + e);
        }
        return null;
    }

    private static bool HasViolation(GameyeException e, string field)
    {
        return e != null && e.Violations.Any(v => v.Field == field && v.Description.Length > 0);
    }

    /// <summary>The game loop: Update every "frame" until <paramref name="done"/> or the timeout.</summary>
    private static bool Pump(GameyeClient client, Func<bool> done, int timeoutMs = 30000)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.ElapsedMilliseconds > timeoutMs) return false;
            client.Update();
            Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>Pumps until <paramref name="task"/> completes and returns its result (or throws its exception).</summary>
    private static T Await<T>(GameyeClient client, Task<T> task, string what)
    {
        if (!Pump(client, () => task.IsCompleted)) throw new TimeoutException(what + " did not complete");
        try
        {
            return task.Result;
        }
        catch (AggregateException e)
        {
            throw e.InnerException;
        }
    }

    private static GameyeException ExpectFaulted<T>(GameyeClient client, Task<T> task, GameyeStatus want, string what)
    {
        return ExpectError(want, what, () => Await(client, task, what));
    }

    private static Session Start(GameyeClient c, string id, string location, string mode)
    {
        return c.CreateSession(location, Nginx, new SessionOptions
        {
            Id = id,
            Labels = new Dictionary<string, string> { { "mode", mode }, { "run", s_runId } },
        });
    }

    private static Dictionary<string, string> RunLabels()
    {
        return new Dictionary<string, string> { { "run", s_runId } };
    }

    // ---- version, header coverage, layout ----

    private static void TestVersion()
    {
        Check(Gameye.Version == Gameye.BindingVersion,
              "library " + Gameye.Version + " matches binding " + Gameye.BindingVersion);
        Check(Gameye.StatusName(GameyeStatus.NotFound) == "GAMEYE_STATUS_NOT_FOUND", "status name");
        Check(Gameye.StatusName(12345) == "GAMEYE_STATUS_UNKNOWN", "unknown status name");
        Check(NativeMethods.gameye_result_status(new ResultHandle()) == (uint)GameyeStatus.NullArgument,
              "status of a NULL result");
        // Every GameyeStatus value has a name in the library (the enums agree).
        foreach (GameyeStatus s in Enum.GetValues(typeof(GameyeStatus)))
        {
            Check(Gameye.StatusName(s) != "GAMEYE_STATUS_UNKNOWN", "library knows " + s);
        }
    }

    private static void TestHeaderCoverage()
    {
        string header = Environment.GetEnvironmentVariable("GAMEYE_HEADER");
        if (string.IsNullOrEmpty(header) || !File.Exists(header))
        {
            Console.WriteLine("   (skipped: GAMEYE_HEADER not set)");
            return;
        }
        var inHeader = new HashSet<string>();
        foreach (string line in File.ReadAllLines(header))
        {
            if (line.Length == 0 || " /*#}".IndexOf(line[0]) >= 0 || line.StartsWith("typedef")) continue;
            Match m = Regex.Match(line, @"\b(gameye_[a-z0-9_]+)\(");
            if (m.Success) inHeader.Add(m.Groups[1].Value);
        }
        var declared = new Dictionary<string, MethodInfo>();
        foreach (MethodInfo m in typeof(NativeMethods).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if ((m.Attributes & MethodAttributes.PinvokeImpl) != 0) declared[m.Name] = m;
        }
        Check(inHeader.Count >= 40, "found the header's functions (" + inHeader.Count + ")");
        foreach (string name in inHeader.OrderBy(n => n))
        {
            Check(declared.ContainsKey(name), "P/Invoke declared for " + name);
        }
        foreach (KeyValuePair<string, MethodInfo> kv in declared)
        {
            Check(inHeader.Contains(kv.Key), kv.Key + " is in the header");
            var import = (DllImportAttribute)kv.Value.GetCustomAttributes(typeof(DllImportAttribute), false).FirstOrDefault();
            Check(import != null && import.CallingConvention == CallingConvention.Cdecl && import.Value == "gameye",
                  kv.Key + " is Cdecl from \"gameye\"");
        }
    }

    private static void TestUnityIosBuild()
    {
        string dll = Environment.GetEnvironmentVariable("GAMEYE_UNITY_IOS_DLL");
        if (string.IsNullOrEmpty(dll) || !File.Exists(dll))
        {
            Console.WriteLine("   (skipped: GAMEYE_UNITY_IOS_DLL not set)");
            return;
        }
        Assembly ios = Assembly.LoadFile(dll);
        Type native = ios.GetType("GameyeSdk.Native.NativeMethods");
        Check((string)native.GetField("Lib").GetRawConstantValue() == "__Internal", "iOS player imports from __Internal");
        int imports = 0;
        foreach (MethodInfo m in native.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if ((m.Attributes & MethodAttributes.PinvokeImpl) == 0) continue;
            var import = (DllImportAttribute)m.GetCustomAttributes(typeof(DllImportAttribute), false).FirstOrDefault();
            if (import != null && import.Value == "__Internal") imports++;
        }
        int all = typeof(NativeMethods).GetMethods().Count(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0);
        Check(imports == all && all > 40, "every import is __Internal on iOS: " + imports + " of " + all);
        Check(ios.GetType("GameyeSdk.GameyeBehaviour") != null, "GameyeBehaviour compiled for Unity");
        Check(typeof(GameyeClient).Assembly.GetType("GameyeSdk.GameyeBehaviour") == null, "and not outside Unity");
        Check(typeof(GameyeClient).Assembly.GetType("AOT.MonoPInvokeCallbackAttribute") != null,
              "own AOT.MonoPInvokeCallbackAttribute outside Unity");
        // Every callback handed to native code is a static method with the attribute (IL2CPP).
        foreach (string name in new[] { "GameyeSdk.PendingOperation:OnCompleted", "GameyeSdk.DownloadSink:OnWrite",
                                        "GameyeSdk.Gameye:OnLog" })
        {
            string[] tm = name.Split(':');
            MethodInfo m = ios.GetType(tm[0]).GetMethod(tm[1], BindingFlags.NonPublic | BindingFlags.Static);
            Check(m != null && m.GetCustomAttributes(false).Any(a => a.GetType().Name == "MonoPInvokeCallbackAttribute"),
                  name + " is static with [MonoPInvokeCallback]");
        }
    }

    // "NotFound" -> "NOT_FOUND", "InvalidUtf8" -> "INVALID_UTF8".
    private static string UpperSnake(string pascal)
    {
        return Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToUpperInvariant();
    }

    // Every constant of the header's enums (GameyeStatus, GameyeSessionState,
    // ...) has a C# member with the same value, and every C# member has its
    // constant: the C# numbers are checked, not copied by hand.
    private static void TestConstants()
    {
        string file = Environment.GetEnvironmentVariable("GAMEYE_CONSTANTS_FILE");
        if (string.IsNullOrEmpty(file) || !File.Exists(file))
        {
            Console.WriteLine("   (skipped: GAMEYE_CONSTANTS_FILE not set)");
            return;
        }
        var mirrors = new Dictionary<string, Type>
        {
            { "GameyeStatus", typeof(GameyeStatus) },
            { "GameyeSessionState", typeof(SessionState) },
            { "GameyeStopOutcome", typeof(StopOutcome) },
            { "GameyeLogLevel", typeof(LogLevel) },
        };
        var inC = new Dictionary<string, Dictionary<string, long>>();
        foreach (string line in File.ReadAllLines(file))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 3) continue;
            if (!inC.ContainsKey(parts[0])) inC[parts[0]] = new Dictionary<string, long>();
            inC[parts[0]][parts[1]] = long.Parse(parts[2]);
        }
        Check(inC.ContainsKey("GameyeStatus") && inC["GameyeStatus"].Count >= 20,
              "found the header's status constants");
        foreach (string cEnum in inC.Keys)
        {
            if (!Check(mirrors.ContainsKey(cEnum), "C# mirrors enum " + cEnum)) continue;
            Type cs = mirrors[cEnum];
            string prefix = UpperSnake(cEnum) + "_";
            var csByName = new Dictionary<string, long>();
            foreach (object v in Enum.GetValues(cs))
            {
                csByName[prefix + UpperSnake(Enum.GetName(cs, v))] = Convert.ToInt64(v);
            }
            foreach (KeyValuePair<string, long> c in inC[cEnum])
            {
                long value;
                if (Check(csByName.TryGetValue(c.Key, out value), cs.Name + " has " + c.Key))
                {
                    Check(value == c.Value, c.Key + ": C " + c.Value + ", C# " + value);
                }
            }
            foreach (string name in csByName.Keys)
            {
                Check(inC[cEnum].ContainsKey(name), cs.Name + " member " + name + " is in the header");
            }
        }
    }

    private static void TestLayout()
    {
        string file = Environment.GetEnvironmentVariable("GAMEYE_LAYOUT_FILE");
        if (string.IsNullOrEmpty(file) || !File.Exists(file))
        {
            Console.WriteLine("   (skipped: GAMEYE_LAYOUT_FILE not set)");
            return;
        }
        var seen = new HashSet<string>();
        foreach (string line in File.ReadAllLines(file))
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 3 && parts[1] == "sizeof")
            {
                Type t = typeof(GameyeResult).Assembly.GetType("GameyeSdk.Native." + parts[0]);
                if (!Check(t != null, "C# mirrors struct " + parts[0])) continue;
                int size = Marshal.SizeOf(t);
                Check(size.ToString() == parts[2], parts[0] + " size: C " + parts[2] + ", C# " + size);
            }
            else if (parts.Length == 2)
            {
                string[] tf = parts[0].Split('.');
                Type t = typeof(GameyeResult).Assembly.GetType("GameyeSdk.Native." + tf[0]);
                if (t == null || t.GetField(tf[1]) == null)
                {
                    Fail("C# mirrors field " + parts[0]);
                    continue;
                }
                seen.Add(parts[0]);
                long offset = Marshal.OffsetOf(t, tf[1]).ToInt64();
                Check(offset.ToString() == parts[1], parts[0] + " offset: C " + parts[1] + ", C# " + offset);
            }
        }
        // Every struct of the binding, and every field, was measured in C.
        Type[] mirrors = typeof(GameyeResult).Assembly.GetTypes()
            .Where(t => t.Namespace == "GameyeSdk.Native" && t.IsValueType && !t.IsEnum && t.IsPublic)
            .ToArray();
        Check(mirrors.Length >= 7, "found the C# structs (" + mirrors.Length + ")");
        foreach (Type t in mirrors)
        {
            foreach (FieldInfo f in t.GetFields())
            {
                Check(seen.Contains(t.Name + "." + f.Name), "C has the field " + t.Name + "." + f.Name);
            }
        }
        // layout.g.c and NativeTypes.g.cs come from one parse of the header:
        // read the header's structs here independently, so a struct that
        // parse missed cannot go unchecked.
        string header = Environment.GetEnvironmentVariable("GAMEYE_HEADER");
        if (!string.IsNullOrEmpty(header) && File.Exists(header))
        {
            int structs = 0;
            foreach (Match m in Regex.Matches(File.ReadAllText(header), @"^typedef struct (\w+) \{", RegexOptions.Multiline))
            {
                structs++;
                Check(mirrors.Any(t => t.Name == m.Groups[1].Value), "C# mirrors the header's struct " + m.Groups[1].Value);
            }
            Check(structs >= 7, "found the header's structs (" + structs + ")");
        }
    }

    private static void TestUtf8AndJson()
    {
        string text = "Zoë ✓ 🎮 日本";
        byte[] bytes = Utf8.Encode(text);
        Check(bytes[bytes.Length - 1] == 0 && bytes.Length == System.Text.Encoding.UTF8.GetByteCount(text) + 1,
              "NUL-terminated UTF-8");
        IntPtr p = Marshal.AllocHGlobal(bytes.Length);
        try
        {
            Marshal.Copy(bytes, 0, p, bytes.Length);
            Check(Utf8.Decode(p) == text, "decode by NUL scan");
            Check(Utf8.Decode(p, bytes.Length - 1) == text, "decode by length");
            Check(Utf8.Decode(p, 0) == "", "empty");
        }
        finally
        {
            Marshal.FreeHGlobal(p);
        }
        Check(Utf8.Decode(IntPtr.Zero) == null && Utf8.Encode(null) == null, "NULL both ways");
        Expect<ArgumentException>("embedded NUL refused", () => Utf8.Encode("a\0b"));
        Check(JsonObjectWriter.Quote("a\"b\\c\n\t\u0001\u2028é") == "\"a\\\"b\\\\c\\n\\t\\u0001\\u2028é\"",
              "JSON escaping: " + JsonObjectWriter.Quote("a\"b\\c\n\t\u0001\u2028é"));
        string json = new SessionOptions
        {
            Env = new Dictionary<string, string> { { "K", "v" } },
            Args = new[] { "--x" },
            Restart = false,
        }.ToJson("europe", "nginx");
        Check(json == "{\"location\":\"europe\",\"image\":\"nginx\",\"env\":{\"K\":\"v\"},\"args\":[\"--x\"],\"restart\":false}",
              "request JSON: " + json);
    }

    // ---- client configuration ----

    private static void TestClientConfig()
    {
        var bad = new[]
        {
            new KeyValuePair<string, string>("{}", "token"),
            new KeyValuePair<string, string>("{\"token\":\"\"}", "token"),
            new KeyValuePair<string, string>("not json", "(config)"),
            new KeyValuePair<string, string>("{\"token\":\"t\",\"colour\":1}", "(config)"),
            new KeyValuePair<string, string>("{\"token\":\"t\",\"base_url\":\"http://example.com\"}", "base_url"),
            new KeyValuePair<string, string>("{\"token\":\"t\",\"base_url\":\"ftp://x\"}", "base_url"),
            new KeyValuePair<string, string>("{\"token\":\"t\",\"request_timeout_ms\":0}", "request_timeout"),
        };
        foreach (KeyValuePair<string, string> kv in bad)
        {
            GameyeException e = ExpectError(GameyeStatus.InvalidConfig, kv.Key, () => GameyeClient.FromJson(kv.Key).Dispose());
            Check(HasViolation(e, kv.Value), kv.Key + " names " + kv.Value);
        }
        GameyeException tok = ExpectError(GameyeStatus.InvalidConfig, "token with a space",
            () => new GameyeClient(new GameyeConfig { Token = "s3cr3t tok" }).Dispose());
        Check(tok != null && !tok.Message.Contains("s3cr3t"), "token not in the message");
        ExpectError(GameyeStatus.InvalidConfig, "zero timeout", () => new GameyeClient(new GameyeConfig
        {
            Token = "t",
            RequestTimeout = TimeSpan.Zero,
        }).Dispose());
        using (var c = new GameyeClient(new GameyeConfig
        {
            Token = "t",
            BaseUrl = "http://example.com",
            AllowInsecureHttp = true,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            MaxResponseBytes = 1 << 20,
            MaxLogBytes = 1 << 20,
        }))
        {
            Check(!c.Handle.IsInvalid, "allow_insecure_http accepted");
        }
        using (var c = new GameyeClient("some-token"))
        {
            Check(!c.Handle.IsInvalid, "token-only client (sandbox)");
        }
        using (var c = new GameyeClient(new GameyeConfig { Token = "t", Proxy = "http://127.0.0.1:9", ProxyFromEnv = true }))
        {
            Check(!c.Handle.IsInvalid, "loopback proxy accepted");
        }
        GameyeException proxyErr = ExpectError(GameyeStatus.InvalidConfig, "remote plain-http proxy",
            () => new GameyeClient(new GameyeConfig { Token = "t", Proxy = "http://10.1.2.3:3128" }).Dispose());
        Check(HasViolation(proxyErr, "proxy"), "names the proxy");
        Expect<ArgumentNullException>("null config", () => new GameyeClient((GameyeConfig)null));
        Expect<ArgumentNullException>("null JSON", () => GameyeClient.FromJson(null));

        // Raw: NULL and invalid UTF-8 configuration.
        ClientHandle client;
        using (ResultHandle r = NativeMethods.gameye_client_new(null, out client))
        {
            GameyeResult res = r.Read();
            Check(res.status == (uint)GameyeStatus.NullArgument, "NULL config_json");
            Check(Utf8.Decode(res.message).Contains("config_json"), "names config_json");
            Check(client.IsInvalid, "no client on error");
        }
        client.Dispose();
        using (ResultHandle r = NativeMethods.gameye_client_new(new byte[] { (byte)'{', (byte)'"', 0xff, 0 }, out client))
        {
            Check(r.Read().status == (uint)GameyeStatus.InvalidUtf8, "invalid UTF-8 config");
        }
        client.Dispose();
    }

    /// <summary>
    /// Every key of gameye_client_new's configuration is a GameyeConfig property and
    /// reaches the library: the library refuses unknown keys, so a client made with
    /// every property set proves each key's name; a bad value names its key.
    /// </summary>
    private static void TestConfigKeys()
    {
        var every = new GameyeConfig
        {
            Token = "t",
            BaseUrl = s_baseUrl,
            ConnectTimeout = TimeSpan.FromMilliseconds(1001),
            RequestTimeout = TimeSpan.FromMilliseconds(1002),
            AllowInsecureHttp = true,
            MaxResponseBytes = 1003,
            MaxLogBytes = 1004,
            Retry = new RetryConfig
            {
                MaxAttempts = 5,
                InitialBackoff = TimeSpan.FromMilliseconds(1005),
                MaxBackoff = TimeSpan.FromMilliseconds(1006),
                Deadline = TimeSpan.FromMilliseconds(1007),
            },
            MaxConcurrentRequests = 7,
            CaBundlePath = Path.Combine(s_outDir, "no-such-bundle.pem"),
            Proxy = "http://127.0.0.1:9",
            ProxyFromEnv = true,
            IdleTimeout = TimeSpan.FromMilliseconds(1008),
        };
        string json = every.ToJson();
        foreach (string kv in new[]
        {
            "\"connect_timeout_ms\":1001", "\"request_timeout_ms\":1002", "\"allow_insecure_http\":true",
            "\"max_response_bytes\":1003", "\"max_log_bytes\":1004",
            "\"retry\":{\"max_attempts\":5,\"initial_backoff_ms\":1005,\"max_backoff_ms\":1006,\"deadline_ms\":1007}",
            "\"max_concurrent_requests\":7", "\"ca_bundle_path\":", "\"proxy\":\"http://127.0.0.1:9\"",
            "\"proxy_from_env\":true", "\"idle_timeout_ms\":1008",
        })
        {
            Check(json.Contains(kv), "config JSON has " + kv + ": " + json);
        }
        // The bundle is read when the client is made: a missing file names the key.
        GameyeException bundle = ExpectError(GameyeStatus.InvalidConfig, "missing CA bundle",
            () => new GameyeClient(every).Dispose());
        Check(HasViolation(bundle, "ca_bundle_path"), "names ca_bundle_path");
        every.CaBundlePath = null;
        using (var c = new GameyeClient(every))
        {
            Check(!c.Handle.IsInvalid, "every key accepted");
        }

        // Zero is written (only null is left out) and refused by the library, naming the key.
        var zeros = new KeyValuePair<string, Action<GameyeConfig>>[]
        {
            new KeyValuePair<string, Action<GameyeConfig>>("idle_timeout", c => c.IdleTimeout = TimeSpan.Zero),
            new KeyValuePair<string, Action<GameyeConfig>>("max_concurrent_requests", c => c.MaxConcurrentRequests = 0),
            new KeyValuePair<string, Action<GameyeConfig>>("max_response_bytes", c => c.MaxResponseBytes = 0),
            new KeyValuePair<string, Action<GameyeConfig>>("max_log_bytes", c => c.MaxLogBytes = 0),
            new KeyValuePair<string, Action<GameyeConfig>>("connect_timeout", c => c.ConnectTimeout = TimeSpan.Zero),
            new KeyValuePair<string, Action<GameyeConfig>>("retry.max_attempts",
                c => c.Retry = new RetryConfig { MaxAttempts = 0 }),
            new KeyValuePair<string, Action<GameyeConfig>>("retry.deadline",
                c => c.Retry = new RetryConfig { Deadline = TimeSpan.Zero }),
        };
        foreach (KeyValuePair<string, Action<GameyeConfig>> kv in zeros)
        {
            var config = new GameyeConfig { Token = "t", BaseUrl = s_baseUrl };
            kv.Value(config);
            GameyeException e = ExpectError(GameyeStatus.InvalidConfig, "zero " + kv.Key,
                () => new GameyeClient(config).Dispose());
            Check(HasViolation(e, kv.Key), "zero names " + kv.Key);
        }

        // A tiny response cap makes a real answer too large.
        using (var tiny = new GameyeClient(new GameyeConfig
        {
            Token = Token,
            BaseUrl = s_baseUrl,
            RequestTimeout = TimeSpan.FromSeconds(20),
            MaxResponseBytes = 16,
        }))
        {
            ExpectError(GameyeStatus.Decode, "answer over MaxResponseBytes", () => tiny.AvailableLocations(Nginx));
        }
        // A short idle timeout still serves calls (a fresh connection after idling).
        using (var idle = new GameyeClient(new GameyeConfig
        {
            Token = Token,
            BaseUrl = s_baseUrl,
            RequestTimeout = TimeSpan.FromSeconds(20),
            IdleTimeout = TimeSpan.FromMilliseconds(50),
        }))
        {
            Check(idle.AvailableLocations(Nginx).Length > 0, "first call");
            Thread.Sleep(150);
            Check(idle.AvailableLocations(Nginx).Length > 0, "call after the idle timeout");
        }
    }

    /// <summary>
    /// Every operation once over https (GAMEYE_TEST_TLS_BASE_URL, an emulator with a test
    /// CA from start_tls_emulator), trusting the CA (GAMEYE_TEST_CA) through CaBundlePath;
    /// the other tests check each answer in detail over plain http. Without the CA the
    /// certificate is refused.
    /// </summary>
    private static void TestHttpsEveryOperation()
    {
        string url = Environment.GetEnvironmentVariable("GAMEYE_TEST_TLS_BASE_URL");
        string ca = Environment.GetEnvironmentVariable("GAMEYE_TEST_CA");
        if (!Check(url != null && url.StartsWith("https://") && ca != null,
                   "GAMEYE_TEST_TLS_BASE_URL and GAMEYE_TEST_CA are set (run tests/csharp/run.sh)"))
        {
            return;
        }
        var config = new GameyeConfig
        {
            Token = Token,
            BaseUrl = url,
            RequestTimeout = TimeSpan.FromSeconds(30),
            CaBundlePath = ca,
        };
        string id = Sid("https");
        using (var c = new GameyeClient(config))
        {
            Session created = Start(c, id, "europe", "https");
            Check(created.Id == id, "created over https");
            SessionInfo[] listed = c.ListSessions(new SessionFilter { Labels = RunLabels() });
            Check(listed.Any(s => s.Id == id), "listed over https");
            Check(c.JoinPlayers(id, "p1", "p2").PlayerCount == 2, "joined over https");
            Check(c.LeavePlayers("p1").PlayerCount == 1, "left over https");
            SessionInfo got = Await(c, c.GetSessionAsync(id), "https get");
            Check(got.PlayerCount == 1 && got.Joined.Count == 1 && got.Joined[0] == "p2", "described over https");
            Check(!string.IsNullOrEmpty(c.GetLogs(id)), "logs over https");
            Check(c.StopSession(id) == StopOutcome.Stopped, "stopped over https");
            int lines = 0;
            bool ended = false;
            using (LogStream stream = c.FollowLogs(id))
            {
                for (int i = 0; i < 10000 && !ended; i++)
                {
                    if (stream.ReadLine() == null) ended = true;
                    else lines++;
                }
            }
            Check(lines > 0 && ended, "followed " + lines + " lines over https to the end");
            using (var buffer = new MemoryStream())
            {
                long n = c.DownloadArtifact(id, "/", buffer);
                byte[] bytes = buffer.ToArray();
                Check(n == bytes.Length && n > 20 && bytes[0] == 0x1f && bytes[1] == 0x8b,
                      "artifact over https: " + n + " bytes");
            }
            Check(c.AvailableLocations(Nginx).Length > 0, "locations over https");
            Check(c.TagExists("europe", Nginx, "1.25"), "tag over https");
        }
        config.CaBundlePath = null;
        config.Retry = new RetryConfig { MaxAttempts = 1 };
        using (var strict = new GameyeClient(config))
        {
            ExpectError(GameyeStatus.Tls, "without CaBundlePath: refused", () => strict.GetSession(id));
        }
    }

    // ---- create ----

    private static void TestCreate(GameyeClient client)
    {
        Session s = client.CreateSession("europe", Nginx, new SessionOptions
        {
            Env = new Dictionary<string, string> { { "MODE", "duel" } },
            Args = new[] { "--max=8" },
            Labels = new Dictionary<string, string> { { "queue", "eu-1" } },
            Ttl = "2h30m",
            Restart = false,
            Version = "1.25",
        });
        Check(s.Id.Length == 36 && s.Id[14] == '4', "UUIDv4 id: " + s.Id);
        Check(s.Host == "127.0.0.1", "host " + s.Host);
        Check(s.Ports.Count == 1 && s.Ports[0].Protocol == "tcp" && s.Ports[0].Container == 80 && s.Ports[0].Host > 0,
              "one tcp port 80 -> host port");

        string given = Sid("given");
        s = client.CreateSession("europe", "my-game", new SessionOptions { Id = given });
        Check(s.Id == given, "id kept: " + s.Id);
        Check(s.Ports.Count == 2 && s.Ports[0].Protocol == "udp" && s.Ports[0].Container == 7777, "two ports, udp first");

        GameyeException e = ExpectError(GameyeStatus.Conflict, "duplicate id",
            () => client.CreateSession("europe", "my-game", new SessionOptions { Id = given }));
        if (e != null)
        {
            Check(e.HttpStatus == 409, "http 409");
            Check(e.Code != null && e.Identifier != null, "API error code and identifier");
            Check(e.Error.Body != null && e.Error.BodyText.Length > 0, "raw body kept");
            Check(e.Error.StatusName == "GAMEYE_STATUS_CONFLICT", "status name");
        }

        // Try-pattern.
        Session ok;
        GameyeError error;
        Check(client.TryCreateSession("europe", Nginx, out ok, out error) && ok != null && error == null, "TryCreateSession ok");
        Check(!client.TryCreateSession("full", Nginx, out ok, out error) && ok == null && error != null &&
              error.Status == GameyeStatus.NoCapacity && error.HttpStatus == 420, "TryCreateSession 420");

        // UTF-8 round trip: non-ASCII and JSON-special characters in labels and env.
        string value = "Zoë ✓ 🎮 日本 \"quoted\" back\\slash tab\t";
        string uid = Sid("unicode");
        client.CreateSession("europe", Nginx, new SessionOptions
        {
            Id = uid,
            Labels = new Dictionary<string, string> { { "name", value }, { "ключ", "значение" } },
            Env = new Dictionary<string, string> { { "GREETING", "héllo wörld" } },
        });
        SessionInfo info = client.GetSession(uid);
        string got;
        Check(info.Labels.TryGetValue("name", out got) && got == value, "label round trip: " + got);
        Check(info.Labels.TryGetValue("ключ", out got) && got == "значение", "non-ASCII key round trip");
        client.StopSession(uid);
    }

    private static void TestMissingId(GameyeClient client)
    {
        string id = Sid("no-id");
        Session s = client.CreateSession("europe", "fault-no-id", new SessionOptions { Id = id });
        Check(s.Id == id, "sent id used when the server omits it: " + s.Id);
        s = client.CreateSession("europe", "fault-no-id");
        Check(s.Id.Length == 36, "generated id used: " + s.Id);
    }

    private struct ErrorCase
    {
        public string Token, Location, Image, Version, Ttl;
        public GameyeStatus Status;
        public int Http;
    }

    private static void TestApiErrors(GameyeClient client)
    {
        var cases = new[]
        {
            new ErrorCase { Token = "wrong-token", Location = "europe", Image = Nginx, Status = GameyeStatus.Unauthorized, Http = 401 },
            new ErrorCase { Token = "quota-token", Location = "europe", Image = Nginx, Status = GameyeStatus.QuotaExhausted, Http = 402 },
            new ErrorCase { Token = "read-only-token", Location = "europe", Image = Nginx, Status = GameyeStatus.Forbidden, Http = 403 },
            new ErrorCase { Location = "atlantis", Image = Nginx, Status = GameyeStatus.NotFound, Http = 404 },
            new ErrorCase { Location = "europe", Image = "no-such-image", Status = GameyeStatus.NotFound, Http = 404 },
            new ErrorCase { Location = "europe", Image = Nginx, Version = "9.9", Status = GameyeStatus.NotFound, Http = 404 },
            new ErrorCase { Location = "full", Image = Nginx, Status = GameyeStatus.NoCapacity, Http = 420 },
            new ErrorCase { Location = "europe", Image = Nginx, Ttl = "25h", Status = GameyeStatus.InvalidSyntax, Http = 422 },
            new ErrorCase { Location = "europe", Image = "fault-500", Status = GameyeStatus.ServerError, Http = 503 },
            new ErrorCase { Location = "europe", Image = "fault-html", Status = GameyeStatus.ServerError, Http = 502 },
            new ErrorCase { Location = "europe", Image = "fault-malformed", Status = GameyeStatus.Decode, Http = 201 },
        };
        foreach (ErrorCase k in cases)
        {
            string what = (k.Token ?? "") + " " + k.Location + "/" + k.Image + (k.Version ?? "") + (k.Ttl ?? "");
            GameyeClient c = k.Token != null ? NewClient(k.Token) : client;
            try
            {
                GameyeException e = ExpectError(k.Status, what, () => c.CreateSession(k.Location, k.Image, new SessionOptions
                {
                    Version = k.Version,
                    Ttl = k.Ttl,
                }));
                if (e == null) continue;
                Check(e.HttpStatus == k.Http, what + ": http " + e.HttpStatus);
                Check(!string.IsNullOrEmpty(e.Message), what + ": message");
                Check(e.Error.Body != null, what + ": raw body kept");
                Check(e.Error.Attempts >= 1, what + ": attempts " + e.Error.Attempts);
                if (k.Status == GameyeStatus.InvalidSyntax) Check(HasViolation(e, "ttl"), "422 violation names ttl: " + e.Message);
                if (k.Http != 201 && k.Http != 502)
                {
                    Check(e.Code != null && e.Identifier != null && e.Details != null, what + ": API error fields");
                }
                if (k.Token != null) Check(!e.Message.Contains(k.Token), what + ": token not in message");
            }
            finally
            {
                if (k.Token != null) c.Dispose();
            }
        }
    }

    private static void TestTransportErrors()
    {
        // The retry policy: 5xx is retried by default, not with MaxAttempts = 1.
        using (var once = new GameyeClient(new GameyeConfig
        {
            Token = Token,
            BaseUrl = s_baseUrl,
            Retry = new RetryConfig { MaxAttempts = 1, InitialBackoff = TimeSpan.FromMilliseconds(10) },
        }))
        using (var thrice = new GameyeClient(new GameyeConfig
        {
            Token = Token,
            BaseUrl = s_baseUrl,
            Retry = new RetryConfig
            {
                MaxAttempts = 3,
                InitialBackoff = TimeSpan.FromMilliseconds(10),
                MaxBackoff = TimeSpan.FromMilliseconds(20),
                Deadline = TimeSpan.FromSeconds(20),
            },
        }))
        {
            GameyeException e = ExpectError(GameyeStatus.ServerError, "503 without retries", () => once.CreateSession("europe", "fault-500"));
            Check(e != null && e.Error.Attempts == 1, "one attempt: " + (e == null ? -1 : e.Error.Attempts));
            e = ExpectError(GameyeStatus.ServerError, "503 with retries", () => thrice.CreateSession("europe", "fault-500"));
            Check(e != null && e.Error.Attempts == 3, "three attempts: " + (e == null ? -1 : e.Error.Attempts));
        }
        ExpectError(GameyeStatus.InvalidConfig, "retry.max_attempts 0", () => new GameyeClient(new GameyeConfig
        {
            Token = "t",
            Retry = new RetryConfig { MaxAttempts = 0 },
        }).Dispose());

        using (GameyeClient hasty = NewClient(Token, 300))
        {
            GameyeException e = ExpectError(GameyeStatus.Timeout, "stalled server",
                () => hasty.CreateSession("europe", "fault-stall"));
            Check(e != null && e.HttpStatus == 0 && e.Error.Body == null, "no response");
        }
        using (var closed = new GameyeClient(new GameyeConfig { Token = "t", BaseUrl = "http://127.0.0.1:1" }))
        {
            GameyeException e = ExpectError(GameyeStatus.Connect, "closed port", () => closed.CreateSession("europe", Nginx));
            Check(e != null && e.HttpStatus == 0, "no response from a closed port");
        }
    }

    private static void TestBadInput(GameyeClient client)
    {
        GameyeException e = ExpectError(GameyeStatus.InvalidRequest, "truncated JSON",
            () => client.CreateSessionFromJson("{\"location\":"));
        Check(HasViolation(e, "(body)"), "names the body");
        Check(e != null && e.HttpStatus == 0 && e.Error.Body == null, "nothing sent");

        e = ExpectError(GameyeStatus.InvalidRequest, "unknown field",
            () => client.CreateSessionFromJson("{\"location\":\"europe\",\"image\":\"nginx\",\"colour\":\"red\"}"));
        Check(HasViolation(e, "colour"), "names colour");

        e = ExpectError(GameyeStatus.InvalidRequest, "several bad fields", () => client.CreateSession("", "", new SessionOptions
        {
            Ttl = "90s",
            Args = new[] { "" },
        }));
        Check(HasViolation(e, "location") && HasViolation(e, "image") && HasViolation(e, "ttl") && HasViolation(e, "args[0]"),
              "names every field");

        // Validation without a client or the network.
        Check(GameyeClient.ValidateSession("europe", Nginx, new SessionOptions { Ttl = "1h" }).Count == 0, "valid request");
        IReadOnlyList<Violation> violations = GameyeClient.ValidateSession("", Nginx, new SessionOptions { Ttl = "90s" });
        Check(violations.Any(v => v.Field == "location") && violations.Any(v => v.Field == "ttl") &&
              !violations.Any(v => v.Field == "image"), "validation names location and ttl: " + string.Join(", ", violations));
        Check(GameyeClient.ValidateSessionJson("{\"location\":\"europe\",\"image\":\"nginx\",\"colour\":1}")
              .Any(v => v.Field == "colour"), "validation: unknown field");
        using (ResultHandle r = NativeMethods.gameye_session_validate(null))
        {
            Check(r.Read().status == (uint)GameyeStatus.NullArgument, "validate NULL");
        }
        Check(e == null || e.Error.Attempts == 0, "nothing sent: 0 attempts");

        Expect<ArgumentNullException>("null location", () => client.CreateSession(null, Nginx));
        Expect<ArgumentNullException>("null image", () => client.CreateSession("europe", null));
        Expect<ArgumentException>("embedded NUL", () => client.GetSession("a\0b"));
        Expect<ArgumentNullException>("null JSON", () => client.CreateSessionFromJson(null));

        // Raw calls: NULL arguments and bytes that are not UTF-8.
        using (ResultHandle r = NativeMethods.gameye_session_create(client.Handle, null))
        {
            GameyeResult res = r.Read();
            Check(res.status == (uint)GameyeStatus.NullArgument && Utf8.Decode(res.message).Contains("request_json"),
                  "NULL request_json named");
        }
        using (ResultHandle r = NativeMethods.gameye_session_create(new ClientHandle(), Utf8.Encode("{}")))
        {
            GameyeResult res = r.Read();
            Check(res.status == (uint)GameyeStatus.NullArgument && Utf8.Decode(res.message).Contains("client"),
                  "NULL client named");
        }
        byte[] badUtf8 = { (byte)'{', (byte)'"', (byte)'l', (byte)'"', (byte)':', (byte)'"', 0xc3, 0x28, (byte)'"', (byte)'}', 0 };
        using (ResultHandle r = NativeMethods.gameye_session_create(client.Handle, badUtf8))
        {
            GameyeResult res = r.Read();
            Check(res.status == (uint)GameyeStatus.InvalidUtf8 && Utf8.Decode(res.message).Contains("request_json"),
                  "invalid UTF-8 named");
        }
    }

    // ---- NULL, invalid and disposed handles ----

    private static void TestHandles(GameyeClient client)
    {
        // The library's free functions accept NULL.
        NativeMethods.gameye_result_free(IntPtr.Zero);
        NativeMethods.gameye_client_free(IntPtr.Zero);
        NativeMethods.gameye_operation_free(IntPtr.Zero);
        NativeMethods.gameye_queue_free(IntPtr.Zero);
        NativeMethods.gameye_log_stream_free(IntPtr.Zero);
        s_passed++;

        // NULL (invalid) handles reach the library as NULL.
        Check(NativeMethods.gameye_operation_poll(new OperationHandle()) == 0, "poll NULL");
        Check(NativeMethods.gameye_operation_wait(new OperationHandle(), 1) == 0, "wait NULL");
        using (ResultHandle r = NativeMethods.gameye_operation_take_result(new OperationHandle()))
        {
            Check(r.IsInvalid, "take_result NULL gives NULL");
        }
        NativeMethods.gameye_operation_cancel(new OperationHandle());
        Check(NativeMethods.gameye_operation_set_callback(new OperationHandle(), new QueueHandle(),
              (u, o) => { }, IntPtr.Zero) == (uint)GameyeStatus.NullArgument, "set_callback NULL op");
        Check(NativeMethods.gameye_queue_drain(new QueueHandle(), UIntPtr.Zero) == UIntPtr.Zero, "drain NULL");
        using (ResultHandle r = NativeMethods.gameye_log_stream_next(new LogStreamHandle()))
        {
            Check(r.Read().status == (uint)GameyeStatus.NullArgument, "next on NULL stream");
        }
        using (LogStreamHandle s = NativeMethods.gameye_logs_follow_async(new ClientHandle(), Utf8.Encode("x")))
        {
            Check(s.IsInvalid, "follow_async NULL client gives NULL");
        }
        using (OperationHandle op = NativeMethods.gameye_session_create_async(new ClientHandle(), Utf8.Encode("{}")))
        {
            Check(NativeMethods.gameye_operation_poll(op) == 1, "bad arguments: done at once");
            using (ResultHandle r = NativeMethods.gameye_operation_take_result(op))
            {
                Check(r.Read().status == (uint)GameyeStatus.NullArgument, "bad arguments: NULL client");
            }
        }

        // Disposed handles are refused before reaching native code.
        ResultHandle result = NativeMethods.gameye_session_get(client.Handle, Utf8.Encode("x"));
        result.Dispose();
        result.Dispose(); // twice is fine: freed once
        Expect<ObjectDisposedException>("read a disposed result", () => result.Read());
        Expect<ObjectDisposedException>("pass a disposed result", () => NativeMethods.gameye_result_status(result));

        GameyeClient gone = NewClient(Token);
        ClientHandle goneHandle = gone.Handle;
        gone.Dispose();
        gone.Dispose(); // twice is fine
        Check(goneHandle.IsClosed, "native client freed");
        Expect<ObjectDisposedException>("blocking call on a disposed client", () => gone.CreateSession("europe", Nginx));
        Expect<ObjectDisposedException>("async call on a disposed client", () => gone.CreateSessionAsync("europe", Nginx));
        Expect<ObjectDisposedException>("follow on a disposed client", () => gone.OpenLogStream("x"));
        Expect<ObjectDisposedException>("raw call with a disposed client handle",
            () => NativeMethods.gameye_session_get(goneHandle, Utf8.Encode("x")).Dispose());
        Check(gone.Update() == 0, "Update on a disposed client does nothing");
    }

    // ---- threads sharing a client ----

    private static void TestThreads(GameyeClient client)
    {
        const int threads = 8, perThread = 10;
        var ids = new List<string>();
        var errors = new List<string>();
        var workers = new List<Thread>();
        for (int t = 0; t < threads; t++)
        {
            var worker = new Thread(() =>
            {
                for (int i = 0; i < perThread; i++)
                {
                    try
                    {
                        Session s = client.CreateSession("europe", Nginx);
                        lock (ids) ids.Add(s.Id);
                    }
                    catch (Exception e)
                    {
                        lock (ids) errors.Add(e.Message);
                    }
                }
            });
            worker.Start();
            workers.Add(worker);
        }
        foreach (Thread w in workers) w.Join();
        Check(ids.Count == threads * perThread, ids.Count + " of " + threads * perThread + " creates succeeded " +
              string.Join("; ", errors.Take(3)));
        Check(ids.Distinct().Count() == ids.Count, "ids unique across threads");
    }

    // ---- endpoints ----

    private static void TestListGetStop(GameyeClient c)
    {
        string a = Sid("a"), b = Sid("b"), missing = Sid("missing");
        Start(c, a, "europe", "duel");
        Start(c, b, "north-america", "ffa");

        SessionInfo[] list = c.ListSessions(new SessionFilter { Labels = RunLabels() });
        Check(list.Length == 2, "two sessions listed: " + list.Length);
        foreach (SessionInfo s in list)
        {
            Check(s.Image == Nginx, "image");
            Check(s.CreatedMs > 1600000000000L && s.CreatedUtc.Year >= 2020, "created in ms: " + s.CreatedMs);
            Check(s.Ports.Count == 1 && s.Ports[0].Container == 80 && s.Ports[0].Protocol == "tcp", "typed ports");
            Check(s.State == SessionState.Running && s.Status == "running", "running");
            Check(s.Labels.Count == 2 && s.Labels["run"] == s_runId, "labels");
            Check(s.PlayerCount == null || s.PlayerCount == 0, "player count");
        }
        Check(c.ListSessions(new SessionFilter { Location = "europe", Labels = RunLabels() }).Length == 1, "location filter");
        Check(c.ListSessions(new SessionFilter { Image = "my-game", Labels = RunLabels() }).Length == 0, "image filter");
        Check(c.ListSessions().Length >= 2, "unfiltered list (NULL filter)");

        PlayersResult joined = c.JoinPlayers(a, "p1", "p2");
        Check(joined.PlayerCount == 2 && joined.Players.Count == 2 && joined.Players[1] == "p2", "joined two");
        Check(c.ListSessions(new SessionFilter { PlayerCountGreaterThan = 1, Labels = RunLabels() }).Length == 1,
              "player_count_gt filter");
        Check(c.ListSessions(new SessionFilter { PlayerCountLessThan = 1, Labels = RunLabels() }).Length == 1,
              "player_count_lt filter");

        SessionInfo info = c.GetSession(a);
        Check(info.Id == a && info.Tag == "latest" && info.Location == "europe", "described");
        Check(info.Joined.Count == 2 && info.Joined[0] == "p1", "joined players");
        Check(info.PlayerCount == 2, "player count 2");

        PlayersResult left = c.LeavePlayers("p1");
        Check(left.PlayerCount == 1 && left.Players.Count == 1, "left one");

        Check(c.StopSession(a) == StopOutcome.Stopped, "stopped");
        Check(c.GetSession(a).State == SessionState.Exited, "exited");
        Check(c.ListSessions(new SessionFilter { Labels = RunLabels() }).Length == 1, "stopped ones are not listed");
        Check(c.ListSessions(new SessionFilter { All = true, Labels = RunLabels() }).Length == 2, "all=true lists them");

        ExpectError(GameyeStatus.Conflict, "stop twice", () => c.StopSession(a));
        ExpectError(GameyeStatus.NotFound, "stop unknown", () => c.StopSession(missing));
        Check(c.StopSession(a, idempotent: true) == StopOutcome.AlreadyStopped, "idempotent: already stopped");
        Check(c.StopSession(missing, idempotent: true) == StopOutcome.NotFound, "idempotent: not found");

        GameyeException e = ExpectError(GameyeStatus.NotFound, "get unknown", () => c.GetSession(missing));
        Check(e != null && e.Code != null && e.Identifier != null, "API error fields");
        SessionInfo none;
        GameyeError error;
        Check(!c.TryGetSession(missing, out none, out error) && none == null && error.Status == GameyeStatus.NotFound,
              "TryGetSession unknown");
        Check(c.TryGetSession(b, out none, out error) && none.Id == b && error == null, "TryGetSession known");

        ExpectError(GameyeStatus.NotFound, "join unknown session", () => c.JoinPlayers(missing, "p1"));
        using (ResultHandle r = NativeMethods.gameye_session_list(c.Handle, Utf8.Encode("{\"colour\":1}")))
        {
            Check(r.Read().status == (uint)GameyeStatus.InvalidRequest, "bad filter");
        }
        Check(c.StopSession(b, idempotent: true) == StopOutcome.Stopped, "cleanup stop");
    }

    private static void TestLogs(GameyeClient c)
    {
        string id = Sid("logs"), missing = Sid("missing");
        Start(c, id, "europe", "logs");
        string logs = c.GetLogs(id);
        Check(!string.IsNullOrEmpty(logs), "log text");
        c.StopSession(id);

        int lines = 0;
        bool ended = false, noLineEndings = true;
        using (LogStream stream = c.FollowLogs(id))
        {
            for (int i = 0; i < 10000; i++)
            {
                string line = stream.ReadLine();
                if (line == null)
                {
                    ended = true;
                    break;
                }
                if (line.IndexOf('\n') >= 0) noLineEndings = false;
                lines++;
            }
            Check(lines > 0 && ended, "followed " + lines + " lines to the end");
            Check(noLineEndings, "lines without line endings");
            Check(stream.ReadLine() == null, "the end stays the end");
            stream.Dispose();
            Expect<ObjectDisposedException>("read a disposed stream", () => stream.ReadLine());
        }

        ExpectError(GameyeStatus.NotFound, "follow unknown", () => c.FollowLogs(missing).Dispose());
        ExpectError(GameyeStatus.NotFound, "logs unknown", () => c.GetLogs(missing));

        // Stop following early, while the session still runs.
        string live = Sid("live");
        Start(c, live, "europe", "logs");
        using (LogStream stream = c.FollowLogs(live))
        {
            Check(stream.ReadLine() != null, "first line of a live log");
        }
        c.StopSession(live);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            throw new IOException("disk full (test)");
        }
    }

    private static void TestArtifacts(GameyeClient c)
    {
        string id = Sid("artifact"), missing = Sid("missing");
        Start(c, id, "europe", "artifacts");
        c.StopSession(id);

        using (var ms = new MemoryStream())
        {
            long n = c.DownloadArtifact(id, "/", ms);
            byte[] bytes = ms.ToArray();
            Check(n == bytes.Length && n > 20, "downloaded " + n + " bytes");
            Check(bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b, "gzip magic");
        }
        GameyeException e = ExpectError(GameyeStatus.Io, "stream failure stops the download",
            () => c.DownloadArtifact(id, "/", new FailingStream()));
        Check(e != null && e.InnerException is IOException && e.Message.Contains("disk full"), "the stream's exception is inner");
        Expect<ArgumentNullException>("null stream", () => c.DownloadArtifact(id, "/", null));

        string path = Path.Combine(s_outDir, id + ".tar.gz");
        long saved = c.SaveArtifact(id, "/", path);
        Check(File.Exists(path) && new FileInfo(path).Length == saved && saved > 20, "saved " + saved + " bytes");
        File.Delete(path);
        ExpectError(GameyeStatus.NotFound, "artifact of unknown session", () => c.SaveArtifact(missing, "/", path));
        Check(!File.Exists(path), "no partial file");
        ExpectError(GameyeStatus.Io, "unwritable destination", () => c.SaveArtifact(id, "/", "/nonexistent-dir/x.tar.gz"));
    }

    private static void TestLocationsTags(GameyeClient c)
    {
        Location[] locations = c.AvailableLocations(Nginx);
        Check(locations.Any(l => l.Id == "europe"), "europe listed");
        Check(locations.All(l => l.Ips.Count > 0 && l.Ips[0] == "127.0.0.1"), "ping ips");
        ExpectError(GameyeStatus.NotFound, "locations of unknown image", () => c.AvailableLocations("no-such-image"));
        Check(c.TagExists("europe", Nginx, "1.25"), "tag exists");
        Check(!c.TagExists("europe", Nginx, "9.9"), "tag does not exist");
    }

    private static void TestAuthErrors()
    {
        using (GameyeClient wrong = NewClient("wrong-token"))
        using (GameyeClient readOnly = NewClient("read-only-token"))
        {
            string never = Path.Combine(s_outDir, "never.tar.gz");
            var unauthorized = new Dictionary<string, Action>
            {
                { "list", () => wrong.ListSessions() },
                { "get", () => wrong.GetSession("x") },
                { "stop", () => wrong.StopSession("x") },
                { "join", () => wrong.JoinPlayers("x", "p") },
                { "leave", () => wrong.LeavePlayers("p") },
                { "logs", () => wrong.GetLogs("x") },
                { "follow", () => wrong.FollowLogs("x").Dispose() },
                { "save", () => wrong.SaveArtifact("x", "/", never) },
                { "download", () => wrong.DownloadArtifact("x", "/", new MemoryStream()) },
                { "locations", () => wrong.AvailableLocations(Nginx) },
                { "tag", () => wrong.TagExists("europe", Nginx, "1") },
            };
            foreach (KeyValuePair<string, Action> kv in unauthorized)
            {
                GameyeException e = ExpectError(GameyeStatus.Unauthorized, "401 " + kv.Key, kv.Value);
                Check(e != null && e.HttpStatus == 401 && e.Code != null, "401 " + kv.Key + " fields");
            }
            var forbidden = new Dictionary<string, Action>
            {
                { "create", () => readOnly.CreateSession("europe", Nginx) },
                { "stop", () => readOnly.StopSession("x") },
                { "logs", () => readOnly.GetLogs("x") },
                { "save", () => readOnly.SaveArtifact("x", "/", never) },
                { "locations", () => readOnly.AvailableLocations(Nginx) },
                { "tag", () => readOnly.TagExists("europe", Nginx, "1") },
            };
            foreach (KeyValuePair<string, Action> kv in forbidden)
            {
                GameyeException e = ExpectError(GameyeStatus.Forbidden, "403 " + kv.Key, kv.Value);
                Check(e != null && e.HttpStatus == 403, "403 " + kv.Key + " http");
            }
        }
    }

    private static void TestBadArguments(GameyeClient c)
    {
        GameyeException e = ExpectError(GameyeStatus.NullArgument, "null player", () => c.JoinPlayers("s", "ok", null));
        Check(e != null && e.Message.Contains("players[1]"), "names players[1]");
        ExpectError(GameyeStatus.InvalidRequest, "no players", () => c.LeavePlayers());
        ExpectError(GameyeStatus.InvalidRequest, "empty id", () => c.GetSession(""));
        Expect<ArgumentNullException>("null players array", () => c.JoinPlayers("s", null));
        Expect<ArgumentNullException>("null id", () => c.GetSession(null));
        Expect<ArgumentNullException>("null tag argument", () => c.TagExists("europe", null, "1"));
        Expect<ArgumentException>("embedded NUL in a player", () => c.LeavePlayers("a\0b"));

        // Raw: a player that is not UTF-8.
        IntPtr bad = Marshal.AllocHGlobal(3);
        try
        {
            Marshal.Copy(new byte[] { (byte)'p', 0xff, 0 }, 0, bad, 3);
            using (ResultHandle r = NativeMethods.gameye_players_leave(c.Handle, new[] { bad }, (UIntPtr)1u))
            {
                Check(r.Read().status == (uint)GameyeStatus.InvalidUtf8, "invalid UTF-8 player");
            }
            using (ResultHandle r = NativeMethods.gameye_players_join(c.Handle, Utf8.Encode("s"), null, (UIntPtr)3u))
            {
                Check(r.Read().status == (uint)GameyeStatus.NullArgument, "NULL players array");
            }
        }
        finally
        {
            Marshal.FreeHGlobal(bad);
        }
        LogStreamHandle none;
        using (ResultHandle r = NativeMethods.gameye_logs_follow(c.Handle, null, out none))
        {
            Check(r.Read().status == (uint)GameyeStatus.NullArgument && none.IsInvalid, "follow NULL id");
        }
        none.Dispose();
    }

    // ---- Task-based API driven by Update() ----

    private static void TestAsyncCreates(GameyeClient client)
    {
        const int creates = 50;
        int handlesBefore = Gameye.LiveCallbackHandles;
        var tasks = new List<Task<Session>>();
        for (int i = 0; i < creates; i++) tasks.Add(client.CreateSessionAsync("europe", Nginx));
        Check(client.PendingOperations == creates, "50 pending: " + client.PendingOperations);
        Check(Gameye.LiveCallbackHandles == handlesBefore + creates, "one GCHandle per pending operation");

        // Without Update, nothing completes (the server answers meanwhile).
        Thread.Sleep(1500);
        Check(tasks.All(t => !t.IsCompleted), "no task completes before Update");

        // One completion per Update(1).
        Check(client.Update(1) == 1, "Update(1) completes one");
        Check(tasks.Count(t => t.IsCompleted) == 1, "exactly one task completed");

        var frames = 0;
        bool done = Pump(client, () =>
        {
            frames++;
            return tasks.All(t => t.IsCompleted);
        });
        Check(done, "all 50 completed by the polling loop (" + frames + " frames)");
        Check(tasks.All(t => t.Status == TaskStatus.RanToCompletion), "all 50 succeeded: " +
              string.Join("; ", tasks.Where(t => t.IsFaulted).Take(3).Select(t => t.Exception.InnerException.Message)));
        var ids = tasks.Where(t => t.Status == TaskStatus.RanToCompletion).Select(t => t.Result.Id).ToList();
        Check(ids.Distinct().Count() == creates, "unique ids");
        Check(client.PendingOperations == 0, "none pending");
        Check(client.Update() == 0, "nothing left to drain");
        Check(Gameye.LiveCallbackHandles == handlesBefore, "every GCHandle freed once completed");
        Expect<ArgumentOutOfRangeException>("negative max", () => client.Update(-1));

        // An await continuation runs on the loop's context (as with Unity's main thread).
        var context = new LoopContext();
        SynchronizationContext previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        int loopThread = Thread.CurrentThread.ManagedThreadId, continuationThread = -1;
        Task awaited;
        try
        {
            awaited = AwaitCreate(client, () => continuationThread = Thread.CurrentThread.ManagedThreadId);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        Pump(client, () =>
        {
            context.RunPending();
            return awaited.IsCompleted;
        });
        Check(awaited.Status == TaskStatus.RanToCompletion && continuationThread == loopThread,
              "await continuation on the game-loop thread (" + continuationThread + " vs " + loopThread + ")");
    }

    private static async Task AwaitCreate(GameyeClient client, Action after)
    {
        await client.CreateSessionAsync("europe", Nginx);
        after();
    }

    /// <summary>A minimal single-threaded SynchronizationContext, like Unity's.</summary>
    private sealed class LoopContext : SynchronizationContext
    {
        private readonly Queue<KeyValuePair<SendOrPostCallback, object>> _queue =
            new Queue<KeyValuePair<SendOrPostCallback, object>>();

        public override void Post(SendOrPostCallback d, object state)
        {
            lock (_queue) _queue.Enqueue(new KeyValuePair<SendOrPostCallback, object>(d, state));
        }

        public void RunPending()
        {
            while (true)
            {
                KeyValuePair<SendOrPostCallback, object> item;
                lock (_queue)
                {
                    if (_queue.Count == 0) return;
                    item = _queue.Dequeue();
                }
                item.Key(item.Value);
            }
        }
    }

    private static void TestAsyncEndpoints(GameyeClient c)
    {
        string id = Sid("async");
        Session s = Await(c, c.CreateSessionAsync("europe", Nginx, new SessionOptions
        {
            Id = id,
            Labels = new Dictionary<string, string> { { "run", s_runId }, { "mode", "async" } },
        }), "create");
        Check(s.Id == id && s.Ports.Count == 1, "CreateSessionAsync");

        SessionInfo[] list = Await(c, c.ListSessionsAsync(new SessionFilter { Labels = new Dictionary<string, string> { { "mode", "async" }, { "run", s_runId } } }), "list");
        Check(list.Length == 1 && list[0].Id == id, "ListSessionsAsync");
        Check(Await(c, c.GetSessionAsync(id), "get").Id == id, "GetSessionAsync");
        Check(Await(c, c.JoinPlayersAsync(id, new[] { "p1", "p2" }), "join").PlayerCount == 2, "JoinPlayersAsync");
        Check(Await(c, c.LeavePlayersAsync(new[] { "p1" }), "leave").PlayerCount == 1, "LeavePlayersAsync");
        Check(!string.IsNullOrEmpty(Await(c, c.GetLogsAsync(id), "logs")), "GetLogsAsync");

        using (LogStream stream = c.OpenLogStream(id))
        {
            Check(Await(c, stream.ReadLineAsync(), "first line") != null, "ReadLineAsync first line");
            Check(Await(c, c.StopSessionAsync(id), "stop") == StopOutcome.Stopped, "StopSessionAsync");
            bool ended = false;
            for (int i = 0; i < 1000 && !ended; i++)
            {
                ended = Await(c, stream.ReadLineAsync(), "next line") == null;
            }
            Check(ended, "async follow ends when the session stops");
        }
        using (LogStream missing = c.OpenLogStream("no-such-session"))
        {
            ExpectFaulted(c, missing.ReadLineAsync(), GameyeStatus.NotFound, "async follow of unknown session");
            // A pending read when the stream is disposed is fine.
            Task<string> pending = missing.ReadLineAsync();
            missing.Dispose();
            Pump(c, () => pending.IsCompleted, 5000);
        }

        string path = Path.Combine(s_outDir, id + ".tar.gz");
        long saved = Await(c, c.SaveArtifactAsync(id, "/", path), "save");
        Check(saved > 0 && new FileInfo(path).Length == saved, "SaveArtifactAsync");
        File.Delete(path);
        using (var ms = new MemoryStream())
        {
            long n = Await(c, c.DownloadArtifactAsync(id, "/", ms), "download");
            Check(n > 20 && ms.Length == n && ms.ToArray()[0] == 0x1f, "DownloadArtifactAsync");
        }
        GameyeException e = ExpectFaulted(c, c.DownloadArtifactAsync(id, "/", new FailingStream()), GameyeStatus.Io,
                                          "async stream failure");
        Check(e != null && e.InnerException is IOException, "async stream failure is inner");

        Check(Await(c, c.AvailableLocationsAsync(Nginx), "locations").Any(l => l.Id == "europe"), "AvailableLocationsAsync");
        Check(Await(c, c.TagExistsAsync("europe", Nginx, "1.25"), "tag"), "TagExistsAsync");
        Check(!Await(c, c.TagExistsAsync("europe", Nginx, "9.9"), "tag"), "TagExistsAsync missing");

        ExpectFaulted(c, c.GetSessionAsync(Sid("missing")), GameyeStatus.NotFound, "async 404");
        ExpectFaulted(c, c.CreateSessionAsync("full", Nginx), GameyeStatus.NoCapacity, "async 420");
        ExpectFaulted(c, c.CreateSessionAsync("", Nginx), GameyeStatus.InvalidRequest, "async validation");
        ExpectFaulted(c, c.StopSessionAsync(id), GameyeStatus.Conflict, "async 409");
        Expect<ArgumentNullException>("async null argument throws at once", () => c.GetSessionAsync(null));
        using (GameyeClient hasty = NewClient(Token, 300))
        {
            GameyeException t = ExpectFaulted(hasty, hasty.CreateSessionAsync("europe", "fault-stall"), GameyeStatus.Timeout,
                                              "async request timeout");
            Check(t != null && t.HttpStatus == 0, "async timeout: no response");
        }
        Check(c.PendingOperations == 0, "none pending after the endpoints");
    }

    private static void TestCancellation(GameyeClient c)
    {
        int handlesBefore = Gameye.LiveCallbackHandles;
        using (var cts = new CancellationTokenSource())
        {
            Task<Session> stalled = c.CreateSessionAsync("europe", "fault-stall", null, cts.Token);
            Pump(c, () => false, 100);
            Check(!stalled.IsCompleted, "stalled create pending");
            cts.Cancel();
            Check(Pump(c, () => stalled.IsCompleted, 5000), "cancel completes it");
            Check(stalled.IsCanceled, "task cancelled: " + stalled.Status);
        }
        using (var cts = new CancellationTokenSource())
        {
            cts.Cancel();
            Task<Session> pre = c.CreateSessionAsync("europe", Nginx, null, cts.Token);
            Check(Pump(c, () => pre.IsCompleted, 5000) && pre.IsCanceled, "a cancelled token cancels at once");
        }
        using (var cts = new CancellationTokenSource())
        {
            Task<bool> done = c.TagExistsAsync("europe", Nginx, "1.25", cts.Token);
            Await(c, done, "tag");
            cts.Cancel();
            Check(done.Status == TaskStatus.RanToCompletion && done.Result, "cancelling after completion changes nothing");
        }
        using (var cts = new CancellationTokenSource())
        {
            // Cancelled from another thread while the loop polls.
            Task<Session> slow = c.CreateSessionAsync("europe", "fault-slow", null, cts.Token);
            ThreadPool.QueueUserWorkItem(_ => { Thread.Sleep(100); cts.Cancel(); });
            Check(Pump(c, () => slow.IsCompleted, 5000) && slow.IsCanceled, "cancelled from another thread");
        }
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            Task<SessionInfo[]> timed = c.ListSessionsAsync(null, cts.Token);
            Pump(c, () => timed.IsCompleted, 5000);
            Check(timed.IsCompleted, "a cancel-after token either completes or cancels: " + timed.Status);
        }
        Check(c.PendingOperations == 0, "none pending after cancellation");
        Check(Gameye.LiveCallbackHandles == handlesBefore, "GCHandles of cancelled operations freed");
    }

    private static void TestDisposePending()
    {
        int handlesBefore = Gameye.LiveCallbackHandles;
        GameyeClient c = NewClient(Token);
        Task<Session> stalled = c.CreateSessionAsync("europe", "fault-stall");
        Task<Session> quick = c.CreateSessionAsync("europe", Nginx);
        Thread.Sleep(300); // the quick one completes natively but is never drained
        Check(Gameye.LiveCallbackHandles == handlesBefore + 2, "two GCHandles held");
        c.Dispose();
        Check(stalled.IsFaulted && stalled.Exception.InnerException is ObjectDisposedException, "pending task fails on Dispose");
        Check(quick.IsFaulted && quick.Exception.InnerException is ObjectDisposedException, "undrained task fails on Dispose");
        Check(Gameye.LiveCallbackHandles == handlesBefore, "GCHandles freed on Dispose");
        Check(c.Update() == 0, "Update after Dispose does nothing");
    }

    private static void TestDisposeDuringCall()
    {
        // SafeHandle reference counting: the native client is freed only once
        // the blocking call that uses it has returned.
        GameyeClient c = NewClient(Token);
        Session result = null;
        Exception error = null;
        var worker = new Thread(() =>
        {
            try
            {
                result = c.CreateSession("europe", "fault-slow");
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        worker.Start();
        Thread.Sleep(300);
        c.Dispose();
        worker.Join();
        Check(result != null && error == null, "the call in flight completes: " + error);
        Check(c.Handle.IsClosed, "freed after the call returned");
    }

    // ---- lifetimes: cancel inside a write, dispose during a read, domain unload ----

    /// <summary>One HTTP request to the emulator's control endpoint; returns the status code.</summary>
    private static int EmulatorControl(string method, string path, string body)
    {
        var uri = new Uri(s_baseUrl);
        using (var tcp = new System.Net.Sockets.TcpClient(uri.Host, uri.Port))
        using (NetworkStream net = tcp.GetStream())
        {
            byte[] payload = System.Text.Encoding.UTF8.GetBytes(body ?? "");
            string head = method + " " + path + " HTTP/1.1\r\nhost: " + uri.Host + "\r\ncontent-type: application/json\r\n" +
                          "content-length: " + payload.Length + "\r\nconnection: close\r\n\r\n";
            byte[] h = System.Text.Encoding.ASCII.GetBytes(head);
            net.Write(h, 0, h.Length);
            net.Write(payload, 0, payload.Length);
            var reader = new StreamReader(net);
            string status = reader.ReadLine() ?? "";
            Match m = Regex.Match(status, @"^HTTP/1\.1 (\d+)");
            return m.Success ? int.Parse(m.Groups[1].Value) : -1;
        }
    }

    private static void Arm(string rule)
    {
        Check(EmulatorControl("POST", "/_emulator/faults", rule) == 201, "arm " + rule);
    }

    private static void Disarm()
    {
        Check(EmulatorControl("DELETE", "/_emulator/faults", null) == 204, "clear faults");
    }

    // The artifact drips 32 bytes every 10 ms: many writes, a long download.
    private const string DrippingArtifact =
        "{\"method\":\"GET\",\"path\":\"/artifacts\",\"action\":{\"kind\":\"slow_drip\",\"chunk_bytes\":32,\"interval_ms\":10}}";
    // The log's first byte comes after a minute: a read blocks.
    private const string StalledLog =
        "{\"method\":\"GET\",\"path\":\"/logs\",\"action\":{\"kind\":\"slow_drip\",\"chunk_bytes\":1,\"interval_ms\":60000}}";

    /// <summary>Counts writes; on the <c>OnWrite</c>-th runs an action (cancel a token) inside Write.</summary>
    private sealed class WatchedStream : Stream
    {
        public int Writes;
        public int WritesAfterStop;
        public volatile bool Stopped;
        public int ActOnWrite;
        public Action Act;

        public int WriteCount { get { return Volatile.Read(ref Writes); } }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Stopped) Interlocked.Increment(ref WritesAfterStop);
            if (Interlocked.Increment(ref Writes) == ActOnWrite && Act != null)
            {
                Act();
                Stopped = true;
            }
        }

        public override bool CanRead { get { return false; } }
        public override bool CanSeek { get { return false; } }
        public override bool CanWrite { get { return true; } }
        public override long Length { get { throw new NotSupportedException(); } }
        public override long Position { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) { throw new NotSupportedException(); }
        public override void SetLength(long value) { throw new NotSupportedException(); }
    }

    private static void TestCancelInsideWrite(GameyeClient c)
    {
        string id = Sid("cancel-in-write");
        Start(c, id, "europe", "artifacts");
        c.StopSession(id);
        Arm(DrippingArtifact);
        try
        {
            using (var cts = new CancellationTokenSource())
            {
                // The token fires on the library thread, inside Stream.Write.
                var stream = new WatchedStream { ActOnWrite = 2, Act = cts.Cancel };
                Task<long> download = c.DownloadArtifactAsync(id, "/", stream, cts.Token);
                Check(Pump(c, () => download.IsCompleted, 10000), "the download cancelled inside Write completes");
                Check(download.IsCanceled, "task cancelled: " + download.Status);
                Thread.Sleep(300);
                Check(stream.WritesAfterStop == 0, stream.WritesAfterStop + " writes after the token fired");
            }
        }
        finally
        {
            Disarm();
        }
    }

    private static void TestDisposeDuringReadLine(GameyeClient c)
    {
        string id = Sid("dispose-during-read");
        Start(c, id, "europe", "logs");
        Arm(StalledLog);
        try
        {
            LogStream stream = c.FollowLogs(id);
            long disposedAt = 0;
            var watch = Stopwatch.StartNew();
            var disposer = new Thread(() =>
            {
                Thread.Sleep(300);
                Interlocked.Exchange(ref disposedAt, watch.ElapsedTicks);
                stream.Dispose();
            });
            disposer.Start();
            ExpectError(GameyeStatus.Cancelled, "ReadLine of a stream disposed meanwhile", () => stream.ReadLine());
            double waitedMs = (watch.ElapsedTicks - Interlocked.Read(ref disposedAt)) * 1000.0 / Stopwatch.Frequency;
            disposer.Join();
            Check(waitedMs <= 100, "ReadLine returned " + waitedMs.ToString("F1") + " ms after Dispose");
            Check(stream.Handle.IsClosed, "the native stream is freed once the read returned");
            Expect<ObjectDisposedException>("read after Dispose", () => stream.ReadLine());

            // Close (from another thread) ends a blocked read the same way, without freeing.
            using (LogStream closing = c.FollowLogs(id))
            {
                ThreadPool.QueueUserWorkItem(_ => { Thread.Sleep(200); closing.Close(); });
                ExpectError(GameyeStatus.Cancelled, "ReadLine of a stream closed meanwhile", () => closing.ReadLine());
                ExpectError(GameyeStatus.Cancelled, "ReadLine after Close", () => closing.ReadLine());
            }
        }
        finally
        {
            Disarm();
        }
        c.StopSession(id);
    }

    private static void TestDomainUnloadPath()
    {
        // What AppDomain.DomainUnload runs (Unity: a domain reload in the editor):
        // after it, no library thread calls into this domain's code.
        MethodInfo endAll = typeof(GameyeClient).Assembly.GetType("GameyeSdk.DomainLifetime")
            .GetMethod("EndAll", BindingFlags.Static | BindingFlags.NonPublic);
        GameyeClient c = NewClient(Token);
        string id = Sid("domain-unload");
        Start(c, id, "europe", "artifacts");
        c.StopSession(id);
        Arm(DrippingArtifact);
        try
        {
            var stream = new WatchedStream();
            Task<long> download = c.DownloadArtifactAsync(id, "/", stream);
            var watch = Stopwatch.StartNew();
            while (stream.WriteCount < 2 && watch.ElapsedMilliseconds < 10000) Thread.Sleep(1);
            Check(stream.WriteCount >= 2, "the download is writing");
            endAll.Invoke(null, null);
            stream.Stopped = true;
            Thread.Sleep(300);
            Check(stream.WritesAfterStop == 0, stream.WritesAfterStop + " writes after the domain's end");
            Check(download.IsFaulted && download.Exception.InnerException is ObjectDisposedException,
                  "the download's task fails with ObjectDisposedException: " + download.Status);
            Check(c.Handle.IsClosed, "the client is disposed");
        }
        finally
        {
            Disarm();
        }
    }

    private static GameyeClient s_domainClient;

    private static void TestRealDomainUnload()
    {
        // A real unload (mono supports AppDomains; Unity's editor reload is one):
        // a download writes into a Stream of the child domain, the domain goes,
        // and no library thread may call into it afterwards (that would crash
        // the process, not fail a check).
        var setup = new AppDomainSetup { ApplicationBase = Path.GetDirectoryName(typeof(Tests).Assembly.Location) };
        AppDomain child = AppDomain.CreateDomain("gameye-reload", null, setup);
        string id = Sid("real-unload");
        child.SetData("baseUrl", s_baseUrl);
        child.SetData("id", id);
        child.SetData("runId", s_runId);
        Arm(DrippingArtifact);
        try
        {
            child.DoCallBack(StartDownloadInThisDomain);
            Check((int)child.GetData("writes") >= 2, "the child domain's download is writing");
            AppDomain.Unload(child);
            Thread.Sleep(500);
            Check(true, "the process survived the unload with the download in flight");
        }
        finally
        {
            Disarm();
        }
    }

    /// <summary>Runs inside the child domain: starts a dripping download and leaves it in flight.</summary>
    private static void StartDownloadInThisDomain()
    {
        AppDomain domain = AppDomain.CurrentDomain;
        s_baseUrl = (string)domain.GetData("baseUrl");
        s_runId = (string)domain.GetData("runId");
        string id = (string)domain.GetData("id");
        s_domainClient = NewClient(Token);
        Start(s_domainClient, id, "europe", "artifacts");
        s_domainClient.StopSession(id);
        var stream = new WatchedStream();
        s_domainClient.DownloadArtifactAsync(id, "/", stream);
        var watch = Stopwatch.StartNew();
        while (stream.WriteCount < 2 && watch.ElapsedMilliseconds < 10000) Thread.Sleep(1);
        domain.SetData("writes", stream.WriteCount);
    }

    // ---- logging ----

    private static void TestLogger()
    {
        var events = new List<KeyValuePair<LogLevel, string>>();
        var threads = new HashSet<int>();
        Action<LogLevel, string> logger = (level, message) =>
        {
            lock (events)
            {
                events.Add(new KeyValuePair<LogLevel, string>(level, message));
                threads.Add(Thread.CurrentThread.ManagedThreadId);
            }
        };
        Func<string> all = () =>
        {
            lock (events) return string.Join("\n", events.Select(kv => (int)kv.Key + " " + kv.Value));
        };
        Action<string> create = token =>
        {
            using (GameyeClient c = NewClient(token))
            {
                try
                {
                    c.CreateSession("europe", Nginx, new SessionOptions
                    {
                        Env = new Dictionary<string, string> { { "PASSWORD", "hunter2-env" } },
                    });
                }
                catch (GameyeException)
                {
                }
            }
        };

        Gameye.SetLogger(LogLevel.Trace, logger);
        create(Token);
        create("s3cr3t-wrong-token");
        string text = all();
        Check(text.Contains("4 request start: POST /session"), "debug: request start");
        Check(text.Contains("3 request end: POST /session -> 201"), "info: request end");
        Check(text.Contains("-> 401"), "401 logged");
        Check(!text.Contains("s3cr3t") && !text.Contains(Token), "token not logged");
        Check(!text.Contains("hunter2"), "env values not logged");

        // Events from a library thread, during an async operation.
        using (GameyeClient c = NewClient(Token))
        {
            int before;
            lock (events) before = events.Count;
            Await(c, c.CreateSessionAsync("europe", Nginx), "logged async create");
            lock (events) Check(events.Count > before, "async operation logged");
        }

        int infoDebug;
        lock (events) infoDebug = events.Count(kv => kv.Key == LogLevel.Info || kv.Key == LogLevel.Debug);
        Gameye.SetLogger(LogLevel.Error, logger);
        create(Token);
        lock (events) Check(events.Count(kv => kv.Key == LogLevel.Info || kv.Key == LogLevel.Debug) == infoDebug,
                            "info and debug filtered out");

        Expect<ArgumentOutOfRangeException>("unknown level", () => Gameye.SetLogger((LogLevel)42, logger));

        // A throwing logger cannot break calls.
        Gameye.SetLogger(LogLevel.Trace, (level, message) => { throw new InvalidOperationException("logger bug"); });
        bool survived = false;
        using (GameyeClient c = NewClient(Token))
        {
            survived = c.CreateSession("europe", Nginx) != null;
        }
        Check(survived, "a throwing logger is contained");

        Gameye.SetLogger(LogLevel.Off, null);
        int count;
        lock (events) count = events.Count;
        create("s3cr3t-wrong-token");
        lock (events) Check(events.Count == count, "nothing logged when off");
    }

    private static void TestHandlesReleased()
    {
        // Logger and cancelled-download handles are freed after a grace period,
        // from Update or SetLogger. With logging off and nothing pending, all go.
        using (GameyeClient c = NewClient(Token))
        {
            var watch = Stopwatch.StartNew();
            while (Gameye.LiveCallbackHandles > 0 && watch.ElapsedMilliseconds < 8000)
            {
                c.Update();
                Thread.Sleep(50);
            }
        }
        Check(Gameye.LiveCallbackHandles == 0, "no GCHandle left: " + Gameye.LiveCallbackHandles);
    }
}
