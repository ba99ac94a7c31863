// Stand-in (see CoreMinimal.h): FJsonSerializer::Deserialize (Json module).

#pragma once

#include "CoreMinimal.h"
#include "Dom/JsonObject.h"
#include "Serialization/JsonReader.h"

class FJsonSerializer
{
public:
	enum class EFlags
	{
		None = 0,
		StoreNumbersAsStrings = 1,
	};

	template <class CharType>
	static bool Deserialize(const TSharedRef<TJsonReader<CharType>>& Reader, TSharedPtr<FJsonValue>& OutValue,
		EFlags InOptions = EFlags::None)
	{
		(void)InOptions;
		return StandInParse(Reader->StandInText(), OutValue);
	}

	/** True only for a JSON object at the top. */
	template <class CharType>
	static bool Deserialize(const TSharedRef<TJsonReader<CharType>>& Reader, TSharedPtr<FJsonObject>& OutObject,
		EFlags InOptions = EFlags::None)
	{
		TSharedPtr<FJsonValue> Value;
		if (!Deserialize(Reader, Value, InOptions) || Value->Type != EJson::Object)
		{
			return false;
		}
		OutObject = Value->AsObject();
		return true;
	}

private:
	static bool StandInParse(const FString& Text, TSharedPtr<FJsonValue>& OutValue);  // StandIns.cpp
};
