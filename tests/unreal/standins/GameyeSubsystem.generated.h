// Stand-in (see CoreMinimal.h) for what UnrealHeaderTool writes from GameyeSubsystem.h.
// Like UHT's, it must be included once, last, from a header with #pragma once.

#ifdef STANDIN_GameyeSubsystem_generated_h
#error "GameyeSubsystem.generated.h already included, missing '#pragma once' in GameyeSubsystem.h"
#endif
#define STANDIN_GameyeSubsystem_generated_h

#include "UObject/ObjectMacros.h"
