/// lazywheel's version, written in this one place: `lazywheel --version` and `initialize`'s
/// `serverInfo` use it, and scripts/package reads it from this file for the wheel, the Python
/// client's `__version__` and the VS Code package (Tests/EndToEnd/test_package.py checks they agree).
public enum LazyWheelVersion {
    public static let current = "0.1.0"
}
