import Chain
import Foundation
import Primitives
import Testing

/// ethereum-tests TransactionTests: every case with a Cancun verdict must match it. Valid
/// cases must decode, recover the listed sender, hash and intrinsic gas, and re-encode to the
/// same bytes; invalid ones must be rejected for a reason of the same kind (encoding,
/// signature or protocol rule) as the listed exception.
struct TransactionConformanceTests {
    /// The chain id the TransactionTests fillers sign for (mainnet).
    static let chainId: UInt64 = 1

    @Test func cancunVerdicts() throws {
        var tally = ConformanceTally("TransactionTests")
        // Cases the fillers stopped producing before Cancun (malformed RLP and field counts):
        // checked against the newest fork they list, rejection and reason kind only.
        var olderTally = ConformanceTally("TransactionTests/newest-pre-Cancun-fork")
        let files = ConformanceData.jsonFiles(under: "TransactionTests")
        #expect(files.count > 100, "TransactionTests vectors not found under \(ConformanceData.root.path)")
        for file in files {
            guard let tests = try ConformanceData.loadJSON(file) as? [String: Any] else {
                tally.check(file.lastPathComponent, false, "not a JSON object")
                continue
            }
            for (name, case_) in tests.sorted(by: { $0.key < $1.key }) {
                let label = "\(file.deletingLastPathComponent().lastPathComponent)/\(name)"
                guard let body = case_ as? [String: Any], let txHex = body["txbytes"] as? String,
                      let results = body["result"] as? [String: Any] else {
                    tally.check(label, false, "missing txbytes or result")
                    continue
                }
                if let cancun = results["Cancun"] as? [String: Any] {
                    let (ok, detail) = Self.check(txHex: txHex, expected: cancun, checkIntrinsicGas: true)
                    tally.check(label, ok, detail)
                } else if let fork = Self.forksNewestFirst.first(where: { results[$0] != nil }),
                          let verdict = results[fork] as? [String: Any] {
                    let (ok, detail) = Self.check(txHex: txHex, expected: verdict, checkIntrinsicGas: false)
                    olderTally.check("\(label) [\(fork)]", ok, detail)
                } else {
                    tally.check(label, false, "no fork verdict")
                }
            }
        }
        tally.printSummary()
        olderTally.printSummary()
        tally.expectAtLeast(ConformanceFloor.transactionsCancun)
        olderTally.expectAtLeast(ConformanceFloor.transactionsOlder)
        #expect(tally.passed > 0)
        #expect(tally.failures.isEmpty)
        #expect(olderTally.failures.isEmpty)
    }

    static let forksNewestFirst = ["Shanghai", "Paris", "London", "Berlin", "Istanbul", "ConstantinopleFix",
                                   "Constantinople", "Byzantium", "EIP158", "EIP150", "Homestead", "Frontier"]

    /// Decodes, validates for chain 1 under Cancun rules, recovers the sender.
    static func process(_ bytes: [UInt8]) -> (Transaction?, Result<Address, TransactionError>) {
        let tx: Transaction
        do {
            tx = try Transaction(encoded: bytes)
        } catch {
            return (nil, .failure(error))
        }
        do {
            try tx.validate(chainId: chainId, rules: .cancun)
            return (tx, .success(try tx.sender()))
        } catch {
            return (tx, .failure(error))
        }
    }

    static func check(txHex: String, expected: [String: Any], checkIntrinsicGas: Bool) -> (Bool, String) {
        guard let bytes = try? Hex.decode(txHex) else { return (false, "txbytes is not hex") }
        let (tx, outcome) = process(bytes)
        let expectedGas = (expected["intrinsicGas"] as? String).flatMap { try? UInt256(hex: $0) }

        if let exception = expected["exception"] as? String {
            switch outcome {
            case .success(let sender):
                return (false, "accepted (sender \(sender)) but expected \(exception)")
            case .failure(let error):
                guard let category = expectedCategory(exception) else {
                    return (false, "unmapped exception \(exception) (we said: \(error))")
                }
                guard error.category == category else {
                    return (false, "rejected as \(error.category) (\(error)) but expected \(exception)")
                }
                // When decoding succeeded and the filler computed the intrinsic gas, ours must agree.
                if checkIntrinsicGas, let tx, let expectedGas, !expectedGas.isZero,
                   UInt256(tx.intrinsicGas) != expectedGas {
                    return (false, "intrinsic gas \(tx.intrinsicGas), expected \(expectedGas)")
                }
                return (true, "")
            }
        }

        guard let hashHex = expected["hash"] as? String, let senderHex = expected["sender"] as? String,
              let expectedHash = try? Hash32(hex: hashHex), let expectedSender = try? Address(hex: senderHex) else {
            return (false, "valid case without a readable hash and sender")
        }
        switch outcome {
        case .failure(let error):
            return (false, "rejected a valid transaction: \(error)")
        case .success(let sender):
            guard let tx else { return (false, "no transaction") }
            if sender != expectedSender { return (false, "sender \(sender), expected \(expectedSender)") }
            if tx.hash != expectedHash { return (false, "hash \(tx.hash), expected \(expectedHash)") }
            if tx.encoded != bytes { return (false, "re-encoding differs: \(tx.encoded.hexString)") }
            if checkIntrinsicGas, let expectedGas, UInt256(tx.intrinsicGas) != expectedGas {
                return (false, "intrinsic gas \(tx.intrinsicGas), expected \(expectedGas)")
            }
            return (true, "")
        }
    }

    /// The kind of rejection each filler exception stands for; alternatives are joined by `|`.
    static func expectedCategory(_ exception: String) -> TransactionErrorCategory? {
        let names = exception.split(separator: "|").map {
            $0.replacingOccurrences(of: "TransactionException.", with: "").trimmingCharacters(in: .whitespaces)
        }
        let categories = Set(names.compactMap(category(ofExceptionName:)))
        return categories.count == 1 ? categories.first : nil
    }

    static func category(ofExceptionName name: String) -> TransactionErrorCategory? {
        switch name {
        case "INVALID_SIGNATURE_VRS", "EC_RECOVERY_FAIL", "INVALID_CHAINID":
            return .signature
        case "INTRINSIC_GAS_TOO_LOW", "NONCE_TOO_BIG", "GASLIMIT_PRICE_PRODUCT_OVERFLOW", "INITCODE_SIZE_EXCEEDED",
             "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS", "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2",
             "TYPE_3_TX_ZERO_BLOBS", "TYPE_3_TX_BLOB_COUNT_EXCEEDED", "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH":
            return .validation
        case "TYPE_NOT_SUPPORTED", "ADDRESS_TOO_SHORT", "ADDRESS_TOO_LONG", "NONCE_OVERFLOW", "GASLIMIT_OVERFLOW",
             "GASPRICE_OVERFLOW", "PRIORITY_OVERFLOW", "VALUE_OVERFLOW", "TYPE_3_TX_CONTRACT_CREATION":
            return .encoding
        default:
            return name.hasPrefix("RLP_") ? .encoding : nil
        }
    }
}
