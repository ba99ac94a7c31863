/*
 * A consumer of an installed libgameye: built by tests/install/run.sh with
 * pkg-config (shared and static) and with CMake (gameye::gameye and
 * gameye::gameye_static) against a tree made by scripts/install.sh.
 *
 * Checks that the library's gameye_version() matches the header it was
 * compiled with, creates a client for GAMEYE_TEST_BASE_URL (the emulator),
 * starts a session and prints it. Exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gameye.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define HEADER_VERSION \
    STR(GAMEYE_VERSION_MAJOR) "." STR(GAMEYE_VERSION_MINOR) "." STR(GAMEYE_VERSION_PATCH)

int main(void) {
    const char *version = gameye_version();
    if (version == NULL || strcmp(version, HEADER_VERSION) != 0) {
        fprintf(stderr, "app: gameye_version() is %s, the header says %s\n",
                version ? version : "NULL", HEADER_VERSION);
        return 1;
    }

    const char *base_url = getenv("GAMEYE_TEST_BASE_URL");
    if (base_url == NULL || base_url[0] == '\0') {
        fprintf(stderr, "app: GAMEYE_TEST_BASE_URL is not set\n");
        return 1;
    }
    char config[512];
    int n = snprintf(config, sizeof config,
                     "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\"}", base_url);
    if (n < 0 || (size_t)n >= sizeof config) {
        fprintf(stderr, "app: GAMEYE_TEST_BASE_URL is too long\n");
        return 1;
    }

    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "app: client: %s: %s\n", gameye_status_name(r->status),
                r->message ? r->message : "");
        gameye_result_free(r);
        return 1;
    }
    gameye_result_free(r);

    int status = 0;
    r = gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "app: session: %s: %s\n", gameye_status_name(r->status),
                r->message ? r->message : "");
        status = 1;
    } else if (r->session == NULL || r->session->id[0] == '\0' || r->session->ports_len == 0) {
        fprintf(stderr, "app: session: incomplete session in an OK result\n");
        status = 1;
    } else {
        printf("libgameye %s: session %s at %s\n", version, r->session->id, r->session->host);
        for (size_t i = 0; i < r->session->ports_len; i++) {
            printf("  %s %u -> %u\n", r->session->ports[i].protocol,
                   (unsigned)r->session->ports[i].container, (unsigned)r->session->ports[i].host);
        }
    }
    gameye_result_free(r);
    gameye_client_free(client);
    return status;
}
