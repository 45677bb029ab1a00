import Contracts
import Primitives
import Testing

/// Hostile and dirty inputs: each must be rejected with the error that names the problem.
struct ABIStrictDecodingTests {
    func word(_ hex: String) -> [UInt8] {
        hexBytes(String(repeating: "0", count: 64 - hex.count) + hex)
    }

    @Test func uintHighBitsMustBeClean() throws {
        #expect(try ABIDecoder.decode(.uint(8), from: word("ff")) == .number(255))
        #expect(throws: ABIError.dirtyPadding(type: "uint8", at: 0)) { try ABIDecoder.decode(.uint(8), from: word("100")) }
    }

    @Test func intMustBeSignExtended() throws {
        let minusOne = [UInt8](repeating: 0xff, count: 32)
        #expect(try ABIDecoder.decode(.int(8), from: minusOne) == .signed(-1))
        #expect(throws: ABIError.dirtyPadding(type: "int8", at: 0)) { try ABIDecoder.decode(.int(8), from: word("ff")) }
        #expect(try ABIDecoder.decode(.int(16), from: word("7fff")) == .signed(32767))
    }

    @Test func addressUpperBytesMustBeZero() {
        var data = word("01")
        data[11] = 1
        #expect(throws: ABIError.dirtyPadding(type: "address", at: 0)) { try ABIDecoder.decode(.address, from: data) }
    }

    @Test func boolMustBeZeroOrOne() {
        #expect(throws: ABIError.invalidBool(at: 0)) { try ABIDecoder.decode(.bool, from: word("2")) }
    }

    @Test func fixedBytesTailMustBeZero() {
        var data = [UInt8](repeating: 0, count: 32)
        data[0] = 0x61
        data[31] = 1
        #expect(throws: ABIError.dirtyPadding(type: "bytes3", at: 0)) { try ABIDecoder.decode(.fixedBytes(3), from: data) }
    }

    @Test func bytesPaddingMustBeZero() throws {
        var data = try ABIEncoder.encode([.bytes([1, 2, 3])], as: [.bytes])
        data[data.count - 1] = 9
        #expect(throws: ABIError.dirtyPadding(type: "bytes", at: 64 + 3)) { try ABIDecoder.decode([.bytes], from: data) }
    }

    @Test func offsetsOutsideTheDataAreRejected() {
        #expect(throws: ABIError.offsetOutOfBounds(at: 0)) { try ABIDecoder.decode([.bytes], from: word("40")) }
        // An offset near 2^256 must not overflow into a valid position.
        let huge = [UInt8](repeating: 0xff, count: 32)
        #expect(throws: ABIError.offsetOutOfBounds(at: 0)) { try ABIDecoder.decode([.string], from: huge) }
    }

    @Test func lengthsLargerThanTheDataAreRejected() {
        let data = word("20") + word("ffffffffffffffff")
        #expect(throws: ABIError.lengthOutOfBounds(at: 32)) { try ABIDecoder.decode([.bytes], from: data) }
        #expect(throws: ABIError.lengthOutOfBounds(at: 32)) { try ABIDecoder.decode([.array(.uint(256))], from: data) }
        let overflowing = word("20") + [UInt8](repeating: 0xff, count: 32)
        #expect(throws: ABIError.lengthOutOfBounds(at: 32)) { try ABIDecoder.decode([.array(.array(.uint(8)))], from: overflowing) }
    }

    @Test func truncatedStaticDataIsRejected() {
        #expect(throws: ABIError.truncated(at: 32, needed: 32, available: 0)) {
            try ABIDecoder.decode([.uint(256), .uint(256)], from: word("1"))
        }
    }

    @Test func stringsMustBeUTF8() throws {
        let data = try ABIEncoder.encode([.bytes([0xff, 0xfe])], as: [.bytes])
        #expect(throws: ABIError.invalidUTF8(at: 32)) { try ABIDecoder.decode([.string], from: data) }
    }

    @Test func aliasedOffsetsHitTheBudget() {
        // uint256[][] whose 200 inner offsets all point at one 200-element array: 40,000 elements
        // from about 13 KB, which a canonical encoding could never produce.
        let n = 200
        var data = word("20") + word(String(n, radix: 16))
        let inner = n * 32
        for _ in 0..<n { data += word(String(inner, radix: 16)) }
        data += word(String(n, radix: 16))
        for i in 0..<n { data += word(String(i, radix: 16)) }
        #expect(throws: ABIError.decodingBudgetExceeded) { try ABIDecoder.decode([.array(.array(.uint(256)))], from: data) }
    }

    @Test func canonicalDeeplyNestedDataStaysWithinTheBudget() throws {
        let type = try ABIType(parsing: "((((uint8))))[]")
        let value = ABIValue.array((0..<3_000).map { i in .tuple([.tuple([.tuple([.tuple([.number(UInt64(i % 256))])])])]) })
        let data = try ABIEncoder.encode([value], as: [type])
        #expect(try ABIDecoder.decode([type], from: data) == [value])
    }

    @Test func encoderRejectsValuesThatDoNotFit() {
        #expect(throws: ABIError.valueOutOfRange(type: "uint8")) { try ABIEncoder.encode(.number(256), as: .uint(8)) }
        #expect(throws: ABIError.valueOutOfRange(type: "int8")) { try ABIEncoder.encode(.signed(-129), as: .int(8)) }
        #expect(throws: ABIError.wrongCount(type: "bytes2", expected: 2, got: 3)) {
            try ABIEncoder.encode(.fixedBytes([1, 2, 3]), as: .fixedBytes(2))
        }
        #expect(throws: ABIError.wrongCount(type: "uint8[2]", expected: 2, got: 1)) {
            try ABIEncoder.encode(.array([.number(1)]), as: .fixedArray(.uint(8), 2))
        }
        #expect(throws: ABIError.self) { try ABIEncoder.encode(.bool(true), as: .uint(256)) }
    }

    @Test func typeStringsParseCanonically() throws {
        for text in ["uint256", "int8", "address", "bool", "bytes32", "bytes", "string", "uint256[]", "uint8[2][]",
                     "(uint256,(bool,string)[3])[]", "()"] {
            #expect(try ABIType(parsing: text).description == text)
        }
        #expect(try ABIType(parsing: "uint") == .uint(256))
        #expect(try ABIType(parsing: "(uint256,bytes)").isDynamic)
        #expect(try ABIType(parsing: "(uint256,bytes32)[2]").headSize == 128)
        for bad in ["uint7", "uint264", "bytes0", "bytes33", "uint256[0]", "uint256[01]", "(uint256", "uint256)",
                    "float", "uint256[", "()[]", "address "] {
            #expect(throws: ABIError.self, "\(bad) should be rejected") { try ABIType(parsing: bad) }
        }
    }
}
