/*
 * C tests of placing sessions near players through the real libgameye:
 * gameye_locations_ping (real ICMP echo to loopback addresses, blocking,
 * async, cancelled, from two threads at once), gameye_locations_choose, and
 * gameye_session_create_near against the emulator, where the location
 * "full" has no capacity (420). Bad input gives statuses, never a crash.
 * Bounded in time: every ping has a bound of at most 2 s.
 */
#include "harness.h"
#include <pthread.h>
#include <time.h>

static const char *LOCATIONS =
    "{\"locations\":[{\"id\":\"one\",\"ips\":[\"127.0.0.1\"]},"
    "{\"id\":\"two\",\"ips\":[\"127.0.0.2\",\"127.0.0.3\"]},"
    "{\"id\":\"bad\",\"ips\":[\"not-an-ip\"]}]}";
static const char *FAST = "{\"probes\":3,\"interval_ms\":20,\"timeout_ms\":1000}";

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int has(const GameyeResult *r, const char *needle) {
    return r != NULL && r->text != NULL && strstr(r->text, needle) != NULL;
}

/* Where `needle` first appears in the result's text, or -1. */
static long pos(const GameyeResult *r, const char *needle) {
    const char *p = r && r->text ? strstr(r->text, needle) : NULL;
    return p ? (long)(p - r->text) : -1;
}

/* Checks a loopback ping report: every probe to every IP answered. */
static void check_report(const GameyeResult *r, const char *what) {
    if (!expect_status(r, GAMEYE_STATUS_OK, what)) return;
#ifdef _WIN32
    /* Windows pings through the ICMP helper API (IcmpSendEcho2), no socket. */
    CHECK(has(r, "\"method\":\"icmp_api\""), "%s: method: %s", what, r->text);
#else
    CHECK(has(r, "\"method\":\"raw\"") || has(r, "\"method\":\"datagram\""), "%s: method: %s",
          what, r->text);
#endif
    CHECK(has(r, "\"id\":\"one\",\"min_ms\":"), "%s: one measured: %s", what, r->text);
    CHECK(has(r, "\"sent\":6,\"received\":6"), "%s: two: 6 of 6 over its two IPs: %s", what,
          r->text);
    CHECK(has(r, "\"ip\":\"127.0.0.3\""), "%s: per-IP figures", what);
    CHECK(has(r, "\"not-an-ip\\\" is not an IPv4 address"), "%s: bad IP named: %s", what,
          r->text);
    /* Sorted best first: the location without replies comes last. */
    CHECK(pos(r, "\"id\":\"bad\"") > pos(r, "\"id\":\"two\"") &&
              pos(r, "\"id\":\"bad\"") > pos(r, "\"id\":\"one\""),
          "%s: silent location last", what);
    CHECK(r->text_len == strlen(r->text), "%s: text_len", what);
}

static void test_ping_blocking(void) {
    double start = now_ms();
    GameyeResult *r = gameye_locations_ping(LOCATIONS, FAST);
    double took = now_ms() - start;
    check_report(r, "ping");
    CHECK(took < 1300, "bounded by timeout_ms: took %.0f ms", took);
    gameye_result_free(r);

    /* Defaults (NULL options): 5 probes within 2 s. */
    start = now_ms();
    r = gameye_locations_ping("[{\"id\":\"one\",\"ips\":[\"127.0.0.1\"]}]", NULL);
    took = now_ms() - start;
    if (expect_status(r, GAMEYE_STATUS_OK, "ping defaults"))
        CHECK(has(r, "\"sent\":5,\"received\":5"), "5 probes by default: %s", r->text);
    CHECK(took < 2300, "default bound 2 s: took %.0f ms", took);
    gameye_result_free(r);
}

static void test_ping_async(void) {
    GameyeOperation *op = gameye_locations_ping_async(LOCATIONS, FAST);
    CHECK(op != NULL, "operation");
    CHECK(gameye_operation_wait(op, 5000) == 1, "async ping completes");
    GameyeResult *r = gameye_operation_take_result(op);
    check_report(r, "ping_async");
    gameye_result_free(r);
    gameye_operation_free(op);

    /* Cancel a long ping: it completes with CANCELLED at once. */
    const char *slow = "{\"probes\":100,\"interval_ms\":100,\"timeout_ms\":20000}";
    op = gameye_locations_ping_async(LOCATIONS, slow);
    sleep_ms(50);
    double start = now_ms();
    gameye_operation_cancel(op);
    CHECK(gameye_operation_wait(op, 1000) == 1, "cancelled ping is done");
    CHECK(now_ms() - start < 500, "cancel is prompt");
    r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "cancelled ping");
    gameye_result_free(r);
    gameye_operation_free(op);

    /* Free while pending: no callback, no leak (the thread stops in ~20 ms). */
    op = gameye_locations_ping_async(LOCATIONS, slow);
    gameye_operation_free(op);

    /* Bad arguments give an operation that is already done. */
    op = gameye_locations_ping_async(NULL, NULL);
    CHECK(gameye_operation_poll(op) == 1, "done at once");
    r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "async NULL locations");
    gameye_result_free(r);
    gameye_operation_free(op);
}

