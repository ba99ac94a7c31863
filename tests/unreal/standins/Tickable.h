// Stand-in (see CoreMinimal.h): FTickableGameObject (Engine, Tickable.h).
// Constructing one registers it with the engine's tickable list; here the
// list is only counted (a test driver ticks objects itself).

#pragma once

#include "CoreMinimal.h"
#include "Stats/Stats.h"

enum class ETickableTickType : uint8
{
	Conditional,
	Always,
	Never,
	NewObject,
};

class UWorld;

class FTickableObjectBase
{
public:
	virtual ~FTickableObjectBase() = default;
	virtual void Tick(float DeltaTime) = 0;
	virtual bool IsTickable() const { return true; }
	virtual TStatId GetStatId() const = 0;
};

class FTickableGameObject : public FTickableObjectBase
{
public:
	FTickableGameObject();
	virtual ~FTickableGameObject();

	virtual UWorld* GetTickableGameObjectWorld() const { return nullptr; }
	virtual ETickableTickType GetTickableTickType() const { return ETickableTickType::Conditional; }
	virtual bool IsTickableWhenPaused() const { return false; }
	virtual bool IsTickableInEditor() const { return false; }

	static int32 StandInRegisteredCount();  // stand-in: how many exist
};
