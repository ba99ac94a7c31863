// Stand-in (see CoreMinimal.h): a stat id, with stats compiled out.

#pragma once

#include "CoreMinimal.h"

struct TStatId
{
};

// The stat groups the plugin names; an unknown group does not compile.
struct FStatGroup_STATGROUP_Tickables
{
};

#define RETURN_QUICK_DECLARE_CYCLE_STAT(StatId, StatGroup)                 \
	static_assert(sizeof(FStatGroup_##StatGroup) > 0, "unknown stat group"); \
	return TStatId()
