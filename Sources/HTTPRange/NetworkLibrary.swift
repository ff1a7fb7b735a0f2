import Dispatch
import Foundation

#if canImport(CurlLoader)
import CurlLoader
#endif

/// The native library under the URL loading system: libcurl, which FoundationNetworking uses on
/// Linux and which the `CurlLoader` target binds on first use instead of at process start.
public enum NetworkLibrary {
    /// Starts loading libcurl on a background thread, so that a command about to make requests
    /// finds it loaded by the time its first request goes out, while the process start itself (and
    /// a run answered from the disk cache) does not wait for it. Does nothing where the library is
    /// linked as usual (macOS) or already loaded.
    ///
    /// FoundationNetworking also asks for the current locale's language for every request's
    /// `Accept-Language` header (even when the request sets one), and the first ask loads ICU's
    /// locale data: about 3 ms of a cold run, just before its first request goes out. That is
    /// loaded meanwhile on another thread.
    public static func preloadInBackground() {
        #if canImport(CurlLoader)
        DispatchQueue.global(qos: .userInitiated).async { _ = lazywheel_curl_preload() }
        #endif
        #if canImport(FoundationNetworking)
        DispatchQueue.global(qos: .userInitiated).async { _ = Locale.current.language.languageCode }
        #endif
    }

    /// Loads libcurl now; false if it cannot be loaded (HTTP would then end the process with a
    /// message saying what to install).
    public static func load() -> Bool {
        #if canImport(CurlLoader)
        return lazywheel_curl_preload() == 0
        #else
        return true
        #endif
    }
}
