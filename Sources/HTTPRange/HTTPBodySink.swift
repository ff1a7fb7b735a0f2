import Foundation

/// Where ``HTTPClient/send(_:cancellation:bodyLimit:statistics:bodySink:)`` delivers a body as it
/// arrives instead of collecting it in memory: a whole-file download written to disk, for one.
/// Called on the client's delegate queue, one call at a time per request; it must not wait for
/// other requests.
public protocol HTTPBodySink: Sendable {
    /// The headers of an answer arrived (again, on a retry or after a redirect): forget anything
    /// received before. False stops the transfer before its body.
    func begin(status: Int, headers: HTTPHeaderFields) -> Bool
    /// The next bytes of the body. False stops the transfer.
    func receive(_ bytes: Data) -> Bool
}
