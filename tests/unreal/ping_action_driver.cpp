// Runs the plugin's "Ping Gameye Locations" node (bindings/unreal's
// GameyePingLocations.cpp, compiled unchanged) against the real libgameye,
// with the stand-ins (standins/) in place of Unreal. It plays the engine's
// part: binds OnSuccess / OnFailure as a Blueprint would, calls Activate(),
// ticks the node at about 60 Hz while it says it is tickable, and destroys it
// as the garbage collector does (BeginDestroy, then delete).
//
// 1. Two loopback locations ping: OnSuccess once, 2 locations, 3/3 and 6/6
//    probes, a report JSON.
// 2. Locations that are not JSON: OnFailure once, with a status and message.
// 3. Destroying the node mid-ping returns promptly and broadcasts nothing.
//
// Built with GAMEYE_SUPPORTED=0 (the module without libgameye), it checks
// instead that the node fails at once with NOT_SUPPORTED.
//
// Needs ICMP echo to loopback (root, or net.ipv4.ping_group_range). Exits 1
// on any failed check.

#include "GameyePingLocations.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace
{
	int Passed = 0;
	int Failed = 0;

#define CHECK(Cond, ...)                                                           \
	do                                                                             \
	{                                                                              \
		if (Cond)                                                                  \
		{                                                                          \
			++Passed;                                                              \
		}                                                                          \
		else                                                                       \
		{                                                                          \
			++Failed;                                                              \
			std::fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #Cond); \
			std::fprintf(stderr, __VA_ARGS__);                                     \
			std::fputc('\n', stderr);                                              \
		}                                                                          \
	} while (0)

	std::string Narrow(const FString& S)
	{
		return FTCHARToUTF8(*S).Get();
	}

	using Clock = std::chrono::steady_clock;

	long long MsSince(Clock::time_point Start)
	{
		return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - Start).count();
	}

	/** What a Blueprint graph would bind to the node's pins. */
	class UPingListener : public UObject
	{
	public:
		void HandleSuccess(const TArray<FGameyeLocationLatency>& InLocations, const FString& InReportJson,
			const FGameyeError& InError)
		{
			++Successes;
			Locations = InLocations;
			ReportJson = InReportJson;
			Error = InError;
		}

		void HandleFailure(const TArray<FGameyeLocationLatency>& InLocations, const FString& InReportJson,
			const FGameyeError& InError)
		{
			++Failures;
			Locations = InLocations;
			ReportJson = InReportJson;
			Error = InError;
		}

		int32 Done() const { return Successes + Failures; }

		int32 Successes = 0;
		int32 Failures = 0;
		TArray<FGameyeLocationLatency> Locations;
		FString ReportJson;
		FGameyeError Error;
	};

	/** The Blueprint node running: create it, bind its pins, activate it. */
	UGameyePingLocationsAction* Start(UPingListener* Listener, const TCHAR* LocationsJson, int32 Probes,
		int32 IntervalMs, int32 TimeoutMs)
	{
		UGameyePingLocationsAction* Action =
			UGameyePingLocationsAction::PingGameyeLocations(nullptr, LocationsJson, Probes, IntervalMs, TimeoutMs);
		Action->OnSuccess.AddDynamic(Listener, &UPingListener::HandleSuccess);
		Action->OnFailure.AddDynamic(Listener, &UPingListener::HandleFailure);
		Action->Activate();
		return Action;
	}

	/** The engine's tickable list: ticks a Conditional object only while IsTickable(). */
	void TickFrame(UGameyePingLocationsAction* Action)
	{
		const ETickableTickType Type = Action->GetTickableTickType();
		if (Type == ETickableTickType::Always || (Type == ETickableTickType::Conditional && Action->IsTickable()))
		{
			Action->Tick(0.016f);
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(16));
	}

	void TickUntilDone(UGameyePingLocationsAction* Action, const UPingListener* Listener, long long LimitMs)
	{
		const Clock::time_point Start = Clock::now();
		while (Listener->Done() == 0 && MsSince(Start) < LimitMs)
		{
			TickFrame(Action);
		}
		// A few frames more: nothing may fire twice.
		for (int Frame = 0; Frame < 5; ++Frame)
		{
			TickFrame(Action);
		}
	}

	/** As the garbage collector does it. */
	void Destroy(UObject* Object)
	{
		Object->BeginDestroy();
		delete Object;
	}

