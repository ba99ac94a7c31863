// C# tests of placing sessions near players (bindings/csharp/Runtime/Placement.cs)
// against the real libgameye and the emulator (GAMEYE_TEST_BASE_URL, started by
// tests/csharp/run.sh; its location "full" answers 420): a blocking ping and an
// Update()-driven LocationPinger pinging loopback for real, ChooseLocation, and
// CreateSessionNear(Async). A plain program: prints each failure and a final
// "N passed, N failed". Every wait is bounded.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using GameyeSdk;

internal static class PlacementTests
{
    private static int s_passed;
    private static int s_failed;

    private const string Locations =
        "{\"locations\":[{\"id\":\"one\",\"ips\":[\"127.0.0.1\"]},{\"id\":\"two\",\"ips\":[\"127.0.0.2\",\"127.0.0.3\"]}]}";

    private static void Check(bool ok, string what)
    {
        if (ok) s_passed++;
        else
        {
            s_failed++;
            Console.Error.WriteLine("FAIL " + what);
        }
    }

    private static readonly PingOptions Fast = new PingOptions { Probes = 3, IntervalMs = 20, TimeoutMs = 1000 };

    private static void CheckReport(PingReport r, string what)
    {
        Check(r.Method == "raw" || r.Method == "datagram", what + ": method " + r.Method);
        Check(r.Locations.Count == 2, what + ": two locations");
        LocationLatency two = r.Locations.First(l => l.Id == "two");
        Check(two.Sent == 6 && two.Received == 6 && two.Loss == 0.0, what + ": every probe answered");
        Check(r.Locations.All(l => l.MinMs <= l.MedianMs && l.MedianMs <= l.P90Ms), what + ": min <= median <= p90");
        Check(r.Locations[0].MedianMs <= r.Locations[1].MedianMs, what + ": best first");
    }

    private static void TestBlockingPing()
    {
        var sw = Stopwatch.StartNew();
        PingReport r = GameyePlacement.PingLocations(Locations, Fast);
        Check(sw.ElapsedMilliseconds < 1500, "bounded: " + sw.ElapsedMilliseconds + " ms");
        CheckReport(r, "PingLocations");
        Check(r.ToPlayerJson("alice").StartsWith("{\"player\":\"alice\",\"method\":"), "player entry");
        try
        {
            GameyePlacement.PingLocations(Locations, new PingOptions { Probes = 0 });
            Check(false, "probes 0 rejected");
        }
        catch (GameyeException e)
        {
            Check(e.Error.Status == GameyeStatus.InvalidRequest && e.Error.Violations[0].Field == "probes",
                  "names probes: " + e.Message);
        }
        Check(Gameye.StatusName(GameyeStatus.PingNotPermitted) == "GAMEYE_STATUS_PING_NOT_PERMITTED", "status name");
    }

    private static void TestPingerDrivenByUpdate()
    {
        // A "game loop": Update once per 16 ms frame, never blocking.
        int completedOnThread = -1;
        var started = Stopwatch.StartNew();
        using (var pinger = new LocationPinger(Locations, Fast))
        {
            Check(started.ElapsedMilliseconds < 100, "the constructor does not wait for the ping");
            pinger.Completed += p => completedOnThread = Thread.CurrentThread.ManagedThreadId;
            int frames = 0;
            var sw = Stopwatch.StartNew();
            while (!pinger.Update() && sw.ElapsedMilliseconds < 5000)
            {
                var frame = Stopwatch.StartNew();
                frames++;
                Thread.Sleep(16);
                Check(frame.ElapsedMilliseconds < 200, "a frame is not held up");
            }
            Check(pinger.IsDone, "pinger done within 5 s");
            Check(frames >= 1, "completed in a later frame: " + frames);
            Check(completedOnThread == Thread.CurrentThread.ManagedThreadId, "Completed fired on the Update thread");
            Check(pinger.Error == null, "no error: " + (pinger.Error == null ? "" : pinger.Error.Message));
            if (pinger.Report != null) CheckReport(pinger.Report, "LocationPinger");
            Check(pinger.Update(), "Update after done stays true");
        }
        // Disposed while pending: the ping stops, nothing fires.
        bool fired = false;
        var slow = new LocationPinger(Locations, new PingOptions { Probes = 100, IntervalMs = 100, TimeoutMs = 20000 });
        slow.Completed += p => fired = true;
        slow.Dispose();
        slow.Dispose();
        Check(!slow.Update() && !fired, "a disposed pinger never completes");
    }

