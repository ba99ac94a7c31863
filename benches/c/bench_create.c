/*
 * Benchmark 1 (library side): N sequential `gameye_session_create` calls on
 * one client, so one kept-alive connection. Times each call with
 * clock_gettime and prints median, p99, mean and throughput.
 *
 *     bench_create BASE_URL [N=2000] [WARMUP=200]
 *
 * Counts as: one request out, 201 in, decoded into a GameyeResult, freed.
 * Exits 1 on any failed call.
 */
#include "bench_common.h"
#include "gameye.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [N] [WARMUP]\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1];
    long n = arg_count(argc, argv, 2, 2000);
    long warmup = arg_count(argc, argv, 3, 200);
    const char *image = getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench";

    char config[512], request[256];
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"}", BENCH_TOKEN, base_url);
    snprintf(request, sizeof request, "{\"location\":\"europe\",\"image\":\"%s\"}", image);

    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client_new: %s\n", r->message);
        return 1;
    }
    gameye_result_free(r);

    double *lat = malloc((size_t)n * sizeof *lat);
    if (lat == NULL) return 1;
    int failures = 0;
    double total_start = 0;
    for (long i = -warmup; i < n; i++) {
        if (i == 0) total_start = now_us();
        double t0 = now_us();
        r = gameye_session_create(client, request);
        double t1 = now_us();
        if (r->status != GAMEYE_STATUS_OK || r->session == NULL) {
            if (failures++ < 5)
                fprintf(stderr, "create: %s: %s\n", gameye_status_name(r->status),
                        r->message ? r->message : "");
        }
        gameye_result_free(r);
        if (i >= 0) lat[i] = t1 - t0;
    }
    double total = now_us() - total_start;
    gameye_client_free(client);

    struct stats s = compute_stats(lat, (size_t)n);
    fprintf(stderr, "libgameye sequential: n=%ld median=%.1fus p99=%.1fus mean=%.1fus\n", n, s.median,
            s.p99, s.mean);
    result("c.gameye.seq.median", s.median, "us");
    result("c.gameye.seq.p99", s.p99, "us");
    result("c.gameye.seq.mean", s.mean, "us");
    result("c.gameye.seq.throughput", (double)n / (total / 1e6), "creates/s");
    free(lat);
    if (failures) {
        fprintf(stderr, "%d failed creates\n", failures);
        return 1;
    }
    return 0;
}
