/*
 * Benchmark 1 (library side): N sequential `gameye_session_create` calls on
 * one client, so one kept-alive connection. Times each call with
 * clock_gettime and prints median, p99, mean, throughput, and the process's
 * CPU time (getrusage, every thread, user + system) per create.
 *
 *     bench_create BASE_URL [N=2000] [WARMUP=200]
 *
 * Environment:
 *   BENCH_IMAGE      the image to create (default "bench")
 *   BENCH_CA         a PEM file given as "ca_bundle_path" (https to a test CA)
 *   BENCH_KEY        the group in the result keys c.gameye.GROUP.* (default "seq")
 *   BENCH_EXPECT_HANDSHAKE  none|full|resumed: after the timed loop, 3 more
 *                    creates with the library's debug log on, which must show
 *                    that many TLS handshakes of that kind and no other
 *                    ("none": the connection was kept). Outside the timing,
 *                    so the log costs nothing measured.
 *
 * Counts as: one request out, 201 in, decoded into a GameyeResult, freed.
 * Exits 1 on any failed call or a handshake check that does not hold.
 */
#include "bench_common.h"
#include "gameye.h"

#include <stdatomic.h>

static atomic_int full_handshakes, resumed_handshakes;

static void count_handshakes(void *userdata, GameyeLogLevel level, const char *message) {
    (void)userdata;
    (void)level;
    if (strstr(message, "tls: full handshake") != NULL) atomic_fetch_add(&full_handshakes, 1);
    if (strstr(message, "tls: resumed handshake") != NULL) atomic_fetch_add(&resumed_handshakes, 1);
}

static int create_once(GameyeClient *client, const char *request, int *failures) {
    GameyeResult *r = gameye_session_create(client, request);
    int ok = r->status == GAMEYE_STATUS_OK && r->session != NULL;
    if (!ok && (*failures)++ < 5)
        fprintf(stderr, "create: %s: %s\n", gameye_status_name(r->status), r->message ? r->message : "");
    gameye_result_free(r);
    return ok;
}

/* The BENCH_EXPECT_HANDSHAKE check; 0 when it holds (or is not asked for). */
static int check_handshakes(GameyeClient *client, const char *request, int *failures) {
    const char *expect = getenv("BENCH_EXPECT_HANDSHAKE");
    if (expect == NULL || *expect == '\0') return 0;
    const int calls = 3;
    gameye_set_logger(GAMEYE_LOG_LEVEL_DEBUG, count_handshakes, NULL);
    for (int i = 0; i < calls; i++) create_once(client, request, failures);
    gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL);
    int full = atomic_load(&full_handshakes), resumed = atomic_load(&resumed_handshakes);
    fprintf(stderr, "handshakes in %d checked creates: %d full, %d resumed (expected: %s)\n", calls, full,
            resumed, expect);
    int ok = strcmp(expect, "none") == 0      ? full == 0 && resumed == 0
             : strcmp(expect, "full") == 0    ? full == calls && resumed == 0
             : strcmp(expect, "resumed") == 0 ? resumed == calls && full == 0
                                              : 0;
    if (!ok) fprintf(stderr, "the TLS handshakes are not what BENCH_EXPECT_HANDSHAKE=%s says\n", expect);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [N] [WARMUP]\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1];
    long n = arg_count(argc, argv, 2, 2000);
    long warmup = arg_count(argc, argv, 3, 200);
    const char *image = getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench";
    const char *ca = getenv("BENCH_CA");

    char config[1024], request[256], ca_field[600] = "";
    if (ca != NULL && *ca != '\0') snprintf(ca_field, sizeof ca_field, ",\"ca_bundle_path\":\"%s\"", ca);
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"%s}", BENCH_TOKEN, base_url,
             ca_field);
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
    double total_start = 0, cpu_start = 0;
    for (long i = -warmup; i < n; i++) {
        if (i == 0) {
            total_start = now_us();
            cpu_start = cpu_us();
        }
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
    double cpu = cpu_us() - cpu_start;
    int bad_handshakes = check_handshakes(client, request, &failures);
    gameye_client_free(client);

    struct stats s = compute_stats(lat, (size_t)n);
    fprintf(stderr, "libgameye sequential (%s): n=%ld median=%.1fus p99=%.1fus mean=%.1fus cpu=%.1fus/create\n",
            bench_group(), n, s.median, s.p99, s.mean, cpu / (double)n);
    group_result("gameye", "median", s.median, "us");
    group_result("gameye", "p99", s.p99, "us");
    group_result("gameye", "mean", s.mean, "us");
    group_result("gameye", "cpu", cpu / (double)n, "us");
    group_result("gameye", "throughput", (double)n / (total / 1e6), "creates/s");
    free(lat);
    if (failures) {
        fprintf(stderr, "%d failed creates\n", failures);
        return 1;
    }
    return bad_handshakes;
}
