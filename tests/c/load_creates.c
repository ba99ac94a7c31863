/*
 * Load test through the C ABI: 8 threads x 500 creates on one shared client
 * against a fresh emulator. Every call must succeed, every id must be
 * unique, and the emulator must hold exactly 4,000 sessions (read from its
 * loopback control endpoint). Run by tests/sanitize/run.sh under ASan+UBSan.
 */
#include "harness.h"
#include <pthread.h>
#include <time.h>

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

/* The sessions the emulator holds, from its control endpoint. */
static long session_count(void) {
    char resp[1024];
    if (emulator_control("GET", "/_emulator/sessions/count", NULL, resp, sizeof resp) != 200) return -1;
    const char *c = strstr(resp, "\"count\":");
    return c ? strtol(c + 8, NULL, 10) : -1;
}

int main(void) {
    harness_init();
    GameyeClient *client = new_client("gameye-emulator-token", 30000);

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
    long held = session_count();
    CHECK(ok == THREADS * PER_THREAD, "every create succeeded");
    CHECK(duplicates == 0, "every id is unique");
    CHECK(held == THREADS * PER_THREAD, "the emulator holds exactly %d", THREADS * PER_THREAD);
    printf("load: %d threads x %d creates: %d succeeded, %d duplicate ids, emulator holds %ld, "
           "%.2f s (%.0f creates/s)\n",
           THREADS, PER_THREAD, ok, duplicates, held, secs, ok / secs);
    return harness_finish();
}
