// The endpoint sweep of the C# binding: every endpoint the table
// api/ENDPOINTS.md sweeps, through GameyeClient by reflection, from the
// table's rows (`python3 scripts/gen_endpoints.py --tsv`, written by
// tests/csharp/run.sh to GAMEYE_SWEEP_FILE). A new endpoint needs no edit
// here. Per endpoint, blocking and `Async` alike:
//  - the table's examples get the table's status from the shared emulator;
//  - each string argument null throws ArgumentNullException naming it (a
//    list's element null is NullArgument naming `players[0]`), and empty is
//    InvalidRequest naming it, as are `.`, `..` and a TAB in a path
//    parameter;
//  - a wrong token is Unauthorized, and the read-only token Forbidden where
//    its scope is too small.

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using GameyeSdk;

internal static partial class Tests
{
    private sealed class SweepArg
    {
        public string Name;
        public bool IsList;
        public bool IsPath;
        public string Example;
    }

    private static void TestSweep(GameyeClient client)
    {
        string file = Environment.GetEnvironmentVariable("GAMEYE_SWEEP_FILE");
        if (!Check(file != null && File.Exists(file), "GAMEYE_SWEEP_FILE names the table's rows (run tests/csharp/run.sh)"))
            return;
        string[] rows = File.ReadAllLines(file).Where(l => l.Length > 0).ToArray();
        Check(rows.Length > 0, "the table sweeps endpoints");
        using (GameyeClient wrong = NewClient("wrong-token"))
        using (GameyeClient readOnly = NewClient("read-only-token"))
        {
            foreach (string row in rows)
            {
                string[] cells = row.Split('\t');
                SweepArg[] args = cells.Skip(6).Select(c => c.Split(new[] { ':' }, 3)).Select(p => new SweepArg
                {
                    Name = p[0], IsList = p[1] == "strs", IsPath = p[1] == "path", Example = p[2],
                }).ToArray();
                GameyeStatus? expect = SweepStatus(cells[3]);
                GameyeStatus? readOnlyGets = cells[4] == "1" ? GameyeStatus.Forbidden : expect;
                foreach (string method in new[] { cells[1], cells[2] })
                {
                    MethodInfo m = SweepMethod(method, args);
                    if (!Check(m != null, "GameyeClient." + method + " takes the table's arguments")) continue;
                    SweepExpect(client, m, args, -1, null, expect, null);
                    for (int i = 0; i < args.Length; i++)
                    {
                        SweepArg a = args[i];
                        string refused = a.IsList ? a.Name + "[0]" : a.Name;
                        if (a.IsList)
                        {
                            SweepExpect(client, m, args, i, null, GameyeStatus.NullArgument, refused);
                        }
                        else
                        {
                            var e = Expect<ArgumentNullException>(method + ": null " + a.Name,
                                                                  () => SweepCall(client, m, args, i, null));
                            Check(e == null || e.ParamName == a.Name, method + ": the exception names " + a.Name);
                        }
                        SweepExpect(client, m, args, i, "", GameyeStatus.InvalidRequest, refused);
                        foreach (string bad in a.IsPath ? new[] { ".", "..", "a\tb" } : new string[0])
                            SweepExpect(client, m, args, i, bad, GameyeStatus.InvalidRequest, refused);
                    }
                    SweepExpect(wrong, m, args, -1, null, GameyeStatus.Unauthorized, null, " (a wrong token)");
                    SweepExpect(readOnly, m, args, -1, null, readOnlyGets, null, " (the read-only token)");
                }
            }
        }
    }

    /// <summary>"OK" is null (success); "NOT_FOUND" is GameyeStatus.NotFound.</summary>
    private static GameyeStatus? SweepStatus(string name)
    {
        if (name == "OK") return null;
        string pascal = string.Concat(name.Split('_').Select(w => w[0] + w.Substring(1).ToLowerInvariant()));
        return (GameyeStatus)Enum.Parse(typeof(GameyeStatus), pascal);
    }

    /// <summary>The public method whose leading parameters are the table's arguments (string or string[]).</summary>
    private static MethodInfo SweepMethod(string name, SweepArg[] args)
    {
        return typeof(GameyeClient).GetMethods().FirstOrDefault(m =>
        {
            ParameterInfo[] ps = m.GetParameters();
            if (m.Name != name || ps.Length < args.Length) return false;
            for (int i = 0; i < ps.Length; i++)
            {
                if (i >= args.Length && !ps[i].IsOptional) return false;
                if (i < args.Length && ps[i].ParameterType != (args[i].IsList ? typeof(string[]) : typeof(string)))
                    return false;
            }
            return true;
        });
    }

    /// <summary>Calls with the examples, argument <paramref name="arg"/> replaced by
    /// <paramref name="value"/>; a Task is pumped to its end; throws what the call throws.</summary>
    private static void SweepCall(GameyeClient client, MethodInfo m, SweepArg[] args, int arg, string value)
    {
        ParameterInfo[] ps = m.GetParameters();
        var values = new object[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            if (i >= args.Length)
            {
                // Optional: its default (a struct's default is not stored as a value).
                bool none = ps[i].DefaultValue == null || ps[i].DefaultValue is DBNull;
                values[i] = none && ps[i].ParameterType.IsValueType ? Activator.CreateInstance(ps[i].ParameterType)
                                                                      : ps[i].DefaultValue;
                continue;
            }
            string text = i == arg ? value : args[i].Example;
            if (!args[i].IsList) { values[i] = text; continue; }
            string[] list = args[i].Example.Split(',');
            if (i == arg) list[0] = value;
            values[i] = list;
        }
        object result;
        try
        {
            result = m.Invoke(client, values);
        }
        catch (TargetInvocationException e)
        {
            throw e.InnerException;
        }
        var task = result as Task;
        if (task == null) return;
        if (!Pump(client, () => task.IsCompleted)) throw new TimeoutException(m.Name + " did not complete");
        try
        {
            task.Wait();
        }
        catch (AggregateException e)
        {
            throw e.InnerException;
        }
    }

    /// <summary>The call succeeds (want null) or fails with <paramref name="want"/>, naming <paramref name="field"/>.</summary>
    private static void SweepExpect(GameyeClient client, MethodInfo m, SweepArg[] args, int arg, string value,
                                    GameyeStatus? want, string field, string token = "")
    {
        string what = m.Name + token + (arg < 0 ? ": the examples" : ": " + args[arg].Name + " = \"" + value + "\"");
        if (want == null)
        {
            try
            {
                SweepCall(client, m, args, arg, value);
                Check(true, what);
            }
            catch (Exception e)
            {
                Fail(what + ": want success, got " + e);
            }
            return;
        }
        GameyeException error = ExpectError(want.Value, what, () => SweepCall(client, m, args, arg, value));
        if (field != null) Check(error != null && error.Message.Contains(field), what + ": the message names " + field);
    }
}