#if GAMEYE_SUPPORTED
	const FGameyeLocationLatency* FindLocation(const UPingListener& Listener, const TCHAR* Id)
	{
		for (const FGameyeLocationLatency& L : Listener.Locations)
		{
			if (L.Id == FString(Id))
			{
				return &L;
			}
		}
		return nullptr;
	}

	void PingsTwoLoopbackLocations()
	{
		std::fprintf(stderr, "== ping: two loopback locations, 3 probes each IP\n");
		UPingListener* Listener = NewObject<UPingListener>();
		UGameyePingLocationsAction* Action = Start(Listener,
			TEXT(R"({"locations":[{"id":"one","ips":["127.0.0.1"]},{"id":"two","ips":["127.0.0.2","127.0.0.3"]}]})"),
			3, 20, 1000);
		TickUntilDone(Action, Listener, 5000);

		CHECK(Listener->Successes == 1, "OnSuccess fired %d times", Listener->Successes);
		CHECK(Listener->Failures == 0, "OnFailure fired %d times: %s: %s", Listener->Failures,
			Narrow(Listener->Error.StatusName).c_str(), Narrow(Listener->Error.Message).c_str());
		CHECK(Listener->Error.Status == 0, "the success carries status %d", Listener->Error.Status);
		CHECK(Listener->Locations.Num() == 2, "%d locations parsed", Listener->Locations.Num());
		const FGameyeLocationLatency* One = FindLocation(*Listener, TEXT("one"));
		const FGameyeLocationLatency* Two = FindLocation(*Listener, TEXT("two"));
		CHECK(One != nullptr && One->Sent == 3 && One->Received == 3, "one: sent/received %d/%d",
			One ? One->Sent : -1, One ? One->Received : -1);
		CHECK(Two != nullptr && Two->Sent == 6 && Two->Received == 6, "two: sent/received %d/%d",
			Two ? Two->Sent : -1, Two ? Two->Received : -1);
		CHECK(One != nullptr && One->MedianMs >= 0.f && One->Loss == 0.f, "one: median %f ms, loss %f",
			One ? One->MedianMs : -2.f, One ? One->Loss : -2.f);
		const std::string Json = Narrow(Listener->ReportJson);
		CHECK(!Json.empty() && Json.front() == '{' && Json.find("\"locations\"") != std::string::npos,
			"report JSON: %s", Json.c_str());
		CHECK(!Action->IsTickable(), "the node still ticks after finishing");
		CHECK(!Action->bStandInRegistered, "the node did not call SetReadyToDestroy");
		Destroy(Action);
		Destroy(Listener);
	}

	void RefusesLocationsThatAreNotJson()
	{
		std::fprintf(stderr, "== ping: locations that are not JSON\n");
		UPingListener* Listener = NewObject<UPingListener>();
		UGameyePingLocationsAction* Action = Start(Listener, TEXT("not json"), 3, 20, 1000);
		TickUntilDone(Action, Listener, 5000);

		CHECK(Listener->Failures == 1, "OnFailure fired %d times", Listener->Failures);
		CHECK(Listener->Successes == 0, "OnSuccess fired %d times", Listener->Successes);
		CHECK(Listener->Error.Status != 0, "the failure carries status 0");
		CHECK(!Listener->Error.StatusName.IsEmpty(), "no status name");
		CHECK(!Listener->Error.Message.IsEmpty(), "no message");
		CHECK(Listener->Locations.Num() == 0 && Listener->ReportJson.IsEmpty(), "a failure with results");
		std::fprintf(stderr, "   %s: %s\n", Narrow(Listener->Error.StatusName).c_str(),
			Narrow(Listener->Error.Message).c_str());
		CHECK(!Action->bStandInRegistered, "the node did not call SetReadyToDestroy");
		Destroy(Action);
		Destroy(Listener);
	}

	void DestroyingMidPingCancels()
	{
		std::fprintf(stderr, "== ping: the node destroyed mid-ping\n");
		UPingListener* Listener = NewObject<UPingListener>();
		// 50 probes 200 ms apart: about 10 s if nothing stops it.
		UGameyePingLocationsAction* Action =
			Start(Listener, TEXT(R"({"locations":[{"id":"one","ips":["127.0.0.1"]}]})"), 50, 200, 20000);
		for (int Frame = 0; Frame < 10; ++Frame)
		{
			TickFrame(Action);
		}
		CHECK(Listener->Done() == 0, "finished before it was destroyed");
		CHECK(Action->IsTickable(), "not ticking while the ping runs");

		const Clock::time_point Start = Clock::now();
		Action->BeginDestroy();
		const long long Ms = MsSince(Start);
		CHECK(Ms < 1000, "BeginDestroy took %lld ms", Ms);
		CHECK(!Action->IsTickable(), "still tickable after BeginDestroy");
		CHECK(Listener->Done() == 0, "a result was broadcast by BeginDestroy");
		delete Action;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		CHECK(Listener->Done() == 0, "a result was broadcast after destruction");
		Destroy(Listener);
	}
#else
	void ReportsNotSupported()
	{
		std::fprintf(stderr, "== ping: no libgameye for the platform\n");
		UPingListener* Listener = NewObject<UPingListener>();
		UGameyePingLocationsAction* Action =
			Start(Listener, TEXT(R"({"locations":[{"id":"one","ips":["127.0.0.1"]}]})"), 3, 20, 1000);
		TickUntilDone(Action, Listener, 1000);
		CHECK(Listener->Failures == 1 && Listener->Successes == 0, "failures %d, successes %d", Listener->Failures,
			Listener->Successes);
		CHECK(Listener->Error.StatusName == FString(TEXT("NOT_SUPPORTED")), "status name %s",
			Narrow(Listener->Error.StatusName).c_str());
		CHECK(!Listener->Error.Message.IsEmpty(), "no message");
		CHECK(!Action->IsTickable() && !Action->bStandInRegistered, "the node did not finish");
		Destroy(Action);
		Destroy(Listener);
	}
#endif
}

int main()
{
#if GAMEYE_SUPPORTED
	PingsTwoLoopbackLocations();
	RefusesLocationsThatAreNotJson();
	DestroyingMidPingCancels();
#else
	ReportsNotSupported();
#endif
	CHECK(FTickableGameObject::StandInRegisteredCount() == 0, "%d tickables left registered",
		FTickableGameObject::StandInRegisteredCount());
	std::fprintf(stderr, "ping_action_driver: %d checks passed, %d failed\n", Passed, Failed);
	return Failed == 0 ? 0 : 1;
}
