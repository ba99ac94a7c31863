#include "Gameye.h"

#include "GameyeSettings.h"
#include "HAL/PlatformProcess.h"
#include "Interfaces/IPluginManager.h"
#include "Misc/Paths.h"
#include "Modules/ModuleManager.h"

THIRD_PARTY_INCLUDES_START
#include "gameye.hpp"
THIRD_PARTY_INCLUDES_END

DEFINE_LOG_CATEGORY(LogGameye);

namespace
{
	bool GLibraryLoaded = false;
}

#if GAMEYE_SUPPORTED
namespace
{
	/** libgameye's events into LogGameye; called on any thread. */
	void RouteLibraryLog(gameye::LogLevel Level, std::string_view Message)
	{
		FUTF8ToTCHAR Conv(Message.data(), static_cast<int32>(Message.size()));
		const FString Text(Conv.Length(), Conv.Get());
		switch (Level)
		{
		case gameye::LogLevel::Error: UE_LOG(LogGameye, Error, TEXT("%s"), *Text); break;
		case gameye::LogLevel::Warn: UE_LOG(LogGameye, Warning, TEXT("%s"), *Text); break;
		case gameye::LogLevel::Info: UE_LOG(LogGameye, Log, TEXT("%s"), *Text); break;
		default: UE_LOG(LogGameye, Verbose, TEXT("%s"), *Text); break;
		}
	}
}
#endif

void FGameyeModule::StartupModule()
{
#if !GAMEYE_SUPPORTED
	// Gameye.Build.cs found no libgameye for this platform in the plugin.
	UE_LOG(LogGameye, Warning, TEXT("Gameye is not supported on this platform: the plugin has no libgameye for it"));
	GLibraryLoaded = false;
	return;
#elif PLATFORM_WINDOWS || PLATFORM_MAC || PLATFORM_LINUX
	// The library is delay-loaded: load it from the plugin before any call.
	const FString LibDir = FPaths::Combine(
		IPluginManager::Get().FindPlugin(TEXT("Gameye"))->GetBaseDir(), TEXT("Source/ThirdParty/libgameye"));
#if PLATFORM_WINDOWS
	const FString Path = FPaths::Combine(LibDir, TEXT("Win64/gameye.dll"));
#elif PLATFORM_MAC
	const FString Path = FPaths::Combine(LibDir, TEXT("Mac/libgameye.dylib"));
#elif PLATFORM_CPU_ARM_FAMILY
	const FString Path = FPaths::Combine(LibDir, TEXT("LinuxArm64/libgameye.so"));
#else
	const FString Path = FPaths::Combine(LibDir, TEXT("Linux/libgameye.so"));
#endif
	LibraryHandle = FPlatformProcess::GetDllHandle(*Path);
	GLibraryLoaded = LibraryHandle != nullptr;
	if (!GLibraryLoaded)
	{
		UE_LOG(LogGameye, Error, TEXT("Cannot load %s: Gameye calls are unavailable"), *Path);
		return;
	}
#else
	GLibraryLoaded = true;  // linked statically (iOS, Android)
#endif

#if GAMEYE_SUPPORTED
	if (!gameye::version_matches())
	{
		UE_LOG(LogGameye, Warning, TEXT("libgameye %s does not match gameye.h %d.%d.%d"),
			UTF8_TO_TCHAR(std::string(gameye::version()).c_str()), gameye::kVersionMajor, gameye::kVersionMinor,
			gameye::kVersionPatch);
	}
	const EGameyeLogLevel Level = GetDefault<UGameyeSettings>()->LibraryLogLevel;
	if (Level != EGameyeLogLevel::Off)
	{
		gameye::set_logger(static_cast<gameye::LogLevel>(Level), &RouteLibraryLog);
	}
#endif
}

void FGameyeModule::ShutdownModule()
{
#if GAMEYE_SUPPORTED
	if (GLibraryLoaded)
	{
		gameye::clear_logger();
	}
#endif
	// Never FreeDllHandle(LibraryHandle): a Rust cdylib must not be unloaded
	// while the process runs (its threads' thread-local destructors).
}

bool FGameyeModule::IsLibraryLoaded()
{
	return GLibraryLoaded;
}

IMPLEMENT_MODULE(FGameyeModule, Gameye)
