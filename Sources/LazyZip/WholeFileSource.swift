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

    /// The tail, as ``ByteSource/readTail(length:cancellation:)`` reads it, with `scanner` standing
    /// by: when the server answers the tail request with the whole file, that answer is read front
    /// to back through `scanner` as ``streamMetadata(_:cancellation:)`` reads one, instead of being
    /// dropped and asked for again (a round trip, and the bytes already under way, saved). Gives
    /// METADATA when the scanner found it, else the tail (of the downloaded file, when it came
    /// whole).
    func readTail(length: Int, streaming scanner: LocalHeaderScanner, cancellation: CancellationToken?) throws -> TailOrMetadata
}

/// What a tail read with a ``LocalHeaderScanner`` standing by gave.
public enum TailOrMetadata: Sendable, Equatable {
    case tail(TailRead)
    /// The server sent the whole file and the scanner found METADATA in it.
    case metadata(Data)
}
