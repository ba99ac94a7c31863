/*
 * C tests of every libgameye endpoint besides create, against a running
 * emulator (GAMEYE_TEST_BASE_URL, started by tests/c/run.sh with
 * tests/emulator-config.json). Run under valgrind by run.sh.
 */
#include "harness.h"
#include <time.h>

static char run_id[32];

/* Makes a session id unique to this run, so reruns against one emulator work. */
static const char *sid(const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s-%s", run_id, name);
    return buf;
}

static void start(GameyeClient *c, const char *id, const char *location, const char *mode) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"location\":\"%s\",\"image\":\"nginx\",\"labels\":{\"mode\":\"%s\","
             "\"run\":\"%s\"}}",
             id, location, mode, run_id);
    GameyeResult *r = gameye_session_create(c, json);
    expect_status(r, GAMEYE_STATUS_OK, json);
    gameye_result_free(r);
}

static int list_count(GameyeClient *c, const char *filter_json) {
    GameyeResult *r = gameye_session_list(c, filter_json);
    int n = expect_status(r, GAMEYE_STATUS_OK, filter_json ? filter_json : "list") ? (int)r->sessions_len : -1;
    gameye_result_free(r);
    return n;
}

static void test_list_get_stop(GameyeClient *c) {
    char a[64], b[64], x[64];
    sid("a", a, sizeof a);
    sid("b", b, sizeof b);
    start(c, a, "europe", "duel");
    start(c, b, "north-america", "ffa");

    char filter[256];
    snprintf(filter, sizeof filter, "{\"labels\":{\"run\":\"%s\"}}", run_id);
    GameyeResult *r = gameye_session_list(c, filter);
    if (expect_status(r, GAMEYE_STATUS_OK, "list")) {
        CHECK(r->http_status == 200, "http %u", r->http_status);
        CHECK(r->sessions_len == 2, "two sessions: %zu", r->sessions_len);
        for (size_t i = 0; i < r->sessions_len; i++) {
            const GameyeSessionInfo *s = &r->sessions[i];
            CHECK(strcmp(s->image, "nginx") == 0, "image");
            CHECK(s->created_ms > 1600000000000LL, "created in ms: %lld", (long long)s->created_ms);
            CHECK(s->ports_len == 1 && s->ports[0].container == 80 &&
                      strcmp(s->ports[0].protocol, "tcp") == 0,
                  "typed ports");
            CHECK(s->state == GAMEYE_SESSION_STATE_RUNNING && strcmp(s->status, "running") == 0,
                  "running");
            CHECK(s->labels_len == 2, "labels %zu", s->labels_len);
            CHECK(s->player_count == 0 || s->player_count == -1, "player count");
        }
    }
    gameye_result_free(r);

    snprintf(filter, sizeof filter, "{\"location\":\"europe\",\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 1, "location filter");
    snprintf(filter, sizeof filter, "{\"image\":\"my-game\",\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 0, "image filter");

    const char *players[] = {"p1", "p2"};
    r = gameye_players_join(c, a, players, 2);
    if (expect_status(r, GAMEYE_STATUS_OK, "join")) {
        CHECK(r->player_count == 2 && r->players_len == 2 && strcmp(r->players[1], "p2") == 0,
              "joined two");
    }
    gameye_result_free(r);
    snprintf(filter, sizeof filter, "{\"player_count_gt\":1,\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 1, "playerCount[gt] filter");
    snprintf(filter, sizeof filter, "{\"player_count_lt\":1,\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 1, "playerCount[lt] filter");

    r = gameye_session_get(c, a);
    if (expect_status(r, GAMEYE_STATUS_OK, "get")) {
        const GameyeSessionInfo *s = r->session_info;
        CHECK(s != NULL && strcmp(s->id, a) == 0, "described id");
        CHECK(strcmp(s->tag, "latest") == 0, "tag");
        CHECK(s->joined_len == 2 && strcmp(s->joined[0], "p1") == 0, "joined players");
        CHECK(s->player_count == 2, "player_count %lld", (long long)s->player_count);
    }
    gameye_result_free(r);

    const char *leaving[] = {"p1"};
    r = gameye_players_leave(c, leaving, 1);
    if (expect_status(r, GAMEYE_STATUS_OK, "leave")) {
        CHECK(r->player_count == 1 && r->players_len == 1, "left one");
    }
    gameye_result_free(r);

    r = gameye_session_stop(c, a, 0);
    expect_status(r, GAMEYE_STATUS_OK, "stop");
    CHECK(r->http_status == 204 && r->stop_outcome == GAMEYE_STOP_OUTCOME_STOPPED, "stopped");
    gameye_result_free(r);

    r = gameye_session_get(c, a);
    if (expect_status(r, GAMEYE_STATUS_OK, "get stopped")) {
        CHECK(r->session_info->state == GAMEYE_SESSION_STATE_EXITED, "exited");
    }
    gameye_result_free(r);

    snprintf(filter, sizeof filter, "{\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 1, "stopped ones are not listed");
    snprintf(filter, sizeof filter, "{\"all\":true,\"labels\":{\"run\":\"%s\"}}", run_id);
    CHECK(list_count(c, filter) == 2, "all=true lists them");

    r = gameye_session_stop(c, a, 0);
    expect_status(r, GAMEYE_STATUS_CONFLICT, "stop twice");
    gameye_result_free(r);
    r = gameye_session_stop(c, sid("missing", x, sizeof x), 0);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "stop unknown");
    gameye_result_free(r);
    r = gameye_session_stop(c, a, GAMEYE_STOP_IDEMPOTENT);
    expect_status(r, GAMEYE_STATUS_OK, "idempotent stop twice");
    CHECK(r->stop_outcome == GAMEYE_STOP_OUTCOME_ALREADY_STOPPED, "already stopped");
    gameye_result_free(r);
    r = gameye_session_stop(c, x, GAMEYE_STOP_IDEMPOTENT);
    expect_status(r, GAMEYE_STATUS_OK, "idempotent stop unknown");
    CHECK(r->stop_outcome == GAMEYE_STOP_OUTCOME_NOT_FOUND, "not found");
    gameye_result_free(r);

    r = gameye_session_get(c, x);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "get unknown");
    CHECK(r->code != NULL && r->identifier != NULL, "API error fields");
    gameye_result_free(r);

    r = gameye_players_join(c, x, players, 2);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "join unknown session");
    gameye_result_free(r);

    r = gameye_session_list(c, "{\"colour\":1}");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "bad filter");
    gameye_result_free(r);

    r = gameye_session_stop(c, b, GAMEYE_STOP_IDEMPOTENT);
    expect_status(r, GAMEYE_STATUS_OK, "cleanup stop");
    gameye_result_free(r);
}

static void test_logs(GameyeClient *c) {
    char id[64], missing[64];
    sid("logs", id, sizeof id);
    sid("missing", missing, sizeof missing);
    start(c, id, "europe", "logs");
    GameyeResult *r = gameye_logs_get(c, id);
    if (expect_status(r, GAMEYE_STATUS_OK, "logs")) {
        CHECK(r->text != NULL && r->text_len > 0 && strlen(r->text) == r->text_len, "log text");
    }
    gameye_result_free(r);

    r = gameye_session_stop(c, id, 0);
    gameye_result_free(r);

    GameyeLogStream *stream = NULL;
    r = gameye_logs_follow(c, id, &stream);
    expect_status(r, GAMEYE_STATUS_OK, "follow");
    gameye_result_free(r);
    int lines = 0, ended = 0;
    for (int i = 0; i < 10000 && stream != NULL; i++) {
        r = gameye_log_stream_next(stream);
        if (!expect_status(r, GAMEYE_STATUS_OK, "next line")) {
            gameye_result_free(r);
            break;
        }
        if (r->text == NULL) {
            ended = 1;
            gameye_result_free(r);
            break;
        }
        CHECK(strchr(r->text, '\n') == NULL, "no line ending");
        lines++;
        gameye_result_free(r);
    }
    CHECK(lines > 0 && ended, "lines %d, ended %d", lines, ended);
    r = gameye_log_stream_next(stream);
    CHECK(r->status == GAMEYE_STATUS_OK && r->text == NULL, "end stays the end");
    gameye_result_free(r);
    gameye_log_stream_free(stream);
    gameye_log_stream_free(NULL);

    stream = (GameyeLogStream *)0x1;
    r = gameye_logs_follow(c, missing, &stream);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "follow unknown");
    CHECK(stream == NULL, "no stream on error");
    gameye_result_free(r);
    r = gameye_logs_get(c, missing);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "logs unknown");
    gameye_result_free(r);
    r = gameye_log_stream_next(NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "next on NULL");
    gameye_result_free(r);

    /* Stop following early, while the session still runs. */
    char live[64];
    sid("live", live, sizeof live);
    start(c, live, "europe", "logs");
    r = gameye_logs_follow(c, live, &stream);
    expect_status(r, GAMEYE_STATUS_OK, "follow running");
    gameye_result_free(r);
    r = gameye_log_stream_next(stream);
    CHECK(r->status == GAMEYE_STATUS_OK && r->text != NULL, "first line of a live log");
    gameye_result_free(r);
    gameye_log_stream_free(stream);
    r = gameye_session_stop(c, live, 0);
    gameye_result_free(r);
}

