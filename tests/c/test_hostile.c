/*
 * The C ABI against a hostile network (issue 17), through the hostile server
 * (tests/hostile: one listener per misbehaviour, plain http and TLS with a
 * test CA), which this program starts itself: target/debug/gameye-hostile,
 * or GAMEYE_HOSTILE_BIN. SIGPIPE stays at SIG_DFL, as a C host leaves it, so
 * a library write that raises it kills this program (status 141).
 *
 * Parts: 1 no SIGPIPE (idle close over https with the default config; a 201
 * sent before a 4 MiB body is read, then a reset); 2 a kept connection the
 * server closed is re-sent, not failed (retries off, plain/TLS x
 * blocking/async); 3 an echoed token never shows (message, details, log);
 * 4 409 recovery returns only this call's session, attempts <= max_attempts;
 * 5 what already held (bad TLS sends no request, remote plain http refused,
 * Retry-After, headers, framing, hostile JSON, gzip, never answers on 8
 * threads, IPv6). `test_hostile N` runs part N alone (`1b`: one of its pieces).
 *
 * Where the server cannot run (no binary: a cross run under Wine or qemu
 * builds only the library), it says so and skips, except under CI=true.
 */
#include "harness.h"

#ifndef _WIN32
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
extern char **environ;
#endif

#define TOKEN "tok-HOSTILE-c0ffee17-5ecr"
#define TOKEN_PART "HOSTILE-c0ff"
#define CREATE "{\"location\":\"europe\",\"image\":\"nginx\"}"
#define NO_RETRY "\"retry\":{\"max_attempts\":1}"

/* The manifest line the server printed, and the CA file it names. */
static char manifest[16384];
static char ca_path[1024];
static int control_port;
/* Timing bounds are this many times wider under valgrind and TSan. */
static int slow = 1;

/* ------------------------------------------------------------------ server */

#ifndef _WIN32
/* Starts the hostile server with its stdin a pipe this process holds: it
 * exits when we do. Returns 1 when running, 0 when it cannot run here. */
static int hostile_start(void) {
    char bin[1024];
    const char *env = getenv("GAMEYE_HOSTILE_BIN");
    const char *dir = getenv("GAMEYE_LIB_DIR");
    if (env) snprintf(bin, sizeof bin, "%s", env);
    else snprintf(bin, sizeof bin, "%s/gameye-hostile", dir ? dir : "target/debug");
    struct stat st;
    if (stat(bin, &st) != 0) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0) {
            fprintf(stderr, "FAIL: no hostile server at %s (cargo build -p gameye-hostile)\n", bin);
            exit(1);
        }
        printf("SKIPPED test_hostile: no hostile server at %s (cargo build -p gameye-hostile)\n", bin);
        return 0;
    }
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) {
        perror("pipe");
        exit(1);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *argv[] = {bin, "--max-seconds", "1800", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        fprintf(stderr, "FAIL: cannot start %s: %s\n", bin, strerror(rc));
        exit(1);
    }
    /* One line; the server prints it once every listener accepts. */
    size_t got = 0;
    ssize_t n;
    while (got + 1 < sizeof manifest && (n = read(out[0], manifest + got, sizeof manifest - 1 - got)) > 0) {
        got += (size_t)n;
        if (memchr(manifest, '\n', got)) break;
    }
    manifest[got] = '\0';
    close(out[0]);
    if (!strchr(manifest, '\n')) {
        fprintf(stderr, "FAIL: the hostile server printed no manifest: %s\n", manifest);
        exit(1);
    }
    /* in[1] stays open until this process exits. */
    const char *ca = strstr(manifest, "\"ca\":\"");
    const char *ctl = strstr(manifest, "\"control\":\"http://127.0.0.1:");
    if (!ca || !ctl || sscanf(ca, "\"ca\":\"%1023[^\"]\"", ca_path) != 1 ||
        sscanf(ctl, "\"control\":\"http://127.0.0.1:%d", &control_port) != 1) {
        fprintf(stderr, "FAIL: bad manifest: %s\n", manifest);
        exit(1);
    }
    return 1;
}
#else
static int hostile_start(void) {
    printf("SKIPPED test_hostile: the hostile server runs on Linux only\n");
    return 0;
}
#endif

/* The URL of listener `name` over `scheme` ("http" or "https") into `url`;
 * 0 when the manifest has none (ok_v6 without IPv6). */
