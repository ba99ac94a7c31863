// Stand-in (see CoreMinimal.h): FPaths::Combine (Core).

#pragma once

#include "CoreMinimal.h"

class FPaths
{
public:
	/** Joins with '/'; each part an FString or a TCHAR string. */
	template <typename... PathTypes>
	static FString Combine(PathTypes&&... InPaths)
	{
		static_assert(sizeof...(PathTypes) >= 1, "FPaths::Combine needs a path");
		static_assert((std::is_constructible_v<FString, PathTypes&&> && ...),
			"FPaths::Combine takes FStrings or TCHAR strings (TEXT(\"...\"))");
		FString Out;
		((Out += (Out.IsEmpty() ? FString() : FString(TEXT("/"))), Out += FString(Forward<PathTypes>(InPaths))), ...);
		return Out;
	}
};