struct sink {
    size_t bytes;
    int calls;
    int stop_after;
    unsigned char first[2];
};

static int32_t collect(void *userdata, const uint8_t *data, size_t len) {
    struct sink *s = userdata;
    if (s->bytes == 0 && len >= 2) memcpy(s->first, data, 2);
    s->bytes += len;
    s->calls++;
    return s->stop_after > 0 && s->calls >= s->stop_after ? 1 : 0;
}

static void test_artifacts(GameyeClient *c) {
    char id[64], missing[64], path[256];
    sid("artifact", id, sizeof id);
    sid("missing", missing, sizeof missing);
    start(c, id, "europe", "artifacts");
    GameyeResult *r = gameye_session_stop(c, id, 0);
    gameye_result_free(r);

    struct sink s = {0, 0, 0, {0, 0}};
    r = gameye_artifacts_download(c, id, "/", collect, &s);
    if (expect_status(r, GAMEYE_STATUS_OK, "download to callback")) {
        CHECK(r->bytes_written == s.bytes && s.bytes > 20, "bytes %zu", s.bytes);
        CHECK(s.first[0] == 0x1f && s.first[1] == 0x8b, "gzip magic");
        CHECK(r->body == NULL, "streamed, not kept");
    }
    gameye_result_free(r);

    struct sink stop = {0, 0, 1, {0, 0}};
    r = gameye_artifacts_download(c, id, "/", collect, &stop);
    expect_status(r, GAMEYE_STATUS_CANCELLED, "callback stops the download");
    gameye_result_free(r);

    r = gameye_artifacts_download(c, id, "/", NULL, NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL callback");
    gameye_result_free(r);

    snprintf(path, sizeof path, "target/c-tests/%s.tar.gz", id);
    r = gameye_artifacts_save(c, id, "/", path);
    if (expect_status(r, GAMEYE_STATUS_OK, "save to file")) {
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL, "file written");
        if (f) {
            fseek(f, 0, SEEK_END);
            CHECK((unsigned long long)ftell(f) == (unsigned long long)r->bytes_written, "size");
            fclose(f);
        }
        remove(path);
    }
    gameye_result_free(r);

    r = gameye_artifacts_save(c, missing, "/", path);
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "artifact of unknown session");
    CHECK(fopen(path, "rb") == NULL, "no partial file");
    gameye_result_free(r);

    r = gameye_artifacts_save(c, id, "/", "/nonexistent-dir/x.tar.gz");
    expect_status(r, GAMEYE_STATUS_IO, "unwritable destination");
    gameye_result_free(r);
}

