// Stand-in (see CoreMinimal.h): definitions behind the stand-in headers, so
// that plugin sources link into a test program (ping_action_driver.cpp).
// Small and strict: an unsupported Printf conversion aborts.

#include "CoreMinimal.h"

#include "Dom/JsonObject.h"
#include "HAL/PlatformMisc.h"
#include "HAL/PlatformProcess.h"
#include "Interfaces/IPluginManager.h"
#include "Kismet/BlueprintAsyncActionBase.h"
#include "Serialization/JsonSerializer.h"
#include "Tickable.h"
#include "UObject/Object.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

// --- Strings ----------------------------------------------------------------------

namespace
{
	std::u16string Utf8ToUtf16(const char* Src, size_t Len)
	{
		std::u16string Out;
		size_t I = 0;
		while (I < Len)
		{
			const unsigned char C = static_cast<unsigned char>(Src[I]);
			uint32 Code = 0xFFFD;
			size_t Extra = C < 0x80 ? 0 : (C >> 5) == 0x6 ? 1 : (C >> 4) == 0xE ? 2 : (C >> 3) == 0x1E ? 3 : 9;
			if (Extra == 0)
			{
				Code = C;
			}
			else if (Extra <= 3)  // a truncated or bad sequence gives U+FFFD
			{
				Code = C & (0x3F >> Extra);
				for (size_t K = 1; K <= Extra; ++K)
				{
					const unsigned char Next = I + K < Len ? static_cast<unsigned char>(Src[I + K]) : 0;
					if ((Next & 0xC0) != 0x80)
					{
						Code = 0xFFFD;
						Extra = K - 1;
						break;
					}
					Code = (Code << 6) | (Next & 0x3F);
				}
			}
			else
			{
				Extra = 0;
			}
			I += Extra + 1;
			if (Code >= 0x10000 && Code <= 0x10FFFF)
			{
				Code -= 0x10000;
				Out += static_cast<char16_t>(0xD800 + (Code >> 10));
				Out += static_cast<char16_t>(0xDC00 + (Code & 0x3FF));
			}
			else
			{
				Out += static_cast<char16_t>(Code > 0x10FFFF ? 0xFFFD : Code);
			}
		}
		return Out;
	}

	std::string Utf16ToUtf8(const char16_t* Src, size_t Len)
	{
		std::string Out;
		for (size_t I = 0; I < Len; ++I)
		{
			uint32 Code = Src[I];
			if (Code >= 0xD800 && Code < 0xDC00 && I + 1 < Len && Src[I + 1] >= 0xDC00 && Src[I + 1] < 0xE000)
			{
				Code = 0x10000 + ((Code - 0xD800) << 10) + (Src[I + 1] - 0xDC00);
				++I;
			}
			else if (Code >= 0xD800 && Code < 0xE000)
			{
				Code = 0xFFFD;
			}
			if (Code < 0x80)
			{
				Out += static_cast<char>(Code);
			}
			else if (Code < 0x800)
			{
				Out += static_cast<char>(0xC0 | (Code >> 6));
				Out += static_cast<char>(0x80 | (Code & 0x3F));
			}
			else if (Code < 0x10000)
			{
				Out += static_cast<char>(0xE0 | (Code >> 12));
				Out += static_cast<char>(0x80 | ((Code >> 6) & 0x3F));
				Out += static_cast<char>(0x80 | (Code & 0x3F));
			}
			else
			{
				Out += static_cast<char>(0xF0 | (Code >> 18));
				Out += static_cast<char>(0x80 | ((Code >> 12) & 0x3F));
				Out += static_cast<char>(0x80 | ((Code >> 6) & 0x3F));
				Out += static_cast<char>(0x80 | (Code & 0x3F));
			}
		}
		return Out;
	}

	size_t Length16(const char16_t* S)
	{
		size_t N = 0;
		while (S[N] != 0)
		{
			++N;
		}
		return N;
	}
}

FString::FString(const ANSICHAR* Str)
{
	if (Str != nullptr)
	{
		Data = Utf8ToUtf16(Str, std::strlen(Str));
	}
}

