import Testing
@testable import TOML

private func parse(_ text: String) throws -> TOMLDocument { try TOMLDocument(parsing: text) }

@Suite("TOML values")
struct TOMLValueTests {
    @Test func basicTypes() throws {
        let document = try parse("""
            title = "TOML Example"
            count = 42
            negative = -17
            pi = 3.1415
            enabled = true
            off = false
            hex = 0xDEAD_beef
            octal = 0o755
            binary = 0b1101
            big = 1_000_000
            exp = 5e+22
            frac_exp = 6.626e-34
            positive_inf = +inf
            not_a_number = nan
            """)
        #expect(document["title"]?.value == .string("TOML Example"))
        #expect(document["count"]?.value == .integer(42))
        #expect(document["negative"]?.value == .integer(-17))
        #expect(document["pi"]?.value == .float(3.1415))
        #expect(document["enabled"]?.value == .boolean(true))
        #expect(document["off"]?.value == .boolean(false))
        #expect(document["hex"]?.value == .integer(0xDEADBEEF))
        #expect(document["octal"]?.value == .integer(0o755))
        #expect(document["binary"]?.value == .integer(13))
        #expect(document["big"]?.value == .integer(1_000_000))
        #expect(document["exp"]?.value == .float(5e22))
        #expect(document["frac_exp"]?.value == .float(6.626e-34))
        #expect(document["positive_inf"]?.value == .float(.infinity))
        if case .float(let value)? = document["not_a_number"]?.value { #expect(value.isNaN) } else { Issue.record("nan") }
    }

    @Test func integerLimits() throws {
        #expect(try parse("a = 9223372036854775807")["a"]?.value == .integer(.max))
        #expect(try parse("a = -9223372036854775808")["a"]?.value == .integer(.min))
        #expect(throws: TOMLError.self) { try parse("a = 9223372036854775808") }
    }

    @Test func strings() throws {
        let document = try parse(#"""
            basic = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."
            literal = 'C:\Users\nodejs\templates'
            emoji = "\U0001F600"
            multi = """
            Roses are red
            Violets are blue"""
            folded = """\
                   The quick brown \
                   fox jumps over \
                   the lazy dog.\
                   """
            quotes = """Here are two quotation marks: "". Simple enough."""
            fifteen = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
            ending = """"This," she said, "is just a pointless statement.""""
            raw = '''
            The first newline is
            trimmed in raw strings.
               All other whitespace
               is preserved.
            '''
            apos = ''''That,' she said, 'is still pointless.''''
            """#)
        #expect(document["basic"]?.value == .string("I'm a string. \"You can quote me\". Name\tJos\u{E9}\nLocation\tSF."))
        #expect(document["literal"]?.value == .string(#"C:\Users\nodejs\templates"#))
        #expect(document["emoji"]?.value == .string("😀"))
        #expect(document["multi"]?.value == .string("Roses are red\nViolets are blue"))
        #expect(document["folded"]?.value == .string("The quick brown fox jumps over the lazy dog."))
        #expect(document["quotes"]?.value == .string("Here are two quotation marks: \"\". Simple enough."))
        #expect(document["fifteen"]?.value == .string("Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"."))
        #expect(document["ending"]?.value == .string("\"This,\" she said, \"is just a pointless statement.\""))
        #expect(document["raw"]?.value == .string("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"))
        #expect(document["apos"]?.value == .string("'That,' she said, 'is still pointless.'"))
    }

    @Test(arguments: [
        (#"a = "\x41""#, "invalid escape"),
        (#"a = "\uD800""#, "not a Unicode scalar"),
        ("a = \"tab\u{01}\"", "control character"),
        ("a = \"open", "unterminated string"),
        ("a = '''never closed", "unterminated multi-line literal"),
        ("a = \"\"\"x\"\"\"\"\"\"", "end of the line"),
        ("a = 01", "invalid number"),
        ("a = 1__0", "invalid number"),
        ("a = _1", "invalid"),
        ("a = 1.", "invalid"),
        ("a = .5", "invalid"),
        ("a = bare", "strings must be quoted"),
        ("a = 1\nb", "expected '='"),
        ("a = ", "expected a value"),
        ("a.b = 1\na.b = 2", "duplicate key"),
        ("a = 1\na = 2", "duplicate key"),
        ("a = {b = 1,}", "trailing commas"),
        ("a = {b = 1,\nc = 2}", "one line"),
        ("[a]\n[a]", "defined more than once"),
        ("a = {}\n[a.b]", "cannot hold a sub-table"),
        ("a = [1]\n[[a]]", "array of tables"),
        ("[a]\nb.c = 1\n[a.b]", "defined more than once"),
        ("[a.b.c]\nz = 9\n[a]\nb.c.t = 9", "dotted key"),
        ("[[a]]\n[a]", "defined more than once"),
        ("a = 1 b = 2", "end of the line"),
        ("a = 1979-13-27", "invalid date"),
        ("a = 1979-02-30", "invalid date"),
        ("a = 25:00:00", "invalid date"),
        ("\"\"\"key\"\"\" = 1", "multi-line strings cannot be keys"),
        ("a = \"x\" # bad \u{07} bell", "comment"),
        ("a = 1\r b = 2", "carriage return"),
    ])
    func invalidDocuments(text: String, expected: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted invalid TOML: \(text)")
        } catch let error as TOMLError {
            #expect(error.message.contains(expected), "\(error) for \(text)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func errorPositions() {
        do {
            _ = try parse("a = 1\nb = \"ok\"\nc = \"\\q\"\n")
            Issue.record("accepted")
        } catch let error as TOMLError {
            #expect(error.position.line == 2)
            #expect(error.position.utf16Column == 5)
            #expect(error.description.hasPrefix("TOML error at line 3, column 6"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func dateTimes() throws {
        let document = try parse("""
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27 00:32:00.999999+05:30
            ldt = 1979-05-27T07:32:00
            ld = 1979-05-27
            lt = 00:32:00.5
            leap = 2024-02-29
            """)
        guard case .dateTime(let odt1)? = document["odt1"]?.value,
              case .dateTime(let odt2)? = document["odt2"]?.value,
              case .dateTime(let odt3)? = document["odt3"]?.value,
              case .dateTime(let ldt)? = document["ldt"]?.value,
              case .dateTime(let ld)? = document["ld"]?.value,
              case .dateTime(let lt)? = document["lt"]?.value
        else {
            Issue.record("not date-times")
            return
        }
        #expect(odt1.kind == .offsetDateTime && odt1.offsetMinutes == 0)
        #expect(odt2.offsetMinutes == -420)
        #expect(odt3.offsetMinutes == 330 && odt3.time?.fraction == "999999" && odt3.text == "1979-05-27 00:32:00.999999+05:30")
        #expect(ldt.kind == .localDateTime)
        #expect(ld.kind == .localDate && ld.date == .init(year: 1979, month: 5, day: 27))
        #expect(lt.kind == .localTime && lt.time?.fraction == "5")
    }
}

@Suite("TOML tables")
struct TOMLTableTests {
    @Test func tablesAndDottedKeys() throws {
        let document = try parse("""
            # comment
            name = "x"
            site."google.com" = true
            physical.color = "orange"
            physical.shape = "round"

            [dog."tater.man"]
            type.name = "pug"

            [fruit]
            apple.color = "red"
            apple.taste.sweet = true

            [fruit.apple.texture]
            smooth = true

            [x.y.z.w]
            [x]
            defined = 1
            """)
        #expect(document.node(at: ["site", "google.com"])?.value == .boolean(true))
        #expect(document.node(at: ["physical", "shape"])?.value == .string("round"))
        #expect(document.node(at: ["dog", "tater.man", "type", "name"])?.value == .string("pug"))
        #expect(document.node(at: ["fruit", "apple", "texture", "smooth"])?.value == .boolean(true))
        #expect(document.node(at: ["fruit", "apple", "taste", "sweet"])?.value == .boolean(true))
        #expect(document.node(at: ["x", "defined"])?.value == .integer(1))
        #expect(document.root.keys == ["name", "site", "physical", "dog", "fruit", "x"])
    }

    @Test func arraysOfTablesAndInlineTables() throws {
        let document = try parse("""
            points = [ { x = 1, y = 2, z = 3 },
                       { x = 7, y = 8, z = 9 }, ]  # trailing comma allowed
            nested = [[1, 2], ["a", 'b'], []]

            [[fruits]]
            name = "apple"

            [fruits.physical]
            color = "red"

            [[fruits.varieties]]
            name = "red delicious"

            [[fruits.varieties]]
            name = "granny smith"

            [[fruits]]
            name = "banana"
            """)
        let points = try #require(document["points"]?.value.arrayValue)
        #expect(points.count == 2)
        #expect(points[1]["z"]?.value == .integer(9))
        #expect(document["nested"]?.value.arrayValue?.count == 3)
        let fruits = try #require(document["fruits"]?.value.arrayValue)
        #expect(fruits.count == 2)
        #expect(fruits[0]["physical"]?["color"]?.value == .string("red"))
        #expect(fruits[0]["varieties"]?.value.arrayValue?.count == 2)
        #expect(fruits[1]["name"]?.value == .string("banana"))
    }

    @Test func emptyAndQuotedKeys() throws {
        let document = try parse("""
            "" = "blank"
            'quoted "value"' = "v"
            "ʎǝʞ" = "unicode"
            1234 = "digits"
            """)
        #expect(document[""]?.value == .string("blank"))
        #expect(document["quoted \"value\""]?.value == .string("v"))
        #expect(document["ʎǝʞ"]?.value == .string("unicode"))
        #expect(document["1234"]?.value == .string("digits"))
    }

    @Test func crlfAndBOM() throws {
        let document = try parse("\u{FEFF}a = 1\r\n[t]\r\nb = \"\"\"x\r\ny\"\"\"\r\n")
        #expect(document["a"]?.value == .integer(1))
        // A line end inside a multi-line string reads as "\n", as tomllib reads it.
        #expect(document.node(at: ["t", "b"])?.value == .string("x\ny"))
    }
}

@Suite("TOML source ranges")
struct TOMLRangeTests {
    @Test func rangesOfStringsInArrays() throws {
        let text = """
            [project]
            dependencies = [
                "requests>=2",  # comment
              'idna',
            ]
            """
        let document = try parse(text)
        let elements = try #require(document.node(at: ["project", "dependencies"])?.value.arrayValue)
        #expect(elements[0].range.start == SourcePosition(line: 2, utf16Column: 4, byteOffset: 31))
        #expect(elements[0].range.end.utf16Column == 17)
        #expect(elements[1].range.start.line == 3 && elements[1].range.start.utf16Column == 2)
        let dependencies = try #require(document.node(at: ["project", "dependencies"]))
        #expect(dependencies.keyRange?.start == SourcePosition(line: 1, utf16Column: 0, byteOffset: 10))
        #expect(dependencies.range.end.line == 4)
    }

    @Test func utf16ColumnsCountSurrogatePairs() throws {
        let text = "emoji = \"😀😀\"\nafter = \"é\""
        let parsed = try parse(text)
        #expect(parsed["emoji"]?.range.end.utf16Column == 14)
        #expect(parsed["emoji"]?.range.end.byteOffset == 18)
        #expect(parsed["after"]?.range.start == SourcePosition(line: 1, utf16Column: 8, byteOffset: 27))
    }

    @Test func locatorRoundTrip() {
        let locator = SourceLocator("ab😀c\nxyz")
        #expect(locator.position(at: 6) == SourcePosition(line: 0, utf16Column: 4, byteOffset: 6))
        #expect(locator.position(at: 7) == SourcePosition(line: 0, utf16Column: 5, byteOffset: 7))
        #expect(locator.byteOffset(line: 0, utf16Column: 4) == 6)
        #expect(locator.byteOffset(line: 1, utf16Column: 2) == 10)
        #expect(locator.byteOffset(line: 1, utf16Column: 99) == 11)
        #expect(locator.lineCount == 2)
    }
}
