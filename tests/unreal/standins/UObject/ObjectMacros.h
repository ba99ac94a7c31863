// Stand-in (see CoreMinimal.h): UnrealHeaderTool's markers. UHT reads them
// and writes *.generated.h; no UHT runs here, so they expand to nothing, and
// GENERATED_BODY() declares only what the plugin uses.

#pragma once

#include "CoreMinimal.h"

#define UCLASS(...)
#define USTRUCT(...)
#define UENUM(...)
#define UPROPERTY(...)
#define UFUNCTION(...)
#define UMETA(...)

// UHT's body declares the reflection glue and `Super` (the direct base). The
// stand-in bases (UObject/Object.h and the engine headers) each declare
// `using Super = <themselves>;`, so in a class derived from them `Super`
// names the direct base, as UHT's would.
#define GENERATED_BODY(...) static constexpr bool StandInGeneratedBody = true;

// Dynamic multicast delegates: Broadcast(params) for the declaring code, and
// AddDynamic(Object, &UClass::Function) for a listener (test drivers).
template <typename... ParamTypes>
class TStandInDynamicMulticastDelegate
{
public:
	void Broadcast(ParamTypes... Params) const
	{
		// A copy: a listener may add or remove listeners.
		const std::vector<std::function<void(ParamTypes...)>> Now = Listeners;
		for (const auto& Listener : Now)
		{
			Listener(Params...);
		}
	}
	bool IsBound() const { return !Listeners.empty(); }
	void Clear() { Listeners.clear(); }

	template <typename UserClass>
	void __Internal_AddDynamic(UserClass* Object, void (UserClass::*Function)(ParamTypes...), const char* /*Name*/)
	{
		Listeners.push_back([Object, Function](ParamTypes... Params) { (Object->*Function)(Params...); });
	}

private:
	std::vector<std::function<void(ParamTypes...)>> Listeners;
};

#define AddDynamic(UserObject, FuncName) __Internal_AddDynamic(UserObject, FuncName, #FuncName)

#define DECLARE_DYNAMIC_MULTICAST_DELEGATE(DelegateName) \
	class DelegateName : public TStandInDynamicMulticastDelegate<> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(DelegateName, T1, N1) \
	class DelegateName : public TStandInDynamicMulticastDelegate<T1> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(DelegateName, T1, N1, T2, N2) \
	class DelegateName : public TStandInDynamicMulticastDelegate<T1, T2> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(DelegateName, T1, N1, T2, N2, T3, N3) \
	class DelegateName : public TStandInDynamicMulticastDelegate<T1, T2, T3> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(DelegateName, T1, N1, T2, N2, T3, N3, T4, N4) \
	class DelegateName : public TStandInDynamicMulticastDelegate<T1, T2, T3, T4> {}