static int listener_url(const char *name, const char *scheme, char *url, size_t len) {
    char key[128];
    snprintf(key, sizeof key, "\"%s\":{", name);
    const char *at = strstr(manifest, key);
    if (!at) return 0;
    const char *end = strchr(at, '}');
    snprintf(key, sizeof key, "\"%s\":\"", scheme);
    const char *u = strstr(at, key);
    if (!u || u > end) return 0;
    u += strlen(key);
    size_t n = (size_t)(strchr(u, '"') - u);
    if (n + 1 > len) return 0;
    memcpy(url, u, n);
    url[n] = '\0';
    return 1;
}

/* What listener `name` over `scheme` has seen, from the control listener. */
static void counts(const char *name, const char *scheme, long *connections, long *requests) {
    *connections = *requests = -1;
    harness_socket fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)control_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd == HARNESS_BAD_SOCKET || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        CHECK(0, "control connect");
        return;
    }
    char req[256], resp[1024];
    int n = snprintf(req, sizeof req, "GET /counts/%s/%s HTTP/1.1\r\nhost: x\r\n\r\n", name, scheme);
    size_t got = 0;
    if (send(fd, req, n, 0) == n) {
        int r;
        while (got + 1 < sizeof resp && (r = recv(fd, resp + got, (int)(sizeof resp - 1 - got), 0)) > 0) {
            got += (size_t)r;
            resp[got] = '\0';
            if (strstr(resp, "\"requests\":") && resp[got - 1] == '}') break;
        }
    }
    resp[got] = '\0';
    harness_close(fd);
    const char *c = strstr(resp, "\"connections\":");
    const char *q = strstr(resp, "\"requests\":");
    if (c) sscanf(c, "\"connections\":%ld", connections);
    if (q) sscanf(q, "\"requests\":%ld", requests);
    CHECK(*connections >= 0 && *requests >= 0, "counts of %s/%s: %s", name, scheme, resp);
}

/* A client for listener `name` over `scheme`, trusting the test CA; `extra`
 * is more config members or "". */
static GameyeClient *client_for(const char *name, const char *scheme, const char *extra) {
    char url[256], config[2048];
    if (!listener_url(name, scheme, url, sizeof url)) {
        CHECK(0, "no listener %s over %s", name, scheme);
        return NULL;
    }
    snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\",\"ca_bundle_path\":\"%s\"%s%s}",
             TOKEN, url, ca_path, extra[0] ? "," : "", extra);
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    expect_status(r, GAMEYE_STATUS_OK, "client_new");
    gameye_result_free(r);
    return client;
}

/* A create request with a fresh id; `id` receives it. */
static const char *create_with_id(char *json, size_t len, char *id, size_t id_len, const char *what) {
    static unsigned long next = 0;
    snprintf(id, id_len, "%s-%d-%lu", what, (int)getpid(), __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST));
    snprintf(json, len, "{\"id\":\"%s\",\"location\":\"europe\",\"image\":\"nginx\"}", id);
    return json;
}

/* The async create, waited for. */
static GameyeResult *create_async(GameyeClient *client, const char *json) {
    GameyeOperation *op = gameye_session_create_async(client, json);
    CHECK(gameye_operation_wait(op, 120000) == 1, "async create done");
    GameyeResult *r = gameye_operation_take_result(op);
    gameye_operation_free(op);
    return r;
}

static GameyeResult *create(GameyeClient *client, const char *json, int async) {
    return async ? create_async(client, json) : gameye_session_create(client, json);
}

static int status_in(const GameyeResult *r, GameyeStatus a, GameyeStatus b) {
    return r && (r->status == a || r->status == b);
}

/* What a call against the early-answer-then-reset listener may return. */
static int early_outcome(const GameyeResult *r) {
    return status_in(r, GAMEYE_STATUS_OK, GAMEYE_STATUS_TRANSPORT) || status_in(r, GAMEYE_STATUS_TIMEOUT, GAMEYE_STATUS_TIMEOUT);
}

/* ------------------------------------------------------------ 1. SIGPIPE */

/* A load balancer closing idle connections after 20 ms, a create every 60
 * ms, the default config: the second create used to die with SIGPIPE over
 * https (rustls's closing message written to the dead connection). */
