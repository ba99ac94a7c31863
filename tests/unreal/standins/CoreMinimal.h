// Stand-ins for the few Unreal Engine headers the Gameye plugin
// (bindings/unreal/Source/Gameye) includes, written by hand for
// tests/unreal/run.sh. There is no Unreal Engine on the build machines.
//
// What this proves: the plugin's C++ parses and type-checks as C++20 without
// exceptions or RTTI (as UnrealBuildTool builds modules) against declarations
// shaped like UE 5.x's (names, parameter types, return types, constness,
// virtuals that `override` must match); its use of the SDK's C++ wrapper
// (bindings/cpp/include/gameye.hpp) and C header (include/gameye.h) is
// right; it builds as one unity translation unit (as UBT does by default);
// the GAMEYE_SUPPORTED=0 build names no libgameye function that
// GameyeUnsupported.cpp does not stub; and, with StandIns.cpp's definitions,
// GameyePingLocations.cpp runs against the real libgameye
// (ping_action_driver.cpp).
//
// What it does not prove: anything about Unreal itself. No UnrealHeaderTool
// runs (UCLASS / USTRUCT / UPROPERTY / UFUNCTION expand to nothing and the
// *.generated.h files are empty stand-ins), so reflection errors, Blueprint
// metadata, garbage collection, module loading, packaging and the engine's
// own warnings are untested. TCHAR is char16_t here (as on Linux and Mac) and
// containers are thin wrappers over the standard library. Where UE versions
// differ, these follow UE 5.3-5.5.
//
// This file: the Core module's types, strings, containers, smart pointers and
// logging (UE's CoreMinimal.h gathers the same).

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

// --- Platform types and macros (HAL/Platform.h) ------------------------------

using int8 = std::int8_t;
using int16 = std::int16_t;
using int32 = std::int32_t;
using int64 = std::int64_t;
using uint8 = std::uint8_t;
using uint16 = std::uint16_t;
using uint32 = std::uint32_t;
using uint64 = std::uint64_t;
using ANSICHAR = char;
using WIDECHAR = char16_t;
using TCHAR = char16_t;            // UTF-16, as on Linux and Mac (wchar_t on Windows)
enum UTF8CHAR : unsigned char {};  // a distinct type in UE 5

#define TEXT_PASTE(x) u##x
#define TEXT(x) TEXT_PASTE(x)

#define INDEX_NONE (-1)

// The plugin only tests these; UBT sets exactly one platform to 1.
#ifndef PLATFORM_WINDOWS
#define PLATFORM_WINDOWS 0
#endif
#ifndef PLATFORM_MAC
#define PLATFORM_MAC 0
#endif
#ifndef PLATFORM_LINUX
#define PLATFORM_LINUX 0
#endif
#ifndef PLATFORM_IOS
#define PLATFORM_IOS 0
#endif
#ifndef PLATFORM_ANDROID
#define PLATFORM_ANDROID 0
#endif
#ifndef PLATFORM_CPU_ARM_FAMILY
#define PLATFORM_CPU_ARM_FAMILY 0
#endif

// Third-party headers are wrapped in these (warnings off in UE); nothing here.
#define THIRD_PARTY_INCLUDES_START
#define THIRD_PARTY_INCLUDES_END

// --- Templates/UnrealTemplate.h -------------------------------------------------

/** Like std::move, but refuses rvalues and const objects (as UE's does). */
template <typename T>
constexpr std::remove_reference_t<T>&& MoveTemp(T&& Obj) noexcept
{
	static_assert(std::is_lvalue_reference_v<T>, "MoveTemp called on an rvalue");
	static_assert(!std::is_const_v<std::remove_reference_t<T>>, "MoveTemp called on a const object");
	return static_cast<std::remove_reference_t<T>&&>(Obj);
}

template <typename T>
constexpr T&& Forward(std::remove_reference_t<T>& Obj) noexcept
{
	return static_cast<T&&>(Obj);
}

template <typename T>
constexpr T&& Forward(std::remove_reference_t<T>&& Obj) noexcept
{
	return static_cast<T&&>(Obj);
}

