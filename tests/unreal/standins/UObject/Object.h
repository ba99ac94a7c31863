// Stand-in (see CoreMinimal.h): UObject, NewObject, GetDefault. Objects are
// plain heap objects here; no garbage collector. A test driver destroys one
// as the engine does: BeginDestroy(), then delete.

#pragma once

#include "CoreMinimal.h"
#include "UObject/ObjectMacros.h"

enum EObjectFlags : uint32
{
	RF_NoFlags = 0,
	RF_ClassDefaultObject = 1u << 4,
	RF_ArchetypeObject = 1u << 5,
};

class UObject
{
public:
	using Super = UObject;

	UObject() = default;
	UObject(const UObject&) = delete;
	UObject& operator=(const UObject&) = delete;
	virtual ~UObject();  // checks that BeginDestroy reached UObject's (as UE does)

	/** Overrides must call Super::BeginDestroy(). */
	virtual void BeginDestroy();
	bool IsTemplate(EObjectFlags TemplateTypes = EObjectFlags(RF_ArchetypeObject | RF_ClassDefaultObject)) const
	{
		return (Flags & TemplateTypes) != 0;
	}

	EObjectFlags Flags = RF_NoFlags;  // stand-in: set on GetDefault's objects
	bool bBeganDestroy = false;       // stand-in: set by UObject::BeginDestroy
};

UObject* GetTransientPackage();

template <class T>
T* NewObject(UObject* Outer = GetTransientPackage())
{
	static_assert(std::is_base_of_v<UObject, T>, "NewObject needs a UObject class");
	(void)Outer;
	return new T();
}

/** The class default object (never ticks, never destroyed). */
template <class T>
const T* GetDefault()
{
	static_assert(std::is_base_of_v<UObject, T>, "GetDefault needs a UObject class");
	static T* Default = [] {
		T* Object = new T();
		Object->Flags = RF_ClassDefaultObject;
		return Object;
	}();
	return Default;
}
