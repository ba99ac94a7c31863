/*
 * Shared helpers of the C benchmarks: a monotonic clock, latency statistics,
 * /proc/self/status readings, and the one output format scripts/bench.sh
 * reads:
 *
 *     RESULT <key> <value> <unit>
 *
 * one line per figure, on stdout. Anything else printed is for people.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The emulator's default token, which benches/emulator-bench.json keeps. */
#define BENCH_TOKEN "gameye-emulator-token"

static inline double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time of the whole process (every thread, user + system), in µs. */
static inline double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static inline void sleep_us(long us) {
    struct timespec ts = {us / 1000000L, (us % 1000000L) * 1000L};
    nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median, p99, mean, min, max;
};

/* Sorts `v` in place. Percentiles are nearest-rank. */
static inline struct stats compute_stats(double *v, size_t n) {
    struct stats s = {0, 0, 0, 0, 0};
    if (n == 0) return s;
    qsort(v, n, sizeof v[0], cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += v[i];
    s.mean = sum / (double)n;
    s.min = v[0];
    s.max = v[n - 1];
    s.median = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    size_t rank = (size_t)((double)n * 0.99 + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    s.p99 = v[rank - 1];
    return s;
}

static inline void result(const char *key, double value, const char *unit) {
    printf("RESULT %s %.6g %s\n", key, value, unit);
    fflush(stdout);
}

/* A field of /proc/self/status in its own unit (kB for VmRSS), -1 if absent. */
static inline long proc_status(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return -1;
    char line[256];
    size_t len = strlen(field);
    long value = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            value = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/*
 * The middle part of a sequential benchmark's result keys (c.LIB.GROUP.median):
 * env BENCH_KEY, or "seq". scripts/bench.sh sets it for the https runs ("tls"),
 * the plain http runs against the same nginx ("nginx") and the reconnect runs.
 */
static inline const char *bench_group(void) {
    const char *g = getenv("BENCH_KEY");
    return g != NULL && *g != '\0' ? g : "seq";
}

/* result() under the key "c.LIB.GROUP.NAME". */
static inline void group_result(const char *lib, const char *name, double value, const char *unit) {
    char key[160];
    snprintf(key, sizeof key, "c.%s.%s.%s", lib, bench_group(), name);
    result(key, value, unit);
}

/* A positive count from argv, or `fallback`. */
static inline long arg_count(int argc, char **argv, int i, long fallback) {
    if (argc <= i) return fallback;
    long n = strtol(argv[i], NULL, 10);
    if (n <= 0) {
        fprintf(stderr, "bad count %s\n", argv[i]);
        exit(2);
    }
    return n;
}

/* A random UUIDv4 string (xorshift; only uniqueness matters here). */
static inline void fake_uuid4(char out[37]) {
    static uint64_t state = 0;
    if (state == 0) state = (uint64_t)now_us() * 2654435761u + 88172645463325252ull;
    uint8_t b[16];
    for (int i = 0; i < 16; i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        memcpy(b + i, &state, 8);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

#endif
