// Sets the user's transport settings on each libcurl transfer: see include/CurlTransport.h.
#include "CurlTransport.h"

#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // RTLD_NEXT
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef int (*easy_setopt)(void *handle, int option, ...);

/// libcurl's own `curl_easy_setopt`, found once.
static easy_setopt libcurl_setopt;
static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;

static void find_libcurl(void) {
    void *setopt = dlsym(RTLD_NEXT, "curl_easy_setopt");
    memcpy(&libcurl_setopt, &setopt, sizeof setopt);
}

// Option numbers are part of libcurl's ABI (curl/curl.h): declared here so that building needs
// libcurl's library, which FoundationNetworking needs anyway, and not its headers.
enum {
    LAZYWHEEL_CURLOPT_URL = 10002,
    LAZYWHEEL_CURLOPT_PROXY = 10004,
    LAZYWHEEL_CURLOPT_SSLCERT = 10025,
    LAZYWHEEL_CURLOPT_SSL_VERIFYPEER = 64,
    LAZYWHEEL_CURLOPT_CAINFO = 10065,
    LAZYWHEEL_CURLOPT_SSL_VERIFYHOST = 81,
    LAZYWHEEL_CURLOPT_SSLKEY = 10087,
    LAZYWHEEL_CURLOPT_CAPATH = 10097,
    LAZYWHEEL_CURLOPT_NOPROXY = 10177,
};

static pthread_mutex_t transport_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lazywheel_transport_settings transport;

static char *copy_or_null(const char *text) { return text == NULL ? NULL : strdup(text); }

void lazywheel_curl_configure_transport(const struct lazywheel_transport_settings *settings) {
    pthread_mutex_lock(&transport_lock);
    free(transport.ca_file); free(transport.ca_directory); free(transport.client_certificate);
    free(transport.client_key); free(transport.insecure_hosts); free(transport.http_proxy);
    free(transport.https_proxy); free(transport.no_proxy);
    transport = (struct lazywheel_transport_settings){
        .configured = settings->configured,
        .ca_file = copy_or_null(settings->ca_file),
        .ca_directory = copy_or_null(settings->ca_directory),
        .client_certificate = copy_or_null(settings->client_certificate),
        .client_key = copy_or_null(settings->client_key),
        .insecure_hosts = copy_or_null(settings->insecure_hosts),
        .http_proxy = copy_or_null(settings->http_proxy),
        .https_proxy = copy_or_null(settings->https_proxy),
        .no_proxy = copy_or_null(settings->no_proxy),
    };
    pthread_mutex_unlock(&transport_lock);
}

/// Whether the host of `url` (scheme://[userinfo@]host[:port]/…, host in brackets for IPv6) is one
/// of the newline-separated `hosts` (a `host:port` entry matches that port only).
static int host_is_listed(const char *url, const char *hosts) {
    if (hosts == NULL || url == NULL) return 0;
    const char *start = strstr(url, "://");
    if (start == NULL) return 0;
    start += 3;
    size_t authority_length = strcspn(start, "/?#");
    const char *at = memchr(start, '@', authority_length);
    if (at != NULL) { authority_length -= (size_t)(at + 1 - start); start = at + 1; }
    size_t host_length = authority_length;
    if (start[0] == '[') {
        const char *close = memchr(start, ']', authority_length);
        if (close != NULL) host_length = (size_t)(close + 1 - start);
    } else {
        const char *colon = memchr(start, ':', authority_length);
        if (colon != NULL) host_length = (size_t)(colon - start);
    }
    for (const char *entry = hosts; *entry != 0;) {
        size_t entry_length = strcspn(entry, "\n");
        if ((entry_length == host_length && strncasecmp(entry, start, host_length) == 0)
            || (entry_length == authority_length && strncasecmp(entry, start, authority_length) == 0)) {
            return 1;
        }
        entry += entry_length;
        if (*entry == '\n') entry++;
    }
    return 0;
}

static void apply_transport(void *handle, const char *url) {
    pthread_mutex_lock(&transport_lock);
    if (!transport.configured) { pthread_mutex_unlock(&transport_lock); return; }
    if (transport.ca_file != NULL || transport.ca_directory != NULL) {
        // A bundle the user names replaces the system's, as pip's cert and SSL_CERT_FILE do.
        libcurl_setopt(handle, LAZYWHEEL_CURLOPT_CAINFO, transport.ca_file);
        libcurl_setopt(handle, LAZYWHEEL_CURLOPT_CAPATH, transport.ca_directory);
    }
    if (transport.client_certificate != NULL) {
        libcurl_setopt(handle, LAZYWHEEL_CURLOPT_SSLCERT, transport.client_certificate);
        libcurl_setopt(handle, LAZYWHEEL_CURLOPT_SSLKEY, transport.client_key);
    }
    int insecure = host_is_listed(url, transport.insecure_hosts);
    libcurl_setopt(handle, LAZYWHEEL_CURLOPT_SSL_VERIFYPEER, (void *)(long)(insecure ? 0 : 1));
    libcurl_setopt(handle, LAZYWHEEL_CURLOPT_SSL_VERIFYHOST, (void *)(long)(insecure ? 0 : 2));
    int https = url != NULL && strncasecmp(url, "https:", 6) == 0;
    const char *proxy = https ? transport.https_proxy : transport.http_proxy;
    // "" turns libcurl's own reading of the proxy variables off: lazywheel has already read them.
    libcurl_setopt(handle, LAZYWHEEL_CURLOPT_PROXY, proxy != NULL ? proxy : "");
    libcurl_setopt(handle, LAZYWHEEL_CURLOPT_NOPROXY, transport.no_proxy);
    pthread_mutex_unlock(&transport_lock);
}


int curl_easy_setopt(void *handle, int option, ...) {
    pthread_once(&libcurl_once, find_libcurl);
    va_list rest;
    va_start(rest, option);
    void *argument = va_arg(rest, void *);
    va_end(rest);
    int result = libcurl_setopt(handle, option, argument);
    if (option == LAZYWHEEL_CURLOPT_URL && result == 0) apply_transport(handle, argument);
    return result;
}

#else

void lazywheel_curl_configure_transport(const struct lazywheel_transport_settings *settings) { (void)settings; }

#endif
