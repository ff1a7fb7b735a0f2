#ifndef LAZYWHEEL_CURL_SOCKET_WATCH_H
#define LAZYWHEEL_CURL_SOCKET_WATCH_H

/// Makes FoundationNetworking (Linux) watch each socket only in the directions libcurl asks for.
///
/// FoundationNetworking's socket callback (swift-corelibs-foundation `_MultiHandle.register`)
/// adds a Dispatch source for each direction libcurl asks to watch, but never removes one when
/// libcurl narrows its interest: once a request is sent libcurl goes from CURL_POLL_INOUT to
/// CURL_POLL_IN, and the write source stays, firing for as long as the socket is writable. Every
/// wait for an answer is then a busy loop that takes a whole core.
///
/// This target defines `curl_multi_setopt` and `curl_multi_cleanup` in the executable, which the
/// dynamic linker (or, with the Swift runtime linked in, the static linker) prefers to libcurl's;
/// each forwards to libcurl's own (`dlsym(RTLD_NEXT)`). The first wraps only the socket callback:
/// when libcurl narrows its interest in a socket already watched, the wrapped callback first
/// hears CURL_POLL_REMOVE, so both sources go, and then the narrower request, as for a new
/// socket. The second forgets the handle. Nothing else of libcurl is touched; interposing is the
/// only way in, because the callback is private to FoundationNetworking.

/// How many times a socket's watch has been narrowed in this process: 0 means the interposed
/// `curl_multi_setopt` is not the one FoundationNetworking calls (its test checks this after a
/// request). Always 0 outside Linux.
long lazywheel_curl_narrowed_watches(void);

#endif
