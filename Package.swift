// swift-tools-version:6.0
import PackageDescription

/// For every target of the product: a generic type that specialized code uses is made by its
/// metadata accessor, its conformances passed in, instead of being looked up by mangled name at
/// run time (a demangling and a scan of every conformance record, the first time each type is
/// used). Those lookups were about a tenth of a warm `resolve`; the README ("Proof", "Type
/// look-ups") has the measurement.
let startUpSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]),
]

/// The executable is linked by LLVM's lld (shipped with the Swift toolchain on Linux), not by the
/// driver's default there, gold: a process started from lld's output spends about 0.7 ms less
/// before `main` (its read-only data and code in separate segments, fewer pages written while
/// relocating), a tenth of a warm `resolve`. The README ("Proof", "Linker") has the measurement.
let startUpLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux])),
    // FoundationNetworking's libcurl calls reach Sources/CurlLoader in dynamic builds too (transport settings).
    .unsafeFlags(["-Xlinker", "--export-dynamic-symbol=curl_*"], .when(platforms: [.linux])),
]

/// lazywheel: read Python wheels lazily over HTTP, behind a JSON-RPC service on stdio.
///
/// Layering (nothing below imports anything above):
///   WorkScheduling → CZlib/LazyZip → CurlLoader/HTTPRange → PackageIndex → Resolver → LazyWheelServer → lazywheel
///   PackagingStandards (pure data types), JSONRPC (transport) and CommandLineParsing stand on their own.
let package = Package(
    name: "lazywheel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lazywheel", targets: ["lazywheel"]),
    ],
    dependencies: [
        // Only for the in-process fault-injecting HTTP server used by tests (TestSupport).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "WorkScheduling", swiftSettings: startUpSettings),
        .target(name: "LazyZip", dependencies: ["CZlib", "WorkScheduling"], swiftSettings: startUpSettings),
        // libcurl bound lazily for FoundationNetworking (Linux): see Sources/CurlLoader/include.
        .target(name: "CurlLoader", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "HTTPRange",
            dependencies: ["LazyZip", "WorkScheduling", .target(name: "CurlLoader", condition: .when(platforms: [.linux]))],
            swiftSettings: startUpSettings
        ),
        .target(name: "PackagingStandards", dependencies: ["WorkScheduling"], swiftSettings: startUpSettings),
        .target(
            name: "PackageIndex", dependencies: ["PackagingStandards", "HTTPRange", "LazyZip", "TOML", "CZlib", "WorkScheduling"],
            swiftSettings: startUpSettings
        ),
        .target(name: "Resolver", dependencies: ["PackagingStandards", "PackageIndex", "LazyZip", "WorkScheduling", "DependencyDocuments"], swiftSettings: startUpSettings),
        .target(name: "TOML", swiftSettings: startUpSettings),
        .target(name: "DependencyDocuments", dependencies: ["PackagingStandards", "TOML"], swiftSettings: startUpSettings),
        .target(name: "JSONRPC", dependencies: ["WorkScheduling"], swiftSettings: startUpSettings),
        .target(name: "CommandLineParsing", swiftSettings: startUpSettings),
        .target(
            name: "LazyWheelServer",
            dependencies: ["JSONRPC", "LazyZip", "HTTPRange", "PackagingStandards", "PackageIndex", "Resolver", "WorkScheduling", "DependencyDocuments"],
            swiftSettings: startUpSettings
        ),
        .executableTarget(
            name: "lazywheel",
            dependencies: [
                "LazyWheelServer",
                "HTTPRange",
                "CommandLineParsing",
            ],
            swiftSettings: startUpSettings,
            linkerSettings: startUpLinking
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "LazyZip",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "WorkSchedulingTests", dependencies: ["WorkScheduling"]),
        .testTarget(name: "LazyZipTests", dependencies: ["LazyZip", "TestSupport"]),
        .testTarget(name: "HTTPRangeTests", dependencies: ["HTTPRange", "TestSupport"]),
        .testTarget(name: "PackagingStandardsTests", dependencies: ["PackagingStandards", "TestSupport"]),
        .testTarget(name: "PackageIndexTests", dependencies: ["PackageIndex", "TestSupport"]),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "TestSupport"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(name: "CommandLineParsingTests", dependencies: ["CommandLineParsing"]),
        .testTarget(name: "DependencyDocumentsTests", dependencies: ["DependencyDocuments"]),
        .testTarget(name: "LazyWheelServerTests", dependencies: ["LazyWheelServer", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
