/*
 * C tests of libgameye's gameye_session_create, against a running emulator.
 *
 * Needs GAMEYE_TEST_BASE_URL (e.g. http://127.0.0.1:8080) pointing at
 * `gameye-emulator --config tests/emulator-config.json`. Run by tests/c/run.sh,
 * which starts the emulator and runs this program under valgrind.
 */
#include "harness.h"
#include <pthread.h>

/* Checks a result's status, printing its message when it differs. */
static int has_violation(const GameyeResult *r, const char *field) {
    for (size_t i = 0; i < r->violations_len; i++) {
        if (strcmp(r->violations[i].field, field) == 0 && r->violations[i].description[0] != '\0') {
            return 1;
        }
    }
    return 0;
}

static void test_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", GAMEYE_VERSION_MAJOR, GAMEYE_VERSION_MINOR,
             GAMEYE_VERSION_PATCH);
    CHECK(strcmp(gameye_version(), expected) == 0, "header %s, library %s", expected,
          gameye_version());
    CHECK(strcmp(gameye_status_name(GAMEYE_STATUS_NOT_FOUND), "GAMEYE_STATUS_NOT_FOUND") == 0,
          "status name");
    CHECK(strcmp(gameye_status_name(12345), "GAMEYE_STATUS_UNKNOWN") == 0, "unknown status");
    CHECK(gameye_result_status(NULL) == GAMEYE_STATUS_NULL_ARGUMENT, "status of NULL");
}

