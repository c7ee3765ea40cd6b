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

// The easy interface for HTTP transfers, driven by a multi handle (CallPopCurl's CurlTransfer):
// the callbacks are typed here because the setopt that installs them is variadic.
static inline CURLcode callpop_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_setopt_write(CURL *h, curl_write_callback f, void *data) {
    CURLcode code = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
    if (code == CURLE_OK) code = curl_easy_setopt(h, CURLOPT_WRITEDATA, data);
    return code;
}
static inline CURLcode callpop_curl_setopt_header(CURL *h, curl_write_callback f, void *data) {
    CURLcode code = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
    if (code == CURLE_OK) code = curl_easy_setopt(h, CURLOPT_HEADERDATA, data);
    return code;
}
static inline CURLcode callpop_curl_setopt_headers(CURL *h, struct curl_slist *list) { return curl_easy_setopt(h, CURLOPT_HTTPHEADER, list); }
static inline CURLcode callpop_curl_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline size_t callpop_curl_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline int callpop_curl_pause_continue(void) { return CURLPAUSE_CONT; }

// The multi interface's socket and timer callbacks, so its sockets and its timer wait in
// callpop's own poll loop (curl_multi_socket_action) instead of a second one inside libcurl.
static inline CURLMcode callpop_curl_multi_socket_function(CURLM *m, curl_socket_callback f, void *data) {
    CURLMcode code = curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f);
    if (code == CURLM_OK) code = curl_multi_setopt(m, CURLMOPT_SOCKETDATA, data);
    return code;
}
static inline CURLMcode callpop_curl_multi_timer_function(CURLM *m, curl_multi_timer_callback f, void *data) {
    CURLMcode code = curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f);
    if (code == CURLM_OK) code = curl_multi_setopt(m, CURLMOPT_TIMERDATA, data);
    return code;
}
static inline CURLMcode callpop_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline curl_socket_t callpop_curl_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }
static inline CURLcode callpop_curl_message_result(const CURLMsg *message) { return message->data.result; }
static inline int callpop_curl_message_is_done(const CURLMsg *message) { return message->msg == CURLMSG_DONE; }

// Macros Swift does not import as values of the right type.
static inline long callpop_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline int callpop_curl_error_size(void) { return CURL_ERROR_SIZE; }
#endif
