// Stand-in (see CoreMinimal.h) for what UnrealHeaderTool writes from GameyeSettings.h.
// Like UHT's, it must be included once, last, from a header with #pragma once.

#ifdef STANDIN_GameyeSettings_generated_h
#error "GameyeSettings.generated.h already included, missing '#pragma once' in GameyeSettings.h"
#endif
#define STANDIN_GameyeSettings_generated_h

#include "UObject/ObjectMacros.h"
