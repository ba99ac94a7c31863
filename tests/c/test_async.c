/*
 * C tests of libgameye's non-blocking API: operations, polling, waiting,
 * cancelling, freeing while pending, and a completion queue drained by a
 * "game loop" thread. Against the emulator (GAMEYE_TEST_BASE_URL), under
 * valgrind via tests/c/run.sh.
 */
#include "harness.h"
#include <pthread.h>
#include <time.h>

static char run_id[48];

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits for an operation (bounded), takes its result and frees the operation. */
static GameyeResult *finish(GameyeOperation *op) {
    CHECK(gameye_operation_wait(op, 20000) == 1, "operation completes in time");
    GameyeResult *r = gameye_operation_take_result(op);
    CHECK(r != NULL, "result available once done");
    CHECK(gameye_operation_take_result(op) == NULL, "result taken only once");
    gameye_operation_free(op);
    return r;
}

/* ---- 200 creates completed by a game-loop thread draining the queue ---- */

#define CREATES 200

struct loop {
    GameyeQueue *queue;
    pthread_t thread;
    int completed;
    int ok;
    int wrong_thread;
    char ids[CREATES][64];
};

static void on_created(void *userdata, GameyeOperation *op) {
    struct loop *l = userdata;
    if (!pthread_equal(pthread_self(), l->thread)) l->wrong_thread++;
    GameyeResult *r = gameye_operation_take_result(op);
    if (r != NULL && r->status == GAMEYE_STATUS_OK) {
        snprintf(l->ids[l->ok], sizeof l->ids[0], "%s", r->session->id);
        l->ok++;
    } else {
        fprintf(stderr, "create failed: %s\n", r && r->message ? r->message : "?");
    }
    gameye_result_free(r);
    /* The callback may free its operation. */
    gameye_operation_free(op);
    l->completed++;
    /* Draining from inside a callback is refused, never a deadlock. */
    if (gameye_queue_drain(l->queue, 0) != 0) l->wrong_thread += 1000;
}

static void *game_loop(void *p) {
    struct loop *l = p;
    /* Bounded: about 60 s of 1 ms frames at most. */
    for (int frame = 0; frame < 60000 && l->completed < CREATES; frame++) {
        gameye_queue_drain(l->queue, 0);
        sleep_ms(1);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void test_game_loop(GameyeClient *client) {
    static struct loop l;
    memset(&l, 0, sizeof l);
    l.queue = gameye_queue_new();
    /* Start the loop thread first so its id is known to the callbacks. */
    pthread_create(&l.thread, NULL, game_loop, &l);
    for (int i = 0; i < CREATES; i++) {
        GameyeOperation *op =
            gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
        CHECK(op != NULL, "operation handle");
        CHECK(gameye_operation_set_callback(op, l.queue, on_created, &l) == GAMEYE_STATUS_OK,
              "callback registered");
    }
    pthread_join(l.thread, NULL);
    CHECK(l.completed == CREATES, "%d of %d completed", l.completed, CREATES);
    CHECK(l.ok == CREATES, "%d of %d succeeded", l.ok, CREATES);
    CHECK(l.wrong_thread == 0, "callbacks ran only on the game loop thread (%d)", l.wrong_thread);
    qsort(l.ids, (size_t)l.ok, sizeof l.ids[0], cmp_str);
    int unique = 1;
    for (int i = 1; i < l.ok; i++) {
        if (strcmp(l.ids[i - 1], l.ids[i]) == 0) unique = 0;
    }
    CHECK(unique, "unique ids");
    CHECK(gameye_queue_drain(l.queue, 0) == 0, "nothing left");
    gameye_queue_free(l.queue);
    gameye_queue_free(NULL);
}

/* ---- poll-only use ---- */

static void test_poll_only(GameyeClient *client) {
    GameyeOperation *op =
        gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"fault-slow\"}");
    CHECK(gameye_operation_poll(op) == 0, "a slow create is pending right after start");
    CHECK(gameye_operation_take_result(op) == NULL, "no result while pending");
    int polls = 0;
    while (!gameye_operation_poll(op) && polls < 20000) {
        polls++;
        sleep_ms(1);
    }
    CHECK(polls > 0, "polled while pending");
    GameyeResult *r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_OK, "poll-only create");
    CHECK(r->session != NULL && r->http_status == 201, "same result as blocking");
    gameye_result_free(r);
    gameye_operation_free(op);
    CHECK(gameye_operation_poll(NULL) == 0, "poll NULL");
}

/* ---- cancel, free while pending, timeout ---- */

static int never_called = 0;
static void must_not_run(void *userdata, GameyeOperation *op) {
    (void)userdata;
    (void)op;
    never_called++;
}

