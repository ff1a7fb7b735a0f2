// libFuzzer target: PEP 503 HTML and PEP 691 JSON project pages (PackageIndex.SimpleIndexParser).
import Foundation
import PackageIndex

let pageURL = URL(string: "https://index.invalid/simple/example/")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSimpleIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Data(bytes: data + 1, count: size - 1)
    let contentType: String? = switch data[0] % 3 {
    case 0: "text/html"
    case 1: "application/vnd.pypi.simple.v1+json"
    default: nil
    }
    _ = try? SimpleIndexParser.parseProjectPage(body, contentType: contentType, url: pageURL, projectName: "example")
    return 0
}