static void part_sigpipe_idle_close(void) {
    const char *schemes[] = {"https", "http"};
    for (int s = 0; s < 2; s++) {
        GameyeClient *client = client_for("idle_close", schemes[s], "");
        for (int i = 0; i < 8; i++) {
            GameyeResult *r = create(client, CREATE, i >= 5);
            CHECK(r && r->status == GAMEYE_STATUS_OK, "idle_close %s create %d: %s", schemes[s], i,
                  r && r->message ? r->message : "ok");
            gameye_result_free(r);
            harness_sleep_ms(60);
        }
        gameye_client_free(client);
    }
}

/* A create with a 4 MiB body. */
static char *big_create(void) {
    size_t big = (size_t)4 << 20;
    char *json = malloc(big + 128);
    int n = snprintf(json, 128, "{\"location\":\"europe\",\"image\":\"nginx\",\"env\":{\"BIG\":\"");
    memset(json + n, 'x', big);
    strcpy(json + n + big, "\"}}");
    return json;
}

struct early_job {
    GameyeClient *client;
    const char *json;
    int calls;
    int bad; /* results other than OK, TRANSPORT or TIMEOUT */
};

static void *early_thread(void *arg) {
    struct early_job *job = arg;
    for (int i = 0; i < job->calls; i++) {
        GameyeResult *r = gameye_session_create(job->client, job->json);
        if (!early_outcome(r)) job->bad++;
        gameye_result_free(r);
    }
    return NULL;
}

/* The server sends its 201 before reading a 4 MiB body, then resets: the
 * library is still writing the body. Over https, and plain http under load
 * (4 threads). Whatever each call returns, the process must live. */
static void part_sigpipe_early_answer_reset(void) {
    char *json = big_create();
    const char *schemes[] = {"https", "http"};
    for (int s = 0; s < 2; s++) {
        GameyeClient *client = client_for("early_answer_reset", schemes[s], NO_RETRY);
        struct early_job jobs[4];
        pthread_t threads[4];
        /* Under valgrind and TSan one thread, one call: a 4 MiB body takes
         * seconds there. */
        int nthreads = slow > 1 ? 1 : 4;
        for (int t = 0; t < nthreads; t++) {
            jobs[t] = (struct early_job){client, json, slow > 1 ? 1 : 4, 0};
            pthread_create(&threads[t], NULL, early_thread, &jobs[t]);
        }
        for (int t = 0; t < nthreads; t++) {
            pthread_join(threads[t], NULL);
            CHECK(jobs[t].bad == 0, "early_answer_reset %s: %d unexpected statuses", schemes[s], jobs[t].bad);
        }
        for (int i = 0; i < (slow > 1 ? 1 : 2); i++) {
            GameyeResult *r = create_async(client, json);
            CHECK(early_outcome(r), "early_answer_reset %s async: %s", schemes[s], r && r->message ? r->message : "ok");
            gameye_result_free(r);
        }
        gameye_client_free(client);
    }
    free(json);
}

/* ------------------------------------------- 2. stale kept connections */

/* `calls` creates in a row with retries off against a server that closes
 * after every answer without saying so: none may fail, each one attempt. */
static void stale_creates(const char *scheme, int async, int calls) {
    GameyeClient *client = client_for("close_after_answer", scheme, NO_RETRY);
    int failures = 0, extra_attempts = 0;
    char first[512] = "";
    for (int i = 0; i < calls; i++) {
        char json[256], id[96];
        GameyeResult *r = create(client, create_with_id(json, sizeof json, id, sizeof id, "stale"), async);
        if (!r || r->status != GAMEYE_STATUS_OK) {
            if (failures++ == 0)
                snprintf(first, sizeof first, "call %d: %s: %s", i, r ? gameye_status_name(r->status) : "NULL",
                         r && r->message ? r->message : "");
        } else if (r->attempts != 1) {
            extra_attempts++;
        }
        gameye_result_free(r);
    }
    CHECK(failures == 0, "close_after_answer %s %s: %d of %d creates failed; first %s", scheme,
          async ? "async" : "blocking", failures, calls, first);
    CHECK(extra_attempts == 0, "%s: %d creates counted a re-send as an attempt", scheme, extra_attempts);
    gameye_client_free(client);
}

