import Foundation
import HTTPRange
import Testing
@testable import PackageIndex

/// An injected environment with an in-memory file system for pip.conf / uv.toml.
private func environment(_ variables: [String: String] = [:], files: [String: String] = [:]) -> ConfigurationEnvironment {
    ConfigurationEnvironment(variables: variables, homeDirectory: "/home/u", workingDirectory: "/", readFile: { files[$0] })
}

/// Two real files to name as certificates (their existence is checked).
private func certificateFiles() throws -> (String, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-certs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let first = directory.appendingPathComponent("a.pem").path
    let second = directory.appendingPathComponent("b.pem").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: first))
    try Data("y".utf8).write(to: URL(fileURLWithPath: second))
    return (first, second)
}

struct TransportConfigurationTests {
    @Test func certificatePrecedence() throws {
        let (a, b) = try certificateFiles()
        let pipConf = ["/etc/pip.conf": "[global]\ncert = \(b)\n"]
        var resolved = try TransportConfiguration.resolve(
            options: TransportOptions(certificateAuthority: a), environment: environment(["PIP_CERT": b], files: pipConf))
        #expect(resolved.settings.certificateAuthorityFile == a)
        resolved = try TransportConfiguration.resolve(environment: environment(["PIP_CERT": a, "SSL_CERT_FILE": b], files: pipConf))
        #expect(resolved.settings.certificateAuthorityFile == a)
        resolved = try TransportConfiguration.resolve(environment: environment(["SSL_CERT_FILE": a], files: pipConf))
        #expect(resolved.settings.certificateAuthorityFile == b)
        resolved = try TransportConfiguration.resolve(environment: environment(["SSL_CERT_FILE": a]))
        #expect(resolved.settings.certificateAuthorityFile == a)
        #expect(resolved.report.contains { $0.contains("SSL_CERT_FILE") })
    }

    @Test func aMissingCertificateFileIsAnErrorNamingItsSource() {
        #expect(throws: TransportConfigurationError.self) {
            try TransportConfiguration.resolve(environment: environment(["PIP_CERT": "/no/such/ca.pem"]))
        }
        do {
            _ = try TransportConfiguration.resolve(environment: environment(["PIP_CERT": "/no/such/ca.pem"]))
        } catch {
            #expect(error.description.contains("environment variable PIP_CERT"))
            #expect(error.description.contains("/no/such/ca.pem"))
        }
    }

    @Test func clientCertificateFromPipConf() throws {
        let (a, _) = try certificateFiles()
        let resolved = try TransportConfiguration.resolve(environment: environment(files: ["/etc/pip.conf": "[global]\nclient-cert = \(a)\n"]))
        #expect(resolved.settings.clientCertificateFile == a)
    }

    @Test func trustedHostsAddUpFromEverySource() throws {
        let resolved = try TransportConfiguration.resolve(
            options: TransportOptions(trustedHosts: ["cli.test"]),
            environment: environment(
                ["PIP_TRUSTED_HOST": "env.test other.test:8443", "UV_INSECURE_HOST": "https://uv.test/simple"],
                files: ["/etc/pip.conf": "[global]\ntrusted-host = file.test\n    second.test\n",
                        "/etc/uv/uv.toml": "allow-insecure-host = [\"toml.test\"]\n"]))
        #expect(resolved.settings.insecureHosts == ["cli.test", "env.test", "other.test:8443", "file.test", "second.test", "uv.test", "toml.test"])
    }

    @Test func proxiesFromEnvironmentInEitherCaseAndPipWins() throws {
        var resolved = try TransportConfiguration.resolve(
            environment: environment(["HTTPS_PROXY": "http://u:p@proxy.test:3128", "http_proxy": "proxy.test:8080", "NO_PROXY": "localhost,.internal"]))
        #expect(resolved.settings.httpsProxy == "http://u:p@proxy.test:3128")
        #expect(resolved.settings.httpProxy == "http://proxy.test:8080")
        #expect(resolved.settings.noProxy == "localhost,.internal")
        #expect(!resolved.report.joined().contains("u:p"))
        resolved = try TransportConfiguration.resolve(environment: environment(["ALL_PROXY": "http://all.test:1"]))
        #expect(resolved.settings.httpsProxy == "http://all.test:1" && resolved.settings.httpProxy == "http://all.test:1")
        resolved = try TransportConfiguration.resolve(
            environment: environment(["HTTPS_PROXY": "http://env.test:1"], files: ["/etc/pip.conf": "[global]\nproxy = pip.test:3128\n"]))
        #expect(resolved.settings.httpsProxy == "http://pip.test:3128")
    }
}

