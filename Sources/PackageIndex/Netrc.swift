import Foundation

/// The entries of a `.netrc` file (the format of BSD ftp(1), as read by curl, pip and uv):
/// whitespace-separated tokens `machine HOST login USER password SECRET`, a final `default` entry
/// for any other host, `account` ignored, and `macdef NAME` blocks skipped up to an empty line.
struct Netrc: Sendable {
    struct Entry: Sendable, Equatable {
        var login: String?
        var password: String?
    }

    private(set) var machines: [String: Entry] = [:]
    private(set) var defaultEntry: Entry?

    init(contents: String) {
        let tokens = Self.tokens(contents)
        var index = 0
        var currentMachine: String?
        var isDefault = false
        var entry = Entry()

        func flush() {
            if let machine = currentMachine, machines[machine] == nil {
                machines[machine] = entry
            } else if isDefault, defaultEntry == nil {
                defaultEntry = entry
            }
            currentMachine = nil
            isDefault = false
            entry = Entry()
        }

        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case "machine":
                flush()
                if index < tokens.count {
                    currentMachine = tokens[index].lowercased()
                    index += 1
                }
            case "default":
                flush()
                isDefault = true
            case "login", "password", "account":
                guard index < tokens.count else { break }
                let value = tokens[index]
                index += 1
                if token == "login" { entry.login = value }
                if token == "password" { entry.password = value }
            case "macdef":
                // Token list already dropped macro bodies; skip the name.
                index += 1
            default:
                break
            }
        }
        flush()
    }

    /// Credentials for `host`: its `machine` entry, else the `default` entry.
    func credentials(forHost host: String) -> IndexCredentials? {
        let entry = machines[host.lowercased()] ?? defaultEntry
        guard let entry, let login = entry.login else { return nil }
        return IndexCredentials(username: login, password: entry.password ?? "")
    }

    /// Splits on whitespace, honouring double-quoted tokens, `#` comments at a token start, and
    /// dropping `macdef` bodies (everything up to the next empty line).
    private static func tokens(_ contents: String) -> [String] {
        var tokens: [String] = []
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
        var inMacro = false
        for rawLine in lines {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if inMacro {
                if line.allSatisfy(\.isWhitespace) { inMacro = false }
                continue
            }
            var current = ""
            var inQuotes = false
            var hasToken = false
            var characters = line.makeIterator()
            lineLoop: while let character = characters.next() {
                if inQuotes {
                    if character == "\"" {
                        inQuotes = false
                    } else if character == "\\", let next = characters.next() {
                        current.append(next)
                    } else {
                        current.append(character)
                    }
                    continue
                }
                switch character {
                case "\"":
                    inQuotes = true
                    hasToken = true
                case " ", "\t":
                    if hasToken {
                        tokens.append(current)
                        current = ""
                        hasToken = false
                    }
                case "#" where !hasToken:
                    break lineLoop
                default:
                    current.append(character)
                    hasToken = true
                }
            }
            if hasToken { tokens.append(current) }
            if tokens.count >= 2, tokens[tokens.count - 2] == "macdef" { inMacro = true }
        }
        return tokens
    }
}
