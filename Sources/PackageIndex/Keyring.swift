import Foundation
import WorkScheduling

/// Passwords from the user's keyring, asked the way pip's and uv's `--keyring-provider subprocess`
/// ask: `keyring get URL USER`, the password on its standard output. Asked only after an index
/// answered 401 and nothing else gave a password for a user name it knows (from the URL, netrc or
/// `UV_INDEX_<NAME>_USERNAME`), once per index; the answer is kept in memory only and never shown.
public final class KeyringLookup: Sendable, Equatable {
    /// The program run (`keyring`, found on `PATH`).
    let program: String
    private let answers = Locked<[URL: IndexCredentials?]>([:])

    public init(program: String = "keyring") {
        self.program = program
    }

    /// The credentials the keyring gave for `location` earlier, if it was asked and answered.
    func known(for location: IndexLocation) -> IndexCredentials? {
        answers.withLock { $0[location.url] ?? nil }
    }

    /// Asks the keyring for the password of `location`'s user (once; later calls return the first
    /// answer). Nil when there is no user name, `keyring` is missing, or it has no password.
    func ask(for location: IndexLocation) -> IndexCredentials? {
        guard let user = location.credentials?.username, !user.isEmpty else { return nil }
        if let answered = answers.withLock({ $0[location.url] }) { return answered }
        let password = run(["get", location.url.absoluteString, user])
        let found = password.map { IndexCredentials(username: user, password: $0) }
        answers.withLock { $0[location.url] = found }
        return found
    }

    private func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        WorkerPool.blocking { process.waitUntilExit() }
        guard process.terminationStatus == 0 else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    public static func == (lhs: KeyringLookup, rhs: KeyringLookup) -> Bool { lhs === rhs }

    /// The keyring provider the user chose: `option` (`--keyring-provider`), else
    /// `PIP_KEYRING_PROVIDER`, `UV_KEYRING_PROVIDER`, pip.conf's and uv.toml's `keyring-provider`.
    /// `subprocess` (and pip's `import`/`auto`, which lazywheel can only serve by running the
    /// program) enables the lookup; `disabled`, or nothing, leaves it off.
    static func configured(option: String?, environment: ConfigurationEnvironment, files: ConfigurationFiles) -> KeyringLookup? {
        var value = option ?? environment.variable("PIP_KEYRING_PROVIDER") ?? environment.variable("UV_KEYRING_PROVIDER")
            ?? files.pipValues("keyring-provider").first?.value
        if value == nil {
            for entry in files.uv {
                value = value ?? entry.file.string("keyring-provider") ?? entry.file.string("keyring-provider", inTable: "pip")
            }
        }
        switch value?.lowercased() {
        case "subprocess", "import", "auto": return KeyringLookup()
        default: return nil
        }
    }
}