static void test_client_config_errors(void) {
    GameyeClient *client = (GameyeClient *)0x1; /* must be overwritten with NULL */
    GameyeResult *r = gameye_client_new(NULL, &client);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL config");
    CHECK(client == NULL, "client_out reset on error");
    CHECK(strstr(r->message, "config_json") != NULL, "names the argument: %s", r->message);
    gameye_result_free(r);

    r = gameye_client_new("{\"token\":\"t\"}", NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL client_out");
    gameye_result_free(r);

    struct {
        const char *json;
        const char *field;
    } bad[] = {
        {"{}", "token"},
        {"{\"token\":\"\"}", "token"},
        {"not json", "(config)"},
        {"{\"token\":\"t\",\"colour\":1}", "(config)"},
        {"{\"token\":\"t\",\"base_url\":\"http://example.com\"}", "base_url"},
        {"{\"token\":\"t\",\"base_url\":\"ftp://x\"}", "base_url"},
        {"{\"token\":\"t\",\"request_timeout_ms\":0}", "request_timeout"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = gameye_client_new(bad[i].json, &client);
        expect_status(r, GAMEYE_STATUS_INVALID_CONFIG, bad[i].json);
        CHECK(has_violation(r, bad[i].field), "%s names %s: %s", bad[i].json, bad[i].field,
              r->message);
        CHECK(client == NULL, "no client on error");
        gameye_result_free(r);
    }

    /* The token never appears in messages. */
    r = gameye_client_new("{\"token\":\"s3cr3t tok\"}", &client);
    expect_status(r, GAMEYE_STATUS_INVALID_CONFIG, "token with space");
    CHECK(strstr(r->message, "s3cr3t") == NULL, "token leaked: %s", r->message);
    gameye_result_free(r);

    /* Explicitly allowed insecure http to a remote host is accepted. */
    r = gameye_client_new(
        "{\"token\":\"t\",\"base_url\":\"http://example.com\",\"allow_insecure_http\":true}",
        &client);
    expect_status(r, GAMEYE_STATUS_OK, "allow_insecure_http");
    gameye_result_free(r);
    gameye_client_free(client);

    const char bad_utf8[] = {'{', '"', 't', 'o', 'k', 'e', 'n', '"', ':', '"', (char)0xff, '"', '}', 0};
    r = gameye_client_new(bad_utf8, &client);
    expect_status(r, GAMEYE_STATUS_INVALID_UTF8, "invalid UTF-8 config");
    gameye_result_free(r);

    gameye_client_free(NULL);
    gameye_result_free(NULL);
}

static void test_create_success(GameyeClient *client) {
    GameyeResult *r =
        gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"nginx\","
                                      "\"env\":{\"MODE\":\"duel\"},\"args\":[\"--max=8\"],"
                                      "\"labels\":{\"queue\":\"eu-1\"},\"ttl\":\"2h30m\","
                                      "\"restart\":false,\"version\":\"1.25\"}");
    if (expect_status(r, GAMEYE_STATUS_OK, "create")) {
        CHECK(r->http_status == 201, "http %u", r->http_status);
        CHECK(r->message == NULL, "no message on success");
        CHECK(r->session != NULL, "session");
        CHECK(strlen(r->session->id) == 36 && r->session->id[14] == '4', "uuid v4 id: %s",
              r->session->id);
        CHECK(strcmp(r->session->host, "127.0.0.1") == 0, "host %s", r->session->host);
        CHECK(r->session->ports_len == 1, "ports_len %zu", r->session->ports_len);
        CHECK(strcmp(r->session->ports[0].protocol, "tcp") == 0, "protocol");
        CHECK(r->session->ports[0].container == 80, "container port");
        CHECK(r->session->ports[0].host > 0, "host port");
        CHECK(r->body != NULL && r->body_len == strlen(r->body), "raw body");
        CHECK(strstr(r->body, r->session->id) != NULL, "body holds id: %s", r->body);
    }
    gameye_result_free(r);

    r = gameye_session_create(client, "{\"id\":\"c-given-id\",\"location\":\"europe\","
                                      "\"image\":\"my-game\"}");
    if (expect_status(r, GAMEYE_STATUS_OK, "create with id")) {
        CHECK(strcmp(r->session->id, "c-given-id") == 0, "id kept: %s", r->session->id);
        CHECK(r->session->ports_len == 2, "two ports");
        CHECK(strcmp(r->session->ports[0].protocol, "udp") == 0, "udp first");
    }
    gameye_result_free(r);

    /* 409: the same id again. */
    r = gameye_session_create(client, "{\"id\":\"c-given-id\",\"location\":\"europe\","
                                      "\"image\":\"my-game\"}");
    expect_status(r, GAMEYE_STATUS_CONFLICT, "duplicate id");
    CHECK(r->http_status == 409, "http 409");
    CHECK(r->code != NULL && r->identifier != NULL, "API error fields");
    CHECK(r->body != NULL && r->session == NULL, "error body kept, no session");
    gameye_result_free(r);
}

static void test_missing_id_falls_back(GameyeClient *client) {
    GameyeResult *r = gameye_session_create(
        client, "{\"id\":\"c-no-id\",\"location\":\"europe\",\"image\":\"fault-no-id\"}");
    if (expect_status(r, GAMEYE_STATUS_OK, "201 without id")) {
        CHECK(strstr(r->body, "c-no-id") == NULL, "server omitted the id: %s", r->body);
        CHECK(strcmp(r->session->id, "c-no-id") == 0, "sent id used: %s", r->session->id);
    }
    gameye_result_free(r);

    r = gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"fault-no-id\"}");
    if (expect_status(r, GAMEYE_STATUS_OK, "201 without id, generated")) {
        CHECK(strlen(r->session->id) == 36, "generated id used: %s", r->session->id);
    }
    gameye_result_free(r);
}