static void test_locations_tags(GameyeClient *c) {
    GameyeResult *r = gameye_locations_available(c, "nginx");
    if (expect_status(r, GAMEYE_STATUS_OK, "locations")) {
        int europe = 0;
        for (size_t i = 0; i < r->locations_len; i++) {
            if (strcmp(r->locations[i].id, "europe") == 0) europe = 1;
            CHECK(r->locations[i].ips_len > 0, "ping ips");
        }
        CHECK(europe, "europe listed");
    }
    gameye_result_free(r);
    r = gameye_locations_available(c, "no-such-image");
    expect_status(r, GAMEYE_STATUS_NOT_FOUND, "locations of unknown image");
    gameye_result_free(r);

    r = gameye_tag_exists(c, "europe", "nginx", "1.25");
    expect_status(r, GAMEYE_STATUS_OK, "tag");
    CHECK(r->tag_exists == 1, "tag exists");
    gameye_result_free(r);
    r = gameye_tag_exists(c, "europe", "nginx", "9.9");
    expect_status(r, GAMEYE_STATUS_OK, "missing tag");
    CHECK(r->tag_exists == 0, "tag does not exist");
    gameye_result_free(r);
}

/* Every endpoint maps 401 and 403 the same way. */
static void test_auth_errors(void) {
    GameyeClient *wrong = new_client("wrong-token", 30000);
    GameyeClient *readonly = new_client("read-only-token", 30000);
    const char *players[] = {"p"};
    GameyeResult *rs[] = {
        gameye_session_list(wrong, NULL),
        gameye_session_get(wrong, "x"),
        gameye_session_stop(wrong, "x", 0),
        gameye_players_join(wrong, "x", players, 1),
        gameye_players_leave(wrong, players, 1),
        gameye_logs_get(wrong, "x"),
        gameye_artifacts_save(wrong, "x", "/", "target/c-tests/never.tar.gz"),
        gameye_locations_available(wrong, "nginx"),
        gameye_tag_exists(wrong, "europe", "nginx", "1"),
    };
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "401 #%zu", i);
        expect_status(rs[i], GAMEYE_STATUS_UNAUTHORIZED, what);
        CHECK(rs[i]->http_status == 401 && rs[i]->code != NULL, "%s fields", what);
        gameye_result_free(rs[i]);
    }
    GameyeResult *forbidden[] = {
        gameye_session_stop(readonly, "x", 0),
        gameye_logs_get(readonly, "x"),
        gameye_artifacts_save(readonly, "x", "/", "target/c-tests/never.tar.gz"),
        gameye_locations_available(readonly, "nginx"),
        gameye_tag_exists(readonly, "europe", "nginx", "1"),
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "403 #%zu", i);
        expect_status(forbidden[i], GAMEYE_STATUS_FORBIDDEN, what);
        gameye_result_free(forbidden[i]);
    }
    gameye_client_free(wrong);
    gameye_client_free(readonly);
}

