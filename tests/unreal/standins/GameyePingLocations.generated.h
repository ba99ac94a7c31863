// Stand-in (see CoreMinimal.h) for what UnrealHeaderTool writes from GameyePingLocations.h.
// Like UHT's, it must be included once, last, from a header with #pragma once.

#ifdef STANDIN_GameyePingLocations_generated_h
#error "GameyePingLocations.generated.h already included, missing '#pragma once' in GameyePingLocations.h"
#endif
#define STANDIN_GameyePingLocations_generated_h

#include "UObject/ObjectMacros.h"
