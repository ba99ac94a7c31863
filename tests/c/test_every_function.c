/*
 * Every exported function of gameye.h, against the promises every function
 * makes (tests/promises/check.py keeps this file naming all of them):
 *
 *  1. "# Safety: ... NULL or NUL-terminated": each pointer argument in turn
 *     is NULL, then (for strings) invalid UTF-8, with every other argument
 *     valid. The call never crashes; a required argument gives
 *     GAMEYE_STATUS_NULL_ARGUMENT / GAMEYE_STATUS_INVALID_UTF8 with the
 *     argument's name in `message`; an optional one is accepted.
 *  2. "Thread safety: any thread": every function that takes no single-owner
 *     object runs from THREADS threads at once, on one shared client, all
 *     released together, with each call's result checked.
 *  3. "Never blocks on I/O" and "the arguments are copied before it returns":
 *     each `_async` call returns while the server stalls the request, and its
 *     string arguments are freed (valgrind and ASan watch) before it completes.
 *
 * Runs under valgrind (tests/c/run.sh), ASan + UBSan and TSan
 * (tests/sanitize), like every test_*.c.
 */
#include "harness.h"

#include <stdint.h>

#define BAD_UTF8 "\xff\xfe"
#define REQUEST "{\"location\":\"europe\",\"image\":\"nginx\"}"
#define LOCATIONS "[{\"id\":\"europe\",\"ips\":[\"127.0.0.1\"]}]"
#define PLAYERS "[{\"player\":\"p1\",\"locations\":[{\"id\":\"europe\",\"median_ms\":10,\"loss\":0}]}]"

static GameyeClient *client;
static const char *const one_player[] = {"p1"};

static int32_t discard(void *userdata, const uint8_t *data, size_t len) {
    (void)userdata;
    (void)data;
    (void)len;
    return 0;
}

static void on_done(void *userdata, GameyeOperation *op) {
    (void)userdata;
    (void)op;
}

/* A required argument: the call names it, with the wanted status. */
static void expect_refused(GameyeResult *r, GameyeStatus want, const char *fn, const char *arg) {
    char what[160];
    snprintf(what, sizeof what, "%s with a bad `%s`", fn, arg);
    expect_status(r, want, what);
    CHECK(r != NULL && r->message != NULL && strstr(r->message, arg) != NULL,
          "%s: message names it: %s", what, r && r->message ? r->message : "(none)");
    gameye_result_free(r);
}

/* The same through an operation: never NULL, completes with the refusal. */
static void expect_op_refused(GameyeOperation *op, GameyeStatus want, const char *fn, const char *arg) {
    CHECK(op != NULL, "%s with a bad `%s` returns an operation", fn, arg);
    if (op == NULL) return;
    CHECK(gameye_operation_wait(op, 10000) == 1, "%s with a bad `%s` completes", fn, arg);
    expect_refused(gameye_operation_take_result(op), want, fn, arg);
    gameye_operation_free(op);
}

/* An optional argument: the call goes ahead (any status but a refusal of it). */
static void expect_accepted(GameyeResult *r, const char *fn, const char *arg) {
    CHECK(r != NULL && r->status != GAMEYE_STATUS_NULL_ARGUMENT && r->status != GAMEYE_STATUS_PANIC,
          "%s accepts a NULL `%s`: got %s (%s)", fn, arg, r ? gameye_status_name(r->status) : "NULL",
          r && r->message ? r->message : "");
    gameye_result_free(r);
}

