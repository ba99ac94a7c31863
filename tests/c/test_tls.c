/*
 * C test of https: every operation of the API through libgameye, over TLS,
 * against the emulator serving https with a test CA (GAMEYE_TEST_TLS_BASE_URL
 * and GAMEYE_TEST_CA, from start_tls_emulator in tests/lib/common.sh). The
 * client trusts the CA through "ca_bundle_path"; a client without it is
 * refused with GAMEYE_STATUS_TLS. test_endpoints.c checks each answer in
 * detail over plain http; here each operation is sent once over https.
 */
#include "harness.h"
#include <time.h>

static char run_id[32];
static char ca_path[512];

/* Reads the https emulator's URL and CA; exits with 2 when they are not set. */
static void tls_init(void) {
    static char url[128];
    const char *env_url = getenv("GAMEYE_TEST_TLS_BASE_URL");
    const char *env_ca = getenv("GAMEYE_TEST_CA");
    if (env_url == NULL || env_ca == NULL || strncmp(env_url, "https://", 8) != 0 ||
        strlen(env_url) >= sizeof url || strlen(env_ca) >= sizeof ca_path ||
        strpbrk(env_ca, "\"\\") != NULL) {
        fprintf(stderr,
                "GAMEYE_TEST_TLS_BASE_URL (https://...) and GAMEYE_TEST_CA are not set "
                "(run through tests/c/run.sh)\n");
        exit(2);
    }
    snprintf(url, sizeof url, "%s", env_url);
    snprintf(ca_path, sizeof ca_path, "%s", env_ca);
    /* The harness's clients use this URL. */
    base_url = url;
}

static GameyeClient *trusting_client(void) {
    char extra[640];
    snprintf(extra, sizeof extra, "\"ca_bundle_path\":\"%s\",\"request_timeout_ms\":30000",
             ca_path);
    return new_client_with("gameye-emulator-token", extra);
}

static size_t bytes_seen;
static unsigned char magic[2];

static int32_t collect(void *userdata, const uint8_t *data, size_t len) {
    (void)userdata;
    if (bytes_seen == 0 && len >= 2) memcpy(magic, data, 2);
    bytes_seen += len;
    return 0;
}

static void test_sessions_and_players(GameyeClient *c, const char *id) {
    char json[256];
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"location\":\"europe\",\"image\":\"nginx\",\"labels\":{\"run\":\"%s\"}}",
             id, run_id);
    GameyeResult *r = gameye_session_create(c, json);
    if (expect_status(r, GAMEYE_STATUS_OK, "create")) {
        CHECK(r->http_status == 201, "http %u", r->http_status);
    }
    gameye_result_free(r);

    char filter[128];
    snprintf(filter, sizeof filter, "{\"labels\":{\"run\":\"%s\"}}", run_id);
    r = gameye_session_list(c, filter);
    if (expect_status(r, GAMEYE_STATUS_OK, "list")) {
        CHECK(r->sessions_len == 1 && strcmp(r->sessions[0].id, id) == 0, "listed %zu",
              r->sessions_len);
    }
    gameye_result_free(r);

    const char *players[] = {"p1", "p2"};
    r = gameye_players_join(c, id, players, 2);
    if (expect_status(r, GAMEYE_STATUS_OK, "join")) CHECK(r->player_count == 2, "joined two");
    gameye_result_free(r);
    r = gameye_players_leave(c, players, 1);
    if (expect_status(r, GAMEYE_STATUS_OK, "leave")) CHECK(r->player_count == 1, "left one");
    gameye_result_free(r);

    /* The async form goes the same way. */
    GameyeOperation *op = gameye_session_get_async(c, id);
    CHECK(op != NULL && gameye_operation_wait(op, 30000) == 1, "async get done");
    r = gameye_operation_take_result(op);
    if (expect_status(r, GAMEYE_STATUS_OK, "get (async)")) {
        CHECK(r->session_info != NULL && r->session_info->joined_len == 1 &&
                  strcmp(r->session_info->joined[0], "p2") == 0,
              "described over https");
    }
    gameye_result_free(r);
    gameye_operation_free(op);
}

static void test_logs_artifacts(GameyeClient *c, const char *id) {
    GameyeResult *r = gameye_session_stop(c, id, 0);
    if (expect_status(r, GAMEYE_STATUS_OK, "stop")) {
        CHECK(r->http_status == 204 && r->stop_outcome == GAMEYE_STOP_OUTCOME_STOPPED, "stopped");
    }
    gameye_result_free(r);

    r = gameye_logs_get(c, id);
    if (expect_status(r, GAMEYE_STATUS_OK, "logs")) CHECK(r->text_len > 0, "log text");
    gameye_result_free(r);

    GameyeLogStream *stream = NULL;
    r = gameye_logs_follow(c, id, &stream);
    expect_status(r, GAMEYE_STATUS_OK, "follow");
    gameye_result_free(r);
    int lines = 0, ended = 0;
    for (int i = 0; i < 10000 && stream != NULL && !ended; i++) {
        r = gameye_log_stream_next(stream);
        if (!expect_status(r, GAMEYE_STATUS_OK, "next line")) {
            gameye_result_free(r);
            break;
        }
        if (r->text == NULL) ended = 1;
        else lines++;
        gameye_result_free(r);
    }
    CHECK(lines > 0 && ended, "lines %d, ended %d", lines, ended);
    gameye_log_stream_free(stream);

    r = gameye_artifacts_download(c, id, "/", collect, NULL);
    if (expect_status(r, GAMEYE_STATUS_OK, "artifact")) {
        CHECK(r->bytes_written == bytes_seen && bytes_seen > 20, "bytes %zu", bytes_seen);
        CHECK(magic[0] == 0x1f && magic[1] == 0x8b, "gzip magic");
    }
    gameye_result_free(r);
}

static void test_locations_tags(GameyeClient *c) {
    GameyeResult *r = gameye_locations_available(c, "nginx");
    if (expect_status(r, GAMEYE_STATUS_OK, "locations")) {
        CHECK(r->locations_len > 0, "locations %zu", r->locations_len);
    }
    gameye_result_free(r);
    r = gameye_tag_exists(c, "europe", "nginx", "1.25");
    if (expect_status(r, GAMEYE_STATUS_OK, "tag")) CHECK(r->tag_exists == 1, "tag exists");
    gameye_result_free(r);
}

/* Without the CA bundle the emulator's certificate is not trusted. */
static void test_untrusted(void) {
    GameyeClient *strict = new_client_with("gameye-emulator-token", "\"retry\":{\"max_attempts\":1}");
    GameyeResult *r = gameye_session_get(strict, "x");
    expect_status(r, GAMEYE_STATUS_TLS, "no ca_bundle_path: refused");
    gameye_result_free(r);
    gameye_client_free(strict);
}

int main(void) {
    tls_init();
    harness_deadline("https tests", 300);
    snprintf(run_id, sizeof run_id, "tls%ld-%ld", (long)getpid(), (long)time(NULL));
    char id[64];
    snprintf(id, sizeof id, "%s-s", run_id);
    GameyeClient *c = trusting_client();
    if (c != NULL) {
        test_sessions_and_players(c, id);
        test_logs_artifacts(c, id);
        test_locations_tags(c);
    }
    gameye_client_free(c);
    test_untrusted();
    harness_deadline("", 0);
    return harness_finish();
}
