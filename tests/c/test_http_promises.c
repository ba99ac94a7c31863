/*
 * The HTTP promises of gameye.h, through the real library over real HTTP:
 * - gameye_client_free closes every connection, blocking calls made on
 *   other (still living) threads included (counted in /proc/self/fd; on
 *   Windows, the process's established connections in GetExtendedTcpTable);
 * - request_timeout_ms bounds gameye_logs_get and gameye_logs_follow while
 *   the emulator drips a 404 body;
 * - path parameters with control characters or dot segments are refused
 *   with INVALID_REQUEST naming the field, and never touch another session;
 * - a declared Content-Length of 10^18 never aborts the process;
 * - HTTP_PROXY is ignored unless asked for; an explicit proxy is used;
 * - a 3xx is CLIENT_ERROR with the Location in details, never followed;
 * - a successful gameye_logs_follow reports http_status and attempts.
 * Every wait is bounded: the harness's watchdog ends a hung run.
 */
#include "harness.h"

#ifdef _WIN32
#include <iphlpapi.h>
#define SHUT_RDWR SD_BOTH
typedef int socklen_t;
#else
#include <dirent.h>
#endif

#ifdef _WIN32
/* The process's established TCP connections (a closed socket leaves this
 * state at once, though the connection may linger in FIN_WAIT). */
static int count_sockets(void) {
    ULONG size = 0;
    GetExtendedTcpTable(NULL, &size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_CONNECTIONS, 0);
    MIB_TCPTABLE_OWNER_PID *table = malloc(size);
    if (table == NULL ||
        GetExtendedTcpTable(table, &size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_CONNECTIONS, 0) != NO_ERROR) {
        free(table);
        return -1;
    }
    DWORD me = GetCurrentProcessId();
    int n = 0;
    for (DWORD i = 0; i < table->dwNumEntries; i++) {
        if (table->table[i].dwOwningPid == me && table->table[i].dwState == MIB_TCP_STATE_ESTAB) n++;
    }
    free(table);
    return n;
}
#else
/* Whether `inode` is a TCP socket (listed in /proc/self/net/tcp or tcp6). */
static int is_tcp_inode(unsigned long inode) {
    const char *tables[] = {"/proc/self/net/tcp", "/proc/self/net/tcp6"};
    for (size_t t = 0; t < 2; t++) {
        FILE *f = fopen(tables[t], "r");
        if (f == NULL) continue;
        char line[512];
        int found = 0;
        while (!found && fgets(line, sizeof line, f)) {
            unsigned long ino = 0;
            /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
            if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &ino) == 1 && ino == inode) found = 1;
        }
        fclose(f);
        if (found) return 1;
    }
    return 0;
}

/* TCP sockets the process holds: /proc/self/fd entries linking to a
 * "socket:[inode]" that is a TCP socket. (The runtime's process-wide
 * signal socketpair is not a connection and is not counted.) */
static int count_sockets(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[300], target[128];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        unsigned long inode = 0;
        if (len > 0) {
            target[len] = '\0';
            if (sscanf(target, "socket:[%lu]", &inode) == 1 && is_tcp_inode(inode)) n++;
        }
    }
    closedir(dir);
    return n;
}

#endif

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- a tiny loopback HTTP server answering every request the same way ---- */

struct raw_server {
    harness_socket fd;
    int port;
    const char *response;
    int accepted; /* written by the server thread: read with raw_server_accepted */
    pthread_t thread;
};

static void *raw_server_run(void *arg) {
    struct raw_server *s = arg;
    for (;;) {
        harness_socket c = accept(s->fd, NULL, NULL);
        if (c == HARNESS_BAD_SOCKET) return NULL; /* the listener was shut down */
        __atomic_add_fetch(&s->accepted, 1, __ATOMIC_SEQ_CST);
        char buf[4096];
        size_t got = 0;
        int r;
        while (got < sizeof buf - 1 && (r = recv(c, buf + got, (int)(sizeof buf - 1 - got), 0)) > 0) {
            got += (size_t)r;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n")) break;
        }
        if (send(c, s->response, (int)strlen(s->response), 0) < 0) {
            /* the client went away; nothing to do */
        }
        harness_close(c);
    }
}