// --- Containers/Array.h, Containers/Map.h ---------------------------------------

template <typename T>
class TArray
{
public:
	using ElementType = T;

	TArray() = default;
	TArray(std::initializer_list<T> Init) : Items(Init) {}

	int32 Num() const { return static_cast<int32>(Items.size()); }
	bool IsEmpty() const { return Items.empty(); }
	bool IsValidIndex(int32 Index) const { return Index >= 0 && Index < Num(); }
	void Reserve(int32 Number) { Items.reserve(static_cast<size_t>(Number)); }
	void Empty() { Items.clear(); }

	int32 Add(const T& Item) { Items.push_back(Item); return Num() - 1; }
	int32 Add(T&& Item) { Items.push_back(MoveTemp(Item)); return Num() - 1; }
	template <typename... ArgsType>
	int32 Emplace(ArgsType&&... Args) { Items.emplace_back(Forward<ArgsType>(Args)...); return Num() - 1; }
	T& AddDefaulted_GetRef() { return Items.emplace_back(); }

	T* GetData() { return Items.data(); }
	const T* GetData() const { return Items.data(); }
	T& operator[](int32 Index) { return Items[static_cast<size_t>(Index)]; }
	const T& operator[](int32 Index) const { return Items[static_cast<size_t>(Index)]; }

	// Range-for only (UE's iterators are not standard iterators either).
	T* begin() { return Items.data(); }
	T* end() { return Items.data() + Items.size(); }
	const T* begin() const { return Items.data(); }
	const T* end() const { return Items.data() + Items.size(); }

private:
	std::vector<T> Items;
};

template <typename KeyType, typename ValueType>
class TMap
{
public:
	ValueType& Add(const KeyType& Key, const ValueType& Value)
	{
		if (ValueType* Existing = Find(Key))
		{
			*Existing = Value;
			return *Existing;
		}
		Pairs.push_back({Key, Value});
		return Pairs.back().second;
	}
	ValueType* Find(const KeyType& Key)
	{
		for (auto& Pair : Pairs)
		{
			if (Pair.first == Key)
			{
				return &Pair.second;
			}
		}
		return nullptr;
	}
	const ValueType* Find(const KeyType& Key) const { return const_cast<TMap*>(this)->Find(Key); }
	int32 Num() const { return static_cast<int32>(Pairs.size()); }

private:
	std::vector<std::pair<KeyType, ValueType>> Pairs;
};

// --- Templates/Function.h -----------------------------------------------------------

template <typename FuncType>
class TFunction;

/** Copyable, nullable, `explicit operator bool` (as UE's TFunction). */
template <typename Ret, typename... ParamTypes>
class TFunction<Ret(ParamTypes...)> : public std::function<Ret(ParamTypes...)>
{
	using Super = std::function<Ret(ParamTypes...)>;

public:
	TFunction() = default;
	TFunction(std::nullptr_t) {}
	template <typename FunctorType,
		typename = std::enable_if_t<!std::is_same_v<std::decay_t<FunctorType>, TFunction> &&
									std::is_invocable_r_v<Ret, std::decay_t<FunctorType>&, ParamTypes...>>>
	TFunction(FunctorType&& Functor) : Super(Forward<FunctorType>(Functor))
	{
	}
};

// --- Templates/SharedPointer.h ------------------------------------------------------

template <typename ObjectType>
class TSharedRef;

template <typename ObjectType>
class TSharedPtr
{
public:
	TSharedPtr() = default;
	TSharedPtr(std::nullptr_t) {}
	TSharedPtr(const TSharedRef<ObjectType>& Ref) : Ptr(Ref.Ptr) {}
	explicit TSharedPtr(std::shared_ptr<ObjectType> InPtr) : Ptr(MoveTemp(InPtr)) {}

	bool IsValid() const { return Ptr != nullptr; }
	explicit operator bool() const { return IsValid(); }
	ObjectType* Get() const { return Ptr.get(); }
	ObjectType* operator->() const { return Ptr.get(); }
	ObjectType& operator*() const { return *Ptr; }
	TSharedRef<ObjectType> ToSharedRef() const { return TSharedRef<ObjectType>(Ptr); }
	void Reset() { Ptr.reset(); }

private:
	template <typename>
	friend class TSharedRef;
	std::shared_ptr<ObjectType> Ptr;
};

