// Blueprint-visible copies of libgameye's results. They are plain UE values
// (FString, TArray), so unlike gameye.hpp's views they may be kept freely.

#pragma once

#include "CoreMinimal.h"
#include "GameyeTypes.generated.h"

/** One mapped port of a session. */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyePort
{
	GENERATED_BODY()

	/** "tcp" or "udp" (or a newer name). */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Protocol;

	/** The port inside the container. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 ContainerPort = 0;

	/** The port on the host that players connect to. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 HostPort = 0;
};

/** A started session: where players connect. */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyeSession
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Id;

	/** The IP address players connect to. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Host;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TArray<FGameyePort> Ports;
};

/** A listed or described session. */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyeSessionInfo
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Id;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Image;

	/** Empty when the server did not say. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Tag;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Location;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Host;

	/** Creation time in milliseconds since the Unix epoch. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int64 CreatedMs = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TArray<FGameyePort> Ports;

	/** "running", "exited", ... as the API spells it; empty when unknown. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Status;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TMap<FString, FString> Labels;

	/** -1 when the server did not say. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int64 PlayerCount = -1;

	/** The players who joined (described sessions only). */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TArray<FString> JoinedPlayers;
};

/** A location that can host an image, with addresses to ping. */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyeLocation
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Id;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TArray<FString> PingIps;
};

/** Why a call failed (Status 0 means it did not). */
USTRUCT(BlueprintType)
struct GAMEYE_API FGameyeError
{
	GENERATED_BODY()

	/** A GAMEYE_STATUS_* number (gameye::Status); 0 on success. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 Status = 0;

	/** Such as "GAMEYE_STATUS_NOT_FOUND". */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString StatusName;

	/** 0 when no response arrived. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	int32 HttpStatus = 0;

	/** Readable; never contains the token. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Message;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Code;

	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Details;

	/** The API's request identifier: quote it to support. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	FString Identifier;

	/** "field: description", one per invalid field. */
	UPROPERTY(BlueprintReadOnly, Category = "Gameye")
	TArray<FString> Violations;
};

/** libgameye's log levels. */
UENUM(BlueprintType)
enum class EGameyeLogLevel : uint8
{
	Off = 0,
	Error = 1,
	Warn = 2,
	Info = 3,
	Debug = 4,
	Trace = 5,
};
