/*
 * C tests of the lifetime and callback promises of libgameye (issue 9, items
 * 1-4 and 6-8): freeing and cancelling operations while or from inside their
 * callbacks, freeing a queue from inside its own drain, cancelling a download
 * from inside its write callback, blocking calls from library-thread
 * callbacks, waking a blocked log read by freeing or closing its stream,
 * cancelling a log read, and replacing the logger while it runs.
 *
 * Every section runs under a watchdog: a deadlock fails the program (exit 3,
 * naming the section) instead of hanging the test run. Against the emulator
 * (GAMEYE_TEST_BASE_URL), under valgrind via tests/c/run.sh, ASan/UBSan via
 * tests/sanitize/run.sh and TSan via tests/sanitize/tsan.sh.
 */
#include "harness.h"
#include <stdatomic.h>

/* ---- timing and the hang guard ---- */

static const char *volatile section_name = "";
/* GAMEYE_TEST_SLOW=1 (set under valgrind): timing bounds are 10x wider. */
static int slow_factor = 1;
static void section(const char *name, unsigned seconds) {
    section_name = name;
    printf("-- %s\n", name);
    fflush(stdout);
    harness_deadline(name, seconds * (unsigned)slow_factor);
}

/* Spins (sleeping 1 ms) until *flag is non-zero or `ms` pass; returns the flag. */
static int wait_flag(atomic_int *flag, long ms) {
    for (long i = 0; i < ms && atomic_load(flag) == 0; i++) harness_sleep_ms(1);
    return atomic_load(flag);
}

static GameyeClient *client;
static char session_id[96];

static void arm(const char *rule) {
    CHECK(emulator_control("POST", "/_emulator/faults", rule, NULL, 0) == 201, "arm %s", rule);
}

static void disarm(void) {
    CHECK(emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0) == 204, "clear faults");
}

/* ---- 1. free / cancel while the callback runs on a library thread ---- */

#define FREE_ROUNDS 300

struct run_state {
    atomic_int started;
    atomic_int finished;
    atomic_int freed;   /* set by the main thread once free/cancel returned */
    atomic_int late;    /* the callback started after that */
    atomic_int sleep_ms;
};

static void slow_callback(void *userdata, GameyeOperation *op) {
    struct run_state *s = userdata;
    if (atomic_load(&s->freed)) atomic_fetch_add(&s->late, 1);
    atomic_store(&s->started, 1);
    if (atomic_load(&s->sleep_ms)) harness_sleep_ms(atomic_load(&s->sleep_ms));
    /* Reads the operation: freed memory if free did not wait for us. */
    GameyeResult *r = gameye_operation_take_result(op);
    gameye_result_free(r);
    atomic_store(&s->finished, 1);
}

static void test_free_while_callback_runs(void) {
    section("1. free/cancel while a library-thread callback runs", 120);
    static struct run_state states[FREE_ROUNDS];
    int running_after = 0, late = 0, not_started = 0;
    for (int i = 0; i < FREE_ROUNDS; i++) {
        struct run_state *s = &states[i];
        atomic_store(&s->sleep_ms, (i % 3 == 2) ? 0 : 3);
        GameyeOperation *op = gameye_session_get_async(client, "no-such-session");
        CHECK(gameye_operation_set_callback(op, NULL, slow_callback, s) == GAMEYE_STATUS_OK, "set");
        switch (i % 3) {
        case 0: /* free while the callback surely runs */
            if (!wait_flag(&s->started, 10000)) not_started++;
            gameye_operation_free(op);
            break;
        case 1: /* cancel while it runs, then free */
            if (!wait_flag(&s->started, 10000)) not_started++;
            gameye_operation_cancel(op);
            if (atomic_load(&s->started) && !atomic_load(&s->finished)) running_after++;
            gameye_operation_free(op);
            break;
        default: /* poll, then free at once: races the start of the callback */
            for (int k = 0; k < 10000 && !gameye_operation_poll(op); k++) harness_sleep_ms(1);
            gameye_operation_free(op);
            break;
        }
        if (atomic_load(&s->started) && !atomic_load(&s->finished)) running_after++;
        atomic_store(&s->freed, 1);
    }
    harness_sleep_ms(50);
    for (int i = 0; i < FREE_ROUNDS; i++) late += atomic_load(&states[i].late);
    CHECK(not_started == 0, "%d callbacks never started", not_started);
    CHECK(running_after == 0, "%d callbacks still ran after free/cancel returned", running_after);
    CHECK(late == 0, "%d callbacks started after free/cancel returned", late);
}