/** Never null. */
template <typename ObjectType>
class TSharedRef
{
public:
	explicit TSharedRef(std::shared_ptr<ObjectType> InPtr) : Ptr(MoveTemp(InPtr)) {}
	ObjectType* operator->() const { return Ptr.get(); }
	ObjectType& operator*() const { return *Ptr; }
	ObjectType& Get() const { return *Ptr; }

private:
	template <typename>
	friend class TSharedPtr;
	std::shared_ptr<ObjectType> Ptr;
};

template <typename ObjectType, typename... ArgTypes>
TSharedRef<ObjectType> MakeShared(ArgTypes&&... Args)
{
	return TSharedRef<ObjectType>(std::make_shared<ObjectType>(Forward<ArgTypes>(Args)...));
}

// --- Containers/UnrealString.h, UObject/NameTypes.h ---------------------------------

namespace StandInPrintf
{
	// UE 5.2+ checks Printf / UE_LOG arguments at compile time. This checks
	// the part that goes wrong most: only numbers, enums and pointers may be
	// passed (an FString needs `*` to become a const TCHAR*).
	template <typename... Types>
	constexpr bool ArgsArePrintable()
	{
		return ((std::is_arithmetic_v<Types> || std::is_enum_v<Types> || std::is_pointer_v<Types> ||
					std::is_null_pointer_v<Types>) && ...);
	}
}

class FString
{
public:
	FString() = default;
	FString(const TCHAR* Str) : Data(Str != nullptr ? Str : u"") {}
	FString(int32 InCount, const TCHAR* InSrc) : Data(InSrc, InSrc != nullptr ? static_cast<size_t>(InCount) : 0) {}
	// UE has an ANSICHAR constructor too; it is explicit in UE 5.
	explicit FString(const ANSICHAR* Str);

	const TCHAR* operator*() const { return Data.c_str(); }
	int32 Len() const { return static_cast<int32>(Data.size()); }
	bool IsEmpty() const { return Data.empty(); }

	FString& operator+=(const FString& Other) { Data += Other.Data; return *this; }
	FString& operator+=(const TCHAR* Other) { Data += Other; return *this; }
	friend FString operator+(const FString& A, const FString& B) { FString Out(A); Out += B; return Out; }
	friend FString operator+(const FString& A, const TCHAR* B) { FString Out(A); Out += B; return Out; }
	friend FString operator+(const TCHAR* A, const FString& B) { FString Out(A); Out += B; return Out; }
	friend bool operator==(const FString& A, const FString& B) { return A.Data == B.Data; }
	friend bool operator!=(const FString& A, const FString& B) { return A.Data != B.Data; }

	template <typename FmtType, typename... Types>
	static FString Printf(const FmtType& Fmt, Types... Args)
	{
		static_assert(std::is_array_v<FmtType> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<FmtType>>, TCHAR>,
			"Formatting string must be a TCHAR array (TEXT(\"...\"))");
		static_assert(StandInPrintf::ArgsArePrintable<Types...>(),
			"Printf arguments must be numbers, enums or pointers (use *String for an FString)");
		return PrintfImpl(Fmt, Args...);
	}

private:
	static FString PrintfImpl(const TCHAR* Fmt, ...);  // StandIns.cpp: %d %i %u %x %lld %f %g %s (TCHAR*) %%
	std::u16string Data;
};

class FName
{
public:
	FName() = default;
	FName(const TCHAR* Name) : Text(Name) {}
	FString ToString() const { return Text; }

private:
	FString Text;
};

/** UE's TStringView<TCHAR>: from a TCHAR literal or an FString. */
class FStringView
{
public:
	FStringView(const TCHAR* Str) : View(Str) {}
	FStringView(const FString& Str) : View(*Str, static_cast<size_t>(Str.Len())) {}
	const TCHAR* GetData() const { return View.data(); }
	int32 Len() const { return static_cast<int32>(View.size()); }

private:
	std::u16string_view View;
};

