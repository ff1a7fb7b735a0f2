// PEP 508 marker environment: https://peps.python.org/pep-0508/#environment-markers

/// The values PEP 508 markers are evaluated against, keyed by marker variable name
/// (`python_version`, `sys_platform`, ...). `extra` is not stored here: it is passed to
/// ``Marker/evaluate(_:extra:)``.
public struct MarkerEnvironment: Sendable, Hashable {
    /// Variable name → value. A marker naming a missing variable fails to evaluate.
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// The environment of a CPython (by default) interpreter `pythonVersion` (`"3.12"` or
    /// `"3.12.4"`) on `platform`. Values a target description cannot know
    /// (`platform_release`, `platform_version`) are empty strings unless a macOS version
    /// lets us derive the Darwin release.
    public init(pythonVersion: String, platform: TargetPlatform, implementation: PythonImplementation = .cpython) {
        let parts = pythonVersion.split(separator: ".")
        var short = parts.first.map(String.init) ?? ""
        if parts.count > 1 { short += "." + String(parts[1]) }
        let full = parts.count >= 3 ? pythonVersion : short + ".0"
        var v: [String: String] = [
            "python_version": short,
            "python_full_version": full,
            "implementation_name": implementation.rawValue,
            "implementation_version": full,
            "platform_python_implementation": implementation.platformName,
            "platform_release": "",
            "platform_version": "",
        ]
        switch platform.os {
        case .manylinux, .musllinux, .linux:
            v["os_name"] = "posix"
            v["sys_platform"] = "linux"
            v["platform_system"] = "Linux"
            v["platform_machine"] = platform.arch
        case .macos(let major, let minor):
            v["os_name"] = "posix"
            v["sys_platform"] = "darwin"
            v["platform_system"] = "Darwin"
            v["platform_machine"] = platform.arch == "universal2" ? "arm64" : platform.arch
            // Darwin kernel major: macOS 11+ → major + 9; 10.x → x + 4.
            let darwin = major >= 11 ? major + 9 : minor + 4
            v["platform_release"] = "\(darwin).0.0"
        case .windows:
            v["os_name"] = "nt"
            v["sys_platform"] = "win32"
            v["platform_system"] = "Windows"
            switch platform.arch {
            case "amd64": v["platform_machine"] = "AMD64"
            case "arm64": v["platform_machine"] = "ARM64"
            default: v["platform_machine"] = "x86"
            }
        }
        self.values = v
    }

    public var pythonVersion: String? { values["python_version"] }
    public var pythonFullVersion: String? { values["python_full_version"] }
    public var osName: String? { values["os_name"] }
    public var sysPlatform: String? { values["sys_platform"] }
    public var platformMachine: String? { values["platform_machine"] }
    public var platformSystem: String? { values["platform_system"] }
    public var platformRelease: String? { values["platform_release"] }
    public var platformVersion: String? { values["platform_version"] }
    public var platformPythonImplementation: String? { values["platform_python_implementation"] }
    public var implementationName: String? { values["implementation_name"] }
    public var implementationVersion: String? { values["implementation_version"] }
}

/// The Python implementation a target runs (affects marker values and interpreter tags).
public enum PythonImplementation: String, Sendable, Hashable {
    case cpython, pypy

    /// `platform.python_implementation()`.
    public var platformName: String { self == .cpython ? "CPython" : "PyPy" }
    /// The PEP 425 interpreter abbreviation.
    public var tagPrefix: String { self == .cpython ? "cp" : "pp" }
}
