// Proves the stand-ins are strict enough to be worth running: run.sh compiles
// this with CANARY=0, which must compile, and with each CANARY=1..5, which
// must not (each is a mistake the plugin could make).

#include "GameyePingLocations.h"
#include "GameyeSubsystem.h"

#if CANARY == 0
// GENERATED_BODY's `Super` names the direct base, as UHT's does.
static_assert(std::is_same_v<UGameyeSubsystem::Super, UGameInstanceSubsystem>);
static_assert(std::is_same_v<UGameyePingLocationsAction::Super, UBlueprintAsyncActionBase>);
void Canary(const FString& S)
{
	(void)gameye::ping_locations_async(TCHAR_TO_UTF8(*S));
	(void)FString::Printf(TEXT("%s %d"), *S, 1);
}
#elif CANARY == 1
// An FString where Printf wants *FString.
void Canary(const FString& S) { (void)FString::Printf(TEXT("%s"), S); }
#elif CANARY == 2
// A TCHAR string where gameye.hpp wants UTF-8.
void Canary(const FString& S) { (void)gameye::ping_locations_async(*S); }
#elif CANARY == 3
// An override that overrides nothing (a misspelt engine virtual).
struct FCanary : FTickableGameObject
{
	void Tick(float) override {}
	TStatId GetStatId() const override { return TStatId(); }
	bool IsTickableWhenPause() const override { return true; }
};
#elif CANARY == 4
// MoveTemp of a const object (a silent copy with std::move).
void Canary(const TFunction<void()>& F) { TFunction<void()> G = MoveTemp(F); }
#elif CANARY == 5
// A narrow literal where Unreal wants TEXT("...").
void Canary() { (void)FString::Printf("%d", 1); }
#endif
