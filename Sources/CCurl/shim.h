#ifndef CALLPOP_CCURL_SHIM_H
#define CALLPOP_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// these typed wrappers are the only way Swift reaches them.
static inline CURLcode callpop_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode callpop_curl_getinfo_socket(CURL *h, curl_socket_t *s) { return curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, s); }
static inline CURLcode callpop_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }

// Macros Swift does not import as values of the right type.
static inline long callpop_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline int callpop_curl_error_size(void) { return CURL_ERROR_SIZE; }
#endif
