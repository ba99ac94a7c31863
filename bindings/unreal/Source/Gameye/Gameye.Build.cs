// Build rules of the Gameye runtime module. libgameye comes with the plugin in
// Source/ThirdParty/libgameye: include/ (gameye.h, gameye.hpp) and one folder
// per platform (see Source/ThirdParty/libgameye/README.md):
//
//   Win64/gameye.dll + gameye.dll.lib   delay-loaded, staged next to the game
//   Linux/libgameye.so                  x86_64, SONAME libgameye.so
//   LinuxArm64/libgameye.so             arm64
//   Mac/libgameye.dylib                 universal, install name @rpath/libgameye.dylib
//
// A missing library stops the build with a message that names the file: a
// standard Unreal .gitignore drops *.so / *.dll / *.dylib, and a teammate's
// build would otherwise quietly lose Gameye. To build without it on purpose
// (GAMEYE_SUPPORTED=0: every call reports "not supported on this platform"),
// set GAMEYE_ALLOW_MISSING_LIBRARY=1 in the build's environment, or set
// AllowMissingLibrary below to true.

using System.Collections.Generic;
using System.IO;
using UnrealBuildTool;

public class Gameye : ModuleRules
{
	/// <summary>True: a platform without its library builds with
	/// GAMEYE_SUPPORTED=0 instead of failing (as GAMEYE_ALLOW_MISSING_LIBRARY=1 does).</summary>
	public static bool AllowMissingLibrary = false;

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

		List<string> Needed = new List<string>(LinkFiles);
		if (RuntimeFile != null && !Needed.Contains(RuntimeFile))
		{
			Needed.Add(RuntimeFile);
		}
		string Missing = Folder == null ? "no libgameye is made for " + Target.Platform : null;
		foreach (string Name in Needed)
		{
			string Wanted = Path.Combine(LibDir, Folder, Name);
			if (Missing == null && !File.Exists(Wanted))
			{
				Missing = Wanted + " is missing (a .gitignore that drops *.so, *.dll or *.dylib removes it:"
					+ " restore it from gameye-unreal-VERSION.zip)";
			}
		}
		PublicDefinitions.Add("GAMEYE_SUPPORTED=" + (Missing == null ? "1" : "0"));
		if (Missing != null)
		{
			if (AllowMissingLibrary || System.Environment.GetEnvironmentVariable("GAMEYE_ALLOW_MISSING_LIBRARY") == "1")
			{
				System.Console.WriteLine("Gameye: " + Missing + "; building without Gameye on "
					+ Target.Platform + " (GAMEYE_ALLOW_MISSING_LIBRARY)");
				return;
			}
			// A plain exception: UnrealBuildTool prints its message, and
			// BuildException's namespace differs between engine versions.
			throw new System.InvalidOperationException("Gameye plugin: " + Missing + ". To build for "
				+ Target.Platform + " without Gameye (every call then reports \"not supported\"), set"
				+ " GAMEYE_ALLOW_MISSING_LIBRARY=1 in the build's environment.");
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