static void *ping_thread(void *arg) {
    GameyeResult **out = arg;
    *out = gameye_locations_ping(LOCATIONS, FAST);
    return NULL;
}

static void test_ping_two_threads(void) {
    /* Two pings at once each see only their own replies (raw sockets see all). */
    pthread_t a, b;
    GameyeResult *ra = NULL, *rb = NULL;
    pthread_create(&a, NULL, ping_thread, &ra);
    pthread_create(&b, NULL, ping_thread, &rb);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    check_report(ra, "thread a");
    check_report(rb, "thread b");
    CHECK(ra && !has(ra, "\"received\":12"), "no reply counted twice");
    gameye_result_free(ra);
    gameye_result_free(rb);
}

static void test_ping_bad_input(void) {
    GameyeResult *r = gameye_locations_ping(NULL, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL locations");
    CHECK(r && strstr(r->message, "locations_json"), "names the argument");
    gameye_result_free(r);

    r = gameye_locations_ping("[{\"id\":\"a\",\"ips\":[\"\xff\"]}]", NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_UTF8, "invalid UTF-8");
    gameye_result_free(r);

    r = gameye_locations_ping("{\"locations\":[{\"ips\":[]}]}", NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "location without id");
    CHECK(r && r->violations_len == 1 && strcmp(r->violations[0].field, "(locations)") == 0,
          "names the locations");
    gameye_result_free(r);

    r = gameye_locations_ping(LOCATIONS, "{\"probes\":0,\"timeout_ms\":999999}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "bad options");
    CHECK(r && r->violations_len == 2 && strcmp(r->violations[0].field, "probes") == 0 &&
              strcmp(r->violations[1].field, "timeout") == 0,
          "names probes and timeout");
    gameye_result_free(r);

    r = gameye_locations_ping(LOCATIONS, "{\"probe\":3}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "unknown option");
    CHECK(r && r->violations_len == 1 && strstr(r->violations[0].description, "probe"),
          "names the unknown field");
    gameye_result_free(r);

    /* Nothing to ping is a success with method "none". */
    r = gameye_locations_ping("{\"locations\":[]}", NULL);
    if (expect_status(r, GAMEYE_STATUS_OK, "empty list"))
        CHECK(has(r, "\"method\":\"none\""), "method none");
    gameye_result_free(r);
    CHECK(strcmp(gameye_status_name(GAMEYE_STATUS_PING_NOT_PERMITTED),
                 "GAMEYE_STATUS_PING_NOT_PERMITTED") == 0,
          "status name");
}

static const char *PLAYERS =
    "[{\"player\":\"a\",\"locations\":[{\"id\":\"eu\",\"median_ms\":10},"
    "{\"id\":\"us\",\"median_ms\":40},{\"id\":\"as\",\"median_ms\":30},"
    "{\"id\":\"lossy\",\"median_ms\":1,\"loss\":0.5}]},"
    "{\"player\":\"b\",\"locations\":[{\"id\":\"eu\",\"median_ms\":90},"
    "{\"id\":\"us\",\"median_ms\":50},{\"id\":\"as\",\"median_ms\":45},"
    "{\"id\":\"lossy\",\"median_ms\":1}]}]";

static void test_choose(void) {
    GameyeResult *r = gameye_locations_choose("[\"eu\",\"us\",\"as\",\"lossy\",\"mars\"]", PLAYERS,
                                             NULL);
    if (expect_status(r, GAMEYE_STATUS_OK, "choose")) {
        long as = pos(r, "{\"id\":\"as\""), us = pos(r, "{\"id\":\"us\""),
             eu = pos(r, "{\"id\":\"eu\""), ex = pos(r, "\"excluded\"");
        CHECK(as >= 0 && as < us && us < eu && eu < ex, "worst player first: %s", r->text);
        CHECK(has(r, "\"id\":\"lossy\",\"reason\":\"loss\",\"player\":\"a\""), "loss: %s",
              r->text);
        CHECK(has(r, "\"id\":\"mars\",\"reason\":\"no_sample\""), "no sample: %s", r->text);
    }
    gameye_result_free(r);

    /* The policy's RTT cap and missing samples. */
    r = gameye_locations_choose(
        "{\"locations\":[{\"id\":\"eu\",\"ips\":[]},{\"id\":\"as\",\"ips\":[]}]}", PLAYERS,
        "{\"max_rtt_ms\":60}");
    if (expect_status(r, GAMEYE_STATUS_OK, "choose with a cap"))
        CHECK(has(r, "\"reason\":\"rtt\",\"player\":\"b\",\"median_ms\":90.0"), "cap: %s",
              r->text);
    gameye_result_free(r);

    r = gameye_locations_choose("[\"eu\"]", "[{\"player\":\"a\",\"locations\":[{\"id\":\"eu\","
                                           "\"median_ms\":-1}]}]",
                               NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "negative RTT");
    CHECK(r && r->violations_len == 1 &&
              strcmp(r->violations[0].field, "players[0].locations[0].median_ms") == 0,
          "names the sample");
    gameye_result_free(r);

    r = gameye_locations_choose("[\"eu\"]", "{}", NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "players not a list");
    gameye_result_free(r);
    r = gameye_locations_choose("[\"eu\"]", PLAYERS, "{\"max_loss\":2}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "bad policy");
    gameye_result_free(r);
    r = gameye_locations_choose(NULL, PLAYERS, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL candidates");
    gameye_result_free(r);
    r = gameye_locations_choose("[\"eu\"]", NULL, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL players");
    gameye_result_free(r);
}

static const char *NEAR_FULL =
    "[{\"player\":\"a\",\"locations\":[{\"id\":\"full\",\"median_ms\":5},"
    "{\"id\":\"europe\",\"median_ms\":20},{\"id\":\"north-america\",\"median_ms\":80}]}]";

static size_t running_sessions(GameyeClient *c) {
    GameyeResult *r = gameye_session_list(c, NULL);
    size_t n = r && r->status == GAMEYE_STATUS_OK ? r->sessions_len : 999;
    gameye_result_free(r);
    return n;
}

static void test_create_near(void) {
    GameyeClient *c = new_client_with("gameye-emulator-token", "\"retry\":{\"max_attempts\":1}");
    size_t before = running_sessions(c);

    GameyeResult *r = gameye_session_create_near(c, "{\"image\":\"nginx\"}", NEAR_FULL, NULL);
    if (expect_status(r, GAMEYE_STATUS_OK, "create near")) {
        CHECK(r->session != NULL && r->session->id != NULL, "session filled");
        CHECK(has(r, "{\"location\":\"europe\""), "landed in europe: %s", r->text);
        long full = pos(r, "\"location\":\"full\""), eu = pos(r, "\"location\":\"europe\",\"outcome\"");
        CHECK(has(r, "\"outcome\":\"no_capacity\"") && full >= 0, "full tried: %s", r->text);
        CHECK(has(r, "\"outcome\":\"created\""), "created: %s", r->text);
        (void)eu;
        CHECK(has(r, r->session->id), "the session id is the last one tried");
    }
    gameye_result_free(r);
    CHECK(running_sessions(c) == before + 1, "exactly one session started");

    /* Only full locations within the limit: NO_CAPACITY, nothing started. */
    GameyeOperation *op = gameye_session_create_near_async(
        c, "{\"image\":\"nginx\"}", NEAR_FULL, "{\"max_locations\":1}");
    CHECK(gameye_operation_wait(op, 20000) == 1, "async create near completes");
    r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_NO_CAPACITY, "only full tried");
    CHECK(r && r->message && strstr(r->message, "full"), "names the location: %s",
          r && r->message ? r->message : "");
    gameye_result_free(r);
    gameye_operation_free(op);
    CHECK(running_sessions(c) == before + 1, "no second session");

    /* No acceptable location. */
    r = gameye_session_create_near(c, "{\"image\":\"nginx\"}", NEAR_FULL,
                                   "{\"max_rtt_ms\":1}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "nothing acceptable");
    CHECK(r && r->violations_len == 1 && strstr(r->violations[0].description, "above the cap"),
          "gives the reasons");
    gameye_result_free(r);

    r = gameye_session_create_near(c, "{\"image\":\"\"}", NEAR_FULL, NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "empty image");
    gameye_result_free(r);
    r = gameye_session_create_near(NULL, "{\"image\":\"nginx\"}", NEAR_FULL, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL client");
    gameye_result_free(r);
    r = gameye_session_create_near(c, "{\"image\":\"nginx\"}", "not json", NULL);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "players not JSON");
    gameye_result_free(r);
    gameye_client_free(c);
}

int main(void) {
    harness_init();
    test_ping_bad_input();
    test_ping_blocking();
    test_ping_async();
    test_ping_two_threads();
    test_choose();
    test_create_near();
    /* Let the thread of the ping freed while pending finish (it stops within
       ~20 ms of the free), so the leak check sees no thread still running. */
    sleep_ms(200);
    return harness_finish();
}