static void test_bad_arguments(GameyeClient *c) {
    const char *players[] = {"ok", NULL};
    GameyeResult *r = gameye_players_join(c, "s", players, 2);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL player");
    CHECK(strstr(r->message, "players[1]") != NULL, "names players[1]: %s", r->message);
    gameye_result_free(r);
    r = gameye_players_join(c, "s", NULL, 3);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL players array");
    gameye_result_free(r);
    r = gameye_players_leave(c, NULL, 0);
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "no players");
    gameye_result_free(r);
    const char bad[] = {'p', (char)0xff, 0};
    const char *bad_players[] = {bad};
    r = gameye_players_leave(c, bad_players, 1);
    expect_status(r, GAMEYE_STATUS_INVALID_UTF8, "invalid UTF-8 player");
    gameye_result_free(r);
    r = gameye_session_get(c, "");
    expect_status(r, GAMEYE_STATUS_INVALID_REQUEST, "empty id");
    gameye_result_free(r);
    r = gameye_session_get(NULL, "x");
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL client");
    gameye_result_free(r);
    r = gameye_tag_exists(c, "europe", NULL, "1");
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL image");
    CHECK(strstr(r->message, "image") != NULL, "names image");
    gameye_result_free(r);
    r = gameye_logs_follow(c, "x", NULL);
    expect_status(r, GAMEYE_STATUS_NULL_ARGUMENT, "NULL stream_out");
    gameye_result_free(r);
}

int main(void) {
    harness_init();
    snprintf(run_id, sizeof run_id, "c%ld-%ld", (long)getpid(), (long)time(NULL));
    GameyeClient *c = new_client("gameye-emulator-token", 30000);
    test_list_get_stop(c);
    test_logs(c);
    test_artifacts(c);
    test_locations_tags(c);
    test_auth_errors();
    test_bad_arguments(c);
    gameye_client_free(c);
    return harness_finish();
}
