// Build rules of the Gameye runtime module. libgameye comes with the plugin in
// Source/ThirdParty/libgameye: include/ (gameye.h, gameye.hpp) and one folder
// per platform (see Source/ThirdParty/libgameye/README.md):
//
//   Win64/gameye.dll + gameye.dll.lib   delay-loaded, staged next to the game
//   Linux/libgameye.so                  x86_64, SONAME libgameye.so
//   LinuxArm64/libgameye.so             arm64
//   Mac/libgameye.dylib                 universal, install name @rpath/libgameye.dylib
//   IOS/libgameye.a, Android/arm64-v8a/libgameye.a   static
//
// A platform whose library is not there still compiles: GAMEYE_SUPPORTED is 0
// and every call reports "not supported on this platform" at run time.

using System.Collections.Generic;
using System.IO;
using UnrealBuildTool;

public class Gameye : ModuleRules
{
	public Gameye(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;

		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "DeveloperSettings" });
		PrivateDependencyModuleNames.AddRange(new string[] { "Projects", "Json" });  // Json: GameyePingLocations parses ping reports

		string LibDir = Path.Combine(PluginDirectory, "Source", "ThirdParty", "libgameye");
		PublicSystemIncludePaths.Add(Path.Combine(LibDir, "include"));

		// Per platform: its folder, the files the linker takes, and the shared
		// library loaded at run time (null where the library is static).
		string Folder = null;
		string[] LinkFiles = new string[0];
		string RuntimeFile = null;
		if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			// gameye.dll.lib is an MSVC-format import library of gameye.dll.
			Folder = "Win64";
			LinkFiles = new string[] { "gameye.dll.lib" };
			RuntimeFile = "gameye.dll";
		}
		else if (Target.Platform == UnrealTargetPlatform.Linux)
		{
			Folder = "Linux";
			LinkFiles = new string[] { "libgameye.so" };
			RuntimeFile = "libgameye.so";
		}
		else if (Target.Platform == UnrealTargetPlatform.LinuxArm64)
		{
			Folder = "LinuxArm64";
			LinkFiles = new string[] { "libgameye.so" };
			RuntimeFile = "libgameye.so";
		}
		else if (Target.Platform == UnrealTargetPlatform.Mac)
		{
			Folder = "Mac";
			RuntimeFile = "libgameye.dylib";
		}
		else if (Target.Platform == UnrealTargetPlatform.IOS)
		{
			// iOS apps cannot load a dylib of their own: the static library.
			Folder = "IOS";
			LinkFiles = new string[] { "libgameye.a" };
		}
		else if (Target.Platform == UnrealTargetPlatform.Android)
		{
			Folder = Path.Combine("Android", "arm64-v8a");
			LinkFiles = new string[] { "libgameye.a" };
			PublicSystemLibraries.AddRange(new string[] { "log", "dl", "m" });
		}

		List<string> Needed = new List<string>(LinkFiles);
		if (RuntimeFile != null && !Needed.Contains(RuntimeFile))
		{
			Needed.Add(RuntimeFile);
		}
		bool bSupported = Folder != null;
		foreach (string Name in Needed)
		{
			if (bSupported && !File.Exists(Path.Combine(LibDir, Folder, Name)))
			{
				bSupported = false;
			}
		}
		PublicDefinitions.Add("GAMEYE_SUPPORTED=" + (bSupported ? "1" : "0"));
		if (!bSupported)
		{
			return;
		}

		foreach (string Name in LinkFiles)
		{
			PublicAdditionalLibraries.Add(Path.Combine(LibDir, Folder, Name));
		}
		if (RuntimeFile != null)
		{
			// Delay-loaded: FGameyeModule::StartupModule loads it from the
			// plugin before the first call. RuntimeDependencies stages it into
			// packaged builds (without it the library is missing there).
			string RuntimePath = Path.Combine(LibDir, Folder, RuntimeFile);
			PublicDelayLoadDLLs.Add(Target.Platform == UnrealTargetPlatform.Win64 ? RuntimeFile : RuntimePath);
			RuntimeDependencies.Add(RuntimePath);
		}
	}
}
