// Project Settings > Plugins > Gameye.

#pragma once

#include "CoreMinimal.h"
#include "Engine/DeveloperSettings.h"
#include "GameyeTypes.h"
#include "GameyeSettings.generated.h"

UCLASS(Config = Game, DefaultConfig, meta = (DisplayName = "Gameye"))
class GAMEYE_API UGameyeSettings : public UDeveloperSettings
{
	GENERATED_BODY()

public:
	UGameyeSettings() { CategoryName = TEXT("Plugins"); }

	/** Create the client when the game instance starts. Otherwise call InitializeClient. */
	UPROPERTY(Config, EditAnywhere, Category = "Client")
	bool bInitializeOnStartup = false;

	/**
	 * The API token. Leave it empty to read GAMEYE_TOKEN from the environment
	 * (a dedicated server or backend): a token in DefaultGame.ini ships inside
	 * every packaged build.
	 */
	UPROPERTY(Config, EditAnywhere, Category = "Client")
	FString Token;

	/** Empty: the sandbox. Or a full URL such as https://api.production-gameye.gameye.net. */
	UPROPERTY(Config, EditAnywhere, Category = "Client")
	FString BaseUrl;

	/** 0: the library's default (30 s). */
	UPROPERTY(Config, EditAnywhere, Category = "Client", meta = (ClampMin = "0", Units = "ms"))
	int32 RequestTimeoutMs = 0;

	/** Route libgameye's log events into LogGameye at this level and above. */
	UPROPERTY(Config, EditAnywhere, Category = "Logging")
	EGameyeLogLevel LibraryLogLevel = EGameyeLogLevel::Warn;
};