FString FString::PrintfImpl(const TCHAR* Fmt, ...)
{
	va_list Args;
	va_start(Args, Fmt);
	std::u16string Out;
	for (const TCHAR* P = Fmt; *P != 0; ++P)
	{
		if (*P != u'%')
		{
			Out += *P;
			continue;
		}
		++P;
		std::string Spec = "%";
		while (*P != 0 && *P < 0x80 && std::strchr("-+ #0123456789.", static_cast<char>(*P)) != nullptr)
		{
			Spec += static_cast<char>(*P++);
		}
		std::string Length;
		while (*P == u'l' || *P == u'h' || *P == u'z')
		{
			Length += static_cast<char>(*P++);
		}
		const char Conv = *P < 0x80 ? static_cast<char>(*P) : '?';
		char Buf[128] = {};
		Spec += Length;
		Spec += Conv;
		switch (Conv)
		{
		case '%':
			Out += u'%';
			continue;
		case 's':
		{
			const TCHAR* S = va_arg(Args, const TCHAR*);
			Out += S != nullptr ? S : u"(null)";
			continue;
		}
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'c':
			if (Length == "ll")
			{
				std::snprintf(Buf, sizeof Buf, Spec.c_str(), va_arg(Args, long long));
			}
			else if (Length == "l" || Length == "z")
			{
				std::snprintf(Buf, sizeof Buf, Spec.c_str(), va_arg(Args, long));
			}
			else
			{
				std::snprintf(Buf, sizeof Buf, Spec.c_str(), va_arg(Args, int));
			}
			break;
		case 'f': case 'g': case 'e':
			std::snprintf(Buf, sizeof Buf, Spec.c_str(), va_arg(Args, double));
			break;
		case 'p':
			std::snprintf(Buf, sizeof Buf, "%p", va_arg(Args, void*));
			break;
		default:
			std::fprintf(stderr, "stand-in FString::Printf: unsupported conversion in \"%s\"\n",
				Utf16ToUtf8(Fmt, Length16(Fmt)).c_str());
			std::abort();
		}
		Out += Utf8ToUtf16(Buf, std::strlen(Buf));
	}
	va_end(Args);
	return FString(static_cast<int32>(Out.size()), Out.c_str());
}

FTCHARToUTF8::FTCHARToUTF8(const TCHAR* Source)
	: Converted(Source != nullptr ? Utf16ToUtf8(Source, Length16(Source)) : std::string())
{
}

FTCHARToUTF8::FTCHARToUTF8(const TCHAR* Source, int32 SourceLen)
	: Converted(Source != nullptr ? Utf16ToUtf8(Source, static_cast<size_t>(SourceLen)) : std::string())
{
}

FUTF8ToTCHAR::FUTF8ToTCHAR(const ANSICHAR* Source)
	: Converted(Source != nullptr ? Utf8ToUtf16(Source, std::strlen(Source)) : std::u16string())
{
}

FUTF8ToTCHAR::FUTF8ToTCHAR(const ANSICHAR* Source, int32 SourceLen)
	: Converted(Source != nullptr ? Utf8ToUtf16(Source, static_cast<size_t>(SourceLen)) : std::u16string())
{
}

// --- Logging ------------------------------------------------------------------------

DEFINE_LOG_CATEGORY(LogTemp);

void StandInLog(const FLogCategoryBase& Category, ELogVerbosity::Type Verbosity, const FString& Message)
{
	static const char* const Names[] = {"NoLogging", "Fatal", "Error", "Warning", "Display", "Log", "Verbose", "VeryVerbose"};
	std::fprintf(stderr, "%s: %s: %s\n", Utf16ToUtf8(Category.Name, Length16(Category.Name)).c_str(),
		Names[Verbosity], FTCHARToUTF8(*Message).Get());
}

// --- UObject, FTickableGameObject, UBlueprintAsyncActionBase ---------------------------------

UObject::~UObject()
{
	if (!bBeganDestroy && (Flags & RF_ClassDefaultObject) == 0)
	{
		std::fprintf(stderr, "stand-in UObject: destroyed without BeginDestroy reaching UObject::BeginDestroy\n");
		std::abort();
	}
}

void UObject::BeginDestroy()
{
	bBeganDestroy = true;
}

UObject* GetTransientPackage()
{
	static UObject* const Package = new UObject();  // never destroyed, as in UE
	return Package;
}

namespace
{
	int32 GTickables = 0;
}

FTickableGameObject::FTickableGameObject()
{
	++GTickables;
}

FTickableGameObject::~FTickableGameObject()
{
	--GTickables;
}

int32 FTickableGameObject::StandInRegisteredCount()
{
	return GTickables;
}

void UBlueprintAsyncActionBase::RegisterWithGameInstance(const UObject* WorldContextObject)
{
	(void)WorldContextObject;
	bStandInRegistered = true;
}

void UBlueprintAsyncActionBase::RegisterWithGameInstance(UGameInstance* GameInstance)
{
	(void)GameInstance;
	bStandInRegistered = true;
}

