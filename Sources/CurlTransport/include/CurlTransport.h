#ifndef LAZYWHEEL_CURL_TRANSPORT_H
#define LAZYWHEEL_CURL_TRANSPORT_H

/// Gives every libcurl transfer of the process the user's CA bundle, client certificate, trusted
/// hosts and proxy (README, "Configuration"), on Linux.
///
/// swift-corelibs-foundation's FoundationNetworking sets no CA bundle, supports no server-trust
/// challenge and ignores `connectionProxyDictionary` on Linux, so there is no supported way to
/// hand these to URLSession. This target defines `curl_easy_setopt` in the executable, which the
/// linker prefers to libcurl's (as for Sources/CurlMultiCallbacks); it forwards every call to
/// libcurl's own (`dlsym(RTLD_NEXT)`) and, right after FoundationNetworking sets a transfer's URL
/// (for every request and redirect hop), sets the options below for that URL. Nothing else of
/// libcurl is touched. Elsewhere this is a no-op.

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
/// handles carry no reference to the URLSession that made them).
void lazywheel_curl_configure_transport(const struct lazywheel_transport_settings *settings);

#endif
