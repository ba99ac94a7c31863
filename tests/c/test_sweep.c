/*
 * Every endpoint of api/ENDPOINTS.md that the table sweeps, through the C
 * ABI, from the generated endpoints.g.h (scripts/gen_endpoints.py): a new
 * endpoint is swept here without an edit to this file.
 *
 * Per endpoint, blocking and non-blocking alike:
 *  - the table's examples get the table's status from the shared emulator;
 *  - each argument NULL gives GAMEYE_STATUS_NULL_ARGUMENT, invalid UTF-8
 *    GAMEYE_STATUS_INVALID_UTF8, and empty GAMEYE_STATUS_INVALID_REQUEST,
 *    each naming the argument; so do `.`, `..` and a TAB in a path
 *    parameter (a `{name}` of the request);
 *  - a NULL client gives GAMEYE_STATUS_NULL_ARGUMENT;
 *  - a wrong token gives GAMEYE_STATUS_UNAUTHORIZED (HTTP 401), and the
 *    read-only token GAMEYE_STATUS_FORBIDDEN where its scope is too small;
 *  - "any thread": THREADS threads call every endpoint at once on one client;
 *  - "the arguments are copied before it returns": each argument of the
 *    `_async` form a heap copy freed as soon as it returns (valgrind and
 *    ASan watch);
 *  - "never blocks on I/O": the `_async` form returns while the emulator
 *    stalls every request, and cancels.
 * Together these are the promises of a swept function's documentation, so
 * tests/promises/check.py takes this file as their proof for each of them.
 * The endpoints' own tests (test_endpoints.c, test_async.c, ...) check the
 * values; this checks that every endpoint is wired the same way.
 */
#include "harness.h"

#include "endpoints.g.h"

#define BAD_UTF8 "\xff\xfe"

/* The result of one call, blocking or through its operation (NULL when
 * none came: the caller's check reports it). Checks nothing itself, so
 * threads may call it without the check lock. */
static GameyeResult *run(const SweepEndpoint *ep, int async, const GameyeClient *client, int arg,
                         const char *value) {
    if (!async) return ep->call(client, arg, value);
    GameyeOperation *op = ep->call_async(client, arg, value);
    if (op == NULL) return NULL;
    GameyeResult *r = gameye_operation_wait(op, 30000) == 1 ? gameye_operation_take_result(op) : NULL;
    gameye_operation_free(op);
    return r;
}

/* The call gets `want`, and its message names `field` (unless NULL). */
static void expect(GameyeResult *r, GameyeStatus want, const SweepEndpoint *ep, int async, const char *what,
                   const char *field) {
    char label[200];
    snprintf(label, sizeof label, "%s%s: %s", ep->c_name, async ? "_async" : "", what);
    expect_status(r, want, label);
    if (field != NULL) {
        CHECK(r != NULL && r->message != NULL && strstr(r->message, field) != NULL, "%s: message names `%s`: %s",
              label, field, r && r->message ? r->message : "(none)");
    }
    gameye_result_free(r);
}

static void sweep(const SweepEndpoint *ep, int async, const GameyeClient *client, const GameyeClient *wrong,
                  const GameyeClient *read_only) {
    expect(run(ep, async, client, SWEEP_EXAMPLES, NULL), ep->expect, ep, async, "the examples", NULL);
    for (size_t i = 0; i < ep->nargs; i++) {
        const char *name = ep->args[i];
        char what[96];
        snprintf(what, sizeof what, "NULL `%s`", name);
        expect(run(ep, async, client, (int)i, NULL), GAMEYE_STATUS_NULL_ARGUMENT, ep, async, what, name);
        snprintf(what, sizeof what, "invalid UTF-8 in `%s`", name);
        expect(run(ep, async, client, (int)i, BAD_UTF8), GAMEYE_STATUS_INVALID_UTF8, ep, async, what, name);
        snprintf(what, sizeof what, "empty `%s`", name);
        expect(run(ep, async, client, (int)i, ""), GAMEYE_STATUS_INVALID_REQUEST, ep, async, what, name);
        static const char *const bad_path[] = {".", "..", "a\tb"};
        for (size_t k = 0; ep->path[i] && k < sizeof bad_path / sizeof bad_path[0]; k++) {
            snprintf(what, sizeof what, "path parameter `%s` = \"%s\"", name, bad_path[k]);
            expect(run(ep, async, client, (int)i, bad_path[k]), GAMEYE_STATUS_INVALID_REQUEST, ep, async, what,
                   name);
        }
    }
    expect(run(ep, async, NULL, SWEEP_EXAMPLES, NULL), GAMEYE_STATUS_NULL_ARGUMENT, ep, async, "NULL client",
           "client");
    GameyeResult *r = run(ep, async, wrong, SWEEP_EXAMPLES, NULL);
    CHECK(r != NULL && r->http_status == 401, "%s%s: a wrong token is HTTP 401", ep->c_name, async ? "_async" : "");
    expect(r, GAMEYE_STATUS_UNAUTHORIZED, ep, async, "a wrong token", NULL);
    GameyeStatus want = ep->read_only_forbidden ? GAMEYE_STATUS_FORBIDDEN : ep->expect;
    expect(run(ep, async, read_only, SWEEP_EXAMPLES, NULL), want, ep, async, "the read-only token", NULL);
}

