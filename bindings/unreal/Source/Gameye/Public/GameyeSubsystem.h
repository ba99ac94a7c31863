// UGameyeSubsystem: one Gameye client per game instance. Calls return at
// once with a request id; results arrive on the game thread, in this
// subsystem's Tick, through the dynamic multicast delegates (Blueprint) or
// the TFunction passed to the *Then variants (C++).

#pragma once

#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "Tickable.h"
#include "GameyeTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gameye.hpp"
THIRD_PARTY_INCLUDES_END

#include "GameyeSubsystem.generated.h"

DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FGameyeSessionCreatedEvent, int32, RequestId, bool, bSuccess,
	const FGameyeSession&, Session, const FGameyeError&, Error);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FGameyeSessionStoppedEvent, int32, RequestId, bool, bSuccess,
	const FGameyeError&, Error);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FGameyeSessionsListedEvent, int32, RequestId, bool, bSuccess,
	const TArray<FGameyeSessionInfo>&, Sessions, const FGameyeError&, Error);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FGameyeSessionDescribedEvent, int32, RequestId, bool, bSuccess,
	const FGameyeSessionInfo&, Session, const FGameyeError&, Error);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FGameyePlayersChangedEvent, int32, RequestId, bool, bSuccess,
	int64, PlayerCount, const FGameyeError&, Error);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FGameyeLocationsEvent, int32, RequestId, bool, bSuccess,
	const TArray<FGameyeLocation>&, Locations, const FGameyeError&, Error);

UCLASS()
class GAMEYE_API UGameyeSubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
	GENERATED_BODY()

public:
	using FOnSessionCreated = TFunction<void(bool bSuccess, const FGameyeSession& Session, const FGameyeError& Error)>;
	using FOnDone = TFunction<void(bool bSuccess, const FGameyeError& Error)>;

	// USubsystem
	virtual void Initialize(FSubsystemCollectionBase& Collection) override;
	virtual void Deinitialize() override;

	// FTickableGameObject: drains the completion queue, so every result is
	// delivered here, on the game thread.
	virtual void Tick(float DeltaTime) override;
	virtual ETickableTickType GetTickableTickType() const override;
	virtual bool IsTickable() const override;
	virtual bool IsTickableWhenPaused() const override { return true; }
	virtual TStatId GetStatId() const override;

	/** Creates the client from a token (empty: GAMEYE_TOKEN) and an optional base URL (empty: sandbox). */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	bool InitializeClient(const FString& Token, const FString& BaseUrl, FGameyeError& Error);

	/** Creates the client from libgameye's JSON configuration. */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	bool InitializeClientFromJson(const FString& ConfigJson, FGameyeError& Error);

	UFUNCTION(BlueprintPure, Category = "Gameye")
	bool IsReady() const { return Client.valid(); }

	/** Starts a session; RequestJson is the API's SessionRun body, e.g. {"location":"europe","image":"my-game"}. */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 CreateSession(const FString& RequestJson);

	/** Stops a session (idempotent: unknown or already stopped counts as stopped). */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 StopSession(const FString& SessionId);

	/** Lists sessions; FilterJson is empty (running sessions) or e.g. {"location":"europe","labels":{"mode":"duel"}}. */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 ListSessions(const FString& FilterJson);

	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 GetSession(const FString& SessionId);

	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 JoinPlayers(const FString& SessionId, const TArray<FString>& PlayerIds);

	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 LeavePlayers(const TArray<FString>& PlayerIds);

	/** The locations that can run Image now, with addresses to ping. */
	UFUNCTION(BlueprintCallable, Category = "Gameye")
	int32 GetAvailableLocations(const FString& Image);

	/** C++: CreateSession with a callback on the game thread (the delegate fires too). */
	int32 CreateSessionThen(const FString& RequestJson, FOnSessionCreated OnDone);

	/** C++: StopSession with a callback on the game thread (the delegate fires too). */
	int32 StopSessionThen(const FString& SessionId, FOnDone OnDone);

	/** C++: the client itself, for everything else (logs, artifacts, tags); see gameye.hpp. */
	const gameye::Client& GetClient() const { return Client; }

	/** C++: the queue drained in Tick, for operations started on GetClient(). */
	const gameye::Queue& GetQueue() const { return Queue; }

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyeSessionCreatedEvent OnSessionCreated;

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyeSessionStoppedEvent OnSessionStopped;

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyeSessionsListedEvent OnSessionsListed;

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyeSessionDescribedEvent OnSessionDescribed;

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyePlayersChangedEvent OnPlayersChanged;

	UPROPERTY(BlueprintAssignable, Category = "Gameye")
	FGameyeLocationsEvent OnLocations;

private:
	bool AdoptClient(gameye::Result<gameye::Client> Created, FGameyeError& Error);

	template <typename T, typename FHandler>
	int32 Submit(gameye::Operation<T> Operation, FHandler&& Handler);

	gameye::Client Client;
	gameye::Queue Queue{nullptr};  // created in Initialize, destroyed first in Deinitialize
	int32 LastRequestId = 0;
};
