import Contracts
import Foundation
import Primitives
import Testing

/// Cross-check with the Python `eth_abi` package (in MLEDGER_PYTHON) on seeded random types and
/// values, both ways: our encoding equals eth_abi's; eth_abi decodes our bytes and re-encodes them
/// to the same bytes; we decode eth_abi's bytes back to the original values.
struct EthAbiCrossCheckTests {
    static let script = """
    import sys, json, eth_abi
    def conv(v):
        k, x = next(iter(v.items()))
        if k in ("u", "i"): return int(x)
        if k in ("a", "x"): return bytes.fromhex(x)
        if k in ("b", "s"): return x
        if k == "l": return [conv(i) for i in x]
        return tuple(conv(i) for i in x)
    out = []
    for c in json.load(sys.stdin):
        types = c["types"]
        values = [conv(v) for v in c["values"]]
        ours = bytes.fromhex(c["ours"])
        theirs = eth_abi.encode(types, values).hex()
        reencoded = eth_abi.encode(types, list(eth_abi.decode(types, ours))).hex()
        out.append({"theirs": theirs, "reencoded": reencoded})
    json.dump(out, sys.stdout)
    """

    /// A value tagged with its kind, in the JSON shape the script reads.
    static func tagged(_ value: ABIValue) -> [String: Any] {
        switch value {
        case .uint(let v): return ["u": v.decimalString]
        case .int(let v): return ["i": v.isNegative ? "-" + v.negated.decimalString : v.decimalString]
        case .address(let a): return ["a": Hex.encode(a.bytes, prefix: false)]
        case .bool(let b): return ["b": b]
        case .fixedBytes(let b), .bytes(let b): return ["x": Hex.encode(b, prefix: false)]
        case .string(let s): return ["s": s]
        case .array(let items): return ["l": items.map(tagged)]
        case .tuple(let items): return ["t": items.map(tagged)]
        }
    }

    @Test func randomValuesAgreeWithEthAbi() throws {
        guard let python = ExternalPython.path, ExternalPython.has(module: "eth_abi") else {
            print("[EthAbiCrossCheck] SKIPPED: MLEDGER_PYTHON is unset or has no eth_abi (run tools/setup, or tools/test)")
            return
        }
        var g = SeededGenerator(seed: 0xE7AB1)
        var cases: [(types: [ABIType], values: [ABIValue], ours: [UInt8])] = []
        for _ in 0..<300 {
            let types = (0..<Int.random(in: 1...4, using: &g)).map { _ in ABIFuzzTests.randomType(&g) }
            let values = types.map { ABIFuzzTests.randomValue($0, &g) }
            cases.append((types, values, try ABIEncoder.encode(values, as: types)))
        }
        let payload: [[String: Any]] = cases.map {
            ["types": $0.types.map(\.description), "values": $0.values.map(Self.tagged), "ours": Hex.encode($0.ours, prefix: false)]
        }
        let input = try JSONSerialization.data(withJSONObject: payload)
        let result = try ExternalPython.run(python, ["-c", Self.script], input: input)
        try #require(result.status == 0, "eth_abi script failed: \(result.err)")
        let answers = try #require(try JSONSerialization.jsonObject(with: result.out) as? [[String: String]])
        try #require(answers.count == cases.count)
        var agreed = 0
        for (c, answer) in zip(cases, answers) {
            let theirs = hexBytes(answer["theirs"] ?? "")
            let name = ABIType.tuple(c.types).description
            #expect(theirs == c.ours, "encoding of \(name) differs from eth_abi")
            #expect(hexBytes(answer["reencoded"] ?? "") == c.ours, "eth_abi re-encoding of our \(name) differs")
            #expect(try ABIDecoder.decode(c.types, from: theirs) == c.values, "decoding eth_abi's \(name)")
            if theirs == c.ours { agreed += 1 }
        }
        print("[EthAbiCrossCheck] \(agreed) of \(cases.count) random encodings identical to eth_abi, both directions checked")
    }
}
