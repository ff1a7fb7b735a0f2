// libFuzzer target: the TOML 1.0 parser (TOML.TOMLDocument) that reads pyproject.toml and uv.toml,
// with source positions for every node.
import Foundation
import TOML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let document = try? TOMLDocument(parsing: text) else { return 0 }
    _ = document["project"]
    _ = document.node(at: ["tool", "uv", "index"])
    return 0
}
