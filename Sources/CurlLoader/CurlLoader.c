// Lazy binding of libcurl for FoundationNetworking: see include/CurlLoader.h.
#include "CurlLoader.h"

#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // dprintf
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>

// The libcurl functions FoundationNetworking (its _CFURLSessionInterface) calls that return a value, as
// X(name, return type, parameters, arguments). Handles are opaque pointers; libcurl's enums,
// CURLcode, CURLMcode, CURLUcode and curl_socket_t are all `int` on Linux.
#define LAZYWHEEL_CURL_FUNCTIONS(X) \
    X(curl_global_init, int, (long flags), (flags)) \
    X(curl_version, char *, (void), ()) \
    X(curl_version_info, void *, (int age), (age)) \
    X(curl_easy_init, void *, (void), ()) \
    X(curl_easy_pause, int, (void *easy, int bitmask), (easy, bitmask)) \
    X(curl_easy_strerror, const char *, (int code), (code)) \
    X(curl_multi_init, void *, (void), ()) \
    X(curl_multi_add_handle, int, (void *multi, void *easy), (multi, easy)) \
    X(curl_multi_remove_handle, int, (void *multi, void *easy), (multi, easy)) \
    X(curl_multi_assign, int, (void *multi, int socket, void *pointer), (multi, socket, pointer)) \
    X(curl_multi_info_read, void *, (void *multi, int *left), (multi, left)) \
    X(curl_multi_socket_action, int, (void *multi, int socket, int events, int *running), \
      (multi, socket, events, running)) \
    X(curl_slist_append, void *, (void *list, const char *string), (list, string)) \
    X(curl_url, void *, (void), ()) \
    X(curl_url_get, int, (const void *url, int part, char **value, unsigned int flags), \
      (url, part, value, flags)) \
    X(curl_url_set, int, (void *url, int part, const char *value, unsigned int flags), \
      (url, part, value, flags))

// Forwarded by hand below: the socket callback wrapper must forget the handle.
#define LAZYWHEEL_CURL_WRAPPED_FUNCTIONS(X) \
    X(curl_multi_cleanup, int, (void *multi), (multi))

// Those that return nothing, as X(name, parameters, arguments).
#define LAZYWHEEL_CURL_VOID_FUNCTIONS(X) \
    X(curl_free, (void *pointer), (pointer)) \
    X(curl_easy_cleanup, (void *easy), (easy)) \
    X(curl_slist_free_all, (void *list), (list))

// The three variadic setters and getters: each takes exactly one argument after the option, a long,
// a pointer or a curl_off_t, all passed in one integer register on the LP64 ABIs Swift supports
// on Linux, so it is forwarded as a pointer-sized integer.
#define LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(X) \
    X(curl_easy_getinfo)
// Forwarded by hand below: the transport settings follow each URL.
#define LAZYWHEEL_CURL_WRAPPED_EASY_FUNCTIONS(X) \
    X(curl_easy_setopt)
#define LAZYWHEEL_CURL_WRAPPED_VARIADIC_FUNCTIONS(X) \
    X(curl_multi_setopt)

