// Platform tags: PEP 425 (platform part), PEP 600 (manylinux_X_Y), PEP 513/571/599 (legacy
// manylinux1/2010/2014), PEP 656 (musllinux), macOS and Windows platform tags as produced by
// `packaging.tags`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a platform description could not be understood.
public enum TargetPlatformError: Error, Equatable, Sendable, CustomStringConvertible {
    case unrecognized(String)

    public var description: String {
        switch self {
        case .unrecognized(let text):
            return "Unrecognized target platform '\(text)' (expected a platform tag like manylinux_2_28_x86_64, musllinux_1_2_aarch64, macosx_14_0_arm64, win_amd64, or a uv-style name like x86_64-manylinux_2_28, aarch64-apple-darwin, x86_64-pc-windows-msvc)"
        }
    }
}

/// The machine wheels are selected for: an operating-system family with its compatibility
/// level (glibc / musl / macOS version) and a CPU architecture.
public struct TargetPlatform: Sendable, Hashable, CustomStringConvertible {
    public enum OperatingSystem: Sendable, Hashable {
        /// glibc-based Linux, compatible with manylinux wheels up to glibc `major.minor`.
        case manylinux(major: Int, minor: Int)
        /// musl-based Linux, compatible with musllinux wheels up to musl `major.minor`.
        case musllinux(major: Int, minor: Int)
        /// A bare `linux_<arch>` platform (only `linux_<arch>` wheels).
        case linux
        /// macOS `major.minor`.
        case macos(major: Int, minor: Int)
        case windows
    }

    public let os: OperatingSystem
    /// The architecture as it appears in platform tags: `x86_64`, `aarch64`, `i686` (Linux);
    /// `arm64`, `x86_64`, `universal2` (macOS); `amd64`, `x86`, `arm64` (Windows).
    public let arch: String

    public init(os: OperatingSystem, arch: String) {
        self.os = os
        self.arch = arch
    }

    /// Parses a platform tag (`manylinux_2_28_x86_64`, `manylinux2014_aarch64`,
    /// `musllinux_1_2_x86_64`, `macosx_14_0_arm64`, `win_amd64`, `win32`, `win_arm64`,
    /// `linux_x86_64`) or a uv `--python-platform` name (`x86_64-manylinux_2_28`,
    /// `x86_64-unknown-linux-gnu` (= manylinux_2_28), `aarch64-unknown-linux-musl` (= musllinux_1_2),
    /// `aarch64-apple-darwin` (= macOS 13.0), `x86_64-pc-windows-msvc`, `linux`, `macos`, `windows`).
    public init(_ text: String) throws(TargetPlatformError) {
        let t = text.lowercased()
        if let parsed = Self.parseTag(t) ?? Self.parseUVName(t) {
            self = parsed
        } else {
            throw .unrecognized(text)
        }
    }

