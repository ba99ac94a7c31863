// Just enough of UnrealBuildTool's API to compile and run a plugin's
// Gameye.Build.cs with mono outside Unreal (tests/dist/run.sh): the rules
// object records what the Build.cs asks for, so the test can check every
// named file against the extracted plugin archive.
using System.Collections.Generic;

namespace UnrealBuildTool
{
    public enum PCHUsageMode { Default, NoPCHs, NoSharedPCHs, UseSharedPCHs, UseExplicitOrSharedPCHs }

    public struct UnrealTargetPlatform
    {
        private readonly string name;
        private UnrealTargetPlatform(string name) { this.name = name; }
        public static readonly UnrealTargetPlatform Win64 = new UnrealTargetPlatform("Win64");
        public static readonly UnrealTargetPlatform Mac = new UnrealTargetPlatform("Mac");
        public static readonly UnrealTargetPlatform Linux = new UnrealTargetPlatform("Linux");
        public static readonly UnrealTargetPlatform LinuxArm64 = new UnrealTargetPlatform("LinuxArm64");
        public static readonly UnrealTargetPlatform IOS = new UnrealTargetPlatform("IOS");
        public static readonly UnrealTargetPlatform Android = new UnrealTargetPlatform("Android");
        public static UnrealTargetPlatform Parse(string s) { return new UnrealTargetPlatform(s); }
        public static bool operator ==(UnrealTargetPlatform a, UnrealTargetPlatform b) { return a.name == b.name; }
        public static bool operator !=(UnrealTargetPlatform a, UnrealTargetPlatform b) { return a.name != b.name; }
        public override bool Equals(object o) { return o is UnrealTargetPlatform && ((UnrealTargetPlatform)o).name == name; }
        public override int GetHashCode() { return name.GetHashCode(); }
        public override string ToString() { return name; }
    }

    public class ReadOnlyTargetRules
    {
        public UnrealTargetPlatform Platform;
        public ReadOnlyTargetRules(UnrealTargetPlatform platform) { Platform = platform; }
    }

    public class RuntimeDependencyList : List<string>
    {
        public void Add(string path, string source) { Add(path + " <- " + source); }
    }

    public class ModuleRules
    {
        // UBT sets these before the constructor body runs; the driver sets
        // them through the static fields below.
        public static string NextModuleDirectory;
        public static string NextPluginDirectory;

        public string ModuleDirectory = NextModuleDirectory;
        public string PluginDirectory = NextPluginDirectory;
        public PCHUsageMode PCHUsage;
        public List<string> PublicDependencyModuleNames = new List<string>();
        public List<string> PrivateDependencyModuleNames = new List<string>();
        public List<string> PublicSystemIncludePaths = new List<string>();
        public List<string> PublicIncludePaths = new List<string>();
        public List<string> PublicAdditionalLibraries = new List<string>();
        public List<string> PublicSystemLibraries = new List<string>();
        public List<string> PublicDelayLoadDLLs = new List<string>();
        public List<string> PublicDefinitions = new List<string>();
        public RuntimeDependencyList RuntimeDependencies = new RuntimeDependencyList();

        public ModuleRules(ReadOnlyTargetRules target) { }
    }
}
