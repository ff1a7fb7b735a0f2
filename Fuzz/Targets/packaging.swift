// libFuzzer target: PEP 440 versions and specifiers, PEP 508 requirements and markers, PEP 427
// wheel file names. The first byte picks the parser; a parsed version must reparse equal.
import Foundation
import PackagingStandards

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackaging(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let input = text(of: Array(bytes.dropFirst()))
    switch bytes[0] % 5 {
    case 0:
        if let version = try? Version(input) {
            guard let again = try? Version(version.description), again == version else {
                fatalError("version '\(input)' printed as '\(version)' does not reparse to itself")
            }
        }
    case 1:
        if let set = try? SpecifierSet(input) {
            _ = set.contains(try! Version("1.0"))
            _ = try? SpecifierSet(set.description)
        }
    case 2:
        if let requirement = try? Requirement(input) {
            _ = requirement.description
            _ = try? Requirement(requirement.description)
        }
    case 3:
        if let marker = try? Marker(input) {
            let environment = MarkerEnvironment(values: [
                "python_version": "3.12", "python_full_version": "3.12.1", "sys_platform": "linux",
                "platform_machine": "x86_64", "implementation_name": "cpython", "os_name": "posix",
                "platform_python_implementation": "CPython", "platform_system": "Linux",
            ])
            _ = try? marker.evaluate(environment, extra: "test")
            _ = try? Marker(marker.description)
        }
    default:
        _ = try? WheelFilename(input)
    }
    return 0
}
