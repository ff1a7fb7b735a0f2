#ifndef LAZYWHEEL_CURL_LOADER_H
#define LAZYWHEEL_CURL_LOADER_H

/// Loads libcurl (`libcurl.so.4`) now, if it is not loaded yet; safe to call from any thread and
/// more than once. Returns 0 when libcurl and every function FoundationNetworking calls are there,
/// -1 otherwise (the reason is reported, and the process ended, by the first curl call).
///
/// On Linux, FoundationNetworking's URLSession calls 23 libcurl functions. This target defines
/// them in the executable and forwards each to libcurl, which it opens with `dlopen` on first use
/// (`lazywheel serve` preloads it on a background thread at start-up). A binary linked with the
/// Swift runtime statically can then drop libcurl from its `DT_NEEDED` entries (`scripts/bench`
/// does, with patchelf), so that loading libcurl and its ~30 dependent libraries (about 7 ms) is
/// paid only by a process that makes a request: `--version`, `--help`, local wheels and runs
/// answered from the disk cache skip it. The forwarders also wrap FoundationNetworking's socket
/// callback so that a socket it watches for writing is no longer watched once libcurl only reads
/// from it: without that, waiting for an answer is a busy loop (see CurlLoader.c), and they set the
/// user's CA bundle, client certificate, trusted hosts and proxies on each transfer
/// (``lazywheel_curl_configure_transport``). With the runtime in shared libraries
/// libFoundationNetworking links libcurl itself, and the executable exports these definitions
/// (`--export-dynamic-symbol=curl_*` in Package.swift) so that its calls still come here.
/// Elsewhere this is a no-op.
int lazywheel_curl_preload(void);

/// What every libcurl transfer of the process is given, in addition to what FoundationNetworking
/// sets (strings are copied; NULL leaves libcurl's default). `insecure_hosts` is a list of host
/// names (or `host:port`), one per line, whose certificates are not verified.
struct lazywheel_transport_settings {
    int configured;
    char *ca_file;
    char *ca_directory;
    char *client_certificate;
    char *client_key;
    char *insecure_hosts;
    char *http_proxy;
    char *https_proxy;
    char *no_proxy;
};

/// Sets the transport settings applied to each transfer from its next URL on (process-wide: libcurl
/// handles carry no reference to the URLSession that made them). Does not load libcurl.
void lazywheel_curl_configure_transport(const struct lazywheel_transport_settings *settings);

#endif
