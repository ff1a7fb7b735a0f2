#ifndef LAZYWHEEL_CURL_MULTI_CALLBACKS_H
#define LAZYWHEEL_CURL_MULTI_CALLBACKS_H

/// Corrects two things FoundationNetworking (Linux) does with the socket and timer requests of
/// libcurl's multi interface.
///
/// Socket watches. FoundationNetworking's socket callback (swift-corelibs-foundation
/// `_MultiHandle.register`) adds a Dispatch source for each direction libcurl asks to watch, but
/// never removes one when libcurl narrows its interest: once a request is sent libcurl goes from
/// CURL_POLL_INOUT to CURL_POLL_IN, and the write source stays, firing for as long as the socket
/// is writable. Every wait for an answer is then a busy loop that takes a whole core. The wrapped
/// callback first hears CURL_POLL_REMOVE when libcurl narrows its interest in a socket already
/// watched, so both sources go, and then the narrower request, as for a new socket.
///
/// "At once" timers. While a connection keeps delivering, libcurl reads a batch and asks to be
/// called again at once (a 0 ms timer), batch after batch. FoundationNetworking runs each such
/// call by queueing it on the queue it is draining (`_MultiHandle.updateTimeoutTimer`), so that
/// queue never empties, and every other piece of the URL session's work waits behind it: a
/// task's cancel, a new task, and the freeing of the timer FoundationNetworking makes for every
/// piece of body received. A fast endless body refused at its headers would go on being read,
/// other requests would wait, and those timers would pile up in memory, for as long as the server
/// sends. The wrapped timer callback passes the second 0 ms request in a row on as 1 ms, so the
/// queue empties between batches and the waiting work gets its turn; a single one (a new
/// transfer) still runs at once.
///
/// This target defines `curl_multi_setopt` and `curl_multi_cleanup` in the executable, which the
/// dynamic linker (or, with the Swift runtime linked in, the static linker) prefers to libcurl's;
/// each forwards to libcurl's own (`dlsym(RTLD_NEXT)`). The first wraps only the socket and timer
/// callbacks; the second forgets the handle. Nothing else of libcurl is touched; interposing is
/// the only way in, because the callbacks are private to FoundationNetworking.

/// How many times a socket's watch has been narrowed in this process: 0 means the interposed
/// `curl_multi_setopt` is not the one FoundationNetworking calls (its test checks this after a
/// request). Always 0 outside Linux.
long lazywheel_curl_narrowed_watches(void);

/// How many "at once" timer requests were passed on as 1 ms in this process (a test checks that a
/// fast large body makes some). Always 0 outside Linux.
long lazywheel_curl_unhurried_timers(void);

#endif
