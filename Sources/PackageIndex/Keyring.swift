import Foundation
import WorkScheduling

/// Passwords from the user's keyring, asked the way pip's and uv's `--keyring-provider subprocess`
/// ask: `keyring get URL USER`, the password on its standard output. Without a user name (an index
/// URL with no `user@`, as token-based indexes are often written) it asks as uv does for indexes that
/// always authenticate, `keyring --mode creds get URL`, which prints the user name and the password on
/// two lines (keyring 25.2 and later). Asked only after an index answered 401 and nothing else gave a
/// password (URL, netrc, `UV_INDEX_<NAME>_*`), once per index; the answer is kept in memory only and
/// never shown.
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

    /// Asks the keyring for the credentials of `location` (once; later calls return the first
    /// answer): the password of its user, or user and password when it names none. Nil when
    /// `keyring` is missing or has nothing for it.
    func ask(for location: IndexLocation) -> IndexCredentials? {
        if let answered = answers.withLock({ $0[location.url] }) { return answered }
        let url = location.url.absoluteString
        let found: IndexCredentials?
        if let user = location.credentials?.username, !user.isEmpty {
            found = run(["get", url, user]).map { IndexCredentials(username: user, password: $0) }
        } else {
            let lines = run(["--mode", "creds", "get", url])?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
            found = lines.count == 2 && !lines[0].isEmpty && !lines[1].isEmpty
                ? IndexCredentials(username: String(lines[0]), password: String(lines[1]).trimmingCharacters(in: .newlines))
                : nil
        }
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
