// Conversions from gameye.hpp's results to the plugin's Unreal types, shared
// by the module's .cpp files. Inline functions in a named namespace, not
// file-local copies: Unreal's unity builds compile the module's .cpp files as
// one translation unit, where two file-local functions of one name collide.

#pragma once

#include "CoreMinimal.h"
#include "GameyeTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gameye.hpp"
THIRD_PARTY_INCLUDES_END

namespace GameyeConvert
{
	/** UTF-8 text (not NUL-terminated) as an FString. */
	inline FString ToFString(std::string_view S)
	{
		FUTF8ToTCHAR Conv(S.data(), static_cast<int32>(S.size()));
		return FString(Conv.Length(), Conv.Get());
	}

	/** A libgameye error as the Blueprint-visible FGameyeError. */
	inline FGameyeError ToError(const gameye::Error& E)
	{
		FGameyeError Out;
		Out.Status = static_cast<int32>(E.status());
		Out.StatusName = UTF8_TO_TCHAR(E.status_name());
		Out.HttpStatus = E.http_status();
		Out.Message = ToFString(E.message());
		Out.Code = ToFString(E.code());
		Out.Details = ToFString(E.details());
		Out.Identifier = ToFString(E.identifier());
		for (gameye::Violation V : E.violations())
		{
			Out.Violations.Add(ToFString(V.field()) + TEXT(": ") + ToFString(V.description()));
		}
		return Out;
	}

	/** What every call reports where the plugin has no libgameye (GAMEYE_SUPPORTED=0). */
	inline FGameyeError NotSupported()
	{
		FGameyeError Error;
		Error.StatusName = TEXT("NOT_SUPPORTED");
		Error.Message = TEXT("Gameye is not supported on this platform: the plugin has no libgameye for it");
		return Error;
	}
}
