/*
 * Benchmark 4: the cost of a client.
 *
 *     bench_client_cost gameye BASE_URL [N=200]
 *     bench_client_cost curl   BASE_URL [N=200]   (built with -DWITH_CURL)
 *
 * gameye: in a fresh process, the resident memory (VmRSS) and thread count
 * added by the first `gameye_client_new` (idle: no request yet), then after
 * one create (a pooled connection), then after freeing it; then N rounds of
 * `gameye_client_new` + `gameye_client_free`, timing each create (TLS root
 * store, I/O runtime, pool) and each free (which joins the I/O threads).
 *
 * curl: the same figures for the hand-written baseline, a configured CURL
 * easy handle (curl_global_init done once first, as libcurl requires).
 */
#include "bench_common.h"

#include "gameye.h"
#ifdef WITH_CURL
#include <curl/curl.h>
#endif

static const char *image(void) { return getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench"; }

static void report_memory(const char *who, long rss0, long thr0, long rss_idle, long thr_idle,
                          long rss_used) {
    char key[128];
    snprintf(key, sizeof key, "client.%s.rss_idle", who);
    result(key, (double)(rss_idle - rss0) / 1024.0, "MiB");
    snprintf(key, sizeof key, "client.%s.rss_after_request", who);
    result(key, (double)(rss_used - rss0) / 1024.0, "MiB");
    snprintf(key, sizeof key, "client.%s.threads", who);
    result(key, (double)(thr_idle - thr0), "threads");
}

static void report_times(const char *who, double *create, double *destroy, long n) {
    char key[128];
    struct stats c = compute_stats(create, (size_t)n);
    struct stats d = compute_stats(destroy, (size_t)n);
    fprintf(stderr, "%s client: create median %.1fus p99 %.1fus; free median %.1fus\n", who, c.median,
            c.p99, d.median);
    snprintf(key, sizeof key, "client.%s.create_median", who);
    result(key, c.median / 1000.0, "ms");
    snprintf(key, sizeof key, "client.%s.create_p99", who);
    result(key, c.p99 / 1000.0, "ms");
    snprintf(key, sizeof key, "client.%s.free_median", who);
    result(key, d.median / 1000.0, "ms");
}

static int run_gameye(const char *base_url, long n) {
    char config[512], request[256];
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"}", BENCH_TOKEN, base_url);
    snprintf(request, sizeof request, "{\"location\":\"europe\",\"image\":\"%s\"}", image());

    long rss0 = proc_status("VmRSS"), thr0 = proc_status("Threads");
    GameyeClient *client = NULL;
    double t0 = now_us();
    GameyeResult *r = gameye_client_new(config, &client);
    double first = now_us() - t0;
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client_new: %s\n", r->message);
        return 1;
    }
    gameye_result_free(r);
    long rss_idle = proc_status("VmRSS"), thr_idle = proc_status("Threads");
    r = gameye_session_create(client, request);
    int ok = r->status == GAMEYE_STATUS_OK;
    if (!ok) fprintf(stderr, "create: %s\n", r->message);
    gameye_result_free(r);
    long rss_used = proc_status("VmRSS");
    gameye_client_free(client);
    long thr_freed = proc_status("Threads");
    if (!ok) return 1;
    report_memory("gameye", rss0, thr0, rss_idle, thr_idle, rss_used);
    result("client.gameye.first_create", first / 1000.0, "ms");
    fprintf(stderr, "threads: %ld at start, %ld with a client, %ld after free\n", thr0, thr_idle, thr_freed);
    if (thr_freed != thr0) {
        fprintf(stderr, "gameye_client_free left %ld threads behind\n", thr_freed - thr0);
        return 1;
    }

    double *create = malloc((size_t)n * sizeof *create);
    double *destroy = malloc((size_t)n * sizeof *destroy);
    for (long i = 0; i < n; i++) {
        t0 = now_us();
        r = gameye_client_new(config, &client);
        double t1 = now_us();
        if (r->status != GAMEYE_STATUS_OK) return 1;
        gameye_result_free(r);
        gameye_client_free(client);
        create[i] = t1 - t0;
        destroy[i] = now_us() - t1;
    }
    report_times("gameye", create, destroy, n);
    free(create);
    free(destroy);
    return 0;
}

#ifdef WITH_CURL
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static CURL *configured_handle(const char *url, struct curl_slist *headers) {
    CURL *curl = curl_easy_init();
    if (curl == NULL) return NULL;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    return curl;
}

static int run_curl(const char *base_url, long n) {
    char url[512], request[256];
    snprintf(url, sizeof url, "%s/session", base_url);
    snprintf(request, sizeof request, "{\"location\":\"europe\",\"image\":\"%s\"}", image());
    long rss0 = proc_status("VmRSS"), thr0 = proc_status("Threads");
    double t0 = now_us();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Authorization: Bearer " BENCH_TOKEN);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    CURL *curl = configured_handle(url, headers);
    double first = now_us() - t0;
    if (curl == NULL) return 1;
    long rss_idle = proc_status("VmRSS"), thr_idle = proc_status("Threads");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    long rss_used = proc_status("VmRSS");
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 201) {
        fprintf(stderr, "POST /session: %s, HTTP %ld\n", curl_easy_strerror(rc), status);
        return 1;
    }
    report_memory("curl", rss0, thr0, rss_idle, thr_idle, rss_used);
    result("client.curl.first_create", first / 1000.0, "ms");

    double *create = malloc((size_t)n * sizeof *create);
    double *destroy = malloc((size_t)n * sizeof *destroy);
    for (long i = 0; i < n; i++) {
        t0 = now_us();
        curl = configured_handle(url, headers);
        double t1 = now_us();
        if (curl == NULL) return 1;
        curl_easy_cleanup(curl);
        create[i] = t1 - t0;
        destroy[i] = now_us() - t1;
    }
    report_times("curl", create, destroy, n);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(create);
    free(destroy);
    return 0;
}
#endif

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s gameye|curl BASE_URL [N]\n", argv[0]);
        return 2;
    }
    long n = arg_count(argc, argv, 3, 200);
    if (strcmp(argv[1], "gameye") == 0) return run_gameye(argv[2], n);
#ifdef WITH_CURL
    if (strcmp(argv[1], "curl") == 0) return run_curl(argv[2], n);
#endif
    fprintf(stderr, "unknown or unavailable mode %s\n", argv[1]);
    return 2;
}
