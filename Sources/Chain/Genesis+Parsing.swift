import Foundation
import Primitives

extension Genesis {
    /// Reads and parses a genesis file.
    public init(contentsOfFile path: String) throws(GenesisError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        try self.init(json: [UInt8](data))
    }

    /// Parses a genesis document. Integers may be JSON numbers, `0x` hex strings or decimal
    /// strings (balances up to 2^256-1 survive exactly); byte fields are hex strings. Required:
    /// `config.chainId`, `gasLimit`, `alloc` and each account's `balance`. Unknown keys are
    /// ignored; a known key with a wrong type or value is an error naming it.
    public init(json bytes: [UInt8]) throws(GenesisError) {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: bytes, maximumDepth: Self.maximumNesting)
        } catch {
            throw .invalidJSON(offset: error.offset, reason: error.reason)
        }
        let top = try GenesisFields(root, path: "")
        self.init(config: try ChainConfig(top.required("config")),
                  nonce: try top.optionalUInt64("nonce") ?? 0,
                  timestamp: try top.optionalUInt64("timestamp") ?? 0,
                  extraData: try top.optionalBytes("extraData") ?? [],
                  gasLimit: try top.requiredUInt64("gasLimit"),
                  difficulty: try top.optionalUInt256("difficulty") ?? .zero,
                  mixHash: try top.optionalWord("mixHash") ?? .zero,
                  coinbase: try top.optionalAddress("coinbase") ?? .zero,
                  alloc: try Self.parseAlloc(top.required("alloc")),
                  number: try top.optionalUInt64("number") ?? 0,
                  gasUsed: try top.optionalUInt64("gasUsed") ?? 0,
                  parentHash: try top.optionalWord("parentHash") ?? .zero,
                  baseFeePerGas: try top.optionalUInt256("baseFeePerGas"),
                  excessBlobGas: try top.optionalUInt64("excessBlobGas"),
                  blobGasUsed: try top.optionalUInt64("blobGasUsed"))
    }

    /// Genesis documents are four levels deep at most (alloc, account, storage); the bound
    /// refuses anything far past that before it costs stack.
    static let maximumNesting = 64

    private static func parseAlloc(_ field: (JSONValue, String)) throws(GenesisError) -> [Address: GenesisAccount] {
        let (value, path) = field
        guard case .object(let members) = value else {
            throw .wrongType(field: path, expected: "an object", got: value.typeName)
        }
        var alloc = [Address: GenesisAccount]()
        for (key, accountValue) in members.sorted(by: { $0.key < $1.key }) {
            let accountPath = "\(path).\(key)"
            let address: Address
            do {
                address = try Address(hex: key)
            } catch {
                throw .invalidValue(field: accountPath, reason: "key is not a 20-byte hex address (\(error))")
            }
            let fields = try GenesisFields(accountValue, path: accountPath)
            var storage = [Hash32: Hash32]()
            if let (storageValue, storagePath) = fields.optional("storage") {
                guard case .object(let slots) = storageValue else {
                    throw .wrongType(field: storagePath, expected: "an object", got: storageValue.typeName)
                }
                for (slotKey, slotValue) in slots {
                    let slotPath = "\(storagePath).\(slotKey)"
                    let slot = try GenesisFields.word(fromHex: slotKey, path: slotPath, leftPad: true)
                    guard case .string(let text) = slotValue else {
                        throw .wrongType(field: slotPath, expected: "a hex string", got: slotValue.typeName)
                    }
                    let word = try GenesisFields.word(fromHex: text, path: slotPath, leftPad: true)
                    guard storage.updateValue(word, forKey: slot) == nil else {
                        throw .invalidValue(field: slotPath, reason: "the same slot is listed twice")
                    }
                }
            }
            let account = GenesisAccount(balance: try fields.requiredUInt256("balance"),
                                         nonce: try fields.optionalUInt64("nonce") ?? 0,
                                         code: try fields.optionalBytes("code") ?? [],
                                         storage: storage)
            guard alloc.updateValue(account, forKey: address) == nil else {
                throw .invalidValue(field: accountPath, reason: "the same address is listed twice")
            }
        }
        return alloc
    }
}

extension ChainConfig {
    init(_ field: (JSONValue, String)) throws(GenesisError) {
        let fields = try GenesisFields(field.0, path: field.1)
        var blockForks = [BlockActivatedFork: UInt64]()
        for fork in BlockActivatedFork.allCases {
            if let block = try fields.optionalUInt64(fork.rawValue) { blockForks[fork] = block }
        }
        var timeForks = [TimeActivatedFork: UInt64]()
        for fork in TimeActivatedFork.allCases {
            if let time = try fields.optionalUInt64(fork.rawValue) { timeForks[fork] = time }
        }
        var period: UInt64?, epoch: UInt64?
        if let clique = fields.optional("clique") {
            let cliqueFields = try GenesisFields(clique.0, path: clique.1)
            period = try cliqueFields.optionalUInt64("period")
            epoch = try cliqueFields.optionalUInt64("epoch")
        }
        self.init(chainId: try fields.requiredUInt64("chainId"), blockForks: blockForks, timeForks: timeForks,
                  terminalTotalDifficulty: try fields.optionalUInt256("terminalTotalDifficulty"),
                  cliquePeriod: period, cliqueEpoch: epoch)
    }
}