/* Fields the callbacks read are atomics: the hand-over to the library
 * thread goes through libgameye's locks, which ThreadSanitizer cannot see. */
struct self_free {
    atomic_int done;
    atomic_int cancel_first;
};

static void free_self_callback(void *userdata, GameyeOperation *op) {
    struct self_free *s = userdata;
    GameyeResult *r = gameye_operation_take_result(op);
    gameye_result_free(r);
    if (atomic_load(&s->cancel_first)) gameye_operation_cancel(op);
    gameye_operation_free(op); /* from inside its own callback */
    atomic_store(&s->done, 1);
}

static void test_free_from_own_callback(void) {
    section("1. free/cancel from inside the operation's own library-thread callback", 60);
    for (int i = 0; i < 20; i++) {
        static struct self_free s;
        atomic_store(&s.done, 0);
        atomic_store(&s.cancel_first, i % 2);
        GameyeOperation *op = gameye_session_get_async(client, "no-such-session");
        gameye_operation_set_callback(op, NULL, free_self_callback, &s);
        CHECK(wait_flag(&s.done, 10000), "callback that frees its operation returned");
    }
}

/* ---- 2. gameye_queue_free from inside a callback of this queue's drain ---- */

struct queue_free_state {
    GameyeQueue *queue;
    int ran;
};

static void free_queue_callback(void *userdata, GameyeOperation *op) {
    (void)op;
    struct queue_free_state *s = userdata;
    s->ran++;
    if (s->ran == 1) gameye_queue_free(s->queue);
}

static void test_queue_free_inside_drain(void) {
    section("2. queue_free inside the queue's own drain", 60);
    struct queue_free_state s = {gameye_queue_new(), 0};
    GameyeOperation *ops[3];
    for (int i = 0; i < 3; i++) {
        ops[i] = gameye_session_get_async(client, "no-such-session");
        gameye_operation_set_callback(ops[i], s.queue, free_queue_callback, &s);
    }
    for (int i = 0; i < 3; i++) CHECK(gameye_operation_wait(ops[i], 20000) == 1, "done");
    size_t ran = gameye_queue_drain(s.queue, 0);
    CHECK(ran == 1, "the drain ran only the callback that freed the queue (%zu)", ran);
    CHECK(s.ran == 1, "the rest were dropped (%d ran)", s.ran);
    for (int i = 0; i < 3; i++) gameye_operation_free(ops[i]);
}

/* ---- 3. cancel or free a download from inside its own write callback ---- */

struct download {
    _Atomic(GameyeOperation *) op;
    atomic_int writes;
    atomic_int acted;
    atomic_int after; /* writes after the cancel/free returned */
    atomic_int use_free;
};

static int32_t stop_inside_write(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    struct download *d = userdata;
    if (atomic_load(&d->acted)) atomic_fetch_add(&d->after, 1);
    if (atomic_fetch_add(&d->writes, 1) + 1 == 2) {
        GameyeOperation *op = NULL;
        for (int i = 0; i < 5000 && (op = atomic_load(&d->op)) == NULL; i++) harness_sleep_ms(1);
        if (atomic_load(&d->use_free)) gameye_operation_free(op); else gameye_operation_cancel(op);
        atomic_store(&d->acted, 1);
    }
    return 0;
}

