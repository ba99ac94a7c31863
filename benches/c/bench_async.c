/*
 * Benchmark 3 (C): N creates started at once through the non-blocking API
 * (`gameye_session_create_async`), completed through a `GameyeQueue` that
 * the main thread drains in a game-loop style loop (drain, sleep 200 us),
 * against N sequential blocking creates on the same client.
 *
 *     bench_async BASE_URL [N=1000] [ROUNDS=5] [KEY=c.async]
 *
 * Figures are KEY.throughput and KEY.seq_throughput; scripts/bench.sh also
 * runs it with BENCH_IMAGE=bench-rtt (5 ms of injected server latency, as a
 * network round trip would add) under KEY c.async_rtt.
 *
 * One untimed warm-up round of each kind first (it opens the pool's
 * connections), then ROUNDS rounds alternating sequential and concurrent;
 * each figure is the median round's throughput. Exits 1 on any failure.
 */
#include "bench_common.h"
#include "gameye.h"

struct burst {
    long completed;
    long ok;
};

static void on_created(void *userdata, GameyeOperation *op) {
    struct burst *b = userdata;
    GameyeResult *r = gameye_operation_take_result(op);
    if (r != NULL && r->status == GAMEYE_STATUS_OK && r->session != NULL) {
        b->ok++;
    } else if (b->completed - b->ok < 5) {
        fprintf(stderr, "async create: %s: %s\n", r ? gameye_status_name(r->status) : "NULL",
                r && r->message ? r->message : "");
    }
    gameye_result_free(r);
    gameye_operation_free(op);
    b->completed++;
}

/* Creates/s of one concurrent burst of n, or -1 on failure. */
static double concurrent_round(GameyeClient *client, GameyeQueue *queue, const char *request, long n) {
    struct burst b = {0, 0};
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        GameyeOperation *op = gameye_session_create_async(client, request);
        if (op == NULL ||
            gameye_operation_set_callback(op, queue, on_created, &b) != GAMEYE_STATUS_OK) {
            fprintf(stderr, "could not start an operation\n");
            return -1;
        }
    }
    /* Bounded: 60 s of frames at most. */
    double deadline = t0 + 60e6;
    while (b.completed < n && now_us() < deadline) {
        if (gameye_queue_drain(queue, 0) == 0) sleep_us(200);
    }
    double elapsed = now_us() - t0;
    if (b.completed < n || b.ok < n) {
        fprintf(stderr, "concurrent round: %ld of %ld completed, %ld ok\n", b.completed, n, b.ok);
        return -1;
    }
    return (double)n / (elapsed / 1e6);
}

static double sequential_round(GameyeClient *client, const char *request, long n) {
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
        GameyeResult *r = gameye_session_create(client, request);
        int ok = r->status == GAMEYE_STATUS_OK && r->session != NULL;
        if (!ok) fprintf(stderr, "create: %s: %s\n", gameye_status_name(r->status), r->message ? r->message : "");
        gameye_result_free(r);
        if (!ok) return -1;
    }
    return (double)n / ((now_us() - t0) / 1e6);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [N] [ROUNDS] [KEY]\n", argv[0]);
        return 2;
    }
    long n = arg_count(argc, argv, 2, 1000);
    long rounds = arg_count(argc, argv, 3, 5);
    const char *key = argc > 4 ? argv[4] : "c.async";
    const char *image = getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench";
    char config[512], request[256];
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"}", BENCH_TOKEN, argv[1]);
    snprintf(request, sizeof request, "{\"location\":\"europe\",\"image\":\"%s\"}", image);

    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client_new: %s\n", r->message);
        return 1;
    }
    gameye_result_free(r);
    GameyeQueue *queue = gameye_queue_new();

    int failed = sequential_round(client, request, n < 100 ? n : 100) < 0 ||
                 concurrent_round(client, queue, request, n) < 0;
    double *seq = calloc((size_t)rounds, sizeof *seq);
    double *conc = calloc((size_t)rounds, sizeof *conc);
    for (long i = 0; i < rounds && !failed; i++) {
        seq[i] = sequential_round(client, request, n);
        conc[i] = concurrent_round(client, queue, request, n);
        failed = seq[i] < 0 || conc[i] < 0;
        fprintf(stderr, "round %ld: sequential %.0f/s, concurrent %.0f/s\n", i + 1, seq[i], conc[i]);
    }
    gameye_queue_free(queue);
    gameye_client_free(client);
    if (failed) return 1;

    struct stats s = compute_stats(seq, (size_t)rounds);
    struct stats c = compute_stats(conc, (size_t)rounds);
    char name[128];
    snprintf(name, sizeof name, "%s.seq_throughput", key);
    result(name, s.median, "creates/s");
    snprintf(name, sizeof name, "%s.throughput", key);
    result(name, c.median, "creates/s");
    free(seq);
    free(conc);
    return 0;
}
