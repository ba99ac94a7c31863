/*
 * The fault matrix through the C ABI: every row of tests/fault-matrix.txt
 * against create, get, list and stop, with faults armed over the emulator's
 * loopback control endpoint (it runs with --control). Under valgrind via
 * tests/c/run.sh.
 */
#include "harness.h"
#include <time.h>

static const char *kind_name(GameyeStatus s) {
    switch (s) {
        case GAMEYE_STATUS_OK: return "ok";
        case GAMEYE_STATUS_TIMEOUT: return "timeout";
        case GAMEYE_STATUS_TRANSPORT: return "transport";
        case GAMEYE_STATUS_CONNECT: return "connect";
        case GAMEYE_STATUS_SERVER_ERROR: return "server_error";
        case GAMEYE_STATUS_NO_CAPACITY: return "no_capacity";
        case GAMEYE_STATUS_DECODE: return "decode";
        case GAMEYE_STATUS_CONFLICT: return "conflict";
        case GAMEYE_STATUS_NOT_FOUND: return "not_found";
        default: return "other";
    }
}

static char *trim(char *s) {
    while (*s == ' ') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r')) *--e = '\0';
    return s;
}

static const char *endpoints[4] = {"create", "get", "list", "stop"};

static void run_cell(GameyeClient *c, int endpoint, const char *name, const char *rule,
                     const char *expected) {
    CHECK(emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0) == 204, "clear faults");
    GameyeResult *setup = gameye_session_create(c, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    if (setup->status != GAMEYE_STATUS_OK) {
        CHECK(0, "setup create: %s", setup->message);
        gameye_result_free(setup);
        return;
    }
    const char *methods[4] = {"POST", "GET", "GET", "DELETE"};
    const char *paths[4] = {"/session", "/session/*", "/session", "/session/*"};
    /* The rule is an object: splice method and path in after its brace. */
    char armed[1024];
    snprintf(armed, sizeof armed, "{\"method\":\"%s\",\"path\":\"%s\",%s", methods[endpoint],
             paths[endpoint], rule + 1);
    CHECK(emulator_control("POST", "/_emulator/faults", armed, NULL, 0) == 201, "arm %s", armed);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    GameyeResult *r = NULL;
    switch (endpoint) {
        case 0: r = gameye_session_create(c, "{\"location\":\"europe\",\"image\":\"nginx\"}"); break;
        case 1: r = gameye_session_get(c, setup->session->id); break;
        case 2: r = gameye_session_list(c, NULL); break;
        default: r = gameye_session_stop(c, setup->session->id, 0); break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(strcmp(kind_name(r->status), expected) == 0, "%s / %s: expected %s, got %s (%s)", name,
          endpoints[endpoint], expected, gameye_status_name(r->status),
          r->message ? r->message : "");
    CHECK(took < 6.0, "%s / %s within the deadline: %.1fs", name, endpoints[endpoint], took);
    if (r->status != GAMEYE_STATUS_OK) {
        CHECK(r->message != NULL && r->attempts >= 1, "error named, attempts %u", r->attempts);
    }
    gameye_result_free(r);
    gameye_result_free(setup);
    emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0);
}

int main(int argc, char **argv) {
    harness_init();
    const char *matrix = argc > 1 ? argv[1] : "tests/fault-matrix.txt";
    FILE *f = fopen(matrix, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", matrix);
        return 2;
    }
    GameyeClient *c = new_client_with(
        "gameye-emulator-token",
        "\"request_timeout_ms\":500,\"retry\":{\"max_attempts\":4,\"initial_backoff_ms\":20,"
        "\"max_backoff_ms\":100,\"deadline_ms\":3000}");

    char line[2048];
    int rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || trim(line)[0] == '\0') continue;
        char *cols[6];
        int n = 0;
        char *p = line;
        while (n < 6) {
            char *sep = strstr(p, " | ");
            cols[n++] = p;
            if (sep == NULL) break;
            *sep = '\0';
            p = sep + 3;
        }
        if (n != 6) {
            CHECK(0, "bad matrix line");
            continue;
        }
        for (int i = 0; i < 6; i++) cols[i] = trim(cols[i]);
        for (int e = 0; e < 4; e++) run_cell(c, e, cols[0], cols[1], cols[2 + e]);
        rows++;
    }
    fclose(f);
    CHECK(rows >= 15, "matrix rows: %d", rows);
    gameye_client_free(c);
    return harness_finish();
}
