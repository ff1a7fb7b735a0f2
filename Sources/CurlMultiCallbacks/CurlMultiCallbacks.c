// Corrects what FoundationNetworking does with libcurl's socket and timer requests: see
// include/CurlMultiCallbacks.h.
#include "CurlMultiCallbacks.h"

#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // RTLD_NEXT
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

// From <curl/multi.h>, whose values are part of libcurl's ABI (declared here so that building
// needs libcurl's library, which FoundationNetworking needs anyway, and not its headers).
enum {
    CURLMOPT_SOCKETDATA = 10002,      // CURLOPTTYPE_OBJECTPOINT + 2
    CURLMOPT_SOCKETFUNCTION = 20001,  // CURLOPTTYPE_FUNCTIONPOINT + 1
    CURLMOPT_TIMERFUNCTION = 20004,   // CURLOPTTYPE_FUNCTIONPOINT + 4
    CURL_POLL_NONE = 0,
    CURL_POLL_IN = 1,
    CURL_POLL_OUT = 2,
    CURL_POLL_REMOVE = 4,
};

typedef int (*socket_callback)(void *easy, int socket, int what, void *userp, void *socketp);
typedef int (*timer_callback)(void *multi, long timeout_ms, void *userp);
typedef int (*multi_setopt)(void *multi, int option, ...);
typedef int (*multi_cleanup)(void *multi);
int curl_multi_assign(void *multi, int socket, void *pointer);

/// libcurl's own definitions of the two functions defined here.
static struct {
    multi_setopt setopt;
    multi_cleanup cleanup;
} libcurl;
static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;

static void find_libcurl(void) {
    void *setopt = dlsym(RTLD_NEXT, "curl_multi_setopt");
    void *cleanup = dlsym(RTLD_NEXT, "curl_multi_cleanup");
    memcpy(&libcurl.setopt, &setopt, sizeof setopt);
    memcpy(&libcurl.cleanup, &cleanup, sizeof cleanup);
}

/// FoundationNetworking's callbacks, the user data it registered the socket callback with, and the
/// multi handle, for one URLSession (each makes one multi handle). Socket callbacks are looked up
/// by user data, timer callbacks by the multi handle (libcurl passes each).
struct watched_multi {
    void *multi;
    void *userp;
    socket_callback callback;
    timer_callback timer;
    /// Whether libcurl's last timer request was "at once" (0 ms).
    bool asked_at_once;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct watched_multi multis[64];
static atomic_long narrowed;
static atomic_long unhurried;

long lazywheel_curl_narrowed_watches(void) { return atomic_load(&narrowed); }
long lazywheel_curl_unhurried_timers(void) { return atomic_load(&unhurried); }

static int narrowing_callback(void *easy, int socket, int what, void *userp, void *socketp) {
    struct watched_multi found = { 0 };
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi != NULL && multis[i].userp == userp && multis[i].callback != NULL) {
            found = multis[i];
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    if (found.callback == NULL) return -1;  // only installed together with an entry
    if ((what == CURL_POLL_NONE || what == CURL_POLL_IN || what == CURL_POLL_OUT) && socketp != NULL) {
        found.callback(easy, socket, CURL_POLL_REMOVE, userp, socketp);
        curl_multi_assign(found.multi, socket, NULL);
        socketp = NULL;
        atomic_fetch_add(&narrowed, 1);
    }
    return found.callback(easy, socket, what, userp, socketp);
}

/// Hands FoundationNetworking libcurl's timer request, except that the second "at once" (0 ms) in a
/// row becomes 1 ms: see the header.
static int unhurried_timer(void *multi, long timeout_ms, void *userp) {
    timer_callback timer = NULL;
    bool again_at_once = false;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi == multi) {
            timer = multis[i].timer;
            again_at_once = timeout_ms == 0 && multis[i].asked_at_once;
            multis[i].asked_at_once = timeout_ms == 0;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    if (timer == NULL) return -1;  // only installed together with an entry
    if (again_at_once) atomic_fetch_add(&unhurried, 1);
    return timer(multi, again_at_once ? 1 : timeout_ms, userp);
}

/// The entry of `multi`, made if needed; NULL when the table is full (that handle is left as is).
static struct watched_multi *entry_of(void *multi) {
    struct watched_multi *free_slot = NULL;
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi == multi) return &multis[i];
        if (multis[i].multi == NULL && free_slot == NULL) free_slot = &multis[i];
    }
    if (free_slot != NULL) *free_slot = (struct watched_multi){ .multi = multi };
    return free_slot;
}

int curl_multi_setopt(void *multi, int option, ...) {
    // Every option FoundationNetworking sets takes one long, pointer or curl_off_t, passed in one
    // integer register on the LP64 ABIs Swift supports on Linux.
    va_list rest;
    va_start(rest, option);
    void *argument = va_arg(rest, void *);
    va_end(rest);
    pthread_once(&libcurl_once, find_libcurl);
    if (libcurl.setopt == NULL) return 1;  // CURLM_BAD_HANDLE: no libcurl below this one
    bool wraps = option == CURLMOPT_SOCKETDATA
        || ((option == CURLMOPT_SOCKETFUNCTION || option == CURLMOPT_TIMERFUNCTION) && argument != NULL);
    if (wraps) {
        pthread_mutex_lock(&lock);
        struct watched_multi *entry = entry_of(multi);
        if (entry != NULL && option == CURLMOPT_SOCKETDATA) {
            entry->userp = argument;
        } else if (entry != NULL && option == CURLMOPT_TIMERFUNCTION) {
            memcpy(&entry->timer, &argument, sizeof argument);
            timer_callback wrapped = unhurried_timer;
            memcpy(&argument, &wrapped, sizeof argument);
        } else if (entry != NULL) {
            memcpy(&entry->callback, &argument, sizeof argument);
            socket_callback wrapped = narrowing_callback;
            memcpy(&argument, &wrapped, sizeof argument);
        }
        pthread_mutex_unlock(&lock);
    }
    return libcurl.setopt(multi, option, argument);
}

/// Forgets `multi` once libcurl is done with it (cleaning up may still call the socket callback),
/// so that a later handle or user data at the same address is never matched with this one.
int curl_multi_cleanup(void *multi) {
    pthread_once(&libcurl_once, find_libcurl);
    if (libcurl.cleanup == NULL) return 1;
    int result = libcurl.cleanup(multi);
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < sizeof multis / sizeof multis[0]; i++) {
        if (multis[i].multi == multi) multis[i] = (struct watched_multi){ 0 };
    }
    pthread_mutex_unlock(&lock);
    return result;
}

#else

long lazywheel_curl_narrowed_watches(void) { return 0; }
long lazywheel_curl_unhurried_timers(void) { return 0; }

#endif
