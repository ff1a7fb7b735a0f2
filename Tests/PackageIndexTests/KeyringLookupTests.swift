import Foundation
import Testing

@testable import PackageIndex

/// `KeyringLookup` against a stand-in `keyring` program that logs its arguments.
@Suite struct KeyringLookupTests {
    /// A `keyring` that knows alice's password for any URL, and in `--mode creds` answers
    /// `creds` on two lines (or `creds` as given, to test malformed answers).
    private static func keyring(creds: String = "alice\\ns3cret\\n") throws -> (program: String, log: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("asked")
        let program = folder.appendingPathComponent("keyring")
        try """
            #!/bin/sh
            echo "$@" >> '\(log.path)'
            if [ "$1" = get ] && [ "$3" = alice ]; then echo s3cret; exit 0; fi
            if [ "$1 $2 $3" = "--mode creds get" ]; then printf '\(creds)'; exit 0; fi
            exit 1
            """.write(to: program, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
        return (program.path, log)
    }

    private static func location(_ url: String, user: String? = nil) -> IndexLocation {
        IndexLocation(
            url: URL(string: url)!, credentials: user.map { IndexCredentials(username: $0, password: "") },
            origin: .commandLine(option: "--index-url"))
    }

    @Test func asksForTheUsersPasswordOnce() throws {
        let (program, log) = try Self.keyring()
        let lookup = KeyringLookup(program: program)
        let index = Self.location("https://index.example/simple/", user: "alice")
        #expect(lookup.ask(for: index) == IndexCredentials(username: "alice", password: "s3cret"))
        #expect(lookup.ask(for: index) == IndexCredentials(username: "alice", password: "s3cret"))
        #expect(lookup.known(for: index) == IndexCredentials(username: "alice", password: "s3cret"))
        #expect(try String(contentsOf: log, encoding: .utf8) == "get https://index.example/simple/ alice\n")
    }

    @Test func withoutAUserNameAsksForBoth() throws {
        let (program, log) = try Self.keyring()
        let lookup = KeyringLookup(program: program)
        let index = Self.location("https://index.example/simple/")
        #expect(lookup.ask(for: index) == IndexCredentials(username: "alice", password: "s3cret"))
        #expect(try String(contentsOf: log, encoding: .utf8) == "--mode creds get https://index.example/simple/\n")
    }

    @Test(arguments: ["", "s3cret\\n", "\\ns3cret\\n", "alice\\n\\n", "a\\nb\\nc\\n"])
    func anAnswerThatIsNotUserAndPasswordGivesNothing(answer: String) throws {
        let (program, _) = try Self.keyring(creds: answer)
        let lookup = KeyringLookup(program: program)
        #expect(lookup.ask(for: Self.location("https://index.example/simple/")) == nil)
    }

    @Test func aMissingProgramGivesNothing() {
        let lookup = KeyringLookup(program: "/nonexistent/keyring")
        #expect(lookup.ask(for: Self.location("https://index.example/simple/", user: "alice")) == nil)
    }
}