    private const string Players =
        "[{\"player\":\"a\",\"locations\":[{\"id\":\"eu\",\"median_ms\":10},{\"id\":\"us\",\"median_ms\":40}]}," +
        "{\"player\":\"b\",\"locations\":[{\"id\":\"eu\",\"median_ms\":90},{\"id\":\"us\",\"median_ms\":50,\"loss\":0.1}]}]";

    private static void TestChoose()
    {
        Placement p = GameyePlacement.ChooseLocation("[\"eu\",\"us\",\"mars\"]", Players);
        Check(p.Ranked.Select(r => r.Id).SequenceEqual(new[] { "us", "eu" }), "worst player decides");
        Check(p.Ranked[0].WorstMs == 50 && p.Ranked[0].MeanMs == 45, "figures");
        Check(p.Excluded.Count == 1 && p.Excluded[0].Id == "mars" && p.Excluded[0].Reason == "no_sample" &&
              p.Excluded[0].Player == "a", "mars excluded with the reason");
        Placement capped = GameyePlacement.ChooseLocation("[\"eu\",\"us\"]", Players, "{\"max_rtt_ms\":60,\"max_loss\":0.05}");
        Check(capped.Ranked.Count == 0 && capped.Excluded.Select(e => e.Reason).SequenceEqual(new[] { "rtt", "loss" }),
              "cap and loss limit");
        try
        {
            GameyePlacement.ChooseLocation("[\"eu\"]", "{}");
            Check(false, "players must be a list");
        }
        catch (GameyeException e)
        {
            Check(e.Error.Status == GameyeStatus.InvalidRequest, "players not a list: " + e.Message);
        }
    }

    private static void TestCreateNear(string baseUrl)
    {
        string players = "[{\"player\":\"a\",\"locations\":[{\"id\":\"full\",\"median_ms\":5},{\"id\":\"europe\",\"median_ms\":20}]}]";
        string label = "cs-near-" + Process.GetCurrentProcess().Id + "-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var options = new SessionOptions { Labels = new Dictionary<string, string> { { "run", label } } };
        using (var client = new GameyeClient(new GameyeConfig
        {
            Token = "gameye-emulator-token",
            BaseUrl = baseUrl,
            RequestTimeout = TimeSpan.FromSeconds(20),
            Retry = new RetryConfig { MaxAttempts = 1 },
        }))
        {
            PlacedSession placed = client.CreateSessionNear("nginx", players, null, options);
            Check(placed.Location == "europe", "landed in europe: " + placed.Location);
            Check(placed.Tried.Select(t => t.Outcome).SequenceEqual(new[] { "no_capacity", "created" }), "tried full first");
            Check(placed.Tried[1].SessionId == placed.Session.Id && placed.Tried[0].SessionId != placed.Session.Id,
                  "one id per location");
            Check(placed.Placement.Ranked[0].Id == "full", "the ranking is reported");
            var filter = new SessionFilter { Labels = new Dictionary<string, string> { { "run", label } } };
            Check(client.ListSessions(filter).Length == 1, "exactly one session");

            var task = client.CreateSessionNearAsync("nginx", players, "{\"max_locations\":1}", options);
            var sw = Stopwatch.StartNew();
            while (!task.IsCompleted && sw.ElapsedMilliseconds < 20000)
            {
                client.Update();
                Thread.Sleep(10);
            }
            Check(task.IsFaulted, "only full tried: fails");
            if (task.IsFaulted)
            {
                var e = task.Exception.InnerException as GameyeException;
                Check(e != null && e.Error.Status == GameyeStatus.NoCapacity, "NoCapacity");
            }
            Check(client.ListSessions(filter).Length == 1, "no second session");
        }
    }

    private static int Main()
    {
        string baseUrl = Environment.GetEnvironmentVariable("GAMEYE_TEST_BASE_URL");
        if (string.IsNullOrEmpty(baseUrl))
        {
            Console.Error.WriteLine("GAMEYE_TEST_BASE_URL is not set");
            return 2;
        }
        foreach (var test in new Action[] { TestBlockingPing, TestPingerDrivenByUpdate, TestChoose, () => TestCreateNear(baseUrl) })
        {
            try
            {
                test();
            }
            catch (Exception e)
            {
                Check(false, "unexpected exception: " + e);
            }
        }
        Console.WriteLine(s_passed + " passed, " + s_failed + " failed");
        return s_failed == 0 ? 0 : 1;
    }
}
