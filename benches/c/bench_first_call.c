/*
 * A process's first call (issue 18, item 3): the time from before the client
 * is created to the first create's answer, connect and TLS handshake
 * included, process start excluded. Each run is a fresh process (this
 * program executed again), so nothing is warm but the code pages the loader
 * mapped; the figure is the median of RUNS runs.
 *
 *     bench_first_call gameye|curl BASE_URL [RUNS=30]   (curl: built with -DWITH_CURL)
 *
 * gameye: gameye_client_new (with "ca_bundle_path" from env BENCH_CA, as
 * bench_create.c) + gameye_session_create.
 * curl: curl_global_init (libcurl's required set-up, OpenSSL's included) +
 * curl_easy_init + the options of bench_curl.c (CURLOPT_CAINFO from BENCH_CA)
 * + curl_easy_perform, checking the 201 and that the body names a host.
 *
 * Prints RESULT c.LIB.first_call.{median,min,max} (µs; BENCH_KEY replaces
 * "first_call"). Exits 1 if any run fails.
 */
#include "bench_common.h"
#include "gameye.h"
#ifdef WITH_CURL
#include "bench_curl_common.h"
#endif

#include <sys/wait.h>
#include <unistd.h>

static const char *image(void) { return getenv("BENCH_IMAGE") ? getenv("BENCH_IMAGE") : "bench"; }

static const char *ca(void) {
    const char *c = getenv("BENCH_CA");
    return c != NULL && *c != '\0' ? c : NULL;
}

/* One first call through libgameye; its time in µs, or -1. */
static double first_gameye(const char *base_url) {
    char config[1024], request[256], ca_field[600] = "";
    if (ca() != NULL) snprintf(ca_field, sizeof ca_field, ",\"ca_bundle_path\":\"%s\"", ca());
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"%s}", BENCH_TOKEN, base_url,
             ca_field);
    snprintf(request, sizeof request, "{\"location\":\"europe\",\"image\":\"%s\"}", image());

    double t0 = now_us();
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client_new: %s\n", r->message);
        return -1;
    }
    gameye_result_free(r);
    r = gameye_session_create(client, request);
    double t1 = now_us();
    int ok = r->status == GAMEYE_STATUS_OK && r->session != NULL;
    if (!ok) fprintf(stderr, "create: %s: %s\n", gameye_status_name(r->status), r->message);
    gameye_result_free(r);
    gameye_client_free(client);
    return ok ? t1 - t0 : -1;
}

#ifdef WITH_CURL
/* One first call through libcurl, set up as bench_curl.c; µs, or -1. */
static double first_curl(const char *base_url) {
    char url[512], request[256], id[37];
    snprintf(url, sizeof url, "%s/session", base_url);
    static struct buf body;

    double t0 = now_us();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *headers = NULL;
    CURL *curl = bench_curl_handle(url, ca(), &body, &headers);
    if (curl == NULL) return -1;
    fake_uuid4(id);
    int len = snprintf(request, sizeof request, "{\"id\":\"%s\",\"location\":\"europe\",\"image\":\"%s\"}",
                       id, image());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    int ok = rc == CURLE_OK && status == 201 && strstr(body.data, "\"host\"") != NULL;
    double t1 = now_us();
    if (!ok) fprintf(stderr, "POST /session: %s, HTTP %ld: %s\n", curl_easy_strerror(rc), status, body.data);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return ok ? t1 - t0 : -1;
}
#endif

/* The child's part: one first call, its time on stdout. */
static int one_run(const char *lib, const char *base_url) {
    double t = -1;
    if (strcmp(lib, "gameye") == 0) {
        t = first_gameye(base_url);
    } else if (strcmp(lib, "curl") == 0) {
#ifdef WITH_CURL
        t = first_curl(base_url);
#else
        fprintf(stderr, "built without libcurl\n");
#endif
    } else {
        fprintf(stderr, "unknown library %s\n", lib);
    }
    if (t < 0) return 1;
    printf("%.3f\n", t);
    return 0;
}

/* Runs this program again as `--one LIB URL`; its figure, or -1. */
static double spawn_run(const char *lib, const char *base_url) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl("/proc/self/exe", "bench_first_call", "--one", lib, base_url, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char out[64] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof out - 1 && (n = read(fds[0], out + got, sizeof out - 1 - got)) > 0) got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    return strtod(out, NULL);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--one") == 0) return one_run(argv[2], argv[3]);
    if (argc < 3) {
        fprintf(stderr, "usage: %s gameye|curl BASE_URL [RUNS]\n", argv[0]);
        return 2;
    }
    const char *lib = argv[1], *base_url = argv[2];
    long runs = arg_count(argc, argv, 3, 30);
    double *t = malloc((size_t)runs * sizeof *t);
    if (t == NULL) return 1;
    for (long i = 0; i < runs; i++) {
        t[i] = spawn_run(lib, base_url);
        if (t[i] < 0) {
            fprintf(stderr, "run %ld of %s failed\n", i + 1, lib);
            return 1;
        }
    }
    struct stats s = compute_stats(t, (size_t)runs);
    fprintf(stderr, "%s first call: %ld runs, median %.0fus (%.0f-%.0f)\n", lib, runs, s.median, s.min, s.max);
    const char *group = getenv("BENCH_KEY") != NULL && *getenv("BENCH_KEY") ? getenv("BENCH_KEY") : "first_call";
    char key[160];
    snprintf(key, sizeof key, "c.%s.%s.median", lib, group);
    result(key, s.median, "us");
    snprintf(key, sizeof key, "c.%s.%s.min", lib, group);
    result(key, s.min, "us");
    snprintf(key, sizeof key, "c.%s.%s.max", lib, group);
    result(key, s.max, "us");
    free(t);
    return 0;
}
