// libFuzzer target: the TOML parser (TOML.TOMLDocument) and the source positions it reports.
import Foundation
import TOML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = text(of: Array(UnsafeBufferPointer(start: data, count: size)))
    guard let document = try? TOMLDocument(parsing: source) else { return 0 }
    for (key, node) in document.root.entries {
        _ = document.node(at: [key])
        _ = node.range.description
        _ = node.value.typeName
    }
    return 0
}
