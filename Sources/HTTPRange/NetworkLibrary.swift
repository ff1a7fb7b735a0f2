import Dispatch

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
    public static func preloadInBackground() {
        #if canImport(CurlLoader)
        DispatchQueue.global(qos: .userInitiated).async { _ = lazywheel_curl_preload() }
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
