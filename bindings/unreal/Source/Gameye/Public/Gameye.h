// The Gameye runtime module: loads libgameye and owns its log routing.

#pragma once

#include "CoreMinimal.h"
#include "Modules/ModuleInterface.h"

GAMEYE_API DECLARE_LOG_CATEGORY_EXTERN(LogGameye, Log, All);

class FGameyeModule : public IModuleInterface
{
public:
	virtual void StartupModule() override;
	virtual void ShutdownModule() override;

	/** Whether libgameye was loaded (always true where it is linked statically). */
	static bool IsLibraryLoaded();

private:
	void* LibraryHandle = nullptr;
};
