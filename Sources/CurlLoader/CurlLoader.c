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
    X(curl_multi_cleanup, int, (void *multi), (multi)) \
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
    X(curl_easy_getinfo) \
    X(curl_multi_setopt)

static struct {
#define LAZYWHEEL_FIELD(name, ret, params, args) ret (*name) params;
    LAZYWHEEL_CURL_FUNCTIONS(LAZYWHEEL_FIELD)
#define LAZYWHEEL_VOID_FIELD(name, params, args) void (*name) params;
    LAZYWHEEL_CURL_VOID_FUNCTIONS(LAZYWHEEL_VOID_FIELD)
#define LAZYWHEEL_VARIADIC_FIELD(name) int (*name)(void *, int, ...);
    LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(LAZYWHEEL_VARIADIC_FIELD)
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_failure[512];

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
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
#define LAZYWHEEL_BIND_VOID_FUNCTION(name, params, args) LAZYWHEEL_BIND(name)
    LAZYWHEEL_CURL_VOID_FUNCTIONS(LAZYWHEEL_BIND_VOID_FUNCTION)
    LAZYWHEEL_CURL_VARIADIC_FUNCTIONS(LAZYWHEEL_BIND)
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

#define LAZYWHEEL_FORWARD(name, ret, params, args) \
    ret name params { \
        require_curl(); \
        return curl.name args; \
    }
LAZYWHEEL_CURL_FUNCTIONS(LAZYWHEEL_FORWARD)

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

#else

int lazywheel_curl_preload(void) { return 0; }

#endif
