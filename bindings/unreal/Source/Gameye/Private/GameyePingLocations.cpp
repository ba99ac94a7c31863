#include "GameyePingLocations.h"

#include "GameyeConvert.h"
#include "Dom/JsonObject.h"
#include "Serialization/JsonReader.h"
#include "Serialization/JsonSerializer.h"

// Without libgameye for this platform (GAMEYE_SUPPORTED=0) the node fails at
// once and names no library function, so the module links without it.
#if GAMEYE_SUPPORTED

namespace
{
	using GameyeConvert::ToError;
	using GameyeConvert::ToFString;

	float NumberOr(const TSharedPtr<FJsonObject>& Object, const TCHAR* Field, float Fallback)
	{
		double Value = 0;
		return Object->TryGetNumberField(Field, Value) ? static_cast<float>(Value) : Fallback;
	}

	TArray<FGameyeLocationLatency> ParseReport(const FString& Json)
	{
		TArray<FGameyeLocationLatency> Out;
		TSharedPtr<FJsonObject> Root;
		if (!FJsonSerializer::Deserialize(TJsonReaderFactory<>::Create(Json), Root) || !Root.IsValid())
		{
			return Out;
		}
		const TArray<TSharedPtr<FJsonValue>>* Locations = nullptr;
		if (!Root->TryGetArrayField(TEXT("locations"), Locations))
		{
			return Out;
		}
		for (const TSharedPtr<FJsonValue>& Value : *Locations)
		{
			const TSharedPtr<FJsonObject> L = Value->AsObject();
			if (!L.IsValid())
			{
				continue;
			}
			FGameyeLocationLatency& Entry = Out.AddDefaulted_GetRef();
			Entry.Id = L->GetStringField(TEXT("id"));
			Entry.MinMs = NumberOr(L, TEXT("min_ms"), -1.f);
			Entry.MedianMs = NumberOr(L, TEXT("median_ms"), -1.f);
			Entry.P90Ms = NumberOr(L, TEXT("p90_ms"), -1.f);
			Entry.Loss = NumberOr(L, TEXT("loss"), 1.f);
			Entry.Sent = static_cast<int32>(NumberOr(L, TEXT("sent"), 0.f));
			Entry.Received = static_cast<int32>(NumberOr(L, TEXT("received"), 0.f));
		}
		return Out;
	}
}

void UGameyePingLocationsAction::Activate()
{
	const FString Options = FString::Printf(TEXT("{\"probes\":%d,\"interval_ms\":%d,\"timeout_ms\":%d}"), Probes,
		IntervalMs, TimeoutMs);
	// Both strings are copied by libgameye before ping_locations_async returns.
	const FTCHARToUTF8 Locations(*LocationsJson);
	const FTCHARToUTF8 OptionsUtf8(*Options);
	Operation = gameye::ping_locations_async(Locations.Get(), OptionsUtf8.Get());
	if (!Operation.valid())
	{
		Finish(gameye::Error(gameye::Status::Panic, "libgameye returned no operation"));
	}
}

void UGameyePingLocationsAction::Tick(float /*DeltaTime*/)
{
	if (!Operation.valid() || !Operation.done())
	{
		return;
	}
	auto Taken = Operation.take();
	Operation = gameye::Operation<gameye::PingReport>();
	if (Taken)
	{
		Finish(std::move(*Taken));
	}
	else
	{
		Finish(gameye::Error(gameye::Status::Panic, "the ping's result was already taken"));
	}
}

void UGameyePingLocationsAction::Finish(gameye::Result<gameye::PingReport> Result)
{
	if (Result.ok())
	{
		const FString Json = ToFString(Result->json());
		OnSuccess.Broadcast(ParseReport(Json), Json, FGameyeError());
	}
	else
	{
		OnFailure.Broadcast(TArray<FGameyeLocationLatency>(), FString(), ToError(Result.error()));
	}
	SetReadyToDestroy();
}

#else  // !GAMEYE_SUPPORTED

void UGameyePingLocationsAction::Activate()
{
	OnFailure.Broadcast(TArray<FGameyeLocationLatency>(), FString(), GameyeConvert::NotSupported());
	SetReadyToDestroy();
}

void UGameyePingLocationsAction::Tick(float /*DeltaTime*/) {}

#endif  // GAMEYE_SUPPORTED

UGameyePingLocationsAction* UGameyePingLocationsAction::PingGameyeLocations(UObject* WorldContextObject,
	const FString& LocationsJson, int32 Probes, int32 IntervalMs, int32 TimeoutMs)
{
	UGameyePingLocationsAction* Action = NewObject<UGameyePingLocationsAction>();
	Action->LocationsJson = LocationsJson;
	Action->Probes = Probes;
	Action->IntervalMs = IntervalMs;
	Action->TimeoutMs = TimeoutMs;
	Action->RegisterWithGameInstance(WorldContextObject);
	return Action;
}

void UGameyePingLocationsAction::BeginDestroy()
{
	// Destroying the operation cancels a ping in progress (within ~20 ms).
	Operation = gameye::Operation<gameye::PingReport>();
	Super::BeginDestroy();
}

TStatId UGameyePingLocationsAction::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(UGameyePingLocationsAction, STATGROUP_Tickables);
}