static int raw_server_accepted(struct raw_server *s) {
    return __atomic_load_n(&s->accepted, __ATOMIC_SEQ_CST);
}

static void raw_server_start(struct raw_server *s, const char *response) {
    memset(s, 0, sizeof *s);
    s->response = response;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("raw server");
        exit(2);
    }
    s->port = ntohs(addr.sin_port);
    pthread_create(&s->thread, NULL, raw_server_run, s);
}

static void raw_server_stop(struct raw_server *s) {
    shutdown(s->fd, SHUT_RDWR);
    harness_close(s->fd);
    pthread_join(s->thread, NULL);
}

static GameyeClient *client_at(const char *url, const char *extra) {
    char config[1024];
    snprintf(config, sizeof config,
             "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\",\"retry\":{\"max_attempts\":1}%s%s}",
             url, extra[0] ? "," : "", extra);
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new(config, &client);
    expect_status(r, GAMEYE_STATUS_OK, "client_new");
    gameye_result_free(r);
    return client;
}

/* ---- 5: gameye_client_free closes the pools of other threads ---- */

#define CALLER_THREADS 4

struct caller {
    GameyeClient *client;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *done;
    int *release;
    int ok;
};

static void *call_then_wait(void *arg) {
    struct caller *c = arg;
    GameyeResult *r = gameye_session_list(c->client, NULL);
    c->ok = r->status == GAMEYE_STATUS_OK;
    gameye_result_free(r);
    pthread_mutex_lock(c->mu);
    (*c->done)++;
    pthread_cond_broadcast(c->cv);
    /* Stay alive (with this thread's pool) until the client is freed. */
    while (!*c->release) pthread_cond_wait(c->cv, c->mu);
    pthread_mutex_unlock(c->mu);
    return NULL;
}

static void client_free_closes_every_thread_pool(void) {
    int before = count_sockets();
    GameyeClient *client = new_client("gameye-emulator-token", 5000);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    int done = 0, release = 0;
    struct caller callers[CALLER_THREADS];
    pthread_t threads[CALLER_THREADS];
    for (int i = 0; i < CALLER_THREADS; i++) {
        callers[i] = (struct caller){client, &mu, &cv, &done, &release, 0};
        pthread_create(&threads[i], NULL, call_then_wait, &callers[i]);
    }
    pthread_mutex_lock(&mu);
    while (done < CALLER_THREADS) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    int during = count_sockets();
    CHECK(during >= before + CALLER_THREADS, "each thread's call holds a connection: %d -> %d", before,
          during);
    gameye_client_free(client);
    int after = count_sockets();
    CHECK(after == before, "client_free left %d socket(s) open (before %d, during %d)", after - before,
          before, during);
    pthread_mutex_lock(&mu);
    release = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < CALLER_THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(callers[i].ok, "thread %d's call failed", i);
    }
}

/* ---- 10: request_timeout_ms bounds logs_get and logs_follow ---- */

static void timeout_bounds_dripping_error_bodies(void) {
    int st = emulator_control("POST", "/_emulator/faults",
                              "{\"path\":\"/logs\",\"action\":{\"kind\":\"slow_drip\",\"status\":404}}", NULL, 0);
    CHECK(st == 200 || st == 201, "arming the fault: %d", st);
    GameyeClient *client = client_at(base_url, "\"request_timeout_ms\":1000");
    double t0 = now_s();
    GameyeResult *r = gameye_logs_get(client, "some-session");
    double took = now_s() - t0;
    expect_status(r, GAMEYE_STATUS_TIMEOUT, "logs_get under a dripping 404");
    CHECK(took < 6.0, "logs_get took %.1f s under a 1 s timeout", took);
    gameye_result_free(r);

    GameyeLogStream *stream = NULL;
    t0 = now_s();
    r = gameye_logs_follow(client, "some-session", &stream);
    took = now_s() - t0;
    expect_status(r, GAMEYE_STATUS_TIMEOUT, "logs_follow under a dripping 404");
    CHECK(took < 6.0, "logs_follow took %.1f s under a 1 s timeout", took);
    CHECK(stream == NULL, "no stream on failure");
    gameye_result_free(r);
    gameye_client_free(client);
    emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0);
}

