// Stand-in (see CoreMinimal.h): USubsystem, UGameInstanceSubsystem (Engine).

#pragma once

#include "CoreMinimal.h"
#include "UObject/Object.h"

class FSubsystemCollectionBase
{
};

class UGameInstance;

class USubsystem : public UObject
{
public:
	using Super = USubsystem;

	virtual bool ShouldCreateSubsystem(UObject* Outer) const { return Outer != nullptr; }
	virtual void Initialize(FSubsystemCollectionBase& Collection) { (void)Collection; }
	virtual void Deinitialize() {}
};

class UGameInstanceSubsystem : public USubsystem
{
public:
	using Super = UGameInstanceSubsystem;

	UGameInstance* GetGameInstance() const { return nullptr; }
};
