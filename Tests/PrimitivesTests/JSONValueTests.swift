import MLedgerTesting
import Primitives
import Testing

private func parse(_ text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) -> JSONValue {
    try JSONValue(parsing: text, maximumDepth: maximumDepth)
}

private func parse(bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    try JSONValue(parsing: bytes)
}

@Test func parsesEveryKindAndWritesItBackSorted() throws {
    let value = try parse(#" { "b" : [1, -2.5e-3, true, false, null], "a" : "x\"\\\/\b\f\n\r\t\u00e9" , "c":{} } "#)
    #expect(value["a"] == .string("x\"\\/\u{08}\u{0C}\n\r\té"))
    #expect(value["b"]?.arrayValue?.count == 5)
    #expect(value["b"]?.arrayValue?[1].doubleValue == -0.0025)
    #expect(value.serialized == #"{"a":"x\"\\/\u0008\u000c\n\r\té","b":[1,-2.5e-3,true,false,null],"c":{}}"#)
}

@Test func numbersKeepTheirExactText() throws {
    let max256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    let value = try parse("[\(max256), 1\(max256), 1e400, -0, 0.1]")
    let items = try #require(value.arrayValue)
    #expect(items[0].uint256Value == .max)
    #expect(items[1].uint256Value == nil)  // 2^256 * 10 + something: too big, and said so
    #expect(items[1].numberValue?.text == "1\(max256)")
    #expect(items[2].doubleValue == nil && items[2].numberValue?.text == "1e400")
    #expect(items[3].integerValue == 0)
    #expect(value.serialized == "[\(max256),1\(max256),1e400,-0,0.1]")
}

@Test func integerAccessorsAreExact() throws {
    let cases: [(String, Int64?)] = [
        ("7", 7), ("-7", -7), ("7.0", 7), ("0.7e1", 7), ("700e-2", 7), ("7.5", nil), ("1e-400", nil),
        ("9223372036854775807", .max), ("9223372036854775808", nil), ("-9223372036854775808", .min), ("0e99", 0),
    ]
    for (text, expected) in cases {
        #expect(try parse(text).integerValue == expected, "\(text)")
    }
    #expect(try parse("18446744073709551615").uint64Value == .max)
    #expect(try parse("-1").uint64Value == nil)
    #expect(try parse("-1").uint256Value == nil)
    #expect(try parse("1.5e3").uint256Value == 1500)
    #expect(try parse("1e999999999999999999999").uint256Value == nil)
}

@Test func numbersCompareByValue() throws {
    #expect(try parse("1") == .int(1))
    #expect(try parse("1.0") == .int(1))
    #expect(try parse("10e-1") == .int(1))
    #expect(try parse("-0.0") == .int(0))
    #expect(try parse("1.5") != .int(1))
    #expect(try parse("[1,2]") == [1, 2])
}

@Test func doublesPrintCanonically() {
    // The form ML's document hashes depend on: whole values below 10^15 without a fraction.
    #expect(JSONValue.double(2).serialized == "2")
    #expect(JSONValue.double(-0.0).serialized == "0")
    #expect(JSONValue.double(0.5).serialized == "0.5")
    #expect(JSONValue.double(1e-8).serialized == "1e-08")
    #expect(JSONValue.double(1e15).serialized == "1000000000000000.0")
    #expect(JSONValue.double(1e16).serialized == "1e+16")
    #expect(JSONValue.double(.infinity) == .null)
    #expect(JSONValue.double(.nan) == .null)
}

@Test func malformedTextIsRefusedWithOffsetAndReason() {
    let cases: [(String, JSONParseError)] = [
        ("", .init(offset: 0, reason: "unexpected end of input")),
        ("   ", .init(offset: 3, reason: "unexpected end of input")),
        ("{", .init(offset: 1, reason: "unterminated object")),
        (#"{"a""#, .init(offset: 4, reason: "expected ':' after a key")),
        (#"{"a":1"#, .init(offset: 6, reason: "unterminated object")),
        (#"{"a":1,}"#, .init(offset: 7, reason: "expected a string key")),
        (#"{"a":1 "b":2}"#, .init(offset: 7, reason: "expected ',' or '}'")),
        ("[1,2", .init(offset: 4, reason: "unterminated array")),
        ("[1,]", .init(offset: 3, reason: "unexpected character")),
        ("[1 2]", .init(offset: 3, reason: "expected ',' or ']'")),
        (#""abc"#, .init(offset: 4, reason: "unterminated string")),
        (#""ab\"#, .init(offset: 4, reason: "unterminated string")),
        (#""a\x""#, .init(offset: 2, reason: "invalid escape")),
        (#""a\u12"#, .init(offset: 2, reason: #"invalid \u escape"#)),
        (#""a\u12g4""#, .init(offset: 2, reason: #"invalid \u escape"#)),
        ("\"a\u{01}\"", .init(offset: 2, reason: "control character in string")),
        (#""\ud800""#, .init(offset: 1, reason: "unpaired surrogate")),
        (#""\ud800\u0041""#, .init(offset: 1, reason: "unpaired surrogate")),
        (#""\udc00""#, .init(offset: 1, reason: "unpaired surrogate")),
        ("01", .init(offset: 0, reason: "number with a leading zero")),
        ("-012", .init(offset: 1, reason: "number with a leading zero")),
        ("-", .init(offset: 1, reason: "number without digits")),
        ("-a", .init(offset: 1, reason: "number without digits")),
        ("1.", .init(offset: 2, reason: "fraction without digits")),
        ("1.e5", .init(offset: 2, reason: "fraction without digits")),
        ("1e", .init(offset: 2, reason: "exponent without digits")),
        ("1e+", .init(offset: 3, reason: "exponent without digits")),
        (".5", .init(offset: 0, reason: "unexpected character")),
        ("+1", .init(offset: 0, reason: "unexpected character")),
        ("tru", .init(offset: 0, reason: "expected true")),
        ("nul", .init(offset: 0, reason: "expected null")),
        ("True", .init(offset: 0, reason: "unexpected character")),
        ("[1] x", .init(offset: 4, reason: "unexpected text after the document")),
        ("1 2", .init(offset: 2, reason: "unexpected text after the document")),
        (#"{"a":1,"b":2,"a":3}"#, .init(offset: 13, reason: #"duplicate key "a""#)),
        (#"{"x":{"k":1,"k":1}}"#, .init(offset: 12, reason: #"duplicate key "k""#)),
    ]
    for (text, expected) in cases {
        #expect(throws: expected, "\(text)") { try parse(text) }
    }
}

@Test func invalidUTF8IsRefused() {
    #expect(throws: JSONParseError(offset: 1, reason: "invalid UTF-8 in string")) {
        try parse(bytes: [0x22, 0x61, 0xC3, 0x28, 0x22])
    }
    #expect(throws: JSONParseError(offset: 1, reason: "invalid UTF-8 in string")) {
        try parse(bytes: [0x22, 0x5C, 0x6E, 0xFF, 0x22])  // after an escape: the slow path checks too
    }
    // An encoded surrogate (CESU-style) is not UTF-8 either.
    #expect(throws: JSONParseError(offset: 1, reason: "invalid UTF-8 in string")) {
        try parse(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22])
    }
}

@Test func surrogatePairsDecode() throws {
    #expect(try parse(#""\ud83d\ude00 \u20AC""#) == .string("😀 €"))
    #expect(try parse("\"😀\"") == .string("😀"))
}

@Test func nestingIsBounded() throws {
    let deep = { (levels: Int) in String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
    #expect(try parse(deep(512)).arrayValue != nil)
    #expect(throws: JSONParseError(offset: 512, reason: "nesting deeper than 512")) { try parse(deep(513)) }
    #expect(throws: JSONParseError(offset: 10, reason: "nesting deeper than 2")) {
        try parse(#"{"a":{"b":[1]}}"#, maximumDepth: 2)
    }
    #expect(try parse(#"{"a":{"b":[]}}"#, maximumDepth: 3)["a"]?["b"] == [])
    // A hostile depth far past the bound fails cleanly instead of exhausting the stack.
    #expect(throws: JSONParseError(offset: 512, reason: "nesting deeper than 512")) { try parse(deep(1_000_000)) }
}

@Test func jsonNumberChecksItsText() {
    #expect(JSONNumber("12.5e-3")?.double == 0.0125)
    #expect(JSONNumber("012") == nil)
    #expect(JSONNumber("1 ") == nil)
    #expect(JSONNumber("") == nil)
    #expect(JSONNumber(UInt256.max).text == UInt256.max.decimalString)
}

// MARK: Seeded round-trip fuzz

/// Random documents of every kind, including escapes, astral characters and numbers of every
/// shape; each must print, parse back to an equal value, and print the same bytes again.
@Test func seededRoundTrip() throws {
    var random = SplitMix64(seed: 0x4A53_4F4E)
    for round in 0..<400 {
        let value = randomValue(&random, depth: 0)
        let text = value.serialized
        let back = try JSONValue(parsing: text)
        #expect(back == value, "round \(round): \(text)")
        #expect(back.serialized == text, "round \(round)")
        // The same document with whitespace around every token parses to the same value.
        let spaced = text.map { "{}[],:".contains($0) ? " \($0)\n\t" : String($0) }.joined()
        if !text.contains("\"") { #expect(try JSONValue(parsing: spaced) == value, "round \(round)") }
    }
}

/// Every strict prefix of a valid document is refused (a truncated request body, say), at the
/// end of the input, or where a cut literal or `\u` escape began.
@Test func seededTruncationsAreRefused() throws {
    var random = SplitMix64(seed: 7)
    let cutTokens = ["expected true", "expected false", "expected null", #"invalid \u escape"#]
    for _ in 0..<60 {
        let value = JSONValue.array([randomValue(&random, depth: 1)])
        let bytes = Array(value.serialized.utf8)
        for cut in 0..<bytes.count {
            do {
                _ = try JSONValue(parsing: Array(bytes[..<cut]))
                Issue.record("a prefix of \(cut) bytes parsed: \(value.serialized)")
            } catch {
                let atTheCut = error.offset == cut || (cutTokens.contains(error.reason) && error.offset < cut)
                #expect(atTheCut, "cut at \(cut): \(error) in \(value.serialized)")
            }
        }
    }
}

private func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
    switch random.next() % (depth > 4 ? 4 : 6) {
    case 0: return [.null, .bool(true), .bool(false)][Int(random.next() % 3)]
    case 1: return .number(randomNumber(&random))
    case 2, 3: return .string(randomString(&random))
    case 4: return .array((0..<Int(random.next() % 5)).map { _ in randomValue(&random, depth: depth + 1) })
    default:
        var members = [String: JSONValue]()
        for _ in 0..<Int(random.next() % 5) { members[randomString(&random)] = randomValue(&random, depth: depth + 1) }
        return .object(members)
    }
}

private func randomNumber(_ random: inout SplitMix64) -> JSONNumber {
    switch random.next() % 5 {
    case 0: return JSONNumber(Int64(bitPattern: random.next()))
    case 1: return JSONNumber(UInt256(l0: random.next(), l1: random.next(), l2: random.next(), l3: random.next()))
    case 2: return JSONNumber(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)) ?? JSONNumber(0)
    case 3: return JSONNumber(Double(Int32(truncatingIfNeeded: random.next())) / 1024)!
    default:
        // Hand-shaped text: fraction and exponent parts the writers never produce themselves.
        let text = "-\(random.next() % 1000).\(random.next() % 1000)E+\(random.next() % 30)"
        return JSONNumber(text)!
    }
}

private func randomString(_ random: inout SplitMix64) -> String {
    let pieces: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "€", "😀", "\u{FFFF}", "key"]
    return (0..<Int(random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
}
