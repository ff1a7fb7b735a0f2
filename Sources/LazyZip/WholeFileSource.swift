import Foundation
import WorkScheduling

/// A ``ByteSource`` whose server may ignore byte ranges and answer with the whole file (range
/// support is optional, RFC 9110 §14; `python -m http.server` and devpi-server's default setup
/// ignore it). Once that is known, the file is read front to back: as far as one member for
/// the metadata alone (``streamMetadata(_:cancellation:)``), else to its end, after which every
/// read is served from the downloaded copy.
public protocol WholeFileSource: ByteSource {
    /// Whether this file's server is known to ignore ranges.
    var ignoresRanges: Bool { get }

    /// Downloads the file from its start, offering what arrived to `scanner`, and stops as soon as
    /// the scanner found its METADATA, which is returned. When it finds none, the whole file is
    /// downloaded and kept for later reads, and the result is nil.
    func streamMetadata(_ scanner: LocalHeaderScanner, cancellation: CancellationToken?) throws -> Data?
}
