/*
 * The small test harness shared by the C test programs: check counters, a
 * CHECK macro, status expectations, clients for the test emulator, and raw
 * requests to the emulator's loopback control endpoint. Each program is one
 * translation unit that includes this once.
 */
#ifndef GAMEYE_TEST_HARNESS_H
#define GAMEYE_TEST_HARNESS_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
/* Windows (mingw, run under Wine by tests/cross/run.sh): Winsock; link ws2_32. */
#include <winsock2.h>
#include <process.h>
/* The POSIX name the tests use for a per-run id. */
#define getpid _getpid
typedef SOCKET harness_socket;
#define HARNESS_BAD_SOCKET INVALID_SOCKET
#define harness_close closesocket
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int harness_socket;
#define HARNESS_BAD_SOCKET (-1)
#define harness_close close
#endif

#include <pthread.h>
#include <time.h>

#include "gameye.h"

static int passed = 0;
static int failed = 0;
/* GAMEYE_TEST_BASE_URL, read by harness_init(). */
static const char *base_url = NULL;
static int emulator_port = 0;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, "\n");                                           \
        }                                                                    \
    } while (0)

/* Reads the emulator's address; exits with 2 when it is not set. */
static inline void harness_init(void) {
#ifndef _WIN32
    /* SIGPIPE at its default, as a C host leaves it (issue 17): a library
     * write that raised it would kill the test with status 141. */
    signal(SIGPIPE, SIG_DFL);
#endif
    /* A copy: on Windows, changing the environment (harness_setenv) moves
     * the strings getenv returned. */
    static char url[128];
    const char *env = getenv("GAMEYE_TEST_BASE_URL");
    if (env != NULL) snprintf(url, sizeof url, "%s", env);
    base_url = env != NULL ? url : NULL;
    if (base_url == NULL || sscanf(base_url, "http://127.0.0.1:%d", &emulator_port) != 1) {
        fprintf(stderr, "GAMEYE_TEST_BASE_URL is not set (run through tests/c/run.sh)\n");
        exit(2);
    }
#ifdef _WIN32
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "WSAStartup failed\n");
        exit(2);
    }
#endif
}

/* Prints the closing line test runners read, and gives the exit status. */
static inline int harness_finish(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

/* Checks a result's status, printing its message when it differs. */
static inline int expect_status(const GameyeResult *r, GameyeStatus want, const char *what) {
    int ok = r != NULL && r->status == want;
    CHECK(ok, "%s: want %s, got %s (%s)", what, gameye_status_name(want),
          r ? gameye_status_name(r->status) : "NULL result",
          r && r->message ? r->message : "no message");
    return ok;
}

/* A client for the test emulator; `extra` is more JSON config members or "". */
static inline GameyeClient *new_client_with(const char *token, const char *extra) {
    char config[1024];
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"%s%s}", token, base_url,
             extra[0] ? "," : "", extra);
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    expect_status(r, GAMEYE_STATUS_OK, "client_new");
    gameye_result_free(r);
    return client;
}

/* A client with a request timeout. */
static inline GameyeClient *new_client(const char *token, unsigned timeout_ms) {
    char extra[64];
    snprintf(extra, sizeof extra, "\"request_timeout_ms\":%u", timeout_ms);
    return new_client_with(token, extra);
}

/* One HTTP/1.1 request to the emulator's control endpoint (it runs with
 * --control); returns the status and copies the response into `resp`. */
static inline int emulator_control(const char *method, const char *path, const char *body, char *resp,
                            size_t resp_len) {
    harness_socket fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == HARNESS_BAD_SOCKET) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)emulator_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        harness_close(fd);
        return -1;
    }
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                     "content-length: %zu\r\nconnection: close\r\n\r\n%s",
                     method, path, body ? strlen(body) : 0, body ? body : "");
    /* send/recv rather than write/read: Winsock sockets are not file descriptors. */
    if (n < 0 || n >= (int)sizeof req || send(fd, req, n, 0) != n) {
        harness_close(fd);
        return -1;
    }
    char scratch[256];
    if (resp == NULL) {
        resp = scratch;
        resp_len = sizeof scratch;
    }
    size_t got = 0;
    int r;
    while (got + 1 < resp_len && (r = recv(fd, resp + got, (int)(resp_len - 1 - got), 0)) > 0)
        got += (size_t)r;
    resp[got] = '\0';
    harness_close(fd);
    int status = -1;
    if (got > 12) sscanf(resp, "HTTP/1.1 %d", &status);
    return status;
}

/* ---- time, environment and the hang watchdog (portable to mingw) ---- */

static inline double harness_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static inline void harness_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Sets (value non-NULL) or removes an environment variable. */
static inline void harness_setenv(const char *name, const char *value) {
#ifdef _WIN32
    _putenv_s(name, value ? value : ""); /* "" removes it */
#else
    if (value) setenv(name, value, 1);
    else unsetenv(name);
#endif
}

/* The watchdog: harness_deadline(NAME, SECONDS) gives the part NAME that long
 * (0 disarms); past it the program prints the part and exits 3, so a
 * deadlock fails the run instead of hanging it. A thread rather than alarm():
 * Windows has no SIGALRM. */
static const char *volatile harness_part = "";
static long long harness_deadline_at = 0; /* ms; read and written atomically */

static inline void *harness_watchdog(void *arg) {
    (void)arg;
    for (;;) {
        harness_sleep_ms(50);
        long long at = __atomic_load_n(&harness_deadline_at, __ATOMIC_SEQ_CST);
        if (at != 0 && harness_now_ms() > (double)at) {
            fprintf(stderr, "FAIL: hung (deadlock?) in: %s\n", harness_part);
            fflush(stderr);
            _exit(3);
        }
    }
    return NULL;
}

static inline void harness_deadline(const char *name, unsigned seconds) {
    static int started = 0;
    if (!started) {
        pthread_t t;
        pthread_create(&t, NULL, harness_watchdog, NULL);
        pthread_detach(t);
        started = 1;
    }
    harness_part = name;
    long long at = seconds ? (long long)harness_now_ms() + (long long)seconds * 1000 : 0;
    __atomic_store_n(&harness_deadline_at, at, __ATOMIC_SEQ_CST);
}

#endif