struct IndexTrustTests {
    @Test func remotePagesLeadOnlyToHTTP() {
        let remote = URL(string: "https://index.test/simple/a/")!
        let local = URL(fileURLWithPath: "/srv/simple/a/index.html")
        #expect(PageLinkResolver.mayFollow(URL(string: "https://files.test/a-1.whl")!, from: remote))
        #expect(!PageLinkResolver.mayFollow(URL(string: "file:///etc/passwd")!, from: remote))
        #expect(!PageLinkResolver.mayFollow(URL(string: "ftp://files.test/a-1.whl")!, from: remote))
        #expect(PageLinkResolver.mayFollow(URL(string: "file:///srv/a-1.whl")!, from: local))
    }

    @Test func aPageFileIsCheckedFromItsTextAsFromItsURL() {
        let remote = URL(string: "https://index.test/simple/a/")!
        let local = URL(fileURLWithPath: "/srv/simple/a/index.html")
        for head in ["https://files.test/a/", "HTTP://files.test/", "file:///srv/", "ftp://files.test/", "FILE:///etc/"] {
            let file = DistributionFile(
                filename: "a-1.whl", directoryText: head, hashes: [:], requiresPython: nil, yanked: .notYanked,
                coreMetadata: .absent, projectName: "a")
            for page in [remote, local] {
                #expect(PageLinkResolver.mayFollow(file, from: page) == PageLinkResolver.mayFollow(file.url, from: page), "\(head)")
            }
        }
    }

    @Test(arguments: ["/srv/wheels", "./wheels", "file:///srv/wheels", "~/wheels"])
    func clientsMayNameLocalLocationsOnlyWhenAllowed(value: String) throws {
        let denied = IndexOptions(findLinks: [value], allowsLocalLocations: false)
        #expect(throws: IndexConfigurationError.localLocationNotAllowed(value: value)) {
            try IndexConfiguration.resolve(options: denied, environment: environment())
        }
        let allowed = IndexOptions(findLinks: [value], allowsLocalLocations: true)
        #expect((try? IndexConfiguration.resolve(options: allowed, environment: environment())) != nil)
        let remote = IndexOptions(indexURL: "https://index.test/simple/", allowsLocalLocations: false)
        #expect((try? IndexConfiguration.resolve(options: remote, environment: environment())) != nil)
    }

    @Test func namedUVIndexCredentialsFromTheEnvironment() throws {
        let toml = "[[index]]\nname = \"internal-proxy\"\nurl = \"https://internal.test/simple\"\ndefault = true\n"
        let config = try IndexConfiguration.resolve(environment: environment(
            ["UV_INDEX_INTERNAL_PROXY_USERNAME": "alice", "UV_INDEX_INTERNAL_PROXY_PASSWORD": "s3cret"],
            files: ["/etc/uv/uv.toml": toml]))
        #expect(config.primaryIndex?.credentials == IndexCredentials(username: "alice", password: "s3cret"))
        #expect(!config.report.joined().contains("s3cret"))
        let fromVariable = try IndexConfiguration.resolve(environment: environment(
            ["UV_INDEX": "private=https://private.test/simple", "UV_INDEX_PRIVATE_USERNAME": "bob", "UV_INDEX_PRIVATE_PASSWORD": "pw"]))
        #expect(fromVariable.indexes.first?.credentials == IndexCredentials(username: "bob", password: "pw"))
    }
}