// --- Containers/StringConv.h ------------------------------------------------------------

/** TCHAR to UTF-8; Get() is an ANSICHAR pointer valid while this lives. */
class FTCHARToUTF8
{
public:
	explicit FTCHARToUTF8(const TCHAR* Source);
	FTCHARToUTF8(const TCHAR* Source, int32 SourceLen);
	FTCHARToUTF8(const FTCHARToUTF8&) = delete;
	FTCHARToUTF8& operator=(const FTCHARToUTF8&) = delete;
	const ANSICHAR* Get() const { return Converted.c_str(); }
	int32 Length() const { return static_cast<int32>(Converted.size()); }

private:
	std::string Converted;
};

/** UTF-8 (UTF8CHAR, or ANSICHAR as legacy) to TCHAR; Get() valid while this lives. */
class FUTF8ToTCHAR
{
public:
	explicit FUTF8ToTCHAR(const ANSICHAR* Source);
	FUTF8ToTCHAR(const ANSICHAR* Source, int32 SourceLen);
	explicit FUTF8ToTCHAR(const UTF8CHAR* Source) : FUTF8ToTCHAR(reinterpret_cast<const ANSICHAR*>(Source)) {}
	FUTF8ToTCHAR(const UTF8CHAR* Source, int32 SourceLen)
		: FUTF8ToTCHAR(reinterpret_cast<const ANSICHAR*>(Source), SourceLen)
	{
	}
	FUTF8ToTCHAR(const FUTF8ToTCHAR&) = delete;
	FUTF8ToTCHAR& operator=(const FUTF8ToTCHAR&) = delete;
	const TCHAR* Get() const { return Converted.c_str(); }
	int32 Length() const { return static_cast<int32>(Converted.size()); }

private:
	std::u16string Converted;
};

// UE's definitions: a temporary, valid until the end of the full expression.
#define TCHAR_TO_UTF8(str) (ANSICHAR*)FTCHARToUTF8((const TCHAR*)str).Get()
#define UTF8_TO_TCHAR(str) (TCHAR*)FUTF8ToTCHAR((const ANSICHAR*)str).Get()

// --- Logging/LogMacros.h ----------------------------------------------------------------

namespace ELogVerbosity
{
	enum Type : uint8
	{
		NoLogging = 0,
		Fatal,
		Error,
		Warning,
		Display,
		Log,
		Verbose,
		VeryVerbose,
		All = VeryVerbose,
	};
}

struct FLogCategoryBase
{
	FLogCategoryBase(const TCHAR* InName, ELogVerbosity::Type InDefault) : Name(InName), CurrentVerbosity(InDefault) {}
	const TCHAR* Name;
	ELogVerbosity::Type CurrentVerbosity;
};

void StandInLog(const FLogCategoryBase& Category, ELogVerbosity::Type Verbosity, const FString& Message);  // StandIns.cpp

#define DECLARE_LOG_CATEGORY_EXTERN(CategoryName, DefaultVerbosity, CompileTimeVerbosity)                        \
	extern struct FLogCategory##CategoryName : public FLogCategoryBase                                          \
	{                                                                                                            \
		FLogCategory##CategoryName() : FLogCategoryBase(TEXT(#CategoryName), ELogVerbosity::DefaultVerbosity)   \
		{                                                                                                        \
			static_assert(ELogVerbosity::CompileTimeVerbosity >= ELogVerbosity::NoLogging);                     \
		}                                                                                                        \
	} CategoryName

#define DEFINE_LOG_CATEGORY(CategoryName) FLogCategory##CategoryName CategoryName

#define UE_LOG(CategoryName, Verbosity, Format, ...)                                                            \
	do                                                                                                           \
	{                                                                                                            \
		if (ELogVerbosity::Verbosity <= (CategoryName).CurrentVerbosity)                                                \
		{                                                                                                        \
			StandInLog(CategoryName, ELogVerbosity::Verbosity, FString::Printf(Format __VA_OPT__(,) __VA_ARGS__));          \
		}                                                                                                        \
	} while (0)

DECLARE_LOG_CATEGORY_EXTERN(LogTemp, Log, All);