static void test_stop_inside_write(int use_free) {
    section(use_free ? "3. free a download from inside its write callback"
                     : "3. cancel a download from inside its write callback",
            60);
    /* The artifact drips 32 bytes every 10 ms: many write callbacks. */
    arm("{\"method\":\"GET\",\"path\":\"/artifacts\","
        "\"action\":{\"kind\":\"slow_drip\",\"chunk_bytes\":32,\"interval_ms\":10}}");
    static struct download d;
    atomic_store(&d.op, NULL);
    atomic_store(&d.writes, 0);
    atomic_store(&d.acted, 0);
    atomic_store(&d.after, 0);
    atomic_store(&d.use_free, use_free);
    GameyeOperation *op = gameye_artifacts_download_async(client, session_id, "/", stop_inside_write, &d);
    atomic_store(&d.op, op);
    if (use_free) {
        CHECK(wait_flag(&d.acted, 20000), "the write callback freed the operation");
    } else {
        CHECK(gameye_operation_wait(op, 20000) == 1, "the cancelled download completes");
        GameyeResult *r = gameye_operation_take_result(op);
        expect_status(r, GAMEYE_STATUS_CANCELLED, "download cancelled from its write callback");
        gameye_result_free(r);
    }
    harness_sleep_ms(300);
    CHECK(atomic_load(&d.after) == 0, "%d writes after the operation was stopped", atomic_load(&d.after));
    if (!use_free) gameye_operation_free(op);
    disarm();
}

/* ---- 4. blocking calls from two library-thread callbacks at once ---- */

struct blocking_state {
    _Atomic(GameyeClient *) client;
    atomic_int arrived;
    atomic_int done;
    atomic_int not_found;
};

static void blocking_callback(void *userdata, GameyeOperation *op) {
    struct blocking_state *s = userdata;
    gameye_result_free(gameye_operation_take_result(op));
    atomic_fetch_add(&s->arrived, 1);
    /* Both callbacks hold a library thread before either calls. */
    for (int i = 0; i < 3000 && atomic_load(&s->arrived) < 2; i++) harness_sleep_ms(1);
    GameyeResult *r = gameye_session_get(atomic_load(&s->client), "no-such-session");
    if (r->status == GAMEYE_STATUS_NOT_FOUND) atomic_fetch_add(&s->not_found, 1);
    else fprintf(stderr, "blocking call in a callback: %s: %s\n", gameye_status_name(r->status), r->message);
    gameye_result_free(r);
    atomic_fetch_add(&s->done, 1);
}

static void test_blocking_call_in_library_callbacks(void) {
    section("4. blocking calls from two library-thread callbacks", 60);
    static struct blocking_state s;
    atomic_store(&s.client, client);
    GameyeOperation *ops[2];
    for (int i = 0; i < 2; i++) {
        ops[i] = gameye_session_get_async(client, "no-such-session");
        gameye_operation_set_callback(ops[i], NULL, blocking_callback, &s);
    }
    for (int i = 0; i < 30000 && atomic_load(&s.done) < 2; i++) harness_sleep_ms(1);
    CHECK(atomic_load(&s.done) == 2, "both blocking calls returned (%d)", atomic_load(&s.done));
    CHECK(atomic_load(&s.not_found) == 2, "both got the server's answer (%d)", atomic_load(&s.not_found));
    for (int i = 0; i < 2; i++) gameye_operation_free(ops[i]);
}

/* ---- 6. freeing or closing a stream wakes a blocked gameye_log_stream_next ---- */

/* The log's first byte comes after a minute: a read blocks. */
static const char *stalled_log =
    "{\"method\":\"GET\",\"path\":\"/logs\","
    "\"action\":{\"kind\":\"slow_drip\",\"chunk_bytes\":1,\"interval_ms\":60000}}";

struct waker {
    GameyeLogStream *stream;
    int use_close;
    double at_ms;
};

static void *wake_reader(void *p) {
    struct waker *w = p;
    harness_sleep_ms(300);
    w->at_ms = harness_now_ms();
    if (w->use_close) gameye_log_stream_close(w->stream);
    else gameye_log_stream_free(w->stream);
    return NULL;
}