static void test_cancel_free_timeout(GameyeClient *client) {
    GameyeQueue *queue = gameye_queue_new();
    const char *stall = "{\"location\":\"europe\",\"image\":\"fault-stall\"}";

    GameyeOperation *op = gameye_session_create_async(client, stall);
    sleep_ms(50);
    CHECK(gameye_operation_poll(op) == 0, "stalled create pending");
    gameye_operation_cancel(op);
    CHECK(gameye_operation_poll(op) == 1, "cancel completes at once");
    GameyeResult *r = finish(op);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "cancelled create");
    gameye_result_free(r);

    op = gameye_session_create_async(client, stall);
    gameye_operation_set_callback(op, queue, must_not_run, NULL);
    sleep_ms(50);
    gameye_operation_free(op); /* while pending */
    sleep_ms(50);
    CHECK(gameye_queue_drain(queue, 0) == 0 && never_called == 0, "freed op's callback never runs");

    /* Freed after completion but before draining: the queued callback is dropped. */
    op = gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    gameye_operation_set_callback(op, queue, must_not_run, NULL);
    CHECK(gameye_operation_wait(op, 20000) == 1, "done");
    gameye_operation_free(op);
    CHECK(gameye_queue_drain(queue, 0) == 0 && never_called == 0, "queued callback dropped");

    GameyeClient *hasty = new_client("gameye-emulator-token", 300);
    op = gameye_session_create_async(hasty, stall);
    r = finish(op);
    expect_status(r, GAMEYE_STATUS_TIMEOUT, "request timeout through an operation");
    CHECK(r->http_status == 0, "no response");
    gameye_result_free(r);
    gameye_client_free(hasty);

    /* Free the client while an operation is pending: the operation still completes. */
    GameyeClient *brief = new_client("gameye-emulator-token", 10000);
    op = gameye_session_create_async(brief, "{\"location\":\"europe\",\"image\":\"fault-slow\"}");
    gameye_client_free(brief);
    r = finish(op);
    expect_status(r, GAMEYE_STATUS_OK, "completes after its client was freed");
    gameye_result_free(r);

    /* A queue freed with completions still queued drops them, leaking nothing. */
    GameyeQueue *abandoned = gameye_queue_new();
    op = gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    gameye_operation_set_callback(op, abandoned, must_not_run, NULL);
    CHECK(gameye_operation_wait(op, 20000) == 1, "done");
    gameye_operation_free(op);
    gameye_queue_free(abandoned);
    GameyeQueue *early = gameye_queue_new();
    op = gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"fault-slow\"}");
    gameye_operation_set_callback(op, early, must_not_run, NULL);
    gameye_queue_free(early); /* before the operation completes */
    CHECK(gameye_operation_wait(op, 20000) == 1, "completes after its queue was freed");
    gameye_operation_free(op);
    CHECK(never_called == 0, "no callback of a freed queue ran");

    gameye_operation_cancel(NULL);
    gameye_operation_free(NULL);
    CHECK(gameye_operation_set_callback(NULL, queue, must_not_run, NULL) ==
              GAMEYE_STATUS_NULL_ARGUMENT,
          "set_callback NULL op");
    gameye_queue_free(queue);
}

/* ---- callbacks on library threads (opt-in) ---- */

struct lib_cb {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int on_caller;
    pthread_t caller;
};

static void on_library_thread(void *userdata, GameyeOperation *op) {
    struct lib_cb *c = userdata;
    GameyeResult *r = gameye_operation_take_result(op);
    gameye_result_free(r);
    pthread_mutex_lock(&c->mu);
    c->on_caller = pthread_equal(pthread_self(), c->caller);
    c->done = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void test_library_thread_callbacks(GameyeClient *client) {
    /* Set up under the mutex the callback takes: the hand-over to the
     * library thread is then visible to ThreadSanitizer too. */
    static struct lib_cb c = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    pthread_mutex_lock(&c.mu);
    c.done = 0;
    c.on_caller = 0;
    c.caller = pthread_self();
    pthread_mutex_unlock(&c.mu);
    GameyeOperation *op =
        gameye_session_create_async(client, "{\"location\":\"europe\",\"image\":\"fault-slow\"}");
    gameye_operation_set_callback(op, NULL, on_library_thread, &c);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&c.mu);
    while (!c.done) {
        if (pthread_cond_timedwait(&c.cv, &c.mu, &deadline) != 0) break;
    }
    pthread_mutex_unlock(&c.mu);
    CHECK(c.done, "library-thread callback ran");
    CHECK(!c.on_caller, "on a library thread");
    gameye_operation_free(op);
}

/* ---- every endpoint's async form ---- */

static int sink_bytes = 0;
static int32_t count_bytes(void *userdata, const uint8_t *data, size_t len) {
    (void)userdata;
    (void)data;
    __atomic_add_fetch(&sink_bytes, (int)len, __ATOMIC_SEQ_CST);
    return 0;
}

