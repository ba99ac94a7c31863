/*
 * Prints the layout of every struct in gameye.h as this platform's C compiler
 * sees it ("GameyeResult.status 0", "GameyeResult sizeof 176"), so the C# tests
 * can check that bindings/csharp/Runtime/NativeTypes.cs mirrors it exactly.
 */
#include <stddef.h>
#include <stdio.h>

#include "gameye.h"

#define F(type, field) printf("%s.%s %zu\n", #type, #field, offsetof(type, field))
#define S(type) printf("%s sizeof %zu\n", #type, sizeof(type))

int main(void) {
    S(GameyeViolation);
    F(GameyeViolation, field);
    F(GameyeViolation, description);

    S(GameyePort);
    F(GameyePort, protocol);
    F(GameyePort, container);
    F(GameyePort, host);

    S(GameyeSession);
    F(GameyeSession, id);
    F(GameyeSession, host);
    F(GameyeSession, ports);
    F(GameyeSession, ports_len);

    S(GameyeKeyValue);
    F(GameyeKeyValue, key);
    F(GameyeKeyValue, value);

    S(GameyeSessionInfo);
    F(GameyeSessionInfo, id);
    F(GameyeSessionInfo, image);
    F(GameyeSessionInfo, tag);
    F(GameyeSessionInfo, location);
    F(GameyeSessionInfo, host);
    F(GameyeSessionInfo, created_ms);
    F(GameyeSessionInfo, ports);
    F(GameyeSessionInfo, ports_len);
    F(GameyeSessionInfo, status);
    F(GameyeSessionInfo, state);
    F(GameyeSessionInfo, labels);
    F(GameyeSessionInfo, labels_len);
    F(GameyeSessionInfo, player_count);
    F(GameyeSessionInfo, joined);
    F(GameyeSessionInfo, joined_len);

    S(GameyeLocation);
    F(GameyeLocation, id);
    F(GameyeLocation, ips);
    F(GameyeLocation, ips_len);

    S(GameyeResult);
    F(GameyeResult, status);
    F(GameyeResult, http_status);
    F(GameyeResult, message);
    F(GameyeResult, code);
    F(GameyeResult, details);
    F(GameyeResult, identifier);
    F(GameyeResult, violations);
    F(GameyeResult, violations_len);
    F(GameyeResult, body);
    F(GameyeResult, body_len);
    F(GameyeResult, session);
    F(GameyeResult, sessions);
    F(GameyeResult, sessions_len);
    F(GameyeResult, session_info);
    F(GameyeResult, player_count);
    F(GameyeResult, players);
    F(GameyeResult, players_len);
    F(GameyeResult, text);
    F(GameyeResult, text_len);
    F(GameyeResult, locations);
    F(GameyeResult, locations_len);
    F(GameyeResult, tag_exists);
    F(GameyeResult, stop_outcome);
    F(GameyeResult, bytes_written);
    F(GameyeResult, attempts);
    return 0;
}