void UBlueprintAsyncActionBase::SetReadyToDestroy()
{
	bStandInRegistered = false;
}

// --- Platform -------------------------------------------------------------------------------

void* FPlatformProcess::GetDllHandle(const TCHAR* Filename)
{
	return dlopen(FTCHARToUTF8(Filename).Get(), RTLD_NOW);
}

void FPlatformProcess::FreeDllHandle(void* DllHandle)
{
	dlclose(DllHandle);
}

FString FPlatformMisc::GetEnvironmentVariable(const TCHAR* VariableName)
{
	const char* Value = std::getenv(FTCHARToUTF8(VariableName).Get());
	return FString(Value != nullptr ? Value : "");
}

IPluginManager& IPluginManager::Get()
{
	struct FPlugin final : IPlugin
	{
		FString Name = TEXT("Gameye");
		const FString& GetName() const override { return Name; }
		FString GetBaseDir() const override { return TEXT("."); }
	};
	struct FManager final : IPluginManager
	{
		TSharedPtr<IPlugin> FindPlugin(FStringView) override { return TSharedPtr<IPlugin>(std::make_shared<FPlugin>()); }
	};
	static FManager Manager;
	return Manager;
}

// --- Json -------------------------------------------------------------------------------------

TSharedPtr<FJsonValue> FJsonObject::TryGetField(FStringView FieldName) const
{
	const TSharedPtr<FJsonValue>* Found = Values.Find(FString(FieldName.Len(), FieldName.GetData()));
	return Found != nullptr ? *Found : TSharedPtr<FJsonValue>();
}

namespace
{
	template <typename T>
	bool TryGetNumber(const FJsonObject& Object, FStringView FieldName, T& OutNumber)
	{
		const TSharedPtr<FJsonValue> Value = Object.TryGetField(FieldName);
		if (!Value.IsValid() || Value->Type != EJson::Number)
		{
			return false;
		}
		OutNumber = static_cast<T>(Value->NumberValue);
		return true;
	}
}

bool FJsonObject::TryGetNumberField(FStringView F, float& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, double& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, int8& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, int16& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, int32& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, int64& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, uint8& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, uint16& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, uint32& Out) const { return TryGetNumber(*this, F, Out); }
bool FJsonObject::TryGetNumberField(FStringView F, uint64& Out) const { return TryGetNumber(*this, F, Out); }

double FJsonObject::GetNumberField(FStringView FieldName) const
{
	double Out = 0;
	return TryGetNumberField(FieldName, Out) ? Out : 0;
}

bool FJsonObject::TryGetStringField(FStringView FieldName, FString& OutString) const
{
	const TSharedPtr<FJsonValue> Value = TryGetField(FieldName);
	if (!Value.IsValid() || Value->Type != EJson::String)
	{
		return false;
	}
	OutString = Value->StringValue;
	return true;
}

FString FJsonObject::GetStringField(FStringView FieldName) const
{
	FString Out;
	TryGetStringField(FieldName, Out);
	return Out;
}

bool FJsonObject::TryGetArrayField(FStringView FieldName, const TArray<TSharedPtr<FJsonValue>>*& OutArray) const
{
	const TSharedPtr<FJsonValue> Value = TryGetField(FieldName);
	if (!Value.IsValid() || Value->Type != EJson::Array)
	{
		return false;
	}
	OutArray = &Value->ArrayValue;  // owned by this object's value
	return true;
}

bool FJsonObject::TryGetObjectField(FStringView FieldName, const TSharedPtr<FJsonObject>*& OutObject) const
{
	const TSharedPtr<FJsonValue> Value = TryGetField(FieldName);
	if (!Value.IsValid() || Value->Type != EJson::Object)
	{
		return false;
	}
	OutObject = &Value->ObjectValue;
	return true;
}

namespace
{
	/** A small strict JSON parser over UTF-16 (enough for ping reports). */
	struct FParser
	{
		const TCHAR* P;
		const TCHAR* End;
		int Depth = 0;

		void Skip()
		{
			while (P < End && (*P == u' ' || *P == u'\t' || *P == u'\n' || *P == u'\r'))
			{
				++P;
			}
		}

		bool Literal(const char16_t* Word)
		{
			const size_t N = Length16(Word);
			if (static_cast<size_t>(End - P) < N || std::u16string_view(P, N) != std::u16string_view(Word, N))
			{
				return false;
			}
			P += N;
			return true;
		}