static void test_stream_wakes_reader(int use_close) {
    section(use_close ? "6. log_stream_close wakes a blocked log_stream_next"
                      : "6. log_stream_free wakes a blocked log_stream_next",
            60);
    arm(stalled_log);
    GameyeLogStream *stream = NULL;
    GameyeResult *r = gameye_logs_follow(client, session_id, &stream);
    expect_status(r, GAMEYE_STATUS_OK, "follow (headers arrive, the body does not)");
    gameye_result_free(r);
    if (stream == NULL) {
        disarm();
        return;
    }
    struct waker w = {stream, use_close, 0};
    pthread_t t;
    pthread_create(&t, NULL, wake_reader, &w);
    r = gameye_log_stream_next(stream);
    double returned = harness_now_ms();
    pthread_join(t, NULL);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "the blocked read");
    gameye_result_free(r);
    double waited = returned - w.at_ms;
    CHECK(waited <= 100.0 * slow_factor, "the read returned %.1f ms after the stream was %s", waited,
          use_close ? "closed" : "freed");
    if (use_close) {
        r = gameye_log_stream_next(stream);
        expect_status(r, GAMEYE_STATUS_CANCELLED, "a read after close");
        gameye_result_free(r);
        gameye_log_stream_free(stream);
    }
    gameye_log_stream_close(NULL);

    /* A pending async read completes with CANCELLED when its stream is freed. */
    GameyeLogStream *async_stream = gameye_logs_follow_async(client, session_id);
    GameyeOperation *op = gameye_log_stream_next_async(async_stream);
    harness_sleep_ms(200);
    CHECK(gameye_operation_poll(op) == 0, "the async read is pending");
    double freed_at = harness_now_ms();
    gameye_log_stream_free(async_stream);
    CHECK(gameye_operation_wait(op, 5000) == 1, "the pending read completes");
    CHECK(harness_now_ms() - freed_at <= 100.0 * slow_factor, "promptly (%.1f ms)", harness_now_ms() - freed_at);
    r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "pending async read of a freed stream");
    gameye_result_free(r);
    gameye_operation_free(op);
    disarm();
}

/* ---- 7. cancelling (or freeing) a pending async read ends the stream ---- */

static void test_end_by_async_read(int use_free) {
    section(use_free ? "7. freeing a pending log_stream_next_async ends the stream"
                     : "7. cancelling log_stream_next_async ends the stream",
            60);
    arm(stalled_log);
    GameyeLogStream *stream = gameye_logs_follow_async(client, session_id);
    GameyeOperation *op = gameye_log_stream_next_async(stream);
    harness_sleep_ms(200);
    CHECK(gameye_operation_poll(op) == 0, "the read is pending");
    if (use_free) {
        gameye_operation_free(op);
    } else {
        gameye_operation_cancel(op);
        GameyeResult *r = gameye_operation_take_result(op);
        expect_status(r, GAMEYE_STATUS_CANCELLED, "the cancelled read");
        gameye_result_free(r);
        gameye_operation_free(op);
    }
    /* The stream has ended: later reads, blocking or not, return CANCELLED at once. */
    GameyeResult *r = gameye_log_stream_next(stream);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "a blocking read after the cancelled one");
    gameye_result_free(r);
    op = gameye_log_stream_next_async(stream);
    CHECK(gameye_operation_wait(op, 5000) == 1, "an async read after it completes at once");
    r = gameye_operation_take_result(op);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "an async read after the cancelled one");
    gameye_result_free(r);
    gameye_operation_free(op);
    gameye_log_stream_free(stream);
    disarm();
}

/* ---- 8. gameye_set_logger: the previous callback is done when it returns ---- */

#define LOGGER_ROUNDS 1500

struct logger_gen {
    atomic_int active;
    atomic_int retired;
    atomic_int late;
};

static void counting_logger(void *userdata, GameyeLogLevel level, const char *message) {
    (void)level;
    (void)message;
    struct logger_gen *g = userdata;
    atomic_fetch_add(&g->active, 1);
    if (atomic_load(&g->retired)) atomic_fetch_add(&g->late, 1);
    struct timespec ts = {0, 200000}; /* 0.2 ms: widens the window a replacement must wait for */
    nanosleep(&ts, NULL);
    atomic_fetch_sub(&g->active, 1);
}

static atomic_int traffic_stop;

static void *log_traffic(void *p) {
    (void)p;
    while (!atomic_load(&traffic_stop)) {
        gameye_result_free(gameye_session_get(client, "no-such-session"));
        gameye_result_free(gameye_session_validate("{\"location\":\"\"}"));
    }
    return NULL;
}

