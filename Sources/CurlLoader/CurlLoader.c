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
    X(curl_easy_setopt) \
    X(curl_easy_getinfo)
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

#endif