		bool String(FString& Out)
		{
			if (P >= End || *P != u'"')
			{
				return false;
			}
			++P;
			std::u16string S;
			while (P < End && *P != u'"')
			{
				TCHAR C = *P++;
				if (C < 0x20)
				{
					return false;
				}
				if (C == u'\\')
				{
					if (P >= End)
					{
						return false;
					}
					const TCHAR E = *P++;
					switch (E)
					{
					case u'"': C = u'"'; break;
					case u'\\': C = u'\\'; break;
					case u'/': C = u'/'; break;
					case u'b': C = u'\b'; break;
					case u'f': C = u'\f'; break;
					case u'n': C = u'\n'; break;
					case u'r': C = u'\r'; break;
					case u't': C = u'\t'; break;
					case u'u':
					{
						if (End - P < 4)
						{
							return false;
						}
						uint32 Code = 0;
						for (int K = 0; K < 4; ++K)
						{
							const TCHAR H = *P++;
							Code <<= 4;
							if (H >= u'0' && H <= u'9') Code |= H - u'0';
							else if (H >= u'a' && H <= u'f') Code |= H - u'a' + 10;
							else if (H >= u'A' && H <= u'F') Code |= H - u'A' + 10;
							else return false;
						}
						C = static_cast<TCHAR>(Code);
						break;
					}
					default: return false;
					}
				}
				S += C;
			}
			if (P >= End)
			{
				return false;
			}
			++P;
			Out = FString(static_cast<int32>(S.size()), S.c_str());
			return true;
		}

		bool Number(double& Out)
		{
			std::string Text;
			while (P < End && *P < 0x80 && std::strchr("+-0123456789.eE", static_cast<char>(*P)) != nullptr)
			{
				Text += static_cast<char>(*P++);
			}
			if (Text.empty())
			{
				return false;
			}
			char* Stop = nullptr;
			Out = std::strtod(Text.c_str(), &Stop);
			return Stop == Text.c_str() + Text.size() && std::isfinite(Out);
		}

		bool Value(TSharedPtr<FJsonValue>& Out)
		{
			if (++Depth > 64)
			{
				return false;
			}
			Skip();
			if (P >= End)
			{
				return false;
			}
			auto V = std::make_shared<FJsonValue>();
			bool Ok = true;
			if (*P == u'{')
			{
				++P;
				V->Type = EJson::Object;
				V->ObjectValue = TSharedPtr<FJsonObject>(std::make_shared<FJsonObject>());
				Skip();
				if (P < End && *P == u'}')
				{
					++P;
				}
				else
				{
					for (;;)
					{
						Skip();
						FString Key;
						TSharedPtr<FJsonValue> Member;
						Skip();
						if (!String(Key))
						{
							return false;
						}
						Skip();
						if (P >= End || *P++ != u':' || !Value(Member))
						{
							return false;
						}
						V->ObjectValue->Values.Add(Key, Member);
						Skip();
						if (P < End && *P == u',')
						{
							++P;
							continue;
						}
						if (P < End && *P == u'}')
						{
							++P;
							break;
						}
						return false;
					}
				}
			}
			else if (*P == u'[')
			{
				++P;
				V->Type = EJson::Array;
				Skip();
				if (P < End && *P == u']')
				{
					++P;
				}
				else
				{
					for (;;)
					{
						TSharedPtr<FJsonValue> Item;
						if (!Value(Item))
						{
							return false;
						}
						V->ArrayValue.Add(Item);
						Skip();
						if (P < End && *P == u',')
						{
							++P;
							continue;
						}
						if (P < End && *P == u']')
						{
							++P;
							break;
						}
						return false;
					}
				}
			}
			else if (*P == u'"')
			{
				V->Type = EJson::String;
				Ok = String(V->StringValue);
			}
			else if (Literal(u"true") || Literal(u"false"))
			{
				V->Type = EJson::Boolean;
				V->BoolValue = P[-1] == u'e' && P[-2] == u'u';
			}
			else if (Literal(u"null"))
			{
				V->Type = EJson::Null;
			}
			else
			{
				V->Type = EJson::Number;
				Ok = Number(V->NumberValue);
			}
			--Depth;
			Out = TSharedPtr<FJsonValue>(V);
			return Ok;
		}
	};
}

bool FJsonSerializer::StandInParse(const FString& Text, TSharedPtr<FJsonValue>& OutValue)
{
	FParser Parser{*Text, *Text + Text.Len()};
	TSharedPtr<FJsonValue> Value;
	if (!Parser.Value(Value))
	{
		return false;
	}
	Parser.Skip();
	if (Parser.P != Parser.End)
	{
		return false;
	}
	OutValue = Value;
	return true;
}