/// Typed access to the members of one JSON object, with the object's path for errors.
struct GenesisFields {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(GenesisError) {
        guard case .object(let members) = value else {
            throw .wrongType(field: path.isEmpty ? "(document)" : path, expected: "an object", got: value.typeName)
        }
        self.members = members
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member and its path; JSON `null` counts as absent.
    func optional(_ key: String) -> (JSONValue, String)? {
        guard let value = members[key], value != .null else { return nil }
        return (value, fieldPath(key))
    }

    func required(_ key: String) throws(GenesisError) -> (JSONValue, String) {
        guard let found = optional(key) else { throw .missingField(fieldPath(key)) }
        return found
    }

    func optionalUInt64(_ key: String) throws(GenesisError) -> UInt64? {
        guard let (value, path) = optional(key) else { return nil }
        let wide = try Self.integer(value, path: path)
        guard let narrow = wide.uint64 else { throw .invalidValue(field: path, reason: "exceeds 2^64-1") }
        return narrow
    }

    func requiredUInt64(_ key: String) throws(GenesisError) -> UInt64 {
        guard let value = try optionalUInt64(key) else { throw .missingField(fieldPath(key)) }
        return value
    }

    func optionalUInt256(_ key: String) throws(GenesisError) -> UInt256? {
        guard let (value, path) = optional(key) else { return nil }
        return try Self.integer(value, path: path)
    }

    func requiredUInt256(_ key: String) throws(GenesisError) -> UInt256 {
        guard let value = try optionalUInt256(key) else { throw .missingField(fieldPath(key)) }
        return value
    }

    func optionalBytes(_ key: String) throws(GenesisError) -> [UInt8]? {
        guard let (value, path) = optional(key) else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(field: path, expected: "a hex string", got: value.typeName)
        }
        do {
            return try Hex.decode(text)
        } catch {
            throw .invalidValue(field: path, reason: "\(error)")
        }
    }

    func optionalWord(_ key: String) throws(GenesisError) -> Hash32? {
        guard let (value, path) = optional(key) else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(field: path, expected: "a 32-byte hex string", got: value.typeName)
        }
        return try Self.word(fromHex: text, path: path, leftPad: false)
    }

    func optionalAddress(_ key: String) throws(GenesisError) -> Address? {
        guard let (value, path) = optional(key) else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(field: path, expected: "a 20-byte hex string", got: value.typeName)
        }
        do {
            return try Address(hex: text)
        } catch {
            throw .invalidValue(field: path, reason: "\(error)")
        }
    }

    /// A 32-byte word from hex; storage keys and values may be shorter and are left-padded.
    static func word(fromHex text: String, path: String, leftPad: Bool) throws(GenesisError) -> Hash32 {
        do {
            var digits = Substring(text)
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
            if leftPad {
                guard digits.count <= 64 else { throw HexError.wrongLength(expected: 32, got: (digits.count + 1) / 2) }
                return try Hash32(bytes: Hex.decode(String(repeating: "0", count: 64 - digits.count) + digits))
            }
            return try Hash32(hex: String(digits))
        } catch {
            throw .invalidValue(field: path, reason: "\(error)")
        }
    }

    /// A non-negative integer: a whole JSON number (`1e21` and `5.0` count), a `0x` hex string,
    /// or a decimal string.
    static func integer(_ value: JSONValue, path: String) throws(GenesisError) -> UInt256 {
        let text: String
        switch value {
        case .number(let number):
            // Exact from the number's text: balances above 2^53 are common in genesis files.
            guard let exact = number.uint256 else {
                throw .invalidValue(field: path, reason: "\(number.text) is not a non-negative integer below 2^256")
            }
            return exact
        case .string(let string):
            if string.hasPrefix("0x") || string.hasPrefix("0X") {
                let digits = string.dropFirst(2)
                guard !digits.isEmpty else { throw .invalidValue(field: path, reason: "hex integer without digits") }
                let significant = digits.drop(while: { $0 == "0" })
                guard significant.count <= 64 else { throw .invalidValue(field: path, reason: "exceeds 2^256-1") }
                do {
                    return try UInt256(hex: String(significant))
                } catch {
                    throw .invalidValue(field: path, reason: "\(error)")
                }
            }
            text = string
        default:
            throw .wrongType(field: path, expected: "an integer (number, hex or decimal string)", got: value.typeName)
        }
        do {
            return try UInt256(decimal: text)
        } catch {
            throw .invalidValue(field: path, reason: "\"\(text)\" is not a non-negative integer below 2^256: \(error)")
        }
    }
}
