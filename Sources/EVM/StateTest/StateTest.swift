import Foundation
import Primitives
import LedgerCrypto

/// Why a state test file cannot be read.
public enum StateTestError: Error, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self { case let .malformed(what): return "malformed state test: \(what)" }
    }
}

/// One GeneralStateTests test (one name in a JSON file), parsed and ready to run per index.
public struct StateTestCase {
    public struct Expectation {
        public var data: Int, gas: Int, value: Int
        public var hash: Hash32
        public var logs: Hash32
        public var expectException: String?
    }

    public var name: String
    public var pre: MemoryBackend
    public var block: BlockEnvironment
    public var expectations: [Fork: [Expectation]]
    // Transaction template.
    var sender: Address
    var to: Address?
    var nonce: UInt64
    var dataList: [[UInt8]]
    var accessLists: [[AccessListEntry]?]
    /// nil where the JSON value does not fit the field (over 2^64 gas, over 2^256 value): such an
    /// index is an invalid transaction.
    var gasLimits: [UInt64?]
    var values: [UInt256?]
    var gasPrice: UInt256?
    var maxFeePerGas: UInt256?
    var maxPriorityFeePerGas: UInt256?
    var maxFeePerBlobGas: UInt256?
    var blobHashes: [UInt256]?

    /// The transaction for one (data, gas, value) index; nil if a field does not fit.
    public func transaction(_ e: Expectation) -> TransactionEnvironment? {
        guard e.data < dataList.count, e.gas < gasLimits.count, e.value < values.count,
              let gasLimit = gasLimits[e.gas], let value = values[e.value] else { return nil }
        var type: UInt8 = 0
        let accessList = e.data < accessLists.count ? accessLists[e.data] : nil
        if blobHashes != nil || maxFeePerBlobGas != nil { type = 3 } else if maxFeePerGas != nil { type = 2 } else if accessList != nil { type = 1 }
        return TransactionEnvironment(
            type: type, sender: sender, to: to, value: value, data: dataList[e.data], gasLimit: gasLimit,
            nonce: nonce, gasPrice: gasPrice ?? .zero, maxFeePerGas: maxFeePerGas ?? .zero,
            maxPriorityFeePerGas: maxPriorityFeePerGas ?? .zero, accessList: accessList ?? [],
            maxFeePerBlobGas: maxFeePerBlobGas ?? .zero, blobVersionedHashes: blobHashes ?? [])
    }
}

/// Reading the JSON format of the Ethereum state tests.
public enum StateTestParser {
    static func str(_ any: JSONValue?, _ what: String) throws -> String {
        guard let s = any?.stringValue else { throw StateTestError.malformed("\(what) is not a string") }
        return s
    }

    static func u256(_ any: JSONValue?, _ what: String) throws -> UInt256 {
        let s = try str(any, what)
        do { return try UInt256(hex: s) } catch { throw StateTestError.malformed("\(what) '\(s.prefix(80))' is not a 256-bit hex number") }
    }

    static func u64(_ any: JSONValue?, _ what: String) throws -> UInt64 {
        guard let v = try u256(any, what).uint64 else { throw StateTestError.malformed("\(what) exceeds 64 bits") }
        return v
    }

    static func bytes(_ any: JSONValue?, _ what: String) throws -> [UInt8] {
        var s = Substring(try str(any, what))
        if s.hasPrefix("0x") { s = s.dropFirst(2) }
        do { return try Hex.decode(String(s)) } catch { throw StateTestError.malformed("\(what) is not hex") }
    }

    static func address(_ any: JSONValue?, _ what: String) throws -> Address {
        do { return try Address(bytes: try bytes(any, what)) } catch { throw StateTestError.malformed("\(what) is not a 20-byte address") }
    }

    static func hash(_ any: JSONValue?, _ what: String) throws -> Hash32 {
        do { return try Hash32(bytes: try bytes(any, what)) } catch { throw StateTestError.malformed("\(what) is not a 32-byte hash") }
    }

    /// Parses every test in a file.
    public static func parse(_ data: Data) throws -> [StateTestCase] {
        guard let root = try JSONValue(parsing: [UInt8](data)).objectValue else {
            throw StateTestError.malformed("top level is not an object")
        }
        return try root.keys.sorted().map { name in
            guard let t = root[name]?.objectValue else { throw StateTestError.malformed("\(name) is not an object") }
            return try parseCase(name: name, t)
        }
    }