/* ---- 11: path parameters ---- */

static void expect_field(GameyeResult *r, const char *field, const char *what) {
    if (expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, what)) {
        CHECK(r->violations_len >= 1 && strcmp(r->violations[0].field, field) == 0, "%s: field %s", what,
              r->violations_len ? r->violations[0].field : "(none)");
        CHECK(r->attempts == 0, "%s: nothing sent", what);
        for (const char *p = r->message; *p; p++) {
            CHECK((unsigned char)*p >= 0x20, "%s: raw control character in the message", what);
        }
    }
    gameye_result_free(r);
}

static void path_parameters_are_literal(void) {
    GameyeClient *client = client_at(base_url, "");
    GameyeResult *r = gameye_session_create(
        client, "{\"location\":\"europe\",\"image\":\"nginx\",\"id\":\"victim\"}");
    expect_status(r, GAMEYE_STATUS_OK, "create victim");
    gameye_result_free(r);
    const char *bad[] = {"victim\t", "victim\r", "victim\n", "\tvictim", "vic\x7ftim", ".", ".."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_field(gameye_session_stop(client, bad[i], GAMEYE_STOP_IDEMPOTENT), "id", "stop");
        expect_field(gameye_session_get(client, bad[i]), "id", "get");
        expect_field(gameye_locations_available(client, bad[i]), "image", "locations");
        expect_field(gameye_tag_exists(client, bad[i], "nginx", "v1"), "region", "tag region");
        expect_field(gameye_tag_exists(client, "eu", bad[i], "v1"), "image", "tag image");
        expect_field(gameye_tag_exists(client, "eu", "nginx", bad[i]), "version", "tag version");
    }
    r = gameye_session_get(client, "victim");
    if (expect_status(r, GAMEYE_STATUS_OK, "victim still there")) {
        CHECK(strcmp(r->session_info->status, "running") == 0, "victim is %s", r->session_info->status);
    }
    gameye_result_free(r);
    /* A slash is part of the one segment: no such session, not another path. */
    r = gameye_session_stop(client, "victim/..", 0);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "stop victim/..");
    gameye_result_free(r);
    gameye_client_free(client);
}

/* ---- 12: a huge declared Content-Length ---- */

static void huge_content_length_never_aborts(void) {
    struct raw_server s;
    raw_server_start(&s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                         "content-length: 1000000000000000000\r\nconnection: close\r\n\r\n{\"sessions\":[");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);
    GameyeClient *client =
        client_at(url, "\"max_response_bytes\":18446744073709551615,\"max_log_bytes\":18446744073709551615");
    GameyeResult *r = gameye_session_list(client, NULL);
    CHECK(r->status == GAMEYE_STATUS_TRANSPORT || r->status == GAMEYE_STATUS_DECODE, "list: %s",
          gameye_status_name(r->status));
    gameye_result_free(r);
    r = gameye_logs_get(client, "x");
    CHECK(r->status == GAMEYE_STATUS_TRANSPORT || r->status == GAMEYE_STATUS_DECODE, "logs: %s",
          gameye_status_name(r->status));
    gameye_result_free(r);
    gameye_client_free(client);
    raw_server_stop(&s);
}

/* ---- 13: proxies are explicit ---- */

