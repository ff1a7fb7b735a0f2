// libFuzzer target: the core metadata parser (PackagingStandards.CoreMetadata, email-header format).
import Foundation
import PackagingStandards

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCoreMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let metadata = CoreMetadata(bytes: UnsafeBufferPointer(start: data, count: size))
    _ = metadata.requiresDist
    _ = metadata.projectURLs
    _ = try? JSONEncoder().encode(metadata)
    return 0
}