static struct {
#define LAZYWHEEL_FIELD(name, ret, params, args) ret (*name) params;
    LAZYWHEEL_CURL_FUNCTIONS(LAZYWHEEL_FIELD)
    LAZYWHEEL_CURL_WRAPPED_FUNCTIONS(LAZYWHEEL_FIELD)
#define LAZYWHEEL_VOID_FIELD(name, params, args) void (*name) params;
    LAZYWHEEL_CURL_VOID_FUNCTIONS(LAZYWHEEL_VOID_FIELD)
#define LAZYWHEEL_VARIADIC_FIELD(name) int (*name)(void *, int, ...);
    LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(LAZYWHEEL_VARIADIC_FIELD)
    LAZYWHEEL_CURL_WRAPPED_EASY_FUNCTIONS(LAZYWHEEL_VARIADIC_FIELD)
    LAZYWHEEL_CURL_WRAPPED_VARIADIC_FUNCTIONS(LAZYWHEEL_VARIADIC_FIELD)
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_failure[512];

static void load(void) {
    // RTLD_LAZY: libcurl's ~30 libraries bind their functions on first call, not all at once here
    // (about 0.7 ms less per process that makes a request); the functions below are looked up now.
    void *library = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(load_failure, sizeof load_failure, "%s", dlerror());
        return;
    }
    void *symbol;
#define LAZYWHEEL_BIND(name) \
    if ((symbol = dlsym(library, #name)) == NULL) { \
        snprintf(load_failure, sizeof load_failure, "libcurl.so.4 has no %s", #name); \
        return; \
    } \
    memcpy(&curl.name, &symbol, sizeof symbol);
#define LAZYWHEEL_BIND_FUNCTION(name, ret, params, args) LAZYWHEEL_BIND(name)
    LAZYWHEEL_CURL_FUNCTIONS(LAZYWHEEL_BIND_FUNCTION)
    LAZYWHEEL_CURL_WRAPPED_FUNCTIONS(LAZYWHEEL_BIND_FUNCTION)
#define LAZYWHEEL_BIND_VOID_FUNCTION(name, params, args) LAZYWHEEL_BIND(name)
    LAZYWHEEL_CURL_VOID_FUNCTIONS(LAZYWHEEL_BIND_VOID_FUNCTION)
    LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(LAZYWHEEL_BIND)
    LAZYWHEEL_CURL_WRAPPED_EASY_FUNCTIONS(LAZYWHEEL_BIND)
    LAZYWHEEL_CURL_WRAPPED_VARIADIC_FUNCTIONS(LAZYWHEEL_BIND)
}

int lazywheel_curl_preload(void) {
    pthread_once(&load_once, load);
    return load_failure[0] == 0 ? 0 : -1;
}

/// Loads libcurl before a forwarded call; without it there is no HTTP at all, so the process ends
/// with a message that says what to install (exit status 69, EX_UNAVAILABLE).
static void require_curl(void) {
    if (lazywheel_curl_preload() == 0) return;
    dprintf(STDERR_FILENO,
            "lazywheel: cannot load libcurl, which HTTP needs (FoundationNetworking): %s\n"
            "lazywheel: install it (Debian/Ubuntu: apt-get install libcurl4) and try again\n",
            load_failure);
    _exit(69);
}

// FoundationNetworking's socket callback (swift-corelibs-foundation `_MultiHandle.register`) adds a
// Dispatch source for each direction libcurl asks to watch but never removes one when libcurl
// narrows its interest: after a request is sent, libcurl goes from CURL_POLL_INOUT to CURL_POLL_IN
// and the write source stays, firing as long as the socket is writable, that is all the time.
// The multi handle's queue then spins between epoll and curl_multi_socket_action until the answer
// arrives (strace: ~90 wake-ups in a 25 ms wait), taking a core from the work that matters.
//
// The forwarders below wrap the callback: when libcurl narrows its interest in a socket
// FoundationNetworking already watches (to CURL_POLL_IN, CURL_POLL_OUT, or CURL_POLL_NONE while a
// transfer is paused), the real callback first hears
// CURL_POLL_REMOVE, which tears both sources down (FoundationNetworking postpones the new source
// until the old ones are cancelled), the stale pointer stored with curl_multi_assign is cleared,
// and then the real callback registers what is asked for (nothing, for CURL_POLL_NONE), as for a
// new socket.
enum {
    LAZYWHEEL_CURLMOPT_SOCKETDATA = 10002,      // CURLOPTTYPE_OBJECTPOINT + 2
    LAZYWHEEL_CURLMOPT_SOCKETFUNCTION = 20001,  // CURLOPTTYPE_FUNCTIONPOINT + 1
    LAZYWHEEL_CURL_POLL_NONE = 0,
    LAZYWHEEL_CURL_POLL_IN = 1,
    LAZYWHEEL_CURL_POLL_OUT = 2,
    LAZYWHEEL_CURL_POLL_REMOVE = 4,
};

typedef int (*lazywheel_socket_callback)(void *easy, int socket, int what, void *userp, void *socketp);

/// The real callback and user data of one multi handle (FoundationNetworking makes one per URLSession).
struct lazywheel_multi {
    void *multi;
    void *userp;
    lazywheel_socket_callback callback;
};

static pthread_mutex_t multis_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lazywheel_multi multis[64];

/// The entry for `multi`, created if needed; NULL when the table is full (then nothing is wrapped).
static struct lazywheel_multi *multi_entry(void *multi) {
    struct lazywheel_multi *free_slot = NULL;
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi == multi) return &multis[i];
        if (multis[i].multi == NULL && free_slot == NULL) free_slot = &multis[i];
    }
    if (free_slot != NULL) *free_slot = (struct lazywheel_multi){ .multi = multi };
    return free_slot;
}

static int narrowing_socket_callback(void *easy, int socket, int what, void *userp, void *socketp) {
    struct lazywheel_multi found = { 0 };
    pthread_mutex_lock(&multis_lock);
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi != NULL && multis[i].userp == userp && multis[i].callback != NULL) {
            found = multis[i];
            break;
        }
    }
    pthread_mutex_unlock(&multis_lock);
    if (found.callback == NULL) return -1;  // cannot happen: this callback is only installed with an entry
    if ((what == LAZYWHEEL_CURL_POLL_NONE || what == LAZYWHEEL_CURL_POLL_IN || what == LAZYWHEEL_CURL_POLL_OUT)
        && socketp != NULL) {
        found.callback(easy, socket, LAZYWHEEL_CURL_POLL_REMOVE, userp, socketp);
        curl.curl_multi_assign(found.multi, socket, NULL);
        socketp = NULL;
    }
    return found.callback(easy, socket, what, userp, socketp);
}