static void proxies_are_explicit(void) {
    struct raw_server proxy;
    raw_server_start(&proxy, "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", proxy.port);
    harness_setenv("HTTP_PROXY", url);
    harness_setenv("http_proxy", url);
    harness_setenv("ALL_PROXY", url);
    harness_setenv("NO_PROXY", NULL);
    harness_setenv("no_proxy", NULL);

    GameyeClient *client = client_at(base_url, "");
    GameyeResult *r = gameye_session_list(client, NULL);
    expect_status(r, GAMEYE_STATUS_OK, "list with HTTP_PROXY set");
    gameye_result_free(r);
    gameye_client_free(client);
    CHECK(raw_server_accepted(&proxy) == 0, "HTTP_PROXY was contacted %d time(s) without proxy_from_env", raw_server_accepted(&proxy));

    char extra[128];
    snprintf(extra, sizeof extra, "\"proxy\":\"%s\"", url);
    client = client_at(base_url, extra);
    r = gameye_session_list(client, NULL);
    expect_status(r, GAMEYE_STATUS_SERVER_ERROR, "list through the explicit proxy");
    gameye_result_free(r);
    gameye_client_free(client);
    CHECK(raw_server_accepted(&proxy) == 1, "explicit proxy contacted %d time(s)", raw_server_accepted(&proxy));

    client = client_at(base_url, "\"proxy_from_env\":true");
    r = gameye_session_list(client, NULL);
    expect_status(r, GAMEYE_STATUS_SERVER_ERROR, "list through the environment's proxy");
    gameye_result_free(r);
    gameye_client_free(client);
    CHECK(raw_server_accepted(&proxy) == 2, "environment proxy contacted %d time(s)", raw_server_accepted(&proxy));

    GameyeClient *refused = NULL;
    r = gameye_client_new("{\"token\":\"t\",\"proxy\":\"http://user:hunter2@10.1.2.3:3128\"}", &refused);
    if (expect_status(r, GAMEYE_STATUS_INVALID_CONFIG, "remote plain-http proxy")) {
        CHECK(strstr(r->message, "proxy") != NULL, "names the proxy: %s", r->message);
        CHECK(strstr(r->message, "hunter2") == NULL, "shows the password: %s", r->message);
    }
    CHECK(refused == NULL, "no client");
    gameye_result_free(r);
    harness_setenv("HTTP_PROXY", NULL);
    harness_setenv("http_proxy", NULL);
    harness_setenv("ALL_PROXY", NULL);
    raw_server_stop(&proxy);
}

/* ---- 14: redirects are reported ---- */

static void redirects_are_reported(void) {
    struct raw_server target, redirect;
    raw_server_start(&target, "HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\n{\"sessions\":[]}");
    char location[128], response[256], url[64];
    snprintf(location, sizeof location, "http://127.0.0.1:%d/session", target.port);
    snprintf(response, sizeof response,
             "HTTP/1.1 302 Found\r\nlocation: %s\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", location);
    raw_server_start(&redirect, response);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", redirect.port);
    GameyeClient *client = client_at(url, "");
    GameyeResult *r = gameye_session_list(client, NULL);
    if (expect_status(r, GAMEYE_STATUS_CLIENT_ERROR, "302")) {
        CHECK(r->http_status == 302, "http_status %u", r->http_status);
        CHECK(r->details != NULL && strcmp(r->details, location) == 0, "details: %s",
              r->details ? r->details : "(null)");
    }
    gameye_result_free(r);
    gameye_client_free(client);
    CHECK(raw_server_accepted(&target) == 0, "the redirect was followed");
    raw_server_stop(&redirect);
    raw_server_stop(&target);
}

/* ---- 15: a bad base_url never shows its credentials ---- */

static void base_url_credentials_are_never_echoed(void) {
    GameyeClient *client = NULL;
    GameyeResult *r = gameye_client_new("{\"token\":\"t\",\"base_url\":\"https://user:hunter2@exa mple.com\"}", &client);
    if (expect_status(r, GAMEYE_STATUS_INVALID_CONFIG, "bad base_url")) {
        CHECK(strstr(r->message, "hunter2") == NULL, "shows the password: %s", r->message);
    }
    gameye_result_free(r);
}