static char *copy(const char *s) {
    char *c = malloc(strlen(s) + 1);
    strcpy(c, s);
    return c;
}

/* Each argument in turn a heap copy, freed as soon as the call returns. */
static void copied_arguments(const SweepEndpoint *ep, const GameyeClient *client) {
    for (size_t i = 0; i < ep->nargs; i++) {
        char *value = copy(ep->examples[i]);
        GameyeOperation *op = ep->call_async(client, (int)i, value);
        free(value);
        CHECK(op != NULL && gameye_operation_wait(op, 30000) == 1, "%s_async completes", ep->c_name);
        char what[96];
        snprintf(what, sizeof what, "`%s` freed after the call", ep->args[i]);
        expect(gameye_operation_take_result(op), ep->expect, ep, 1, what, NULL);
        gameye_operation_free(op);
    }
}

/* ---- any thread, many at once ---- */

#define THREADS 4
static pthread_barrier_t barrier;
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;

static void *every_endpoint(void *arg) {
    const GameyeClient *client = arg;
    pthread_barrier_wait(&barrier);
    for (size_t i = 0; i < SWEEP_COUNT; i++) {
        const SweepEndpoint *ep = &SWEEP_ENDPOINTS[i];
        GameyeResult *r = run(ep, 0, client, SWEEP_EXAMPLES, NULL);
        GameyeResult *a = run(ep, 1, client, SWEEP_EXAMPLES, NULL);
        pthread_mutex_lock(&check_lock);
        expect(r, ep->expect, ep, 0, "from many threads", NULL);
        expect(a, ep->expect, ep, 1, "from many threads", NULL);
        pthread_mutex_unlock(&check_lock);
    }
    return NULL;
}

static void many_threads(const GameyeClient *client) {
    pthread_t threads[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, every_endpoint, (void *)client);
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&barrier);
}

/* ---- the non-blocking form never waits for the server ---- */

static void never_blocks(const GameyeClient *client) {
    int st = emulator_control("POST", "/_emulator/faults", "{\"action\":{\"kind\":\"stall\"}}", NULL, 0);
    CHECK(st == 200 || st == 201, "arming the stall: %d", st);
    for (size_t i = 0; i < SWEEP_COUNT; i++) {
        const SweepEndpoint *ep = &SWEEP_ENDPOINTS[i];
        double start = harness_now_ms();
        GameyeOperation *op = ep->call_async(client, SWEEP_EXAMPLES, NULL);
        double took = harness_now_ms() - start;
        /* The stall lasts the whole 30 s request timeout; 1 s is far from both. */
        CHECK(took < 1000, "%s_async returned in %.0f ms while the server stalls", ep->c_name, took);
        CHECK(gameye_operation_poll(op) == 0, "%s_async still pending", ep->c_name);
        gameye_operation_cancel(op);
        expect(gameye_operation_take_result(op), GAMEYE_STATUS_CANCELLED, ep, 1, "cancelled while stalled", NULL);
        gameye_operation_free(op);
    }
    CHECK(emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0) == 204, "clearing the stall");
}

int main(void) {
    harness_init();
    harness_deadline("test_sweep", 300);
    GameyeClient *client = new_client("gameye-emulator-token", 30000);
    GameyeClient *wrong = new_client("wrong-token", 30000);
    GameyeClient *read_only = new_client("read-only-token", 30000);
    CHECK(SWEEP_COUNT > 0, "the table sweeps endpoints");
    for (size_t i = 0; i < SWEEP_COUNT; i++) {
        sweep(&SWEEP_ENDPOINTS[i], 0, client, wrong, read_only);
        sweep(&SWEEP_ENDPOINTS[i], 1, client, wrong, read_only);
        copied_arguments(&SWEEP_ENDPOINTS[i], client);
    }
    harness_deadline("test_sweep: many threads", 300);
    many_threads(client);
    harness_deadline("test_sweep: never blocks", 300);
    never_blocks(client);
    printf("swept %zu endpoints\n", (size_t)SWEEP_COUNT);
    gameye_client_free(client);
    gameye_client_free(wrong);
    gameye_client_free(read_only);
    return harness_finish();
}