/// curl_multi_setopt's argument, with FoundationNetworking's socket callback replaced by the
/// narrowing one (and its user data noted, to find the callback again).
static void *multi_option_argument(void *multi, int option, void *argument) {
    if (option != LAZYWHEEL_CURLMOPT_SOCKETDATA && option != LAZYWHEEL_CURLMOPT_SOCKETFUNCTION) return argument;
    pthread_mutex_lock(&multis_lock);
    struct lazywheel_multi *entry = multi_entry(multi);
    void *result = argument;
    if (entry != NULL && option == LAZYWHEEL_CURLMOPT_SOCKETDATA) {
        entry->userp = argument;
    } else if (entry != NULL && argument != NULL) {
        memcpy(&entry->callback, &argument, sizeof argument);
        lazywheel_socket_callback narrowing = narrowing_socket_callback;
        memcpy(&result, &narrowing, sizeof result);
    }
    pthread_mutex_unlock(&multis_lock);
    return result;
}

static void forget_multi(void *multi) {
    pthread_mutex_lock(&multis_lock);
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi == multi) multis[i] = (struct lazywheel_multi){ 0 };
    }
    pthread_mutex_unlock(&multis_lock);
}

#define LAZYWHEEL_FORWARD(name, ret, params, args) \
    ret name params { \
        require_curl(); \
        return curl.name args; \
    }
LAZYWHEEL_CURL_FUNCTIONS(LAZYWHEEL_FORWARD)

int curl_multi_cleanup(void *multi) {
    require_curl();
    int result = curl.curl_multi_cleanup(multi);  // may still call the socket callback
    forget_multi(multi);
    return result;
}

#define LAZYWHEEL_FORWARD_VOID(name, params, args) \
    void name params { \
        require_curl(); \
        curl.name args; \
    }
LAZYWHEEL_CURL_VOID_FUNCTIONS(LAZYWHEEL_FORWARD_VOID)

// Transport settings (README, "Configuration"): FoundationNetworking offers no way to give libcurl a
// CA bundle, a client certificate, per-host verification or a proxy on Linux (its URLSession
// configuration's proxy dictionary is ignored there), so they are set on each transfer's easy
// handle right after FoundationNetworking sets the handle's URL, which it does for every request
// and redirect hop. Option numbers are libcurl's stable ABI (curl/curl.h).
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
        curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_CAINFO, transport.ca_file);
        curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_CAPATH, transport.ca_directory);
    }
    if (transport.client_certificate != NULL) {
        curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_SSLCERT, transport.client_certificate);
        curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_SSLKEY, transport.client_key);
    }
    int insecure = host_is_listed(url, transport.insecure_hosts);
    curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_SSL_VERIFYPEER, (void *)(long)(insecure ? 0 : 1));
    curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_SSL_VERIFYHOST, (void *)(long)(insecure ? 0 : 2));
    int https = url != NULL && strncasecmp(url, "https:", 6) == 0;
    const char *proxy = https ? transport.https_proxy : transport.http_proxy;
    // "" turns libcurl's own reading of the proxy variables off: lazywheel has already read them.
    curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_PROXY, proxy != NULL ? proxy : "");
    curl.curl_easy_setopt(handle, LAZYWHEEL_CURLOPT_NOPROXY, transport.no_proxy);
    pthread_mutex_unlock(&transport_lock);
}

#define LAZYWHEEL_FORWARD_VARIADIC(name) \
    int name(void *handle, int option, ...) { \
        require_curl(); \
        va_list rest; \
        va_start(rest, option); \
        void *argument = va_arg(rest, void *); \
        va_end(rest); \
        return curl.name(handle, option, argument); \
    }
LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(LAZYWHEEL_FORWARD_VARIADIC)

int curl_easy_setopt(void *handle, int option, ...) {
    require_curl();
    va_list rest;
    va_start(rest, option);
    void *argument = va_arg(rest, void *);
    va_end(rest);
    int result = curl.curl_easy_setopt(handle, option, argument);
    if (option == LAZYWHEEL_CURLOPT_URL && result == 0) apply_transport(handle, argument);
    return result;
}

int curl_multi_setopt(void *multi, int option, ...) {
    require_curl();
    va_list rest;
    va_start(rest, option);
    void *argument = va_arg(rest, void *);
    va_end(rest);
    return curl.curl_multi_setopt(multi, option, multi_option_argument(multi, option, argument));
}

#else

int lazywheel_curl_preload(void) { return 0; }

void lazywheel_curl_configure_transport(const struct lazywheel_transport_settings *settings) { (void)settings; }

#endif
