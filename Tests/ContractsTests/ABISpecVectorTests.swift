import Contracts
import LedgerCrypto
import Primitives
import Testing

/// The worked examples of the Solidity ABI specification ("Examples" and "Use of Dynamic Types").
struct ABISpecVectorTests {
    func call(_ signature: String, _ name: String, _ types: [ABIType], _ values: [ABIValue]) throws -> [UInt8] {
        let f = ABIFunction(name: name, inputs: types.map { ABIParameter(name: "", type: $0) }, outputs: [])
        #expect(f.signature == signature)
        return try f.encodeCall(values)
    }

    @Test func bazUint32Bool() throws {
        let data = try call("baz(uint32,bool)", "baz", [.uint(32), .bool], [.number(69), .bool(true)])
        #expect(Hex.encode(data) == "0xcdcd77c0"
            + "0000000000000000000000000000000000000000000000000000000000000045"
            + "0000000000000000000000000000000000000000000000000000000000000001")
    }

    @Test func barFixedBytesArray() throws {
        let data = try call("bar(bytes3[2])", "bar", [.fixedArray(.fixedBytes(3), 2)],
                            [.array([.fixedBytes(Array("abc".utf8)), .fixedBytes(Array("def".utf8))])])
        #expect(Hex.encode(data) == "0xfce353f6"
            + "6162630000000000000000000000000000000000000000000000000000000000"
            + "6465660000000000000000000000000000000000000000000000000000000000")
    }

    @Test func samBytesBoolArray() throws {
        let types: [ABIType] = [.bytes, .bool, .array(.uint(256))]
        let values: [ABIValue] = [.bytes(Array("dave".utf8)), .bool(true), .array([.number(1), .number(2), .number(3)])]
        let data = try call("sam(bytes,bool,uint256[])", "sam", types, values)
        let expected = "0xa5643bf2"
            + "0000000000000000000000000000000000000000000000000000000000000060"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "00000000000000000000000000000000000000000000000000000000000000a0"
            + "0000000000000000000000000000000000000000000000000000000000000004"
            + "6461766500000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000003"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "0000000000000000000000000000000000000000000000000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000003"
        #expect(Hex.encode(data) == expected)
        #expect(try ABIDecoder.decode(types, from: Array(data.dropFirst(4))) == values)
    }

    @Test func fUintArrayBytes10Bytes() throws {
        let types: [ABIType] = [.uint(256), .array(.uint(32)), .fixedBytes(10), .bytes]
        let values: [ABIValue] = [.number(0x123), .array([.number(0x456), .number(0x789)]),
                                  .fixedBytes(Array("1234567890".utf8)), .bytes(Array("Hello, world!".utf8))]
        let data = try call("f(uint256,uint32[],bytes10,bytes)", "f", types, values)
        let expected = "0x8be65246"
            + "0000000000000000000000000000000000000000000000000000000000000123"
            + "0000000000000000000000000000000000000000000000000000000000000080"
            + "3132333435363738393000000000000000000000000000000000000000000000"
            + "00000000000000000000000000000000000000000000000000000000000000e0"
            + "0000000000000000000000000000000000000000000000000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000456"
            + "0000000000000000000000000000000000000000000000000000000000000789"
            + "000000000000000000000000000000000000000000000000000000000000000d"
            + "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"
        #expect(Hex.encode(data) == expected)
        #expect(try ABIDecoder.decode(types, from: Array(data.dropFirst(4))) == values)
    }

    @Test func gNestedArraysAndStrings() throws {
        let types: [ABIType] = [.array(.array(.uint(256))), .array(.string)]
        let values: [ABIValue] = [.array([.array([.number(1), .number(2)]), .array([.number(3)])]),
                                  .array([.string("one"), .string("two"), .string("three")])]
        let data = try call("g(uint256[][],string[])", "g", types, values)
        let words = [
            "40", "140", "2", "40", "a0", "2", "1", "2", "1", "3", "3", "60", "a0", "e0", "3",
        ].map { String(repeating: "0", count: 64 - $0.count) + $0 }
        let expected = "0x2289b18c" + words.joined()
            + "6f6e650000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000003"
            + "74776f0000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000005"
            + "7468726565000000000000000000000000000000000000000000000000000000"
        #expect(Hex.encode(data) == expected)
        #expect(try ABIDecoder.decode(types, from: Array(data.dropFirst(4))) == values)
    }

    @Test func eventTopicOfTransfer() {
        let transfer = ABIEvent(name: "Transfer", inputs: [
            ABIParameter(name: "from", type: .address, indexed: true),
            ABIParameter(name: "to", type: .address, indexed: true),
            ABIParameter(name: "value", type: .uint(256)),
        ])
        #expect(transfer.topic0.description == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    }

    @Test func indexedCompositeValuesAreHashed() throws {
        let event = ABIEvent(name: "E", inputs: [
            ABIParameter(name: "a", type: .uint(256), indexed: true),
            ABIParameter(name: "b", type: .fixedArray(.uint(256), 1), indexed: true),
            ABIParameter(name: "c", type: .string, indexed: true),
            ABIParameter(name: "d", type: .bool),
        ])
        let h = Keccak256.hash(Array("x".utf8))
        let seven = try ABIEvent.topic(for: .number(7), as: .uint(256))
        let fields = try event.decode(topics: [event.topic0, seven, h, h], data: ABIEncoder.encode([.bool(true)], as: [.bool]))
        #expect(fields == [.value(.number(7)), .hashedIndexed(h), .hashedIndexed(h), .value(.bool(true))])
        #expect(try ABIEvent.topic(for: .string("x"), as: .string) == h)
        #expect(throws: ABIError.self) { try ABIEvent.topic(for: .array([.number(1)]), as: .fixedArray(.uint(256), 1)) }
        #expect(throws: ABIError.self) { try event.decode(topics: [seven, seven, h, h], data: []) }
    }

    @Test func revertReasonErrorString() throws {
        // The specification's example: revert with "Not enough Ether provided.".
        let data = hexBytes("0x08c379a0"
            + "0000000000000000000000000000000000000000000000000000000000000020"
            + "000000000000000000000000000000000000000000000000000000000000001a"
            + "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000")
        let reason = try RevertReason(data: data)
        #expect(reason == .error("Not enough Ether provided."))
        #expect(reason.encoded == data)
    }

    @Test func revertReasonPanic() throws {
        let data = hexBytes("0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011")
        #expect(try RevertReason(data: data) == .panic(UInt256(0x11)))
        #expect(try RevertReason(data: []) == .empty)
        #expect(try RevertReason(data: [1, 2, 3, 4, 5]) == .other(selector: [1, 2, 3, 4], data: [5]))
        // Claims to be Error(string) but the string's offset points past the end.
        let broken = hexBytes("0x08c379a0" + "00000000000000000000000000000000000000000000000000000000000000ff")
        #expect(throws: ABIError.self) { try RevertReason(data: broken) }
    }
}
