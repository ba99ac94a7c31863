/*
 * Benchmark 1 (baseline): what a C programmer writes by hand instead of
 * libgameye. One CURL easy handle reused for N sequential `POST /session`
 * calls (so one kept-alive connection), with the same bytes the library
 * sends: a JSON body carrying a fresh UUIDv4 `id` (the library always sends
 * one) plus location and image, `Authorization: Bearer`, `Content-Type:
 * application/json`, a User-Agent, an Accept header for any type. It checks the 201 and that
 * the body names a host, and does no JSON decoding at all, so it is the
 * cheapest a hand-written client can be.
 *
 *     bench_curl BASE_URL [N=2000] [WARMUP=200]
 *
 * Environment, as bench_create.c: BENCH_IMAGE; BENCH_CA, a PEM file given as
 * CURLOPT_CAINFO (https to a test CA; libcurl's TLS session cache, on by
 * default, resumes sessions on reconnects); BENCH_KEY, the group in the
 * result keys c.curl.GROUP.* (default "seq"). Also prints the process's CPU
 * time (getrusage, user + system) per create.
 */
#include "bench_curl_common.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [N] [WARMUP]\n", argv[0]);
        return 2;
    }
    long n = arg_count(argc, argv, 2, 2000);
    long warmup = arg_count(argc, argv, 3, 200);
    const char *image = getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench";
    const char *ca = getenv("BENCH_CA");
    char url[512];
    snprintf(url, sizeof url, "%s/session", argv[1]);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct buf body;
    struct curl_slist *headers = NULL;
    CURL *curl = bench_curl_handle(url, ca, &body, &headers);
    if (curl == NULL) return 1;
    char request[256];

    double *lat = malloc((size_t)n * sizeof *lat);
    if (lat == NULL) return 1;
    int failures = 0;
    long connects = 0;
    double total_start = 0, cpu_start = 0;
    for (long i = -warmup; i < n; i++) {
        if (i == 0) {
            total_start = now_us();
            cpu_start = cpu_us();
        }
        double t0 = now_us();
        char id[37];
        fake_uuid4(id);
        int len = snprintf(request, sizeof request,
                           "{\"id\":\"%s\",\"location\":\"europe\",\"image\":\"%s\"}", id, image);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
        body.len = 0;
        body.data[0] = '\0';
        CURLcode rc = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        int ok = rc == CURLE_OK && status == 201 && strstr(body.data, "\"host\"") != NULL;
        double t1 = now_us();
        if (!ok && failures++ < 5)
            fprintf(stderr, "POST /session: %s, HTTP %ld: %s\n", curl_easy_strerror(rc), status,
                    body.data);
        long nc = 0;
        curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &nc);
        if (i >= 0) {
            lat[i] = t1 - t0;
            connects += nc;
        }
    }
    double total = now_us() - total_start;
    double cpu = cpu_us() - cpu_start;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    curl_global_cleanup();

    struct stats s = compute_stats(lat, (size_t)n);
    fprintf(stderr,
            "libcurl sequential (%s): n=%ld median=%.1fus p99=%.1fus mean=%.1fus cpu=%.1fus/create new "
            "connections=%ld\n",
            bench_group(), n, s.median, s.p99, s.mean, cpu / (double)n, connects);
    group_result("curl", "median", s.median, "us");
    group_result("curl", "p99", s.p99, "us");
    group_result("curl", "mean", s.mean, "us");
    group_result("curl", "cpu", cpu / (double)n, "us");
    group_result("curl", "throughput", (double)n / (total / 1e6), "creates/s");
    free(lat);
    if (failures) {
        fprintf(stderr, "%d failed creates\n", failures);
        return 1;
    }
    return 0;
}
