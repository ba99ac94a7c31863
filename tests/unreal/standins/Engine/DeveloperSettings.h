// Stand-in (see CoreMinimal.h): UDeveloperSettings (DeveloperSettings module).

#pragma once

#include "CoreMinimal.h"
#include "UObject/Object.h"

class UDeveloperSettings : public UObject
{
public:
	using Super = UDeveloperSettings;

	virtual FName GetContainerName() const { return FName(TEXT("Project")); }
	virtual FName GetCategoryName() const { return CategoryName; }
	virtual FName GetSectionName() const { return SectionName; }

protected:
	FName CategoryName;
	FName SectionName;
};
