import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Words for the transfer failures FoundationNetworking reports without a code of their own
/// (`URLError.unknown`, -1, and a few others): it passes libcurl's message on as the error's
/// localized description ("transfer closed with 1000 bytes remaining to read", "SSL certificate
/// problem: …"), which says what happened. The message never carries the URL.
enum TransferFailureWording {
    /// What went wrong, in words, and whether another attempt may help.
    static func describe(_ error: URLError) -> (reason: String, isRetryable: Bool) {
        let message = libraryMessage(error)
        let lowered = message?.lowercased() ?? ""
        switch error.code {
        case .unsupportedURL, .badURL:
            return ("the URL cannot be fetched by the HTTP library\(detail(message))", false)
        case .cannotDecodeRawData, .cannotDecodeContentData:
            return ("the server sent a body that cannot be decoded\(detail(message))", false)
        default:
            break
        }
        if lowered.contains("remaining to read") || lowered.contains("partial file") || lowered.contains("end of response") {
            return ("the connection closed before the whole body arrived (\(message!))", true)
        }
        if lowered.contains("header"), lowered.contains("too large") || lowered.contains("too long") || lowered.contains("maximum") || lowered.contains("exceed") {
            return ("the server sent response headers larger than the HTTP library accepts (\(message!))", false)
        }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") {
            return ("the TLS connection could not be established: \(message!)", false)
        }
        if lowered.contains("http/0.9") || lowered.contains("weird server reply") || lowered.contains("unsupported http version") {
            return ("the server did not answer with HTTP (\(message!))", true)
        }
        if let message { return ("the transfer failed: \(message)", true) }
        return ("the transfer failed (URL error \(error.code.rawValue))", true)
    }

    /// libcurl's message as FoundationNetworking passed it on, when there is one.
    private static func libraryMessage(_ error: URLError) -> String? {
        let text = ((error as NSError).userInfo[NSLocalizedDescriptionKey] as? String)?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let text, !text.isEmpty, !text.hasPrefix("The operation could not be completed") else { return nil }
        return text
    }

    private static func detail(_ message: String?) -> String {
        message.map { " (\($0))" } ?? ""
    }
}
