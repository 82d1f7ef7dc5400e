#ifndef AGENCIA_CCURL_SHIM_H
#define AGENCIA_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / getinfo are variadic: typed wrappers Swift can call. */
static inline CURLcode agc_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode agc_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode agc_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode agc_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode agc_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*agc_data_cb)(char *, size_t, size_t, void *);
typedef int (*agc_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode agc_setopt_datacb(CURL *h, CURLoption o, agc_data_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode agc_setopt_xferinfo(CURL *h, agc_xferinfo_cb v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
typedef int (*agc_debug_cb)(CURL *, curl_infotype, char *, size_t, void *);
static inline CURLcode agc_setopt_debug(CURL *h, agc_debug_cb v) { return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, v); }
static inline CURLcode agc_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode agc_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
#endif
