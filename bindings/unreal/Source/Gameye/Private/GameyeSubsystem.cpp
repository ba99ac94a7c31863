#include "GameyeSubsystem.h"

#include "Gameye.h"
#include "GameyeConvert.h"
#include "GameyeSettings.h"
#include "HAL/PlatformMisc.h"

// Without libgameye for this platform (GAMEYE_SUPPORTED=0, set by
// Gameye.Build.cs) GameyeUnsupported.cpp implements the subsystem instead.
#if GAMEYE_SUPPORTED

namespace
{
	using GameyeConvert::ToError;
	using GameyeConvert::ToFString;

	template <typename T>
	FGameyeError ErrorOf(const gameye::Result<T>& R)
	{
		return R.ok() ? FGameyeError() : ToError(R.error());
	}

	TArray<FGameyePort> ToPorts(gameye::Span<gameye::Port> Ports)
	{
		TArray<FGameyePort> Out;
		for (gameye::Port P : Ports)
		{
			FGameyePort& Port = Out.AddDefaulted_GetRef();
			Port.Protocol = ToFString(P.protocol());
			Port.ContainerPort = P.container();
			Port.HostPort = P.host();
		}
		return Out;
	}

	FGameyeSession ToSession(const gameye::Session& S)
	{
		FGameyeSession Out;
		Out.Id = ToFString(S.id());
		Out.Host = ToFString(S.host());
		Out.Ports = ToPorts(S.ports());
		return Out;
	}

	FGameyeSessionInfo ToInfo(gameye::SessionInfo S)
	{
		FGameyeSessionInfo Out;
		Out.Id = ToFString(S.id());
		Out.Image = ToFString(S.image());
		Out.Tag = ToFString(S.tag());
		Out.Location = ToFString(S.location());
		Out.Host = ToFString(S.host());
		Out.CreatedMs = S.created_ms();
		Out.Ports = ToPorts(S.ports());
		Out.Status = ToFString(S.status());
		for (gameye::Label L : S.labels())
		{
			Out.Labels.Add(ToFString(L.key()), ToFString(L.value()));
		}
		Out.PlayerCount = S.player_count();
		for (std::string_view Player : S.joined())
		{
			Out.JoinedPlayers.Add(ToFString(Player));
		}
		return Out;
	}

	/** Player ids as UTF-8, kept alive for the call (the C ABI copies them). */
	struct FUtf8Strings
	{
		explicit FUtf8Strings(const TArray<FString>& In)
		{
			// std::vector, not TArray: TArray relocates its elements bitwise,
			// which a std::string holding its text inline does not survive.
			Storage.reserve(In.Num());
			for (const FString& S : In)
			{
				Storage.emplace_back(TCHAR_TO_UTF8(*S));
			}
			for (const std::string& S : Storage)
			{
				Pointers.Add(S.c_str());
			}
		}
		std::vector<std::string> Storage;
		TArray<const char*> Pointers;
	};
}

void UGameyeSubsystem::Initialize(FSubsystemCollectionBase& Collection)
{
	Super::Initialize(Collection);
	Queue = gameye::Queue();
	const UGameyeSettings* Settings = GetDefault<UGameyeSettings>();
	if (Settings->bInitializeOnStartup)
	{
		FGameyeError Error;
		if (!InitializeClient(Settings->Token, Settings->BaseUrl, Error))
		{
			UE_LOG(LogGameye, Error, TEXT("Gameye client not created: %s"), *Error.Message);
		}
	}
}

void UGameyeSubsystem::Deinitialize()
{
	// The queue first: pending operations are cancelled and their callbacks
	// (which point at this subsystem) never run. Then the client.
	Queue = gameye::Queue(nullptr);
	Client = gameye::Client();
	Super::Deinitialize();
}

void UGameyeSubsystem::Tick(float /*DeltaTime*/)
{
	Queue.drain();
}

ETickableTickType UGameyeSubsystem::GetTickableTickType() const
{
	// The class default object must never tick.
	return IsTemplate() ? ETickableTickType::Never : ETickableTickType::Conditional;
}

bool UGameyeSubsystem::IsTickable() const
{
	return Queue.valid();
}

TStatId UGameyeSubsystem::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(UGameyeSubsystem, STATGROUP_Tickables);
}

bool UGameyeSubsystem::InitializeClient(const FString& Token, const FString& BaseUrl, FGameyeError& Error)
{
	gameye::Config Config;
	Config.token = TCHAR_TO_UTF8(*(Token.IsEmpty() ? FPlatformMisc::GetEnvironmentVariable(TEXT("GAMEYE_TOKEN")) : Token));
	Config.base_url = TCHAR_TO_UTF8(*BaseUrl);
	const int32 TimeoutMs = GetDefault<UGameyeSettings>()->RequestTimeoutMs;
	Config.request_timeout_ms = TimeoutMs > 0 ? static_cast<uint64>(TimeoutMs) : 0;
	return AdoptClient(gameye::Client::create(Config), Error);
}

bool UGameyeSubsystem::InitializeClientFromJson(const FString& ConfigJson, FGameyeError& Error)
{
	return AdoptClient(gameye::Client::create(std::string(TCHAR_TO_UTF8(*ConfigJson))), Error);
}

bool UGameyeSubsystem::AdoptClient(gameye::Result<gameye::Client> Created, FGameyeError& Error)
{
	if (!Created)
	{
		Error = ToError(Created.error());
		return false;
	}
	// Operations of a replaced client still complete and are delivered.
	Client = std::move(Created).value();
	Error = FGameyeError();
	return true;
}

