// "Ping Gameye Locations": a Blueprint async node for game clients. It pings
// every IP of the locations the backend sent (the JSON of
// GET /available-location/{image}) with ICMP echo, needing no token and no
// client, and fires OnSuccess or OnFailure on the game thread. The ping runs
// on a library thread; this node only polls it from its Tick, so the game
// thread never blocks. Send ReportJson to the backend, which chooses the
// location (gameye_session_create_near).

#pragma once

#include "CoreMinimal.h"
#include "Kismet/BlueprintAsyncActionBase.h"
#include "Tickable.h"
#include "GameyeTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gameye.hpp"
THIRD_PARTY_INCLUDES_END

#include "GameyePingLocations.generated.h"

/** One location's latency from a ping. Negative milliseconds: no reply came. */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyeLocationLatency
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Id;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	float MinMs = -1.f;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	float MedianMs = -1.f;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	float P90Ms = -1.f;

	/** Share of probes lost, 0..1. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	float Loss = 1.f;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 Sent = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 Received = 0;
};

DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FGameyePingLocationsDone, const TArray<FGameyeLocationLatency>&,
	Locations, const FString&, ReportJson, const FGameyeError&, Error);

UCLASS()
class GAMEYE_API UGameyePingLocationsAction : public UBlueprintAsyncActionBase, public FTickableGameObject
{
	GENERATED_BODY()

public:
	/**
	 * Pings every IP of every location (LocationsJson: {"locations":[{"id":"europe","ips":["1.2.3.4"]}]}),
	 * Probes echo requests each, IntervalMs apart, all within TimeoutMs. Locations come back best first.
	 * OnFailure carries GAMEYE_STATUS_PING_NOT_PERMITTED (the message names the cause and the fix)
	 * or INVALID_REQUEST.
	 */
	UFUNCTION(BlueprintCallable, Category = "Gameye",
		meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject", DisplayName = "Ping Gameye Locations"))
	static UGameyePingLocationsAction* PingGameyeLocations(UObject* WorldContextObject, const FString& LocationsJson,
		int32 Probes = 5, int32 IntervalMs = 200, int32 TimeoutMs = 2000);

	UPROPERTY(BlueprintAssignable)
	FGameyePingLocationsDone OnSuccess;

	UPROPERTY(BlueprintAssignable)
	FGameyePingLocationsDone OnFailure;

	// UBlueprintAsyncActionBase
	virtual void Activate() override;
	// UObject: a node destroyed while pinging stops the ping.
	virtual void BeginDestroy() override;

	// FTickableGameObject: polls the ping; never blocks.
	virtual void Tick(float DeltaTime) override;
	virtual ETickableTickType GetTickableTickType() const override { return ETickableTickType::Conditional; }
	virtual bool IsTickable() const override { return Operation.valid(); }
	virtual bool IsTickableWhenPaused() const override { return true; }
	virtual TStatId GetStatId() const override;

private:
	void Finish(gameye::Result<gameye::PingReport> Result);

	FString LocationsJson;
	int32 Probes = 5;
	int32 IntervalMs = 200;
	int32 TimeoutMs = 2000;
	gameye::Operation<gameye::PingReport> Operation;
};