    static func parseCase(name: String, _ t: [String: JSONValue]) throws -> StateTestCase {
        guard let env = t["env"]?.objectValue, let pre = t["pre"]?.objectValue,
              let tx = t["transaction"]?.objectValue, let post = t["post"]?.objectValue else {
            throw StateTestError.malformed("\(name): missing env, pre, transaction or post")
        }
        let backend = MemoryBackend()
        for (a, v) in pre {
            guard let acc = v.objectValue else { throw StateTestError.malformed("\(name): pre \(a)") }
            var storage: [UInt256: UInt256] = [:]
            for (k, sv) in acc["storage"]?.objectValue ?? [:] { storage[try u256(.string(k), "storage key")] = try u256(sv, "storage value") }
            backend.set(try address(.string(a), "pre address"), nonce: try u64(acc["nonce"], "nonce"),
                        balance: try u256(acc["balance"], "balance"), code: try bytes(acc["code"], "code"), storage: storage)
        }
        let random = env["currentRandom"].map { try? u256($0, "currentRandom") } ?? nil
        let block = BlockEnvironment(
            coinbase: try address(env["currentCoinbase"], "currentCoinbase"), number: try u64(env["currentNumber"], "currentNumber"),
            timestamp: try u64(env["currentTimestamp"], "currentTimestamp"), gasLimit: try u64(env["currentGasLimit"], "currentGasLimit"),
            baseFee: env["currentBaseFee"] == nil ? .zero : try u256(env["currentBaseFee"], "currentBaseFee"),
            prevRandao: random ?? .zero,
            difficulty: env["currentDifficulty"] == nil ? .zero : try u256(env["currentDifficulty"], "currentDifficulty"),
            chainId: 1,
            excessBlobGas: env["currentExcessBlobGas"] == nil ? nil : try u64(env["currentExcessBlobGas"], "currentExcessBlobGas"))

        var expectations: [Fork: [StateTestCase.Expectation]] = [:]
        for (forkName, list) in post {
            guard let fork = Fork(name: forkName), let entries = list.arrayValue else { continue }
            expectations[fork] = try entries.map { e in
                guard let idx = e["indexes"], let d = idx["data"]?.intValue, let g = idx["gas"]?.intValue,
                      let v = idx["value"]?.intValue else { throw StateTestError.malformed("\(name): indexes") }
                return StateTestCase.Expectation(data: d, gas: g, value: v, hash: try hash(e["hash"], "post hash"),
                                                 logs: try hash(e["logs"], "logs"), expectException: e["expectException"]?.stringValue)
            }
        }

        let sender: Address
        if let s = tx["sender"] { sender = try address(s, "sender") } else {
            do { sender = try Secp256k1.address(ofPrivateKey: try bytes(tx["secretKey"], "secretKey")) } catch { throw StateTestError.malformed("\(name): secretKey") }
        }
        let toText = tx["to"]?.stringValue ?? ""
        let gasLimits: [UInt64?] = try (tx["gasLimit"]?.arrayValue ?? []).map { try u256($0, "gasLimit").uint64 }
        // "0x:bigint ..." marks a deliberately oversized value (more than 256 bits).
        let values: [UInt256?] = try (tx["value"]?.arrayValue ?? []).map { v in
            if let text = v.stringValue, text.hasPrefix("0x:bigint") { return nil }
            return try u256(v, "value")
        }
        var accessLists: [[AccessListEntry]?] = []
        if let lists = tx["accessLists"]?.arrayValue {
            for l in lists {
                guard let entries = l.arrayValue else { accessLists.append(nil); continue }
                accessLists.append(try entries.map { e in
                    AccessListEntry(address: try address(e["address"], "access list address"),
                                    storageKeys: try (e["storageKeys"]?.arrayValue ?? []).map { try u256($0, "storage key") })
                })
            }
        }
        return StateTestCase(
            name: name, pre: backend, block: block, expectations: expectations, sender: sender,
            to: toText.isEmpty ? nil : try address(.string(toText), "to"), nonce: try u64(tx["nonce"], "nonce"),
            dataList: try (tx["data"]?.arrayValue ?? []).map { try bytes($0, "data") }, accessLists: accessLists,
            gasLimits: gasLimits, values: values,
            gasPrice: tx["gasPrice"] == nil ? nil : try u256(tx["gasPrice"], "gasPrice"),
            maxFeePerGas: tx["maxFeePerGas"] == nil ? nil : try u256(tx["maxFeePerGas"], "maxFeePerGas"),
            maxPriorityFeePerGas: tx["maxPriorityFeePerGas"] == nil ? nil : try u256(tx["maxPriorityFeePerGas"], "maxPriorityFeePerGas"),
            maxFeePerBlobGas: tx["maxFeePerBlobGas"] == nil ? nil : try u256(tx["maxFeePerBlobGas"], "maxFeePerBlobGas"),
            blobHashes: try tx["blobVersionedHashes"]?.arrayValue.map { try $0.map { try u256($0, "blob hash") } })
    }
}
