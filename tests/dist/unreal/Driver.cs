// Runs Gameye.Build.cs for one platform and prints what it asks for, one
// item a line ("KIND VALUE"), for tests/dist/run.sh to check; when the rules
// throw (as UnrealBuildTool would stop the build), prints "error MESSAGE"
// and exits 2:
//   mono BuildRules.exe PLUGIN_DIR PLATFORM
using System;
using System.IO;
using UnrealBuildTool;

public static class Driver
{
    public static int Main(string[] args)
    {
        string plugin = Path.GetFullPath(args[0]);
        ModuleRules.NextPluginDirectory = plugin;
        ModuleRules.NextModuleDirectory = Path.Combine(plugin, "Source", "Gameye");
        Gameye rules;
        try
        {
            rules = new Gameye(new ReadOnlyTargetRules(UnrealTargetPlatform.Parse(args[1])));
        }
        catch (Exception e)
        {
            Console.WriteLine("error " + e.Message);
            return 2;
        }
        foreach (string s in rules.PublicSystemIncludePaths) Console.WriteLine("include " + s);
        foreach (string s in rules.PublicIncludePaths) Console.WriteLine("include " + s);
        foreach (string s in rules.PublicAdditionalLibraries) Console.WriteLine("link " + s);
        foreach (string s in rules.PublicDelayLoadDLLs) Console.WriteLine("delayload " + s);
        foreach (string s in rules.RuntimeDependencies) Console.WriteLine("runtime " + s);
        foreach (string s in rules.PublicDefinitions) Console.WriteLine("define " + s);
        foreach (string s in rules.PublicSystemLibraries) Console.WriteLine("systemlib " + s);
        return 0;
    }
}
