// Build rules of the Gameye runtime module. libgameye is staged from
// Source/ThirdParty/libgameye (headers, import / static libraries) and
// Binaries/ThirdParty/libgameye (shared libraries loaded at run time):
// see Source/ThirdParty/libgameye/README.md for the layout.

using System.IO;
using UnrealBuildTool;

public class Gameye : ModuleRules
{
	public Gameye(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;

		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "DeveloperSettings" });
		PrivateDependencyModuleNames.AddRange(new string[] { "Projects", "Json" });  // Json: GameyePingLocations parses ping reports

		string ThirdPartyDir = Path.Combine(ModuleDirectory, "..", "ThirdParty", "libgameye");
		string LibDir = Path.Combine(ThirdPartyDir, "lib");
		// gameye.h (C ABI) and gameye.hpp (header-only C++17 wrapper).
		PublicSystemIncludePaths.Add(Path.Combine(ThirdPartyDir, "include"));

		// Shared libraries are delay-loaded: FGameyeModule::StartupModule loads
		// them from the plugin's Binaries/ThirdParty before the first call, and
		// RuntimeDependencies stages them into packaged builds (without it the
		// library is missing from a packaged game).
		string BinDir = "$(PluginDir)/Binaries/ThirdParty/libgameye";

		if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			// gameye.dll.lib is the import library cargo writes beside gameye.dll.
			PublicAdditionalLibraries.Add(Path.Combine(LibDir, "Win64", "gameye.dll.lib"));
			PublicDelayLoadDLLs.Add("gameye.dll");
			RuntimeDependencies.Add(BinDir + "/Win64/gameye.dll");
		}
		else if (Target.Platform == UnrealTargetPlatform.Mac)
		{
			string Dylib = BinDir + "/Mac/libgameye.dylib";
			PublicDelayLoadDLLs.Add(Dylib);
			RuntimeDependencies.Add(Dylib);
		}
		else if (Target.Platform == UnrealTargetPlatform.Linux)
		{
			string So = BinDir + "/Linux/x86_64-unknown-linux-gnu/libgameye.so";
			PublicAdditionalLibraries.Add(So);
			PublicDelayLoadDLLs.Add(So);
			RuntimeDependencies.Add(So);
		}
		else if (Target.Platform == UnrealTargetPlatform.IOS)
		{
			// iOS apps cannot load a dylib of their own: link the static library
			// (cargo build --target aarch64-apple-ios, crate-type staticlib).
			PublicAdditionalLibraries.Add(Path.Combine(LibDir, "IOS", "libgameye.a"));
		}
		else if (Target.Platform == UnrealTargetPlatform.Android)
		{
			// Static as well, one per ABI (cargo build --target aarch64-linux-android).
			PublicAdditionalLibraries.Add(Path.Combine(LibDir, "Android", "arm64-v8a", "libgameye.a"));
			PublicSystemLibraries.AddRange(new string[] { "log", "dl", "m" });
		}
	}
}