/* ---- 17: a follow reports http_status and attempts ---- */

static void follow_reports_status_and_attempts(void) {
    GameyeClient *client = client_at(base_url, "");
    GameyeResult *r = gameye_session_create(client, "{\"location\":\"europe\",\"image\":\"nginx\"}");
    char id[128] = "";
    if (expect_status(r, GAMEYE_STATUS_OK, "create")) snprintf(id, sizeof id, "%s", r->session->id);
    gameye_result_free(r);
    GameyeLogStream *stream = NULL;
    r = gameye_logs_follow(client, id, &stream);
    if (expect_status(r, GAMEYE_STATUS_OK, "follow")) {
        CHECK(r->http_status == 200, "http_status %u", r->http_status);
        CHECK(r->attempts == 1, "attempts %u", r->attempts);
    }
    gameye_result_free(r);
    gameye_log_stream_free(stream);
    gameye_client_free(client);

    /* The first attempt of each follow is answered 503: the retry opens the
     * stream, so attempts must be 2 (a fixed 1 fails), both for the blocking
     * follow and for the reads of an async one (the read that opens the log
     * and the ones after it). */
    const char *config =
        "{\"token\":\"gameye-emulator-token\",\"base_url\":\"%s\","
        "\"retry\":{\"max_attempts\":3,\"initial_backoff_ms\":10,\"max_backoff_ms\":20}}";
    char buf[512];
    snprintf(buf, sizeof buf, config, base_url);
    GameyeClient *retrying = NULL;
    r = gameye_client_new(buf, &retrying);
    expect_status(r, GAMEYE_STATUS_OK, "client_new with retries");
    gameye_result_free(r);
    const char *once_503 =
        "{\"method\":\"GET\",\"path\":\"/logs\",\"times\":1,"
        "\"action\":{\"kind\":\"status\",\"status\":503}}";
    CHECK(emulator_control("POST", "/_emulator/faults", once_503, NULL, 0) == 201, "arm a 503");
    stream = NULL;
    r = gameye_logs_follow(retrying, id, &stream);
    if (expect_status(r, GAMEYE_STATUS_OK, "follow after a 503")) {
        CHECK(r->http_status == 200, "follow after a 503: http_status %u", r->http_status);
        CHECK(r->attempts == 2, "follow after a 503: attempts %u", r->attempts);
    }
    gameye_result_free(r);
    gameye_log_stream_free(stream);

    CHECK(emulator_control("POST", "/_emulator/faults", once_503, NULL, 0) == 201, "arm a 503");
    stream = gameye_logs_follow_async(retrying, id);
    for (int read = 0; read < 2; read++) {
        GameyeOperation *op = gameye_log_stream_next_async(stream);
        CHECK(gameye_operation_wait(op, 10000) == 1, "async read %d completes", read);
        r = gameye_operation_take_result(op);
        if (expect_status(r, GAMEYE_STATUS_OK, "async read after a 503")) {
            CHECK(r->text != NULL, "async read %d: a line", read);
            CHECK(r->http_status == 200, "async read %d: http_status %u", read, r->http_status);
            CHECK(r->attempts == 2, "async read %d: attempts %u", read, r->attempts);
        }
        gameye_result_free(r);
        gameye_operation_free(op);
    }
    gameye_log_stream_free(stream);
    emulator_control("DELETE", "/_emulator/faults", NULL, NULL, 0);
    gameye_client_free(retrying);
}

int main(void) {
    harness_init();
    harness_deadline("test_http_promises", 120);
    client_free_closes_every_thread_pool();
    timeout_bounds_dripping_error_bodies();
    path_parameters_are_literal();
    huge_content_length_never_aborts();
    proxies_are_explicit();
    redirects_are_reported();
    base_url_credentials_are_never_echoed();
    follow_reports_status_and_attempts();
    return harness_finish();
}