static atomic_int logger_reentered;
static void logger_that_replaces_itself(void *userdata, GameyeLogLevel level, const char *message) {
    (void)userdata;
    (void)level;
    (void)message;
    /* From inside the logger: must not deadlock. */
    if (gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL) == GAMEYE_STATUS_OK)
        atomic_store(&logger_reentered, 1);
}

static void test_set_logger(void) {
    section("8. set_logger: the replaced callback is done and never starts again", 180);
    static struct logger_gen gens[LOGGER_ROUNDS];
    pthread_t traffic[2];
    atomic_store(&traffic_stop, 0);
    for (int i = 0; i < 2; i++) pthread_create(&traffic[i], NULL, log_traffic, NULL);
    int running_after = 0;
    for (int i = 0; i < LOGGER_ROUNDS; i++) {
        gameye_set_logger(GAMEYE_LOG_LEVEL_TRACE, counting_logger, &gens[i]);
        if (i > 0) {
            atomic_store(&gens[i - 1].retired, 1);
            if (atomic_load(&gens[i - 1].active) != 0) running_after++;
        }
        if (i % 4 == 0) harness_sleep_ms(1);
    }
    gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL);
    atomic_store(&gens[LOGGER_ROUNDS - 1].retired, 1);
    if (atomic_load(&gens[LOGGER_ROUNDS - 1].active) != 0) running_after++;
    harness_sleep_ms(20);
    atomic_store(&traffic_stop, 1);
    for (int i = 0; i < 2; i++) pthread_join(traffic[i], NULL);
    int late = 0;
    for (int i = 0; i < LOGGER_ROUNDS; i++) late += atomic_load(&gens[i].late);
    CHECK(running_after == 0, "%d replaced loggers still running when set_logger returned", running_after);
    CHECK(late == 0, "%d calls of a replaced logger started after set_logger returned", late);

    section("8. set_logger from inside the logger callback", 60);
    gameye_set_logger(GAMEYE_LOG_LEVEL_TRACE, logger_that_replaces_itself, NULL);
    gameye_result_free(gameye_session_validate("{\"location\":\"\"}"));
    gameye_result_free(gameye_session_get(client, "no-such-session"));
    CHECK(atomic_load(&logger_reentered), "set_logger from inside the logger returned");
    gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL);
}

static void test_cancel_inside_write(void) { test_stop_inside_write(0); }
static void test_free_inside_write(void) { test_stop_inside_write(1); }
static void test_stream_free_wakes_reader(void) { test_stream_wakes_reader(0); }
static void test_stream_close_wakes_reader(void) { test_stream_wakes_reader(1); }
static void test_cancel_async_read(void) { test_end_by_async_read(0); }
static void test_free_async_read(void) { test_end_by_async_read(1); }

int main(int argc, char **argv) {
    harness_init();
    const char *slow = getenv("GAMEYE_TEST_SLOW");
    if (slow != NULL && strcmp(slow, "1") == 0) slow_factor = 10;
    client = new_client("gameye-emulator-token", 20000);
    disarm();
    GameyeResult *r = gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    if (expect_status(r, GAMEYE_STATUS_OK, "setup create")) snprintf(session_id, sizeof session_id, "%s", r->session->id);
    gameye_result_free(r);

    /* An argument runs one part (1-11), to see each fail on its own. */
    void (*parts[])(void) = {test_free_while_callback_runs, test_free_from_own_callback,
                             test_queue_free_inside_drain, test_cancel_inside_write,
                             test_free_inside_write, test_blocking_call_in_library_callbacks,
                             test_stream_free_wakes_reader, test_stream_close_wakes_reader,
                             test_cancel_async_read, test_free_async_read, test_set_logger};
    int only = argc > 1 ? atoi(argv[1]) : 0;
    for (int i = 0; i < (int)(sizeof parts / sizeof parts[0]); i++) {
        if (only == 0 || only == i + 1) parts[i]();
    }
    harness_deadline("", 0);

    gameye_client_free(client);
    return harness_finish();
}
