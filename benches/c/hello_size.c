/*
 * Benchmark 5 (static link): the same small program built twice, without
 * libgameye and with it linked statically (-DWITH_GAMEYE, libgameye.a); the
 * difference of the two stripped executables is what a static link adds.
 * The gameye build creates a client and one session, so the whole request
 * path is linked in, and it is run by scripts/bench.sh to check that it works:
 *
 *     hello_gameye BASE_URL
 */
#include <stdio.h>
#ifdef WITH_GAMEYE
#include "gameye.h"
#endif

int main(int argc, char **argv) {
#ifdef WITH_GAMEYE
    char config[512];
    snprintf(config, sizeof config, "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\"}",
             argc > 1 ? argv[1] : "http://127.0.0.1:1");
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    int ok = r->status == GAMEYE_STATUS_OK;
    gameye_result_free(r);
    if (ok) {
        r = gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"bench\"}");
        ok = r->status == GAMEYE_STATUS_OK;
        if (ok) printf("hello from session %s\n", r->session->id);
        else fprintf(stderr, "%s: %s\n", gameye_status_name(r->status), r->message);
        gameye_result_free(r);
    }
    gameye_client_free(client);
    return ok ? 0 : 1;
#else
    (void)argc;
    (void)argv;
    printf("hello\n");
    return 0;
#endif
}
