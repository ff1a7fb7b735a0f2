import Foundation
import LazyWheelCore
import Testing

@Suite struct WheelLocationTests {
    @Test func acceptsHTTPAndFilesWhenAllowed() throws {
        #expect(try WheelLocation(parsing: "https://h/x.whl") == .remote(URL(string: "https://h/x.whl")!))
        #expect(try WheelLocation(parsing: "file:///tmp/x.whl") == .local(path: "/tmp/x.whl"))
        #expect(try WheelLocation(parsing: "wheels/x.whl") == .local(path: "wheels/x.whl"))
    }

    @Test func refusesOtherSchemesAndFilesWhenNotAllowed() {
        #expect(throws: WheelLocationError.unsupportedScheme("ftp")) { try WheelLocation(parsing: "ftp://h/x.whl") }
        #expect(throws: WheelLocationError.empty) { try WheelLocation(parsing: "  ") }
        #expect(throws: WheelLocationError.fileURLsNotAllowed("/etc/passwd")) {
            try WheelLocation(parsing: "/etc/passwd", allowFiles: false)
        }
    }

    @Test func descriptionNeverShowsCredentials() throws {
        let location = try WheelLocation(parsing: "https://user:secret@h/x-1.0-py3-none-any.whl")
        #expect(!location.description.contains("secret"))
        #expect(location.filename == "x-1.0-py3-none-any.whl")
    }
}
