import Foundation

/// User name and password carried in a URL's userinfo (RFC 3986 §3.2.1), turned into an HTTP Basic
/// `Authorization` header (RFC 7617) and kept out of every message: requests are sent to the URL
/// without userinfo, and ``redacted(_:)`` is the only way URLs appear in errors.
public struct URLCredentials: Sendable, Equatable {
    /// The decoded user name.
    public var user: String
    /// The decoded password (empty when the URL had none).
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The `Authorization` header value: `Basic base64(user:password)`.
    public var authorizationHeaderValue: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Splits `url` into the URL without userinfo and the credentials it carried, if any.
    public static func split(_ url: URL) -> (url: URL, credentials: URLCredentials?) {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            components.percentEncodedUser != nil || components.percentEncodedPassword != nil
        else { return (url, nil) }
        let credentials = URLCredentials(user: components.user ?? "", password: components.password ?? "")
        components.user = nil
        components.password = nil
        return (components.url ?? url, credentials)
    }

    /// `url` as text without its userinfo, for messages and logs.
    public static func redacted(_ url: URL) -> String {
        split(url).url.absoluteString
    }

    /// `text` (a URL or a `Location` value) without userinfo when it parses as a URL with a host.
    static func redacted(text: String) -> String {
        guard let url = URL(string: text), url.host != nil else { return text }
        return redacted(url)
    }
}
