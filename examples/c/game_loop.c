/*
 * The non-blocking C API in a game loop: every call returns an operation at
 * once, its completion callback is queued on a GameyeQueue, and the loop
 * runs the queued callbacks with gameye_queue_drain() once per frame, on
 * its own thread. The frame never waits for the network.
 *
 * The "game" starts a session, registers two players, then stops the
 * session: each step starts the next from its callback.
 *
 *   game_loop BASE_URL      (run.sh starts the emulator and passes its URL)
 */
/* nanosleep() is POSIX, outside strict C11. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gameye.h>

enum { FRAME_MS = 16, MAX_FRAMES = 60 * 30 /* 30 s of frames */ };

typedef struct Game {
    GameyeClient *client;
    GameyeQueue *queue;
    char session_id[64];
    pthread_t game_thread;
    int in_flight;  /* operations started and not yet completed */
    int frame;
    int done;
    int failed;
} Game;

static void on_created(void *userdata, GameyeOperation *op);
static void on_joined(void *userdata, GameyeOperation *op);
static void on_stopped(void *userdata, GameyeOperation *op);

/* Starts `op`; `callback` will run inside a later gameye_queue_drain(). */
static void start(Game *g, GameyeOperation *op, GameyeCompletionCallback callback) {
    g->in_flight++;
    gameye_operation_set_callback(op, g->queue, callback, g);
    printf("frame %4d: request sent, the loop goes on\n", g->frame);
}

/* Takes the operation's result and frees the operation; NULL (and the game
 * marked failed) unless the call succeeded. */
static GameyeResult *finish(Game *g, GameyeOperation *op, const char *what) {
    GameyeResult *r = gameye_operation_take_result(op);
    gameye_operation_free(op);
    g->in_flight--;
    if (!pthread_equal(pthread_self(), g->game_thread)) {
        fprintf(stderr, "a callback ran off the game thread\n");
        g->failed = 1;
    }
    if (r == NULL || r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "frame %4d: %s failed: %s: %s\n", g->frame, what,
                r ? gameye_status_name(r->status) : "no result",
                r && r->message ? r->message : "");
        gameye_result_free(r);
        g->failed = 1;
        g->done = 1;
        return NULL;
    }
    return r;
}

static void on_created(void *userdata, GameyeOperation *op) {
    Game *g = userdata;
    GameyeResult *r = finish(g, op, "create");
    if (r == NULL) return;
    const GameyeSession *s = r->session;
    snprintf(g->session_id, sizeof g->session_id, "%s", s->id);
    printf("frame %4d: session %s started\n", g->frame, s->id);
    for (size_t i = 0; i < s->ports_len; i++)
        printf("            players connect to %s:%u (%s, container port %u)\n", s->host,
               s->ports[i].host, s->ports[i].protocol, s->ports[i].container);
    gameye_result_free(r);

    const char *players[] = {"ana", "bram"};
    start(g, gameye_players_join_async(g->client, g->session_id, players, 2), on_joined);
}

static void on_joined(void *userdata, GameyeOperation *op) {
    Game *g = userdata;
    GameyeResult *r = finish(g, op, "join");
    if (r == NULL) return;
    printf("frame %4d: %lld players in the session\n", g->frame, (long long)r->player_count);
    gameye_result_free(r);
    start(g, gameye_session_stop_async(g->client, g->session_id, 0), on_stopped);
}

static void on_stopped(void *userdata, GameyeOperation *op) {
    Game *g = userdata;
    GameyeResult *r = finish(g, op, "stop");
    if (r == NULL) return;
    printf("frame %4d: session stopped\n", g->frame);
    gameye_result_free(r);
    g->done = 1;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    char config[512];
    /* The emulator's token; with Gameye, your own. */
    snprintf(config, sizeof config, "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\"}",
             argv[1]);
    Game g = {0};
    GameyeResult *r = gameye_client_new(config, &g.client);
    if (r->status != GAMEYE_STATUS_OK) {
        fprintf(stderr, "client: %s\n", r->message);
        gameye_result_free(r);
        return 1;
    }
    gameye_result_free(r);
    g.queue = gameye_queue_new();
    g.game_thread = pthread_self();

    const char *request = "{\"location\":\"europe\",\"image\":\"my-game\"}";
    start(&g, gameye_session_create_async(g.client, request), on_created);
    size_t callbacks = 0;
    for (g.frame = 1; !g.done && g.frame <= MAX_FRAMES; g.frame++) {
        /* ... input, simulation, rendering ... */
        callbacks += gameye_queue_drain(g.queue, 0);  /* once a frame */
        sleep_ms(FRAME_MS);
    }
    printf("%d frames, %zu callbacks, all on the game thread\n", g.frame - 1, callbacks);
    if (!g.done) {
        fprintf(stderr, "gave up after %d frames\n", MAX_FRAMES);
        g.failed = 1;
    }
    /* Freeing the queue drops the callbacks of anything still in flight. */
    gameye_queue_free(g.queue);
    gameye_client_free(g.client);
    return g.failed || g.in_flight != 0 ? 1 : 0;
}