static void test_api_errors(GameyeClient *client) {
    struct {
        const char *token;
        const char *json;
        GameyeStatus status;
        unsigned http;
    } cases[] = {
        {"wrong-token", "{\"location\":\"europe\",\"image\":\"nginx\"}", GAMEYE_STATUS_UNAUTHORIZED, 401},
        {"quota-token", "{\"location\":\"europe\",\"image\":\"nginx\"}", GAMEYE_STATUS_QUOTA_EXHAUSTED, 402},
        {"read-only-token", "{\"location\":\"europe\",\"image\":\"nginx\"}", GAMEYE_STATUS_FORBIDDEN, 403},
        {NULL, "{\"location\":\"atlantis\",\"image\":\"nginx\"}", GAMEYE_STATUS_NOT_FOUND, 404},
        {NULL, "{\"location\":\"europe\",\"image\":\"no-such-image\"}", GAMEYE_STATUS_NOT_FOUND, 404},
        {NULL, "{\"location\":\"europe\",\"image\":\"nginx\",\"version\":\"9.9\"}", GAMEYE_STATUS_NOT_FOUND, 404},
        {NULL, "{\"location\":\"full\",\"image\":\"nginx\"}", GAMEYE_STATUS_NO_CAPACITY, 420},
        {NULL, "{\"location\":\"europe\",\"image\":\"nginx\",\"ttl\":\"25h\"}", GAMEYE_STATUS_INVALID_SYNTAX, 422},
        {NULL, "{\"location\":\"europe\",\"image\":\"fault-500\"}", GAMEYE_STATUS_SERVER_ERROR, 503},
        {NULL, "{\"location\":\"europe\",\"image\":\"fault-html\"}", GAMEYE_STATUS_SERVER_ERROR, 502},
        {NULL, "{\"location\":\"europe\",\"image\":\"fault-malformed\"}", GAMEYE_STATUS_DECODE, 201},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GameyeClient *c = cases[i].token ? new_client(cases[i].token, 10000) : client;
        GameyeResult *r = gameye_session_create(c, cases[i].json);
        char what[256];
        snprintf(what, sizeof what, "%s %s", cases[i].token ? cases[i].token : "", cases[i].json);
        expect_status(r, cases[i].status, what);
        CHECK(r->http_status == cases[i].http, "%s: http %u", what, r->http_status);
        CHECK(r->message != NULL && r->message[0] != '\0', "%s: message", what);
        CHECK(r->body != NULL, "%s: raw body kept", what);
        CHECK(r->session == NULL, "%s: no session", what);
        if (cases[i].status == GAMEYE_STATUS_INVALID_SYNTAX) {
            CHECK(has_violation(r, "ttl"), "422 violation names ttl: %s", r->message);
        }
        if (cases[i].http != 201 && cases[i].http != 502) {
            CHECK(r->code != NULL && r->identifier != NULL && r->details != NULL,
                  "%s: API error fields", what);
        }
        if (cases[i].token) {
            CHECK(strstr(r->message, cases[i].token) == NULL, "token in message: %s", r->message);
            gameye_client_free(c);
        }
        gameye_result_free(r);
    }
}

