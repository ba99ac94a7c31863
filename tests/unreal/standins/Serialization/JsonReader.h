// Stand-in (see CoreMinimal.h): TJsonReader, TJsonReaderFactory (Json module).

#pragma once

#include "CoreMinimal.h"

template <class CharType = TCHAR>
class TJsonReader
{
public:
	explicit TJsonReader(FString InText) : Text(MoveTemp(InText)) {}
	virtual ~TJsonReader() = default;
	const FString& StandInText() const { return Text; }

private:
	FString Text;
};

template <class CharType = TCHAR>
class TJsonReaderFactory
{
public:
	static TSharedRef<TJsonReader<TCHAR>> Create(const FString& JsonString)
	{
		return MakeShared<TJsonReader<TCHAR>>(JsonString);
	}
};
