/*
 * The libcurl baseline's set-up, shared by bench_curl.c (many creates on one
 * handle) and bench_first_call.c (a process's first create): the same
 * headers and options, so both measure the same hand-written client.
 */
#ifndef BENCH_CURL_COMMON_H
#define BENCH_CURL_COMMON_H

#include "bench_common.h"

#include <curl/curl.h>

/* The answer's first 4 KiB, NUL-terminated (enough to find "host"). */
struct buf {
    char data[4096];
    size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct buf *b = userdata;
    size_t n = size * nmemb;
    size_t room = sizeof b->data - 1 - b->len;
    size_t take = n < room ? n : room;
    memcpy(b->data + b->len, ptr, take);
    b->len += take;
    b->data[b->len] = '\0';
    return n;
}

/* A handle for `POST url` with the library's headers, answers into *body,
 * and CA as CURLOPT_CAINFO when not NULL or empty. *headers gets the list
 * to free with curl_slist_free_all after curl_easy_cleanup. NULL on failure. */
static CURL *bench_curl_handle(const char *url, const char *ca, struct buf *body,
                               struct curl_slist **headers) {
    CURL *curl = curl_easy_init();
    if (curl == NULL) return NULL;
    *headers = NULL;
    *headers = curl_slist_append(*headers, "Authorization: Bearer " BENCH_TOKEN);
    *headers = curl_slist_append(*headers, "Content-Type: application/json");
    *headers = curl_slist_append(*headers, "Accept: */*");
    *headers = curl_slist_append(*headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "bench-curl/1");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    /* HTTP/1.1 as the library speaks it (libcurl would offer h2 over TLS). */
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (ca != NULL && *ca != '\0') curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    return curl;
}

#endif