    static func parseTag(_ t: String) -> TargetPlatform? {
        switch t {
        case "win_amd64": return TargetPlatform(os: .windows, arch: "amd64")
        case "win32": return TargetPlatform(os: .windows, arch: "x86")
        case "win_arm64": return TargetPlatform(os: .windows, arch: "arm64")
        default: break
        }
        let parts = t.split(separator: "_", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        if t.hasPrefix("manylinux_") || t.hasPrefix("musllinux_") || t.hasPrefix("macosx_") {
            guard parts.count == 4, let major = Int(parts[1]), let minor = Int(parts[2]), !parts[3].isEmpty else { return nil }
            let arch = parts[3]
            switch parts[0] {
            case "manylinux": return TargetPlatform(os: .manylinux(major: major, minor: minor), arch: arch)
            case "musllinux": return TargetPlatform(os: .musllinux(major: major, minor: minor), arch: arch)
            default: return TargetPlatform(os: .macos(major: major, minor: minor), arch: arch)
            }
        }
        for (legacy, glibcMinor) in [("manylinux2014_", 17), ("manylinux2010_", 12), ("manylinux1_", 5)] where t.hasPrefix(legacy) {
            let arch = String(t.dropFirst(legacy.count))
            return arch.isEmpty ? nil : TargetPlatform(os: .manylinux(major: 2, minor: glibcMinor), arch: arch)
        }
        if t.hasPrefix("linux_") {
            let arch = String(t.dropFirst(6))
            return arch.isEmpty ? nil : TargetPlatform(os: .linux, arch: arch)
        }
        return nil
    }

    static func parseUVName(_ t: String) -> TargetPlatform? {
        switch t {
        case "linux": return TargetPlatform(os: .manylinux(major: 2, minor: 28), arch: "x86_64")
        case "macos": return TargetPlatform(os: .macos(major: 13, minor: 0), arch: "arm64")
        case "windows", "x86_64-pc-windows-msvc": return TargetPlatform(os: .windows, arch: "amd64")
        case "aarch64-pc-windows-msvc": return TargetPlatform(os: .windows, arch: "arm64")
        case "i686-pc-windows-msvc": return TargetPlatform(os: .windows, arch: "x86")
        case "x86_64-unknown-linux-gnu": return TargetPlatform(os: .manylinux(major: 2, minor: 28), arch: "x86_64")
        case "aarch64-unknown-linux-gnu": return TargetPlatform(os: .manylinux(major: 2, minor: 28), arch: "aarch64")
        case "riscv64-unknown-linux": return TargetPlatform(os: .manylinux(major: 2, minor: 31), arch: "riscv64")
        case "x86_64-unknown-linux-musl": return TargetPlatform(os: .musllinux(major: 1, minor: 2), arch: "x86_64")
        case "aarch64-unknown-linux-musl": return TargetPlatform(os: .musllinux(major: 1, minor: 2), arch: "aarch64")
        case "aarch64-apple-darwin": return TargetPlatform(os: .macos(major: 13, minor: 0), arch: "arm64")
        case "x86_64-apple-darwin": return TargetPlatform(os: .macos(major: 13, minor: 0), arch: "x86_64")
        default: break
        }
        // {arch}-{platform tag without arch}: x86_64-manylinux_2_28, aarch64-manylinux2014, ...
        guard let dash = t.firstIndex(of: "-") else { return nil }
        let arch = String(t[..<dash])
        let rest = String(t[t.index(after: dash)...])
        guard !arch.isEmpty, rest.hasPrefix("manylinux") || rest.hasPrefix("musllinux") else { return nil }
        return parseTag("\(rest)_\(arch)")
    }

    /// The platform of the machine running this process (Linux: glibc version from
    /// `gnu_get_libc_version()`; a musl build reports musllinux 1.2; macOS: the OS version).
    public static func host() -> TargetPlatform {
        var info = utsname()
        _ = uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        #if os(Linux)
        #if canImport(Glibc)
        let numbers = (glibcVersionText() ?? "").split(separator: " ").last.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
        if numbers.count >= 2 {
            return TargetPlatform(os: .manylinux(major: numbers[0], minor: numbers[1]), arch: machine)
        }
        return TargetPlatform(os: .linux, arch: machine)
        #else
        return TargetPlatform(os: .musllinux(major: 1, minor: 2), arch: machine)
        #endif
        #elseif os(macOS)
        let release = withUnsafeBytes(of: &info.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let darwinMajor = Int(release.split(separator: ".").first ?? "") ?? 20
        let macMajor = darwinMajor >= 20 ? darwinMajor - 9 : 10
        let macMinor = darwinMajor >= 20 ? 0 : darwinMajor - 4
        return TargetPlatform(os: .macos(major: macMajor, minor: macMinor), arch: machine)
        #elseif os(Windows)
        return TargetPlatform(os: .windows, arch: "amd64")
        #else
        return TargetPlatform(os: .linux, arch: machine)
        #endif
    }

    #if canImport(Glibc)
    /// `gnu_get_libc_version()` looked up dynamically (absent on non-glibc systems), falling
    /// back to `confstr(_CS_GNU_LIBC_VERSION)` ("glibc 2.36").
    static func glibcVersionText() -> String? {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gnu_get_libc_version") {
            typealias Function = @convention(c) () -> UnsafePointer<CChar>?
            let function = unsafeBitCast(symbol, to: Function.self)
            if let text = function() { return String(cString: text) }
        }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
        guard length > 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    #endif

    /// The canonical platform tag of this target (`manylinux_2_28_x86_64`, `macosx_14_0_arm64`, ...).
    public var description: String {
        switch os {
        case .manylinux(let major, let minor): return "manylinux_\(major)_\(minor)_\(arch)"
        case .musllinux(let major, let minor): return "musllinux_\(major)_\(minor)_\(arch)"
        case .linux: return "linux_\(arch)"
        case .macos(let major, let minor): return "macosx_\(major)_\(minor)_\(arch)"
        case .windows: return arch == "amd64" ? "win_amd64" : (arch == "x86" ? "win32" : "win_\(arch)")
        }
    }

    /// Every platform tag a wheel may carry to run here, best first, in `packaging.tags` order.
    /// For manylinux/musllinux targets the host-specific `linux_<arch>` tag is not included
    /// (such wheels are not portable); use `.linux` to accept exactly `linux_<arch>`.
    public var platformTags: [String] {
        switch os {
        case .manylinux(let major, let minor): return Self.manylinuxTags(glibcMajor: major, glibcMinor: minor, arch: arch)
        case .musllinux(let major, let minor): return (0...max(minor, 0)).reversed().map { "musllinux_\(major)_\($0)_\(arch)" }
        case .linux: return ["linux_\(arch)"]
        case .macos(let major, let minor): return Self.macTags(major: major, minor: minor, arch: arch)
        case .windows: return [description]
        }
    }

    /// `packaging._manylinux.platform_tags` for a glibc `major.minor` (every glibc 2.x counts
    /// down to 2.17, or 2.5 on x86; legacy aliases follow `manylinux_2_17/12/5`).
    static func manylinuxTags(glibcMajor: Int, glibcMinor: Int, arch: String) -> [String] {
        let tooOld = (arch == "x86_64" || arch == "i686") ? (major: 2, minor: 4) : (major: 2, minor: 16)
        var maxima = [(glibcMajor, glibcMinor)]
        if glibcMajor - 1 >= 2 {
            for major in stride(from: glibcMajor - 1, through: 2, by: -1) { maxima.append((major, 50)) }
        }
        var out: [String] = []
        for (major, maxMinor) in maxima {
            let minMinor = major == tooOld.major ? tooOld.minor : -1
            var minor = maxMinor
            while minor > minMinor {
                out.append("manylinux_\(major)_\(minor)_\(arch)")
                if major == 2 {
                    switch minor {
                    case 17: out.append("manylinux2014_\(arch)")
                    case 12: out.append("manylinux2010_\(arch)")
                    case 5: out.append("manylinux1_\(arch)")
                    default: break
                    }
                }
                minor -= 1
            }
        }
        return out
    }

    /// `packaging.tags.mac_platforms(version, arch)`.
    static func macTags(major: Int, minor: Int, arch: String) -> [String] {
        func formats(_ major: Int, _ minor: Int) -> [String] {
            var f = [arch]
            let older104 = major < 10 || (major == 10 && minor < 4)
            switch arch {
            case "x86_64":
                if older104 { return [] }
                f += ["intel", "fat64", "fat3"]
            case "i386":
                if older104 { return [] }
                f += ["intel", "fat3", "fat"]
            case "ppc64":
                if (major > 10 || (major == 10 && minor > 5)) || older104 { return [] }
                f += ["fat64"]
            case "ppc":
                if major > 10 || (major == 10 && minor > 6) { return [] }
                f += ["fat3", "fat"]
            default: break
            }
            if arch == "arm64" || arch == "x86_64" { f.append("universal2") }
            if ["x86_64", "i386", "ppc64", "ppc", "intel"].contains(arch) { f.append("universal") }
            return f
        }
        var out: [String] = []
        if major == 10 {
            for m in stride(from: minor, through: 0, by: -1) {
                for f in formats(10, m) { out.append("macosx_10_\(m)_\(f)") }
            }
        }
        if major >= 11 {
            for m in stride(from: major, through: 11, by: -1) {
                for f in formats(m, 0) { out.append("macosx_\(m)_0_\(f)") }
            }
            for m in stride(from: 16, through: 4, by: -1) {
                if arch == "x86_64" {
                    for f in formats(10, m) { out.append("macosx_10_\(m)_\(f)") }
                } else {
                    out.append("macosx_10_\(m)_universal2")
                }
            }
        }
        return out
    }
}
