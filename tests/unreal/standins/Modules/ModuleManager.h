// Stand-in (see CoreMinimal.h): IMPLEMENT_MODULE (Core). UE registers a
// factory under the module's name; here a function that makes one.

#pragma once

#include "CoreMinimal.h"
#include "Modules/ModuleInterface.h"

#define IMPLEMENT_MODULE(ModuleImplClass, ModuleName)                                                    \
	static_assert(std::is_base_of_v<IModuleInterface, ModuleImplClass>, "a module implements IModuleInterface"); \
	IModuleInterface* StandInInitializeModule_##ModuleName() { return new ModuleImplClass(); }