static void test_transport_errors(void) {
    GameyeClient *slow = new_client("gameye-emulator-token", 300);
    GameyeResult *r =
        gameye_session_create(slow, "{\"location\":\"europe\",\"image\":\"fault-stall\"}");
    expect_status(r, GAMEYE_STATUS_TIMEOUT, "stalled server");
    CHECK(r->http_status == 0, "no response");
    gameye_result_free(r);
    gameye_client_free(slow);

    GameyeClient *closed = NULL;
    r = gameye_client_new("{\"token\":\"t\",\"base_url\":\"http://127.0.0.1:1\"}", &closed);
    gameye_result_free(r);
    r = gameye_session_create(closed, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    expect_status(r, GAMEYE_STATUS_CONNECT, "closed port");
    gameye_result_free(r);
    gameye_client_free(closed);
}

static void test_bad_input(GameyeClient *client) {
    GameyeResult *r = gameye_session_create(NULL, "{}");
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL client");
    CHECK(strstr(r->message, "client") != NULL, "names client");
    gameye_result_free(r);

    r = gameye_session_create(client, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL request");
    CHECK(strstr(r->message, "request_json") != NULL, "names request_json");
    gameye_result_free(r);

    r = gameye_session_create(client, "{\"location\":");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "truncated JSON");
    CHECK(has_violation(r, "(body)"), "names the body");
    CHECK(r->http_status == 0 && r->body == NULL, "nothing sent");
    gameye_result_free(r);

    const char bad_utf8[] = {'{', '"', 'l', '"', ':', '"', (char)0xc3, (char)0x28, '"', '}', 0};
    r = gameye_session_create(client, bad_utf8);
    expect_status(r, GAMEYE_STATUS_INVALID_UTF8, "invalid UTF-8");
    CHECK(strstr(r->message, "request_json") != NULL, "names request_json: %s", r->message);
    gameye_result_free(r);

    r = gameye_session_create(client,
                              "{\"location\":\"europe\",\"image\":\"nginx\",\"colour\":\"red\"}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "unknown field");
    CHECK(has_violation(r, "colour"), "names colour: %s", r->message);
    gameye_result_free(r);

    r = gameye_session_create(client, "{\"location\":\"\",\"ttl\":\"90s\",\"args\":[\"\"]}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "several bad fields");
    CHECK(has_violation(r, "location") && has_violation(r, "image") && has_violation(r, "ttl") &&
              has_violation(r, "args[0]"),
          "names every field: %s", r->message);
    gameye_result_free(r);

    /* Deeply nested JSON must fail cleanly, not overflow the stack. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    r = gameye_session_create(client, deep);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "deep JSON");
    gameye_result_free(r);
    free(deep);

    /* A large but valid request (1 MiB of labels) is sent, not truncated. */
    size_t big = 1 << 20;
    char *json = malloc(big + 128);
    int n = snprintf(json, 128, "{\"location\":\"europe\",\"image\":\"nginx\",\"labels\":{\"big\":\"");
    memset(json + n, 'x', big);
    strcpy(json + n + big, "\"}}");
    r = gameye_session_create(client, json);
    CHECK(r->status == GAMEYE_STATUS_OK || r->http_status == 413 || r->http_status == 422,
          "large request gets a clean answer: %s", gameye_status_name(r->status));
    gameye_result_free(r);
    free(json);
}

#define THREADS 8
#define PER_THREAD 25

struct thread_arg {
    const GameyeClient *client;
    char ids[PER_THREAD][64];
    int ok;
};

static void *create_many(void *p) {
    struct thread_arg *arg = p;
    for (int i = 0; i < PER_THREAD; i++) {
        GameyeResult *r =
            gameye_session_create(arg->client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
        if (r->status == GAMEYE_STATUS_OK) {
            arg->ok++;
            snprintf(arg->ids[i], sizeof arg->ids[i], "%s", r->session->id);
        } else {
            fprintf(stderr, "thread create failed: %s\n", r->message);
        }
        gameye_result_free(r);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void test_shared_client_threads(GameyeClient *client) {
    static struct thread_arg args[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t].client = client;
        args[t].ok = 0;
        pthread_create(&threads[t], NULL, create_many, &args[t]);
    }
    int ok = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        ok += args[t].ok;
    }
    CHECK(ok == THREADS * PER_THREAD, "%d of %d creates succeeded", ok, THREADS * PER_THREAD);
    static char ids[THREADS * PER_THREAD][64];
    for (int t = 0; t < THREADS; t++) {
        memcpy(ids[t * PER_THREAD], args[t].ids, sizeof args[t].ids);
    }
    qsort(ids, THREADS * PER_THREAD, sizeof ids[0], cmp_str);
    int unique = 1;
    for (int i = 1; i < THREADS * PER_THREAD; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0) unique = 0;
    }
    CHECK(unique, "ids are unique across threads");
}

int main(void) {
    harness_init();
    test_version();
    test_client_config_errors();
    GameyeClient *client = new_client("gameye-emulator-token", 10000);
    test_create_success(client);
    test_missing_id_falls_back(client);
    test_api_errors(client);
    test_transport_errors();
    test_bad_input(client);
    test_shared_client_threads(client);
    gameye_client_free(client);
    return harness_finish();
}