static void part_stale_connections(void) {
    /* 1,000 as the issue asks; 50 under valgrind and TSan (each about
     * 30 times slower there), which failed too before the fix. */
    int calls = slow > 1 ? 50 : 1000;
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        stale_creates(schemes[s], 0, calls);
        stale_creates(schemes[s], 1, calls);
        /* Every method: list, describe, stop. */
        GameyeClient *client = client_for("close_after_answer", schemes[s], NO_RETRY);
        for (int i = 0; i < (slow > 1 ? 10 : 30); i++) {
            GameyeResult *rs[3] = {gameye_session_list(client, NULL), gameye_session_get(client, "m1"),
                                   gameye_session_stop(client, "m1", 0)};
            for (int k = 0; k < 3; k++) {
                CHECK(rs[k] && rs[k]->status == GAMEYE_STATUS_OK, "%s method %d call %d: %s", schemes[s], k, i,
                      rs[k] && rs[k]->message ? rs[k]->message : "ok");
                gameye_result_free(rs[k]);
            }
        }
        gameye_client_free(client);
        /* Closed after 20 ms idle, reused 60 ms later. */
        client = client_for("idle_close", schemes[s], NO_RETRY);
        for (int i = 0; i < 6; i++) {
            GameyeResult *r = create(client, CREATE, i % 2);
            CHECK(r && r->status == GAMEYE_STATUS_OK, "idle_close %s no retries, create %d: %s", schemes[s], i,
                  r && r->message ? r->message : "ok");
            gameye_result_free(r);
            harness_sleep_ms(60);
        }
        gameye_client_free(client);
    }
}

/* ---------------------------------------------------- 3. echoed token */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_events = 0, log_leaks = 0;
static char log_leak[512];

static void on_log(void *userdata, GameyeLogLevel level, const char *message) {
    (void)userdata;
    (void)level;
    pthread_mutex_lock(&log_mu);
    log_events++;
    if (strstr(message, TOKEN_PART) && log_leaks++ == 0) snprintf(log_leak, sizeof log_leak, "%s", message);
    pthread_mutex_unlock(&log_mu);
}

static int hides_token(const char *text) {
    return text == NULL || strstr(text, TOKEN_PART) == NULL;
}

static void check_hidden(const GameyeResult *r, const char *what) {
    CHECK(r != NULL, "%s: NULL result", what);
    if (!r) return;
    CHECK(r->status != GAMEYE_STATUS_OK, "%s: succeeded", what);
    CHECK(hides_token(r->message), "%s: message shows the token: %s", what, r->message);
    CHECK(hides_token(r->details), "%s: details show the token: %s", what, r->details);
    CHECK(hides_token(r->code), "%s: code shows the token: %s", what, r->code);
    CHECK(hides_token(r->identifier), "%s: identifier shows the token: %s", what, r->identifier);
}

/* A 401 JSON message, a 502 HTML page, a 302 Location, a cut-off 201 (its
 * JSON cut, or the message itself): each echoes the request's token; no
 * result text and no log line shows it. */
static void part_echoed_token(void) {
    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_TRACE, on_log, NULL) == GAMEYE_STATUS_OK, "set_logger");
    const char *names[] = {"echo_401_json", "echo_502_html", "echo_302_location", "echo_cut_201",
                           "echo_cut_201_eof"};
    const char *schemes[] = {"http", "https"};
    for (int n = 0; n < 5; n++) {
        for (int s = 0; s < 2; s++) {
            char what[128];
            GameyeClient *client = client_for(names[n], schemes[s], NO_RETRY);
            for (int async = 0; async < 2; async++) {
                GameyeResult *r = create(client, CREATE, async);
                snprintf(what, sizeof what, "%s %s create%s", names[n], schemes[s], async ? " async" : "");
                check_hidden(r, what);
                gameye_result_free(r);
            }
            GameyeResult *r = gameye_session_get(client, "e1");
            snprintf(what, sizeof what, "%s %s get", names[n], schemes[s]);
            check_hidden(r, what);
            gameye_result_free(r);
            gameye_client_free(client);
        }
    }
    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL) == GAMEYE_STATUS_OK, "logger off");
    pthread_mutex_lock(&log_mu);
    CHECK(log_events > 0, "no log event at all");
    CHECK(log_leaks == 0, "%d log lines show the token, first: %s", log_leaks, log_leak);
    pthread_mutex_unlock(&log_mu);
}

/* ---------------------------------------------------- 4. 409 recovery */

/* A create gets 503, its replay 409, and the description names another id
 * and host: CONFLICT whose details name both ids. The same with the same id
 * returns the session. attempts never exceeds max_attempts (2). */
