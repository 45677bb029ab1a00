import Chain
import LedgerCrypto
import Foundation
import Primitives
import RLP
import Testing

/// ethereum-tests BasicTests: txtest.json (legacy signing) and keyaddrtest.json (key → address).
struct BasicConformanceTests {
    @Test func txtest() throws {
        var tally = ConformanceTally("BasicTests/txtest")
        let url = ConformanceData.root.appendingPathComponent("BasicTests/txtest.json")
        guard let cases = try ConformanceData.loadJSON(url) as? [[String: Any]] else {
            Issue.record("txtest.json not found or not a list at \(url.path)")
            return
        }
        for (index, entry) in cases.enumerated() {
            let (ok, detail) = Self.checkTx(entry)
            tally.check("txtest[\(index)]", ok, detail)
        }
        tally.printSummary()
        tally.expectAtLeast(ConformanceFloor.txtest)
        #expect(tally.passed == cases.count && !cases.isEmpty)
        #expect(tally.failures.isEmpty)
    }

    static func checkTx(_ entry: [String: Any]) -> (Bool, String) {
        guard let key = (entry["key"] as? String).flatMap({ try? Hex.decode($0) }),
              let nonce = (entry["nonce"] as? NSNumber)?.uint64Value,
              let gasPrice = (entry["gasprice"] as? NSNumber)?.uint64Value,
              let gasLimit = (entry["startgas"] as? NSNumber)?.uint64Value,
              let toHex = entry["to"] as? String,
              let value = (entry["value"] as? NSNumber)?.uint64Value,
              let data = (entry["data"] as? String).flatMap({ try? Hex.decode($0) }),
              let unsigned = (entry["unsigned"] as? String).flatMap({ try? Hex.decode($0) }),
              let signed = (entry["signed"] as? String).flatMap({ try? Hex.decode($0) }) else {
            return (false, "unreadable case")
        }
        let to: Address?
        if toHex.isEmpty { to = nil } else {
            guard let address = try? Address(hex: toHex) else { return (false, "bad to") }
            to = address
        }
        var tx = Transaction(.legacy(LegacyTransaction(chainId: nil, nonce: nonce, gasPrice: UInt256(gasPrice),
                                                       gasLimit: gasLimit, to: to, value: UInt256(value), data: data)))
        // "unsigned" is the nine-field list with empty v, r, s; its first six fields are what is signed.
        guard let unsignedFields = try? RLP.decode(unsigned).asList(), unsignedFields.count == 9 else {
            return (false, "unsigned is not a nine-field list")
        }
        let expectedPayload = RLP.encode(list: unsignedFields.prefix(6).map { RLP.encode($0) })
        if tx.signingPayload != expectedPayload {
            return (false, "signing payload \(tx.signingPayload.hexString), expected \(expectedPayload.hexString)")
        }
        do {
            // The listed signatures predate EIP-2: when the listed s is the high twin, ours
            // (always low s) must be exactly that twin: same r, s' = n - s, flipped parity.
            let listed = try Transaction(encoded: signed)
            if listed.payload != tx.payload { return (false, "decoded fields differ from the listed ones") }
            try tx.sign(privateKey: key)
            var expected = listed.signature
            if expected.s > Secp256k1.halfOrder {
                expected.s = subtract(Secp256k1.order, expected.s)
                expected.yParity ^= 1
            }
            if tx.signature != expected { return (false, "signature differs: \(tx.encoded.hexString)") }
            if expected == listed.signature, tx.encoded != signed { return (false, "signed as \(tx.encoded.hexString)") }
            let decoded = try Transaction(encoded: tx.encoded)
            if decoded != tx { return (false, "decoded transaction differs") }
            if try decoded.sender() != Secp256k1.address(ofPrivateKey: key) { return (false, "sender differs") }
            // The listed (possibly high-s) signature recovers the same key, as before Homestead.
            let recoverable = RecoverableSignature(r: listed.signature.r, s: listed.signature.s,
                                                   recoveryId: Int(listed.signature.yParity))
            if try Secp256k1.recoverAddress(hash: listed.signingHash, signature: recoverable)
                != Secp256k1.address(ofPrivateKey: key) {
                return (false, "listed signature recovers another address")
            }
        } catch {
            return (false, "\(error)")
        }
        return (true, "")
    }

    @Test func keyaddrtest() throws {
        var tally = ConformanceTally("BasicTests/keyaddrtest (key to address)")
        let url = ConformanceData.root.appendingPathComponent("BasicTests/keyaddrtest.json")
        guard let cases = try ConformanceData.loadJSON(url) as? [[String: Any]] else {
            Issue.record("keyaddrtest.json not found or not a list at \(url.path)")
            return
        }
        for entry in cases {
            let seed = entry["seed"] as? String ?? "?"
            let (ok, detail) = Self.checkKey(entry)
            tally.check(seed, ok, detail)
        }
        tally.printSummary()
        tally.expectAtLeast(ConformanceFloor.keyaddrtest)
        #expect(tally.passed == cases.count && !cases.isEmpty)
        #expect(tally.failures.isEmpty)
    }

    /// Checks the key → address derivation. The `sig_of_emptystring` values are not checked:
    /// they recover to the listed address under none of Keccak-256(""), SHA-256(""), SHA3-256("")
    /// or the zero hash, so the message they sign is not documented well enough to test.
    static func checkKey(_ entry: [String: Any]) -> (Bool, String) {
        guard let key = (entry["key"] as? String).flatMap({ try? Hex.decode($0) }),
              let address = (entry["addr"] as? String).flatMap({ try? Address(hex: $0) }) else {
            return (false, "unreadable case")
        }
        do {
            let derived = try Secp256k1.address(ofPrivateKey: key)
            return (derived == address, "derived \(derived), expected \(address)")
        } catch {
            return (false, "\(error)")
        }
    }

    /// a - b for a >= b.
    static func subtract(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let x = [a.l0, a.l1, a.l2, a.l3], y = [b.l0, b.l1, b.l2, b.l3]
        var out: [UInt64] = [0, 0, 0, 0]
        var borrow = false
        for i in 0..<4 {
            let (d1, o1) = x[i].subtractingReportingOverflow(y[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            out[i] = d2
            borrow = o1 || o2
        }
        return UInt256(l0: out[0], l1: out[1], l2: out[2], l3: out[3])
    }
}
