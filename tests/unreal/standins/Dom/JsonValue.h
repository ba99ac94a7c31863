// Stand-in (see CoreMinimal.h): FJsonValue (Json module). UE has one
// subclass per JSON type; here one class holds any of them.

#pragma once

#include "CoreMinimal.h"

class FJsonObject;

enum class EJson
{
	None,
	Null,
	String,
	Number,
	Boolean,
	Array,
	Object,
};

class FJsonValue
{
public:
	EJson Type = EJson::None;

	virtual ~FJsonValue() = default;
	/** Empty unless an object (UE logs an error there). */
	virtual const TSharedPtr<FJsonObject>& AsObject() const { return ObjectValue; }
	virtual const TArray<TSharedPtr<FJsonValue>>& AsArray() const { return ArrayValue; }
	virtual FString AsString() const { return StringValue; }
	virtual double AsNumber() const { return NumberValue; }
	virtual bool AsBool() const { return BoolValue; }
	bool IsNull() const { return Type == EJson::Null || Type == EJson::None; }

	// Stand-in storage (StandIns.cpp's parser fills it).
	TSharedPtr<FJsonObject> ObjectValue;
	TArray<TSharedPtr<FJsonValue>> ArrayValue;
	FString StringValue;
	double NumberValue = 0;
	bool BoolValue = false;
};