static void part_conflict(void) {
    const char *retry = "\"retry\":{\"max_attempts\":2,\"initial_backoff_ms\":10,\"max_backoff_ms\":20}";
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        for (int async = 0; async < 2; async++) {
            char json[256], id[96], other[128];
            GameyeClient *client = client_for("conflict_other_id", schemes[s], retry);
            GameyeResult *r = create(client, create_with_id(json, sizeof json, id, sizeof id, "mine"), async);
            snprintf(other, sizeof other, "other-%s", id);
            CHECK(r && r->status == GAMEYE_STATUS_CONFLICT, "%s async=%d: want CONFLICT, got %s (session %s)",
                  schemes[s], async, r ? gameye_status_name(r->status) : "NULL",
                  r && r->session ? r->session->id : "none");
            CHECK(r && r->details && strstr(r->details, id) && strstr(r->details, other),
                  "%s async=%d: details must name %s and %s: %s", schemes[s], async, id, other,
                  r && r->details ? r->details : "(none)");
            CHECK(r && r->attempts <= 2, "%s async=%d: attempts %u > max_attempts 2", schemes[s], async,
                  r ? r->attempts : 0);
            gameye_result_free(r);
            gameye_client_free(client);

            client = client_for("conflict_same_id", schemes[s], retry);
            r = create(client, create_with_id(json, sizeof json, id, sizeof id, "mine"), async);
            CHECK(r && r->status == GAMEYE_STATUS_OK && r->session && strcmp(r->session->id, id) == 0,
                  "%s async=%d same id: %s", schemes[s], async, r && r->message ? r->message : "wrong session");
            CHECK(r && r->attempts <= 2, "%s async=%d same id: attempts %u > 2", schemes[s], async,
                  r ? r->attempts : 0);
            gameye_result_free(r);
            gameye_client_free(client);
        }
    }
}

/* ------------------------------------------------ 5. what must hold */

static void part_tls_failures(void) {
    const char *names[] = {"tls_self_signed", "tls_wrong_host", "tls_expired", "tls_old_version"};
    for (int n = 0; n < 4; n++) {
        long c0, q0, c1, q1;
        counts(names[n], "https", &c0, &q0);
        GameyeClient *client = client_for(names[n], "https", NO_RETRY);
        GameyeResult *r = gameye_session_create(client, CREATE);
        expect_status(r, GAMEYE_STATUS_TLS, names[n]);
        gameye_result_free(r);
        r = create_async(client, CREATE);
        expect_status(r, GAMEYE_STATUS_TLS, names[n]);
        gameye_result_free(r);
        gameye_client_free(client);
        counts(names[n], "https", &c1, &q1);
        CHECK(c1 > c0, "%s: never connected", names[n]);
        CHECK(q1 == q0, "%s: %ld requests sent over a refused TLS connection", names[n], q1 - q0);
    }
    /* Plain http to a host that is not loopback: refused before any I/O. */
    const char *remote[] = {"http://api.example.com", "http://10.1.2.3:8080", "http://[2001:db8::1]"};
    for (int i = 0; i < 3; i++) {
        char config[256];
        snprintf(config, sizeof config, "{\"token\":\"%s\",\"base_url\":\"%s\"}", TOKEN, remote[i]);
        GameyeClient *client = (GameyeClient *)1;
        GameyeResult *r = gameye_client_new(config, &client);
        expect_status(r, GAMEYE_STATUS_INVALID_CONFIG, remote[i]);
        CHECK(client == NULL, "%s: no client", remote[i]);
        gameye_result_free(r);
    }
}

