// UGameyeSubsystem where the plugin has no libgameye for the platform
// (GAMEYE_SUPPORTED=0, set by Gameye.Build.cs): the module still compiles and
// links, and every call reports "not supported on this platform" at run time.

#include "GameyeSubsystem.h"

#if !GAMEYE_SUPPORTED

#include "Gameye.h"
#include "GameyeConvert.h"

namespace
{
	using GameyeConvert::NotSupported;

	int32 Refuse(const TCHAR* Call)
	{
		UE_LOG(LogGameye, Error, TEXT("%s: %s"), Call, *NotSupported().Message);
		return INDEX_NONE;
	}
}

void UGameyeSubsystem::Initialize(FSubsystemCollectionBase& Collection)
{
	Super::Initialize(Collection);
}

void UGameyeSubsystem::Deinitialize()
{
	Super::Deinitialize();
}

void UGameyeSubsystem::Tick(float /*DeltaTime*/) {}

ETickableTickType UGameyeSubsystem::GetTickableTickType() const
{
	return ETickableTickType::Never;
}

bool UGameyeSubsystem::IsTickable() const
{
	return false;
}

TStatId UGameyeSubsystem::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(UGameyeSubsystem, STATGROUP_Tickables);
}

bool UGameyeSubsystem::InitializeClient(const FString&, const FString&, FGameyeError& Error)
{
	Error = NotSupported();
	Refuse(TEXT("InitializeClient"));
	return false;
}

bool UGameyeSubsystem::InitializeClientFromJson(const FString&, FGameyeError& Error)
{
	Error = NotSupported();
	Refuse(TEXT("InitializeClientFromJson"));
	return false;
}

int32 UGameyeSubsystem::CreateSession(const FString&) { return Refuse(TEXT("CreateSession")); }

int32 UGameyeSubsystem::CreateSessionThen(const FString&, FOnSessionCreated OnDone)
{
	if (OnDone)
	{
		OnDone(false, FGameyeSession(), NotSupported());
	}
	return Refuse(TEXT("CreateSessionThen"));
}

int32 UGameyeSubsystem::StopSession(const FString&) { return Refuse(TEXT("StopSession")); }

int32 UGameyeSubsystem::StopSessionThen(const FString&, FOnDone OnDone)
{
	if (OnDone)
	{
		OnDone(false, NotSupported());
	}
	return Refuse(TEXT("StopSessionThen"));
}

int32 UGameyeSubsystem::ListSessions(const FString&) { return Refuse(TEXT("ListSessions")); }
int32 UGameyeSubsystem::GetSession(const FString&) { return Refuse(TEXT("GetSession")); }
int32 UGameyeSubsystem::JoinPlayers(const FString&, const TArray<FString>&) { return Refuse(TEXT("JoinPlayers")); }
int32 UGameyeSubsystem::LeavePlayers(const TArray<FString>&) { return Refuse(TEXT("LeavePlayers")); }
int32 UGameyeSubsystem::GetAvailableLocations(const FString&) { return Refuse(TEXT("GetAvailableLocations")); }

// The subsystem's gameye::Client and gameye::Queue members stay empty here,
// but their destructors name these C functions (tests/dist/run.sh links
// this set against gameye.hpp without libgameye): no-op definitions (they only
// ever see NULL) let the module link without the library.
extern "C"
{
	void gameye_client_free(GameyeClient*) {}
	void gameye_queue_free(GameyeQueue*) {}
	void gameye_operation_free(GameyeOperation*) {}
	GameyeStatus gameye_operation_set_callback(GameyeOperation*, const GameyeQueue*, GameyeCompletionCallback, void*)
	{
		return GAMEYE_STATUS_NULL_ARGUMENT;
	}
	size_t gameye_queue_drain(const GameyeQueue*, size_t) { return 0; }
}

#endif  // !GAMEYE_SUPPORTED
