// Stand-in (see CoreMinimal.h) for what UnrealHeaderTool writes from GameyeTypes.h.
// Like UHT's, it must be included once, last, from a header with #pragma once.

#ifdef STANDIN_GameyeTypes_generated_h
#error "GameyeTypes.generated.h already included, missing '#pragma once' in GameyeTypes.h"
#endif
#define STANDIN_GameyeTypes_generated_h

#include "UObject/ObjectMacros.h"