static void part_retry_after(void) {
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        char json[256], id[96];
        /* Retry-After: 1 honoured. */
        GameyeClient *client = client_for("retry_after", schemes[s],
            "\"retry\":{\"max_attempts\":3,\"initial_backoff_ms\":10,\"max_backoff_ms\":20,\"deadline_ms\":10000}");
        double t0 = harness_now_ms();
        GameyeResult *r = gameye_session_create(client, create_with_id(json, sizeof json, id, sizeof id, "ra"));
        double took = harness_now_ms() - t0;
        expect_status(r, GAMEYE_STATUS_OK, "retry_after");
        CHECK(r && r->attempts == 2, "retry_after %s: attempts %u", schemes[s], r ? r->attempts : 0);
        CHECK(took >= 900, "retry_after %s: retried after %.0f ms, not the 1 s asked", schemes[s], took);
        gameye_result_free(r);
        gameye_client_free(client);
        /* Retry-After: 3600 past a 1.5 s deadline: the call ends, at once. */
        client = client_for("retry_after_huge", schemes[s],
            "\"retry\":{\"max_attempts\":4,\"initial_backoff_ms\":10,\"max_backoff_ms\":20,\"deadline_ms\":1500}");
        t0 = harness_now_ms();
        r = gameye_session_create(client, create_with_id(json, sizeof json, id, sizeof id, "ra"));
        took = harness_now_ms() - t0;
        expect_status(r, GAMEYE_STATUS_SERVER_ERROR, "retry_after_huge");
        CHECK(took < 2500.0 * slow, "retry_after_huge %s: took %.0f ms", schemes[s], took);
        gameye_result_free(r);
        gameye_client_free(client);
        /* Nonsense values: the client's own backoff, then success. */
        client = client_for("retry_after_nonsense", schemes[s],
            "\"retry\":{\"max_attempts\":8,\"initial_backoff_ms\":10,\"max_backoff_ms\":20,\"deadline_ms\":10000}");
        t0 = harness_now_ms();
        r = gameye_session_create(client, create_with_id(json, sizeof json, id, sizeof id, "ra"));
        took = harness_now_ms() - t0;
        expect_status(r, GAMEYE_STATUS_OK, "retry_after_nonsense");
        CHECK(r && r->attempts == 8, "retry_after_nonsense %s: attempts %u", schemes[s], r ? r->attempts : 0);
        CHECK(took < 4000.0 * slow, "retry_after_nonsense %s: took %.0f ms", schemes[s], took);
        gameye_result_free(r);
        gameye_client_free(client);
    }
}

/* Headers, framing and bodies: each listener's expected outcome. */
struct expectation {
    const char *name;
    GameyeStatus a, b;
};

static void part_headers_framing_bodies(void) {
    const struct expectation cases[] = {
        {"huge_headers", GAMEYE_STATUS_TRANSPORT, GAMEYE_STATUS_DECODE},
        {"endless_headers", GAMEYE_STATUS_TRANSPORT, GAMEYE_STATUS_DECODE},
        {"broken_chunked", GAMEYE_STATUS_TRANSPORT, GAMEYE_STATUS_DECODE},
        {"conflicting_content_length", GAMEYE_STATUS_TRANSPORT, GAMEYE_STATUS_DECODE},
        {"continue_flood", GAMEYE_STATUS_OK, GAMEYE_STATUS_OK},
        {"http10_close_delimited", GAMEYE_STATUS_OK, GAMEYE_STATUS_OK},
        {"deep_json", GAMEYE_STATUS_DECODE, GAMEYE_STATUS_DECODE},
        {"huge_string", GAMEYE_STATUS_DECODE, GAMEYE_STATUS_DECODE},
        {"unasked_gzip", GAMEYE_STATUS_DECODE, GAMEYE_STATUS_DECODE},
    };
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        /* Slow headers end with the request timeout. */
        GameyeClient *client = client_for("slow_headers", schemes[s], NO_RETRY ",\"request_timeout_ms\":800");
        double t0 = harness_now_ms();
        GameyeResult *r = gameye_session_create(client, CREATE);
        expect_status(r, GAMEYE_STATUS_TIMEOUT, "slow_headers");
        CHECK(harness_now_ms() - t0 < 3000.0 * slow, "slow_headers %s: took %.0f ms", schemes[s],
              harness_now_ms() - t0);
        gameye_result_free(r);
        gameye_client_free(client);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char json[256], id[96];
            client = client_for(cases[i].name, schemes[s], NO_RETRY);
            t0 = harness_now_ms();
            r = gameye_session_create(client, create_with_id(json, sizeof json, id, sizeof id, "f"));
            double took = harness_now_ms() - t0;
            CHECK(status_in(r, cases[i].a, cases[i].b), "%s %s: want %s, got %s (%s)", cases[i].name, schemes[s],
                  gameye_status_name(cases[i].a), r ? gameye_status_name(r->status) : "NULL",
                  r && r->message ? r->message : "");
            if (r && r->status == GAMEYE_STATUS_OK)
                CHECK(r->session && strcmp(r->session->id, id) == 0, "%s %s: session id", cases[i].name, schemes[s]);
            CHECK(took < 5000.0 * slow, "%s %s: took %.0f ms", cases[i].name, schemes[s], took);
            gameye_result_free(r);
            gameye_client_free(client);
        }
    }
}

