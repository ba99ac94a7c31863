/*
 * C test of gameye_set_logger: events reach the host's callback at the level
 * set, and never contain the token or env values. Against the emulator.
 */
#include "harness.h"
#include <pthread.h>

struct log_buffer {
    pthread_mutex_t mu;
    char text[65536];
    size_t len;
    int events[6];
};

static void on_log(void *userdata, GameyeLogLevel level, const char *message) {
    struct log_buffer *b = userdata;
    pthread_mutex_lock(&b->mu);
    if (level <= 5) b->events[level]++;
    int n = snprintf(b->text + b->len, sizeof b->text - b->len, "%u %s\n", (unsigned)level, message);
    if (n > 0 && b->len + (size_t)n < sizeof b->text) b->len += (size_t)n;
    pthread_mutex_unlock(&b->mu);
}

static void create(const char *token) {
    GameyeClient *client = new_client_with(token, "\"retry\":{\"max_attempts\":1}");
    gameye_result_free(gameye_session_create(
        client, "{\"location\":\"europe\",\"image\":\"nginx\",\"env\":{\"PASSWORD\":\"hunter2-env\"}}"));
    gameye_client_free(client);
}

int main(void) {
    harness_init();
    static struct log_buffer buf;
    pthread_mutex_init(&buf.mu, NULL);

    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_TRACE, on_log, &buf) == GAMEYE_STATUS_OK, "set");
    create("gameye-emulator-token");
    create("s3cr3t-wrong-token");
    CHECK(strstr(buf.text, "4 request start: POST /session") != NULL, "debug start: %s", buf.text);
    CHECK(strstr(buf.text, "3 request end: POST /session -> 201") != NULL, "info end: %s", buf.text);
    CHECK(strstr(buf.text, "-> 401") != NULL, "401 logged: %s", buf.text);
    CHECK(strstr(buf.text, "s3cr3t") == NULL, "token not logged");
    CHECK(strstr(buf.text, "gameye-emulator-token") == NULL, "token not logged");
    CHECK(strstr(buf.text, "hunter2") == NULL, "env values not logged");

    int before = buf.events[3] + buf.events[4];
    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_ERROR, on_log, &buf) == GAMEYE_STATUS_OK, "raise level");
    create("gameye-emulator-token");
    CHECK(buf.events[3] + buf.events[4] == before, "info and debug filtered out");

    CHECK(gameye_set_logger(42, on_log, &buf) == GAMEYE_STATUS_INVALID_CONFIG, "unknown level");
    CHECK(gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, NULL, NULL) == GAMEYE_STATUS_OK, "off");
    size_t len = buf.len;
    create("s3cr3t-wrong-token");
    CHECK(buf.len == len, "nothing logged when off");
    pthread_mutex_destroy(&buf.mu);
    return harness_finish();
}