template <typename T, typename FHandler>
int32 UGameyeSubsystem::Submit(gameye::Operation<T> Operation, FHandler&& Handler)
{
	const int32 RequestId = ++LastRequestId;
	// Detached: the queue owns the operation and the callback runs in Tick,
	// on the game thread. Deinitialize destroys the queue before anything
	// else, after which no callback runs: handlers may capture `this`.
	// Without a client, the operation is already done with
	// Status::NullArgument and that error is delivered at the next Tick.
	std::move(Operation).then(Queue, [RequestId, Handler = Forward<FHandler>(Handler)](gameye::Result<T> Result) mutable {
		Handler(RequestId, Result);
	});
	return RequestId;
}

int32 UGameyeSubsystem::CreateSession(const FString& RequestJson)
{
	return CreateSessionThen(RequestJson, nullptr);
}

int32 UGameyeSubsystem::CreateSessionThen(const FString& RequestJson, FOnSessionCreated OnDone)
{
	return Submit(Client.create_session_async(std::string(TCHAR_TO_UTF8(*RequestJson))),
		[this, OnDone = MoveTemp(OnDone)](int32 RequestId, const gameye::Result<gameye::Session>& R) {
			const FGameyeSession Session = R.ok() ? ToSession(R.value()) : FGameyeSession();
			const FGameyeError Error = ErrorOf(R);
			if (OnDone)
			{
				OnDone(R.ok(), Session, Error);
			}
			OnSessionCreated.Broadcast(RequestId, R.ok(), Session, Error);
		});
}

int32 UGameyeSubsystem::StopSession(const FString& SessionId)
{
	return StopSessionThen(SessionId, nullptr);
}

int32 UGameyeSubsystem::StopSessionThen(const FString& SessionId, FOnDone OnDone)
{
	return Submit(Client.stop_session_async(std::string(TCHAR_TO_UTF8(*SessionId)), gameye::StopFlags::Idempotent),
		[this, OnDone = MoveTemp(OnDone)](int32 RequestId, const gameye::Result<gameye::StopOutcome>& R) {
			const FGameyeError Error = ErrorOf(R);
			if (OnDone)
			{
				OnDone(R.ok(), Error);
			}
			OnSessionStopped.Broadcast(RequestId, R.ok(), Error);
		});
}

int32 UGameyeSubsystem::ListSessions(const FString& FilterJson)
{
	const std::string Filter(TCHAR_TO_UTF8(*FilterJson));
	return Submit(Client.list_sessions_async(FilterJson.IsEmpty() ? gameye::CStr(nullptr) : gameye::CStr(Filter)),
		[this](int32 RequestId, const gameye::Result<gameye::SessionList>& R) {
			TArray<FGameyeSessionInfo> Sessions;
			if (R.ok())
			{
				for (gameye::SessionInfo S : R.value())
				{
					Sessions.Add(ToInfo(S));
				}
			}
			OnSessionsListed.Broadcast(RequestId, R.ok(), Sessions, ErrorOf(R));
		});
}

int32 UGameyeSubsystem::GetSession(const FString& SessionId)
{
	return Submit(Client.get_session_async(std::string(TCHAR_TO_UTF8(*SessionId))),
		[this](int32 RequestId, const gameye::Result<gameye::SessionDetails>& R) {
			const FGameyeSessionInfo Info = R.ok() ? ToInfo(R.value().info()) : FGameyeSessionInfo();
			OnSessionDescribed.Broadcast(RequestId, R.ok(), Info, ErrorOf(R));
		});
}

int32 UGameyeSubsystem::JoinPlayers(const FString& SessionId, const TArray<FString>& PlayerIds)
{
	const FUtf8Strings Players(PlayerIds);
	return Submit(Client.join_players_async(std::string(TCHAR_TO_UTF8(*SessionId)), Players.Pointers.GetData(),
					  static_cast<size_t>(Players.Pointers.Num())),
		[this](int32 RequestId, const gameye::Result<gameye::Players>& R) {
			OnPlayersChanged.Broadcast(RequestId, R.ok(), R.ok() ? R.value().player_count() : -1, ErrorOf(R));
		});
}

int32 UGameyeSubsystem::LeavePlayers(const TArray<FString>& PlayerIds)
{
	const FUtf8Strings Players(PlayerIds);
	return Submit(Client.leave_players_async(Players.Pointers.GetData(), static_cast<size_t>(Players.Pointers.Num())),
		[this](int32 RequestId, const gameye::Result<gameye::Players>& R) {
			OnPlayersChanged.Broadcast(RequestId, R.ok(), R.ok() ? R.value().player_count() : -1, ErrorOf(R));
		});
}

int32 UGameyeSubsystem::GetAvailableLocations(const FString& Image)
{
	return Submit(Client.available_locations_async(std::string(TCHAR_TO_UTF8(*Image))),
		[this](int32 RequestId, const gameye::Result<gameye::Locations>& R) {
			TArray<FGameyeLocation> Locations;
			if (R.ok())
			{
				for (gameye::Location L : R.value())
				{
					FGameyeLocation& Location = Locations.AddDefaulted_GetRef();
					Location.Id = ToFString(L.id());
					for (std::string_view Ip : L.ips())
					{
						Location.PingIps.Add(ToFString(Ip));
					}
				}
			}
			OnLocations.Broadcast(RequestId, R.ok(), Locations, ErrorOf(R));
		});
}

#endif  // GAMEYE_SUPPORTED