struct never_job {
    GameyeClient *client;
    GameyeStatus status;
    double took;
};

static void *never_thread(void *arg) {
    struct never_job *job = arg;
    double t0 = harness_now_ms();
    GameyeResult *r = gameye_session_create(job->client, CREATE);
    job->took = harness_now_ms() - t0;
    job->status = r ? r->status : GAMEYE_STATUS_PANIC;
    gameye_result_free(r);
    return NULL;
}

/* 8 threads create at once against a server that never answers a create:
 * each TIMEOUT within the request timeout; then the same client works. */
static void part_never_answers(void) {
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        GameyeClient *client = client_for("never_answers", schemes[s], NO_RETRY ",\"request_timeout_ms\":500");
        struct never_job jobs[8];
        pthread_t threads[8];
        for (int t = 0; t < 8; t++) {
            jobs[t] = (struct never_job){client, GAMEYE_STATUS_OK, 0};
            pthread_create(&threads[t], NULL, never_thread, &jobs[t]);
        }
        for (int t = 0; t < 8; t++) {
            pthread_join(threads[t], NULL);
            CHECK(jobs[t].status == GAMEYE_STATUS_TIMEOUT, "never_answers %s thread %d: %s", schemes[s], t,
                  gameye_status_name(jobs[t].status));
            CHECK(jobs[t].took < 2000.0 * slow, "never_answers %s thread %d: took %.0f ms", schemes[s], t,
                  jobs[t].took);
        }
        GameyeResult *r = gameye_session_list(client, NULL);
        expect_status(r, GAMEYE_STATUS_OK, "the client works after the timeouts");
        gameye_result_free(r);
        gameye_client_free(client);
    }
}

static void part_ipv6(void) {
    char url[256];
    if (!listener_url("ok_v6", "http", url, sizeof url)) {
        const char *ci = getenv("CI");
        CHECK(!(ci && strcmp(ci, "true") == 0), "no IPv6 loopback listener");
        printf("SKIPPED ipv6: no IPv6 loopback on this machine\n");
        return;
    }
    const char *schemes[] = {"http", "https"};
    for (int s = 0; s < 2; s++) {
        char json[256], id[96];
        GameyeClient *client = client_for("ok_v6", schemes[s], NO_RETRY);
        GameyeResult *r = gameye_session_create(client, create_with_id(json, sizeof json, id, sizeof id, "v6"));
        expect_status(r, GAMEYE_STATUS_OK, schemes[s]);
        CHECK(r && r->session && strcmp(r->session->id, id) == 0, "ipv6 %s: id", schemes[s]);
        gameye_result_free(r);
        gameye_client_free(client);
    }
}

/* ------------------------------------------------------------------ main */

struct part {
    const char *name;
    void (*run)(void);
    unsigned seconds; /* the watchdog's bound, x slow */
};

int main(int argc, char **argv) {
#ifndef _WIN32
    /* What a C host has: the default, which kills the process on SIGPIPE. */
    signal(SIGPIPE, SIG_DFL);
#endif
    const char *s = getenv("GAMEYE_TEST_SLOW");
    if (s && strcmp(s, "1") == 0) slow = 10;
    if (!hostile_start()) return 0;
    const struct part parts[] = {
        {"1a SIGPIPE: idle close", part_sigpipe_idle_close, 30},
        {"1b SIGPIPE: early answer, then reset", part_sigpipe_early_answer_reset, 60},
        {"2 stale kept connections", part_stale_connections, 120},
        {"3 echoed token", part_echoed_token, 60},
        {"4 409 recovery", part_conflict, 30},
        {"5a TLS failures, remote plain http", part_tls_failures, 30},
        {"5b Retry-After", part_retry_after, 30},
        {"5c headers, framing, bodies", part_headers_framing_bodies, 60},
        {"5d never answers, 8 threads", part_never_answers, 30},
        {"5e IPv6 loopback", part_ipv6, 30},
    };
    /* `test_hostile 1` runs 1a and 1b, `test_hostile 1b` only 1b. */
    const char *only = argc > 1 ? argv[1] : "";
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (strncmp(parts[i].name, only, strlen(only)) != 0) continue;
        printf("-- %s\n", parts[i].name);
        fflush(stdout);
        harness_deadline(parts[i].name, parts[i].seconds * (unsigned)slow);
        parts[i].run();
    }
    harness_deadline("", 0);
    return harness_finish();
}
