import Foundation
import Testing

@testable import JSONRPC

@Suite("JSONValue")
struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue(parsing: #" {"n":null,"t":true,"f":false,"i":-42,"d":1.5,"e":1e3,"s":"a\"\\\/\n\u00e9\ud83d\ude00","a":[1,[2]],"o":{}} "#)
        #expect(value["n"] == .null)
        #expect(value["t"] == .bool(true))
        #expect(value["f"]?.boolValue == false)
        #expect(value["i"] == .int(-42))
        #expect(value["d"] == .double(1.5))
        #expect(value["e"] == .double(1000))
        #expect(value["s"]?.stringValue == "a\"\\/\né😀")
        #expect(value["a"]?[1]?[0]?.intValue == 2)
        #expect(value["o"]?.objectValue?.isEmpty == true)
        #expect(value["missing"] == nil)
    }

    @Test func keepsIntegersApartFromDoubles() throws {
        #expect(try JSONValue(parsing: "1") == .int(1))
        #expect(try JSONValue(parsing: "1.0") == .double(1.0))
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "1E2") == .double(100))
        #expect(try JSONValue(parsing: "123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(JSONValue.double(3.0).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.int(3).doubleValue == 3.0)
        #expect(String(decoding: JSONValue.int(7).serialized(), as: UTF8.self) == "7")
        #expect(String(decoding: JSONValue.double(7).serialized(), as: UTF8.self) == "7.0")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "-", "\"\u{01}\"", "\"\\x\"", "[1] 2", "{1:2}", "NaN"])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.nestingTooDeep(limit: 512)) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }

    @Test func serializesDeterministically() throws {
        let value: JSONValue = ["b": 1, "a": [true, nil, "x\u{01}\"\n"], "c": ["z": 2.5, "y": "é"]]
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"a":[true,null,"x\u0001\"\n"],"b":1,"c":{"y":"é","z":2.5}}"#)
        #expect(try JSONValue(parsing: value.serialized()) == value)
        #expect(value.description == text)
        #expect(String(decoding: JSONValue.double(.infinity).serialized(), as: UTF8.self) == "null")
    }

    @Test func codableRoundTrip() throws {
        struct Wrapper: Codable, Equatable {
            var options: JSONValue
        }
        let wrapper = Wrapper(options: ["k": [1, 2.5, "s", nil, false]])
        let data = try JSONEncoder().encode(wrapper)
        #expect(try JSONDecoder().decode(Wrapper.self, from: data) == wrapper)
    }

    @Test func convertsToAndFromCodableTypes() throws {
        struct Point: Codable, Equatable {
            var x: Int
            var label: String?
        }
        let json = try JSONValue(encoding: Point(x: 3, label: "p"))
        #expect(json == ["x": 3, "label": "p"])
        #expect(try json.decode(Point.self) == Point(x: 3, label: "p"))
        #expect(throws: DecodingError.self) { try JSONValue.object(["x": "no"]).decode(Point.self) }
    }
}
