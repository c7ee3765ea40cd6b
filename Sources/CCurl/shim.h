#ifndef CALLPOP_CCURL_SHIM_H
#define CALLPOP_CCURL_SHIM_H
#include <curl/curl.h>
#include <poll.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// these typed wrappers are the only way Swift reaches them.
static inline CURLcode callpop_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_getinfo_socket(CURL *h, curl_socket_t *s) { return curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, s); }
static inline CURLcode callpop_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }

// Abandons a transfer (and a connect-only connect) once *clientp, a file descriptor, is
// readable: lets a blocking curl_easy_perform be cancelled through a wake-up pipe. libcurl
// calls it about once a second and on every socket event while connecting.
static int callpop_curl_abort_if_readable(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                          curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    struct pollfd entry = { *(const int *)clientp, POLLIN, 0 };
    return poll(&entry, 1, 0) > 0;
}
static inline CURLcode callpop_curl_abort_when_readable(CURL *h, int *fd) {
    CURLcode code = curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (code == CURLE_OK) code = curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)fd);
    if (code == CURLE_OK) code = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, callpop_curl_abort_if_readable);
    return code;
}

// Macros Swift does not import as values of the right type.
static inline long callpop_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline int callpop_curl_error_size(void) { return CURL_ERROR_SIZE; }
#endif
