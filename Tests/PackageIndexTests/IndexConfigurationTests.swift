import Foundation
import Testing
@testable import PackageIndex

/// An injected environment with an in-memory file system.
private func environment(_ variables: [String: String] = [:], files: [String: String] = [:], home: String = "/home/u") -> ConfigurationEnvironment {
    ConfigurationEnvironment(variables: variables, homeDirectory: home, workingDirectory: "/project", readFile: { files[$0] })
}

struct IndexConfigurationTests {
    @Test func nothingConfiguredIsATypedErrorSayingHowToSetOne() {
        #expect(throws: IndexConfigurationError.noIndexConfigured) {
            try IndexConfiguration.resolve(environment: environment())
        }
        let message = IndexConfigurationError.noIndexConfigured.description
        for hint in ["--index-url URL", "LAZYWHEEL_INDEX_URL", "PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "pip.conf", "uv.toml"] {
            #expect(message.contains(hint), "missing \(hint)")
        }
    }

    @Test func commandLineWinsOverEnvironmentAndFiles() throws {
        let config = try IndexConfiguration.resolve(
            options: IndexOptions(indexURL: "http://cli.example/simple"),
            environment: environment(["PIP_INDEX_URL": "http://env.example/simple/"],
                                     files: ["/etc/pip.conf": "[global]\nindex-url = http://file.example/simple/\n"]))
        #expect(config.primaryIndex?.url.absoluteString == "http://cli.example/simple/")
        #expect(config.primaryIndex?.origin == .commandLine(option: "--index-url"))
    }

    @Test(arguments: [
        (["LAZYWHEEL_INDEX_URL": "http://a/s/", "PIP_INDEX_URL": "http://b/s/", "UV_INDEX_URL": "http://c/s/"], "http://a/s/", "LAZYWHEEL_INDEX_URL"),
        (["PIP_INDEX_URL": "http://b/s/", "UV_INDEX_URL": "http://c/s/", "UV_DEFAULT_INDEX": "http://d/s/"], "http://b/s/", "PIP_INDEX_URL"),
        (["UV_INDEX_URL": "http://c/s/", "UV_DEFAULT_INDEX": "http://d/s/"], "http://c/s/", "UV_INDEX_URL"),
        (["UV_DEFAULT_INDEX": "http://d/s"], "http://d/s/", "UV_DEFAULT_INDEX"),
    ])
    func environmentPrecedence(variables: [String: String], expected: String, variable: String) throws {
        let config = try IndexConfiguration.resolve(environment: environment(variables))
        #expect(config.primaryIndex?.url.absoluteString == expected)
        #expect(config.primaryIndex?.origin == .environment(variable: variable))
        #expect(config.report.first?.contains("environment variable \(variable)") == true)
    }

    @Test func extraIndexesFromEnvironmentAreSpaceSeparated() throws {
        let config = try IndexConfiguration.resolve(environment: environment([
            "PIP_INDEX_URL": "http://main/simple/",
            "PIP_EXTRA_INDEX_URL": "http://x1/simple/  http://x2/simple/",
            "UV_EXTRA_INDEX_URL": "http://x3/simple/",
        ]))
        #expect(config.indexes.map(\.url.absoluteString) == ["http://main/simple/", "http://x1/simple/", "http://x2/simple/", "http://x3/simple/"])
    }

    @Test func pipConfPrecedenceAndInstallSection() throws {
        let files = [
            "/custom/pip.conf": "[global]\nindex-url = http://custom/simple/\n",
            "/home/u/.config/pip/pip.conf": """
                # comment
                [global]
                index_url = http://global/simple/
                [install]
                index-url = http://install/simple/
                extra-index-url =
                    http://extra1/simple/
                    http://extra2/simple/
                find-links: /wheels
                """,
            "/etc/pip.conf": "[global]\nindex-url = http://etc/simple/\n",
        ]
        let withEnv = try IndexConfiguration.resolve(environment: environment(["PIP_CONFIG_FILE": "/custom/pip.conf"], files: files))
        #expect(withEnv.primaryIndex?.url.absoluteString == "http://custom/simple/")
        #expect(withEnv.primaryIndex?.origin == .pipConfig(path: "/custom/pip.conf", key: "index-url"))
        // Extras come from the highest-precedence file that has them.
        #expect(withEnv.indexes.dropFirst().map(\.url.absoluteString) == ["http://extra1/simple/", "http://extra2/simple/"])

        let user = try IndexConfiguration.resolve(environment: environment(files: files))
        #expect(user.primaryIndex?.url.absoluteString == "http://install/simple/")
        #expect(user.findLinks.map(\.url.path) == ["/wheels"])
        #expect(user.consultedFiles == ["/home/u/.config/pip/pip.conf", "/etc/pip.conf"])

        let xdg = try IndexConfiguration.resolve(environment: environment(
            ["XDG_CONFIG_HOME": "/xdg"],
            files: ["/xdg/pip/pip.conf": "[global]\nindex-url=http://xdg/simple/\n", "/home/u/.pip/pip.conf": "[global]\nindex-url=http://legacy/\n"]))
        #expect(xdg.primaryIndex?.url.absoluteString == "http://xdg/simple/")

        let legacy = try IndexConfiguration.resolve(environment: environment(files: ["/home/u/.pip/pip.conf": "[global]\nindex-url=http://legacy/\n", "/etc/xdg/pip/pip.conf": "[global]\nindex-url=http://etcxdg/\n"]))
        #expect(legacy.primaryIndex?.url.absoluteString == "http://legacy/")

        let devnull = try? IndexConfiguration.resolve(environment: environment(["PIP_CONFIG_FILE": "/dev/null"], files: files))
        #expect(devnull == nil)
    }

    @Test func uvTomlIndexTables() throws {
        let toml = """
            # uv settings
            [[index]]
            name = "internal"
            url = "http://extra.example/simple"   # trailing comment

            [[index]]
            name = "main"
            url = 'http://main.example/simple/'
            default = true

            [[index]]
            url = "http://pinned.example/simple/"
            explicit = true

            find-links = [
                "/srv/wheels",  # local
                "http://links.example/wheels.html",
            ]
            """
        let config = try IndexConfiguration.resolve(environment: environment(files: ["/home/u/.config/uv/uv.toml": toml]))
        #expect(config.indexes.map(\.url.absoluteString) == ["http://main.example/simple/", "http://extra.example/simple/"])
        #expect(config.primaryIndex?.origin == .uvConfig(path: "/home/u/.config/uv/uv.toml", key: "[[index]] default = true"))
        // `find-links` after a [[index]] header belongs to that table in TOML; root keys must come first.
        #expect(config.findLinks.isEmpty)
    }

    @Test func uvTomlRootAndPipTableKeys() throws {
        let root = """
            index-url = "http://root.example/simple/"
            extra-index-url = ["http://e1/simple/", "http://e2/simple/"]
            find-links = ["/srv/wheels"]
            """
        let config = try IndexConfiguration.resolve(environment: environment(["UV_CONFIG_FILE": "/u.toml"], files: ["/u.toml": root]))
        #expect(config.indexes.map(\.url.absoluteString) == ["http://root.example/simple/", "http://e1/simple/", "http://e2/simple/"])
        #expect(config.findLinks.map(\.url.path) == ["/srv/wheels"])

        let pipTable = "[pip]\nindex-url = \"http://pip-table/simple/\"\n"
        let fromPipTable = try IndexConfiguration.resolve(environment: environment(files: ["/etc/uv/uv.toml": pipTable]))
        #expect(fromPipTable.primaryIndex?.url.absoluteString == "http://pip-table/simple/")
        #expect(fromPipTable.primaryIndex?.origin == .uvConfig(path: "/etc/uv/uv.toml", key: "[pip] index-url"))
    }

    @Test func pipConfWinsOverUvToml() throws {
        let config = try IndexConfiguration.resolve(environment: environment(files: [
            "/etc/pip.conf": "[global]\nindex-url = http://pip/simple/\n",
            "/etc/uv/uv.toml": "index-url = \"http://uv/simple/\"\n",
        ]))
        #expect(config.primaryIndex?.url.absoluteString == "http://pip/simple/")
    }

    @Test func credentialsFromURLAreSplitOffAndRedacted() throws {
        let config = try IndexConfiguration.resolve(environment: environment(["PIP_INDEX_URL": "https://alice:s%40cret@private.example/simple/"]))
        let index = try #require(config.primaryIndex)
        #expect(index.url.absoluteString == "https://private.example/simple/")
        #expect(index.credentials == IndexCredentials(username: "alice", password: "s@cret"))
        #expect(index.credentialOrigin == .url)
        #expect(index.redactedDescription == "https://***@private.example/simple/")
        #expect(!config.report.joined().contains("s@cret") && !config.report.joined().contains("alice"))
        #expect("\(index.credentials!)" == "***")
        #expect(index.credentials?.authorizationHeader == "Basic " + Data("alice:s@cret".utf8).base64EncodedString())
    }

    @Test func credentialsFromNetrc() throws {
        let netrc = """
            # comment
            machine other.example login bob password nope
            machine private.example
              login carol
              password "pa ss"
            default login anon password anonpw
            """
        let config = try IndexConfiguration.resolve(environment: environment(
            ["PIP_INDEX_URL": "https://private.example/simple/", "PIP_EXTRA_INDEX_URL": "https://elsewhere.example/simple/"],
            files: ["/home/u/.netrc": netrc]))
        #expect(config.indexes[0].credentials == IndexCredentials(username: "carol", password: "pa ss"))
        #expect(config.indexes[0].credentialOrigin == .netrc(path: "/home/u/.netrc"))
        #expect(config.indexes[1].credentials == IndexCredentials(username: "anon", password: "anonpw"))
        #expect(!config.report.joined().contains("pa ss"))

        let custom = try IndexConfiguration.resolve(environment: environment(
            ["PIP_INDEX_URL": "https://other.example/simple/", "NETRC": "/n"], files: ["/n": netrc]))
        #expect(custom.primaryIndex?.credentials?.username == "bob")
    }

    @Test func netrcMacdefIsSkipped() {
        let netrc = Netrc(contents: "macdef init\ncd /pub\nmachine fake login x password y\n\nmachine real login r password p\n")
        #expect(netrc.credentials(forHost: "fake") == nil)
        #expect(netrc.credentials(forHost: "REAL") == IndexCredentials(username: "r", password: "p"))
    }

    @Test func invalidURLMessageIsRedacted() {
        let error = #expect(throws: IndexConfigurationError.self) {
            try IndexConfiguration.resolve(environment: environment(["PIP_INDEX_URL": "ftp://user:topsecret@host/simple/"]))
        }
        #expect(error?.description.contains("topsecret") == false)
        #expect(error?.description.contains("***@host") == true)
    }

    @Test func pathsBecomeFileURLs() throws {
        let config = try IndexConfiguration.resolve(
            options: IndexOptions(indexURL: "./local-index", findLinks: ["~/wheels", "file:///srv/wheels"]),
            environment: environment())
        #expect(config.primaryIndex?.url.absoluteString == "file:///project/local-index/")
        #expect(config.primaryIndex?.isLocal == true)
        #expect(config.findLinks.map(\.url.path) == ["/home/u/wheels", "/srv/wheels"])
    }

    @Test func findLinksAloneIsEnough() throws {
        let config = try IndexConfiguration.resolve(environment: environment(["PIP_FIND_LINKS": "/wheels"]))
        #expect(config.indexes.isEmpty)
        #expect(config.findLinks.count == 1)
    }

    @Test func uvIndexNamedEntries() throws {
        let config = try IndexConfiguration.resolve(environment: environment(["UV_DEFAULT_INDEX": "http://d/simple/", "UV_INDEX": "internal=http://i/simple/ http://j/simple/"]))
        #expect(config.indexes.map(\.url.absoluteString) == ["http://d/simple/", "http://i/simple/", "http://j/simple/"])
    }

    @Test(arguments: [
        ("internal=http://i/simple/", "http://i/simple/"), ("http://i/simple/?a=b", "http://i/simple/?a=b"),
        ("/srv/with=sign", "/srv/with=sign"), ("http://i/simple/", "http://i/simple/"),
    ])
    func indexNamesAreStripped(value: String, expected: String) {
        #expect(IndexConfiguration.stripIndexName(value) == expected)
    }

    @Test func credentialsForFilesOnTheIndexHost() throws {
        let config = try IndexConfiguration.resolve(environment: environment(["PIP_INDEX_URL": "http://u:p@host:8080/simple/"]))
        #expect(config.credentials(for: URL(string: "http://host:8080/files/x.whl")!)?.username == "u")
        #expect(config.credentials(for: URL(string: "http://host:9090/files/x.whl")!) == nil)
        #expect(config.credentials(for: URL(string: "http://elsewhere:8080/files/x.whl")!) == nil)
    }

    @Test func projectURLIsRootPlusCanonicalName() {
        let location = IndexLocation(url: URL(string: "http://h/simple/")!, origin: .commandLine(option: "--index-url"))
        #expect(location.projectURL(canonicalName: "typing-extensions").absoluteString == "http://h/simple/typing-extensions/")
    }

    @Test func redactionOfFreeText() {
        #expect(redactingCredentials(in: "GET https://u:p@h/x failed; see http://h2/y") == "GET https://***@h/x failed; see http://h2/y")
    }
}