/* Each string argument of a function returning a result, NULL then invalid UTF-8. */
#define REFUSE_STR(fn, arg, call_with)                                                      \
    do {                                                                                    \
        expect_refused(call_with(NULL), GAMEYE_STATUS_NULL_ARGUMENT, #fn, arg);             \
        expect_refused(call_with(BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8, #fn, arg);          \
    } while (0)
#define REFUSE_STR_OP(fn, arg, call_with)                                                   \
    do {                                                                                    \
        expect_op_refused(call_with(NULL), GAMEYE_STATUS_NULL_ARGUMENT, #fn, arg);          \
        expect_op_refused(call_with(BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8, #fn, arg);       \
    } while (0)

/* One macro per argument position keeps each case a single line below. */
#define ART_SAVE_SESSION(x) gameye_artifacts_save(client, x, "/", "unused.tar.gz")
#define ART_SAVE_PATH(x) gameye_artifacts_save(client, "s", x, "unused.tar.gz")
#define ART_SAVE_DEST(x) gameye_artifacts_save(client, "s", "/", x)
#define ART_SAVE_A_SESSION(x) gameye_artifacts_save_async(client, x, "/", "unused.tar.gz")
#define ART_SAVE_A_PATH(x) gameye_artifacts_save_async(client, "s", x, "unused.tar.gz")
#define ART_SAVE_A_DEST(x) gameye_artifacts_save_async(client, "s", "/", x)
#define ART_DL_SESSION(x) gameye_artifacts_download(client, x, "/", discard, NULL)
#define ART_DL_PATH(x) gameye_artifacts_download(client, "s", x, discard, NULL)
#define ART_DL_A_SESSION(x) gameye_artifacts_download_async(client, x, "/", discard, NULL)
#define ART_DL_A_PATH(x) gameye_artifacts_download_async(client, "s", x, discard, NULL)
#define LOC_IMAGE(x) gameye_locations_available(client, x)
#define LOC_A_IMAGE(x) gameye_locations_available_async(client, x)
#define TAG_REGION(x) gameye_tag_exists(client, x, "nginx", "1")
#define TAG_IMAGE(x) gameye_tag_exists(client, "europe", x, "1")
#define TAG_VERSION(x) gameye_tag_exists(client, "europe", "nginx", x)
#define TAG_A_REGION(x) gameye_tag_exists_async(client, x, "nginx", "1")
#define TAG_A_IMAGE(x) gameye_tag_exists_async(client, "europe", x, "1")
#define TAG_A_VERSION(x) gameye_tag_exists_async(client, "europe", "nginx", x)
#define LOGS_ID(x) gameye_logs_get(client, x)
#define LOGS_A_ID(x) gameye_logs_get_async(client, x)
#define JOIN_SESSION(x) gameye_players_join(client, x, one_player, 1)
#define JOIN_A_SESSION(x) gameye_players_join_async(client, x, one_player, 1)
#define PING_LOCATIONS(x) gameye_locations_ping(x, NULL)
#define PING_A_LOCATIONS(x) gameye_locations_ping_async(x, NULL)
#define CHOOSE_CANDIDATES(x) gameye_locations_choose(x, PLAYERS, NULL)
#define CHOOSE_PLAYERS(x) gameye_locations_choose(LOCATIONS, x, NULL)
#define NEAR_REQUEST(x) gameye_session_create_near(client, x, PLAYERS, NULL)
#define NEAR_PLAYERS(x) gameye_session_create_near(client, REQUEST, x, NULL)
#define NEAR_A_REQUEST(x) gameye_session_create_near_async(client, x, PLAYERS, NULL)
#define NEAR_A_PLAYERS(x) gameye_session_create_near_async(client, REQUEST, x, NULL)
#define CREATE_REQUEST(x) gameye_session_create(client, x)
#define CREATE_A_REQUEST(x) gameye_session_create_async(client, x)
#define VALIDATE_REQUEST(x) gameye_session_validate(x)
#define GET_ID(x) gameye_session_get(client, x)
#define GET_A_ID(x) gameye_session_get_async(client, x)
#define STOP_ID(x) gameye_session_stop(client, x, 0)
#define STOP_A_ID(x) gameye_session_stop_async(client, x, 0)
#define CONFIG(x) gameye_client_new(x, &made)

/* A NULL client, for every function that takes one. */
static void null_clients(void) {
    GameyeLogStream *stream = NULL;
    GameyeClient *none = NULL;
#define NO_CLIENT(call) expect_refused(call, GAMEYE_STATUS_NULL_ARGUMENT, #call, "client")
#define NO_CLIENT_OP(call) expect_op_refused(call, GAMEYE_STATUS_NULL_ARGUMENT, #call, "client")
    NO_CLIENT(gameye_artifacts_save(none, "s", "/", "unused.tar.gz"));
    NO_CLIENT(gameye_artifacts_download(none, "s", "/", discard, NULL));
    NO_CLIENT(gameye_locations_available(none, "nginx"));
    NO_CLIENT(gameye_tag_exists(none, "europe", "nginx", "1"));
    NO_CLIENT(gameye_logs_get(none, "s"));
    NO_CLIENT(gameye_logs_follow(none, "s", &stream));
    CHECK(stream == NULL, "no stream without a client");
    NO_CLIENT(gameye_session_create_near(none, REQUEST, PLAYERS, NULL));
    NO_CLIENT(gameye_players_join(none, "s", one_player, 1));
    NO_CLIENT(gameye_players_leave(none, one_player, 1));
    NO_CLIENT(gameye_session_create(none, REQUEST));
    NO_CLIENT(gameye_session_list(none, NULL));
    NO_CLIENT(gameye_session_get(none, "s"));
    NO_CLIENT(gameye_session_stop(none, "s", 0));
    NO_CLIENT_OP(gameye_artifacts_save_async(none, "s", "/", "unused.tar.gz"));
    NO_CLIENT_OP(gameye_artifacts_download_async(none, "s", "/", discard, NULL));
    NO_CLIENT_OP(gameye_locations_available_async(none, "nginx"));
    NO_CLIENT_OP(gameye_tag_exists_async(none, "europe", "nginx", "1"));
    NO_CLIENT_OP(gameye_logs_get_async(none, "s"));
    NO_CLIENT_OP(gameye_session_create_near_async(none, REQUEST, PLAYERS, NULL));
    NO_CLIENT_OP(gameye_players_join_async(none, "s", one_player, 1));
    NO_CLIENT_OP(gameye_players_leave_async(none, one_player, 1));
    NO_CLIENT_OP(gameye_session_create_async(none, REQUEST));
    NO_CLIENT_OP(gameye_session_list_async(none, NULL));
    NO_CLIENT_OP(gameye_session_get_async(none, "s"));
    NO_CLIENT_OP(gameye_session_stop_async(none, "s", 0));
    /* Documented: NULL only for a NULL client or a NULL / non-UTF-8 id. */
    CHECK(gameye_logs_follow_async(none, "s") == NULL, "logs_follow_async: NULL client gives NULL");
    gameye_client_free(none);
}

/* Every string argument, NULL and invalid UTF-8. */
static void bad_strings(void) {
    GameyeClient *made = NULL;
    REFUSE_STR(gameye_client_new, "config", CONFIG);
    CHECK(made == NULL, "no client from a bad config");
    REFUSE_STR(gameye_artifacts_save, "session", ART_SAVE_SESSION);
    REFUSE_STR(gameye_artifacts_save, "path", ART_SAVE_PATH);
    REFUSE_STR(gameye_artifacts_save, "dest_path", ART_SAVE_DEST);
    REFUSE_STR_OP(gameye_artifacts_save_async, "session", ART_SAVE_A_SESSION);
    REFUSE_STR_OP(gameye_artifacts_save_async, "path", ART_SAVE_A_PATH);
    REFUSE_STR_OP(gameye_artifacts_save_async, "dest_path", ART_SAVE_A_DEST);
    REFUSE_STR(gameye_artifacts_download, "session", ART_DL_SESSION);
    REFUSE_STR(gameye_artifacts_download, "path", ART_DL_PATH);
    REFUSE_STR_OP(gameye_artifacts_download_async, "session", ART_DL_A_SESSION);
    REFUSE_STR_OP(gameye_artifacts_download_async, "path", ART_DL_A_PATH);
    REFUSE_STR(gameye_locations_available, "image", LOC_IMAGE);
    REFUSE_STR_OP(gameye_locations_available_async, "image", LOC_A_IMAGE);
    REFUSE_STR(gameye_tag_exists, "region", TAG_REGION);
    REFUSE_STR(gameye_tag_exists, "image", TAG_IMAGE);
    REFUSE_STR(gameye_tag_exists, "version", TAG_VERSION);
    REFUSE_STR_OP(gameye_tag_exists_async, "region", TAG_A_REGION);
    REFUSE_STR_OP(gameye_tag_exists_async, "image", TAG_A_IMAGE);
    REFUSE_STR_OP(gameye_tag_exists_async, "version", TAG_A_VERSION);
    REFUSE_STR(gameye_logs_get, "id", LOGS_ID);
    REFUSE_STR_OP(gameye_logs_get_async, "id", LOGS_A_ID);
    REFUSE_STR(gameye_players_join, "session", JOIN_SESSION);
    REFUSE_STR_OP(gameye_players_join_async, "session", JOIN_A_SESSION);
    REFUSE_STR(gameye_locations_ping, "locations", PING_LOCATIONS);
    REFUSE_STR_OP(gameye_locations_ping_async, "locations", PING_A_LOCATIONS);
    REFUSE_STR(gameye_locations_choose, "candidates", CHOOSE_CANDIDATES);
    REFUSE_STR(gameye_locations_choose, "players", CHOOSE_PLAYERS);
    REFUSE_STR(gameye_session_create_near, "request", NEAR_REQUEST);
    REFUSE_STR(gameye_session_create_near, "players", NEAR_PLAYERS);
    REFUSE_STR_OP(gameye_session_create_near_async, "request", NEAR_A_REQUEST);
    REFUSE_STR_OP(gameye_session_create_near_async, "players", NEAR_A_PLAYERS);
    REFUSE_STR(gameye_session_create, "request", CREATE_REQUEST);
    REFUSE_STR_OP(gameye_session_create_async, "request", CREATE_A_REQUEST);
    REFUSE_STR(gameye_session_validate, "request", VALIDATE_REQUEST);
    REFUSE_STR(gameye_session_get, "id", GET_ID);
    REFUSE_STR_OP(gameye_session_get_async, "id", GET_A_ID);
    REFUSE_STR(gameye_session_stop, "id", STOP_ID);
    REFUSE_STR_OP(gameye_session_stop_async, "id", STOP_A_ID);

    /* logs_follow: the id, then the out-pointer. */
    GameyeLogStream *stream = NULL;
    expect_refused(gameye_logs_follow(client, NULL, &stream), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_logs_follow", "id");
    expect_refused(gameye_logs_follow(client, BAD_UTF8, &stream), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_logs_follow", "id");
    CHECK(stream == NULL, "no stream for a bad id");
    expect_refused(gameye_logs_follow(client, "s", NULL), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_logs_follow", "stream_out");
    CHECK(gameye_logs_follow_async(client, NULL) == NULL, "logs_follow_async: NULL id gives NULL");
    CHECK(gameye_logs_follow_async(client, BAD_UTF8) == NULL, "logs_follow_async: bad id gives NULL");

    /* Arrays of strings: the array, then an element. */
    const char *const bad_player[] = {"p1", BAD_UTF8};
    const char *const null_player[] = {"p1", NULL};
    expect_refused(gameye_players_join(client, "s", NULL, 1), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_players_join", "players");
    expect_refused(gameye_players_join(client, "s", null_player, 2), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_players_join", "players[1]");
    expect_refused(gameye_players_join(client, "s", bad_player, 2), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_players_join", "players[1]");
    expect_refused(gameye_players_leave(client, NULL, 1), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_players_leave", "players");
    expect_refused(gameye_players_leave(client, null_player, 2), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_players_leave", "players[1]");
    expect_refused(gameye_players_leave(client, bad_player, 2), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_players_leave", "players[1]");
    expect_op_refused(gameye_players_join_async(client, "s", null_player, 2), GAMEYE_STATUS_NULL_ARGUMENT,
                      "gameye_players_join_async", "players[1]");
    expect_op_refused(gameye_players_leave_async(client, bad_player, 2), GAMEYE_STATUS_INVALID_UTF8,
                      "gameye_players_leave_async", "players[1]");

    /* The write callback of downloads is required. */
    expect_refused(gameye_artifacts_download(client, "s", "/", NULL, NULL), GAMEYE_STATUS_NULL_ARGUMENT,
                   "gameye_artifacts_download", "write");
    expect_op_refused(gameye_artifacts_download_async(client, "s", "/", NULL, NULL),
                      GAMEYE_STATUS_NULL_ARGUMENT, "gameye_artifacts_download_async", "write");

    /* Optional arguments: NULL means "none" or the defaults. */
    expect_accepted(gameye_session_list(client, NULL), "gameye_session_list", "filter_json");
    GameyeOperation *op = gameye_session_list_async(client, NULL);
    CHECK(op != NULL && gameye_operation_wait(op, 10000) == 1, "list_async with a NULL filter completes");
    expect_accepted(gameye_operation_take_result(op), "gameye_session_list_async", "filter_json");
    gameye_operation_free(op);
    expect_accepted(gameye_locations_choose(LOCATIONS, PLAYERS, NULL), "gameye_locations_choose", "policy_json");
    expect_refused(gameye_session_list(client, BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8, "gameye_session_list",
                   "filter");
    expect_refused(gameye_locations_choose(LOCATIONS, PLAYERS, BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_locations_choose", "policy");
    expect_refused(gameye_locations_ping(LOCATIONS, BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_locations_ping", "options");
    expect_refused(gameye_session_create_near(client, REQUEST, PLAYERS, BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8,
                   "gameye_session_create_near", "policy");
}

/* Functions on library objects: NULL is a no-op or a documented answer. */
static void null_objects(void) {
    expect_refused(gameye_log_stream_next(NULL), GAMEYE_STATUS_NULL_ARGUMENT, "gameye_log_stream_next",
                   "stream");
    expect_op_refused(gameye_log_stream_next_async(NULL), GAMEYE_STATUS_NULL_ARGUMENT,
                      "gameye_log_stream_next_async", "stream");
    gameye_log_stream_close(NULL);
    gameye_log_stream_free(NULL);
    CHECK(gameye_operation_poll(NULL) == 0, "poll(NULL) is 0");
    CHECK(gameye_operation_take_result(NULL) == NULL, "take_result(NULL) is NULL");
    CHECK(gameye_operation_wait(NULL, 10) == 0, "wait(NULL) is 0");
    gameye_operation_cancel(NULL);
    gameye_operation_free(NULL);
    CHECK(gameye_operation_set_callback(NULL, NULL, on_done, NULL) == GAMEYE_STATUS_NULL_ARGUMENT,
          "set_callback(NULL op)");
    GameyeOperation *op = gameye_session_get_async(client, "missing");
    CHECK(gameye_operation_set_callback(op, NULL, NULL, NULL) == GAMEYE_STATUS_NULL_ARGUMENT,
          "set_callback(NULL callback)");
    gameye_operation_free(op);
    CHECK(gameye_queue_drain(NULL, 10) == 0, "drain(NULL) is 0");
    gameye_queue_free(NULL);
    gameye_result_free(NULL);
    CHECK(gameye_result_status(NULL) == GAMEYE_STATUS_NULL_ARGUMENT, "result_status(NULL)");
    CHECK(gameye_status_name(123456) != NULL, "status_name of an unknown number");
    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL) == GAMEYE_STATUS_OK, "set_logger(off, NULL)");
    gameye_client_free(NULL);
}

/* ---- 2. any thread, many at once ---- */

#define THREADS 4
#define ROUNDS 3
static pthread_barrier_t barrier;
static char session_id[64];
/* The harness's counters are plain ints: threads check under this lock. */
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
#define TCHECK(cond, ...)                     \
    do {                                      \
        int tcheck_ok = (cond);               \
        pthread_mutex_lock(&check_lock);      \
        CHECK(tcheck_ok, __VA_ARGS__);        \
        pthread_mutex_unlock(&check_lock);    \
    } while (0)

static void expect_ok_or(GameyeResult *r, GameyeStatus also, const char *what) {
    int ok = r != NULL && (r->status == GAMEYE_STATUS_OK || r->status == also);
    TCHECK(ok, "%s from many threads: %s (%s)", what, r ? gameye_status_name(r->status) : "NULL",
          r && r->message ? r->message : "");
    gameye_result_free(r);
}

static void *any_thread(void *arg) {
    (void)arg;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ROUNDS; i++) {
        TCHECK(strlen(gameye_version()) > 0, "version");
        TCHECK(strcmp(gameye_status_name(GAMEYE_STATUS_OK), "GAMEYE_STATUS_OK") == 0, "status_name");
        GameyeResult *v = gameye_session_validate(REQUEST);
        TCHECK(gameye_result_status(v) == GAMEYE_STATUS_OK, "validate / result_status");
        gameye_result_free(v);
        expect_ok_or(gameye_locations_choose(LOCATIONS, PLAYERS, NULL), GAMEYE_STATUS_OK, "location_choose");
        expect_ok_or(gameye_session_list(client, NULL), GAMEYE_STATUS_OK, "session_list");
        expect_ok_or(gameye_session_get(client, session_id), GAMEYE_STATUS_OK, "session_get");
        expect_ok_or(gameye_locations_available(client, "nginx"), GAMEYE_STATUS_OK, "locations_available");
        expect_ok_or(gameye_tag_exists(client, "europe", "nginx", "latest"), GAMEYE_STATUS_NOT_FOUND,
                     "tag_exists");
        expect_ok_or(gameye_logs_get(client, session_id), GAMEYE_STATUS_OK, "logs_get");
        expect_ok_or(gameye_players_join(client, session_id, one_player, 1), GAMEYE_STATUS_CONFLICT,
                     "players_join");
        expect_ok_or(gameye_players_leave(client, one_player, 1), GAMEYE_STATUS_NOT_FOUND, "players_leave");
        expect_ok_or(gameye_session_stop(client, "never-existed", 0), GAMEYE_STATUS_NOT_FOUND, "session_stop");
        expect_ok_or(gameye_artifacts_download(client, "never-existed", "/", discard, NULL),
                     GAMEYE_STATUS_NOT_FOUND, "artifacts_download");

        /* The async twins, all in flight together, drained by one queue per thread. */
        GameyeQueue *queue = gameye_queue_new();
        GameyeOperation *ops[] = {
            gameye_session_list_async(client, NULL),
            gameye_session_get_async(client, session_id),
            gameye_locations_available_async(client, "nginx"),
            gameye_tag_exists_async(client, "europe", "nginx", "latest"),
            gameye_logs_get_async(client, session_id),
            gameye_players_join_async(client, session_id, one_player, 1),
            gameye_players_leave_async(client, one_player, 1),
            gameye_session_stop_async(client, "never-existed", 0),
            gameye_artifacts_download_async(client, "never-existed", "/", discard, NULL),
            gameye_session_create_async(client, "{\"location\":\"nowhere\",\"image\":\"nginx\"}"),
        };
        size_t n = sizeof ops / sizeof ops[0];
        for (size_t k = 0; k < n; k++) {
            TCHECK(gameye_operation_set_callback(ops[k], queue, on_done, NULL) == GAMEYE_STATUS_OK, "set_callback");
        }
        for (size_t k = 0; k < n; k++) {
            TCHECK(gameye_operation_wait(ops[k], 20000) == 1, "async op %zu completes", k);
        }
        size_t drained = gameye_queue_drain(queue, 64);
        TCHECK(drained == n, "queue drained %zu of %zu", drained, n);
        for (size_t k = 0; k < n; k++) {
            GameyeResult *r = gameye_operation_take_result(ops[k]);
            TCHECK(r != NULL && r->status != GAMEYE_STATUS_PANIC && r->status != GAMEYE_STATUS_TIMEOUT,
                  "async op %zu: %s", k, r ? gameye_status_name(r->status) : "not done");
            gameye_result_free(r);
            gameye_operation_free(ops[k]);
        }
        gameye_queue_free(queue);

        /* A log stream per thread, read to a bounded count, then closed. */
        GameyeLogStream *s = gameye_logs_follow_async(client, session_id);
        GameyeOperation *next = gameye_log_stream_next_async(s);
        TCHECK(gameye_operation_wait(next, 10000) == 1, "log_stream_next_async completes");
        gameye_operation_free(next);
        gameye_log_stream_close(s);
        GameyeResult *after = gameye_log_stream_next(s);
        TCHECK(after != NULL, "log_stream_next after close answers");
        gameye_result_free(after);
        gameye_log_stream_free(s);
    }
    return NULL;
}

static void many_threads(void) {
    GameyeResult *r = gameye_session_create(client, REQUEST);
    expect_status(r, GAMEYE_STATUS_OK, "create the shared session");
    if (r->session != NULL) snprintf(session_id, sizeof session_id, "%s", r->session->id);
    gameye_result_free(r);

    pthread_t threads[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, any_thread, NULL);
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&barrier);

    expect_ok_or(gameye_session_stop(client, session_id, 0), GAMEYE_STATUS_OK, "stop the shared session");
}

/* ---- 3. async calls return at once and copy their arguments ---- */

static char *copy(const char *s) {
    char *c = malloc(strlen(s) + 1);
    strcpy(c, s);
    return c;
}

static void async_never_blocks(void) {
    /* fault-stall: the emulator holds POST /session until the client gives up. */
    char *stalled = copy("{\"location\":\"europe\",\"image\":\"fault-stall\"}");
    double start = harness_now_ms();
    GameyeOperation *op = gameye_session_create_async(client, stalled);
    double took = harness_now_ms() - start;
    free(stalled);
    /* The stall lasts the whole 30 s request timeout; 1 s is far from both. */
    CHECK(took < 1000, "create_async returned in %.0f ms while the server stalls", took);
    CHECK(gameye_operation_poll(op) == 0, "still pending");
    gameye_operation_cancel(op);
    GameyeResult *r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "cancelled stalled create");
    gameye_result_free(r);
    gameye_operation_free(op);

    /* Every string of an async call freed at once: the call still succeeds. */
    char *request = copy(REQUEST), *image = copy("nginx"), *region = copy("europe"), *tag = copy("latest");
    GameyeOperation *ops[] = {
        gameye_session_create_async(client, request),
        gameye_locations_available_async(client, image),
        gameye_tag_exists_async(client, region, image, tag),
    };
    free(request);
    free(image);
    free(region);
    free(tag);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        CHECK(gameye_operation_wait(ops[k], 20000) == 1, "op %zu completes", k);
        GameyeResult *done = gameye_operation_take_result(ops[k]);
        expect_status(done, GAMEYE_STATUS_OK, "async call with freed arguments");
        if (k == 0 && done != NULL && done->session != NULL) {
            gameye_result_free(gameye_session_stop(client, done->session->id, 0));
        }
        gameye_result_free(done);
        gameye_operation_free(ops[k]);
    }
}

int main(void) {
    harness_init();
    client = new_client("gameye-emulator-token", 30000);
    null_clients();
    bad_strings();
    null_objects();
    many_threads();
    async_never_blocks();
    gameye_client_free(client);
    return harness_finish();
}
