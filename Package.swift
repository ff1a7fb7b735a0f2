// swift-tools-version:6.0
import PackageDescription

/// lazywheel: read Python wheels lazily over HTTP, behind a JSON-RPC service on stdio.
///
/// Layering (a module imports only modules on an earlier line or to its left on its own line;
/// docs/Modules.md has a paragraph per module):
///   PackagingStandards, TOML, WorkScheduling, CZlib, CurlMultiCallbacks, CurlTransport   (no dependencies of ours)
///   DependencyDocuments (PackagingStandards, TOML), JSONRPC (WorkScheduling)
///   LazyZip → HTTPRange → PackageIndex → Resolver → LazyWheelCore → LazyWheelServer → lazywheel
/// LazyWheelCore is the engine the command line and the server share; LazyWheelServer is the
/// JSON-RPC/LSP service over it; lazywheel, the executable, uses both.
let package = Package(
    name: "lazywheel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lazywheel", targets: ["lazywheel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Only for the in-process fault-injecting HTTP server used by tests (TestSupport).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "WorkScheduling"),
        .target(name: "LazyZip", dependencies: ["CZlib", "WorkScheduling"]),
        // FoundationNetworking's handling of libcurl's socket and timer requests corrected (Linux):
        // see Sources/CurlMultiCallbacks/include.
        .target(
            name: "CurlMultiCallbacks",
            // libcurl named at link time, so the linker exports these definitions to
            // FoundationNetworking (its references carry libcurl's symbol version).
            linkerSettings: [.linkedLibrary("curl", .when(platforms: [.linux])), .linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // The user's CA bundle, client certificate, trusted hosts and proxy set on each libcurl
        // transfer (Linux), which FoundationNetworking offers no way to: see Sources/CurlTransport/include.
        .target(
            name: "CurlTransport",
            linkerSettings: [.linkedLibrary("curl", .when(platforms: [.linux])), .linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .target(
            name: "HTTPRange",
            dependencies: [
                "LazyZip", "WorkScheduling",
                .target(name: "CurlMultiCallbacks", condition: .when(platforms: [.linux])),
                .target(name: "CurlTransport", condition: .when(platforms: [.linux])),
            ]
        ),
        .target(name: "PackagingStandards"),
        .target(
            name: "PackageIndex",
            dependencies: [
                "PackagingStandards", "HTTPRange", "LazyZip", "TOML", "CZlib", "WorkScheduling",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Resolver", dependencies: ["PackagingStandards", "PackageIndex", "LazyZip", "WorkScheduling", "DependencyDocuments"]),
        .target(name: "TOML"),
        .target(name: "DependencyDocuments", dependencies: ["PackagingStandards", "TOML"]),
        .target(name: "JSONRPC", dependencies: ["WorkScheduling"]),
        .target(
            name: "LazyWheelCore",
            dependencies: ["LazyZip", "HTTPRange", "PackagingStandards", "PackageIndex", "Resolver", "WorkScheduling"]
        ),
        .target(
            name: "LazyWheelServer",
            dependencies: [
                "LazyWheelCore", "JSONRPC", "LazyZip", "HTTPRange", "PackagingStandards", "PackageIndex", "Resolver",
                "WorkScheduling", "DependencyDocuments", "TOML",
            ]
        ),
        .executableTarget(
            name: "lazywheel",
            dependencies: [
                "LazyWheelCore", "LazyWheelServer", "JSONRPC", "HTTPRange", "PackageIndex", "PackagingStandards", "Resolver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "LazyZip",
                "CZlib",
                "WorkScheduling",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "WorkSchedulingTests", dependencies: ["WorkScheduling"]),
        .testTarget(name: "LazyZipTests", dependencies: ["LazyZip", "WorkScheduling", "TestSupport"]),
        .testTarget(name: "HTTPRangeTests", dependencies: ["HTTPRange", "CurlMultiCallbacks", "LazyZip", "WorkScheduling", "TestSupport"]),
        .testTarget(name: "PackagingStandardsTests", dependencies: ["PackagingStandards", "TestSupport"]),
        .testTarget(
            name: "PackageIndexTests",
            dependencies: [
                "PackageIndex", "CZlib", "HTTPRange", "LazyZip", "PackagingStandards", "WorkScheduling", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "HTTPRange", "PackageIndex", "PackagingStandards", "WorkScheduling", "TestSupport"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "WorkScheduling"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML", "TestSupport"]),
        .testTarget(name: "DependencyDocumentsTests", dependencies: ["DependencyDocuments", "TOML"]),
        .testTarget(name: "LazyWheelCoreTests", dependencies: ["LazyWheelCore", "LazyZip", "PackageIndex", "TestSupport"]),
        .testTarget(
            name: "LazyWheelServerTests",
            dependencies: [
                "LazyWheelServer", "LazyWheelCore", "DependencyDocuments", "HTTPRange", "JSONRPC", "LazyZip", "PackageIndex",
                "PackagingStandards", "TOML", "WorkScheduling", "TestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