static void test_every_endpoint(GameyeClient *client) {
    char id[96], json[256], path[256];
    snprintf(id, sizeof id, "%s-async", run_id);
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"location\":\"europe\",\"image\":\"nginx\"}", id);
    GameyeResult *r = finish(gameye_session_create_async(client, json));
    expect_status(r, GAMEYE_STATUS_OK, "create_async");
    gameye_result_free(r);

    r = finish(gameye_session_list_async(client, "{\"location\":\"europe\"}"));
    expect_status(r, GAMEYE_STATUS_OK, "list_async");
    CHECK(r->sessions_len > 0, "listed");
    gameye_result_free(r);

    r = finish(gameye_session_get_async(client, id));
    expect_status(r, GAMEYE_STATUS_OK, "get_async");
    CHECK(r->session_info && strcmp(r->session_info->id, id) == 0, "described");
    gameye_result_free(r);

    const char *players[] = {"p1", "p2"};
    r = finish(gameye_players_join_async(client, id, players, 2));
    expect_status(r, GAMEYE_STATUS_OK, "join_async");
    CHECK(r->player_count == 2, "joined");
    gameye_result_free(r);
    r = finish(gameye_players_leave_async(client, players, 1));
    expect_status(r, GAMEYE_STATUS_OK, "leave_async");
    CHECK(r->player_count == 1, "left");
    gameye_result_free(r);

    r = finish(gameye_logs_get_async(client, id));
    expect_status(r, GAMEYE_STATUS_OK, "logs_get_async");
    CHECK(r->text_len > 0, "log text");
    gameye_result_free(r);

    GameyeLogStream *stream = gameye_logs_follow_async(client, id);
    CHECK(stream != NULL, "stream at once");
    r = finish(gameye_log_stream_next_async(stream));
    expect_status(r, GAMEYE_STATUS_OK, "first line async");
    CHECK(r->text != NULL, "a line");
    gameye_result_free(r);

    r = finish(gameye_session_stop_async(client, id, 0));
    expect_status(r, GAMEYE_STATUS_OK, "stop_async");
    CHECK(r->stop_outcome == GAMEYE_STOP_OUTCOME_STOPPED, "stopped");
    gameye_result_free(r);

    int lines = 0, ended = 0;
    for (int i = 0; i < 1000 && !ended; i++) {
        r = finish(gameye_log_stream_next_async(stream));
        if (r->status != GAMEYE_STATUS_OK) {
            expect_status(r, GAMEYE_STATUS_OK, "next line async");
            gameye_result_free(r);
            break;
        }
        if (r->text == NULL) ended = 1; else lines++;
        gameye_result_free(r);
    }
    CHECK(ended, "async follow ends when the session stops (%d lines)", lines);
    gameye_log_stream_free(stream);

    GameyeLogStream *missing = gameye_logs_follow_async(client, "no-such-session");
    r = finish(gameye_log_stream_next_async(missing));
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "async follow of unknown session");
    gameye_result_free(r);
    /* A pending read when the stream is freed is fine. */
    GameyeOperation *pending = gameye_log_stream_next_async(missing);
    gameye_log_stream_free(missing);
    gameye_operation_free(pending);

    snprintf(path, sizeof path, "target/c-tests/%s.tar.gz", id);
    r = finish(gameye_artifacts_save_async(client, id, "/", path));
    expect_status(r, GAMEYE_STATUS_OK, "artifacts_save_async");
    CHECK(r->bytes_written > 0, "saved");
    gameye_result_free(r);
    remove(path);

    r = finish(gameye_artifacts_download_async(client, id, "/", count_bytes, NULL));
    expect_status(r, GAMEYE_STATUS_OK, "artifacts_download_async");
    CHECK((int)r->bytes_written == __atomic_load_n(&sink_bytes, __ATOMIC_SEQ_CST), "callback saw every byte");
    gameye_result_free(r);

    r = finish(gameye_locations_available_async(client, "nginx"));
    expect_status(r, GAMEYE_STATUS_OK, "locations_async");
    CHECK(r->locations_len > 0, "locations");
    gameye_result_free(r);

    r = finish(gameye_tag_exists_async(client, "europe", "nginx", "1.25"));
    expect_status(r, GAMEYE_STATUS_OK, "tag_exists_async");
    CHECK(r->tag_exists == 1, "exists");
    gameye_result_free(r);

    /* Bad arguments give an operation that is already done. */
    GameyeOperation *op = gameye_session_create_async(NULL, "{}");
    CHECK(gameye_operation_poll(op) == 1, "done at once");
    r = finish(op);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL client");
    gameye_result_free(r);
    r = finish(gameye_session_create_async(client, "{\"location\":\"\"}"));
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "validated before start");
    gameye_result_free(r);
    CHECK(gameye_logs_follow_async(NULL, "x") == NULL, "follow_async NULL client");
}

int main(void) {
    harness_init();
    snprintf(run_id, sizeof run_id, "a%ld-%ld", (long)getpid(), (long)time(NULL));
    GameyeClient *client = new_client("gameye-emulator-token", 20000);
    test_game_loop(client);
    test_poll_only(client);
    test_cancel_free_timeout(client);
    test_library_thread_callbacks(client);
    test_every_endpoint(client);
    gameye_client_free(client);
    return harness_finish();
}
