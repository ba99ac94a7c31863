// Stand-in (see CoreMinimal.h): UBlueprintAsyncActionBase (Engine).

#pragma once

#include "CoreMinimal.h"
#include "UObject/Object.h"

class UGameInstance;

class UBlueprintAsyncActionBase : public UObject
{
public:
	using Super = UBlueprintAsyncActionBase;

	/** Called when the Blueprint node runs (after its pins are bound). */
	virtual void Activate() {}
	virtual void RegisterWithGameInstance(const UObject* WorldContextObject);
	virtual void RegisterWithGameInstance(UGameInstance* GameInstance);
	/** The action is done: it unregisters from the game instance and may be collected. */
	virtual void SetReadyToDestroy();

	bool bStandInRegistered = false;  // stand-in: between RegisterWithGameInstance and SetReadyToDestroy
};
