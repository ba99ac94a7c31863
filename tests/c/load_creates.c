/*
 * Load test through the C ABI: 8 threads x 500 creates on one shared client
 * against a fresh emulator. Every call must succeed, every id must be
 * unique, and the emulator must hold exactly 4,000 sessions (read from its
 * loopback control endpoint). Run by tests/sanitize/run.sh under ASan+UBSan.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gameye.h"

#define THREADS 8
#define PER_THREAD 500

struct worker {
    const GameyeClient *client;
    int ok;
    char (*ids)[40];
};

static void *work(void *p) {
    struct worker *w = p;
    for (int i = 0; i < PER_THREAD; i++) {
        GameyeResult *r =
            gameye_session_create(w->client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
        if (r->status == GAMEYE_STATUS_OK) {
            snprintf(w->ids[w->ok], sizeof w->ids[0], "%s", r->session->id);
            w->ok++;
        } else {
            fprintf(stderr, "create failed: %s\n", r->message);
        }
        gameye_result_free(r);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

/* GET /_emulator/sessions/count over a raw loopback socket. */
static long session_count(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    const char req[] = "GET /_emulator/sessions/count HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    if (write(fd, req, sizeof req - 1) < 0) {
        close(fd);
        return -1;
    }
    char resp[1024] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += (size_t)n;
    close(fd);
    const char *c = strstr(resp, "\"count\":");
    return c ? strtol(c + 8, NULL, 10) : -1;
}

int main(void) {
    const char *base_url = getenv("GAMEYE_TEST_BASE_URL");
    int port = 0;
    if (base_url == NULL || sscanf(base_url, "http://127.0.0.1:%d", &port) != 1) {
        fprintf(stderr, "GAMEYE_TEST_BASE_URL is not set\n");
        return 2;
    }
    char config[256];
    snprintf(config, sizeof config, "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\"}", base_url);
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client: %s\n", r->message);
        return 1;
    }
    gameye_result_free(r);

    static char ids[THREADS * PER_THREAD][40];
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){client, 0, ids + t * PER_THREAD};
        pthread_create(&threads[t], NULL, work, &workers[t]);
    }
    int ok = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        ok += workers[t].ok;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    gameye_client_free(client);

    qsort(ids, (size_t)ok, sizeof ids[0], cmp);
    int duplicates = 0;
    for (int i = 1; i < ok; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0) duplicates++;
    }
    long held = session_count(port);
    int passed = 0, failed = 0;
    if (ok == THREADS * PER_THREAD) passed++; else failed++;
    if (duplicates == 0) passed++; else failed++;
    if (held == THREADS * PER_THREAD) passed++; else failed++;
    printf("load: %d threads x %d creates: %d succeeded, %d duplicate ids, emulator holds %ld, "
           "%.2f s (%.0f creates/s)\n",
           THREADS, PER_THREAD, ok, duplicates, held, secs, ok / secs);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
