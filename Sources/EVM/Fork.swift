/// Ethereum protocol rule sets the MLedger EVM implements, oldest first, so `fork >= .shanghai`
/// reads as "Shanghai rules or later". The node runs `.cancun`; state tests and benchmarks may
/// also ask for the older ones.
public enum Fork: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    case london, paris, shanghai, cancun

    public static func < (a: Fork, b: Fork) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .london: return "London"
        case .paris: return "Paris"
        case .shanghai: return "Shanghai"
        case .cancun: return "Cancun"
        }
    }

    /// Parses a fork name as the state tests spell it ("Cancun", "Merge" for Paris).
    public init?(name: String) {
        switch name.lowercased() {
        case "london": self = .london
        case "paris", "merge": self = .paris
        case "shanghai": self = .shanghai
        case "cancun": self = .cancun
        default: return nil
        }
    }
}

/// Gas prices and limits that depend on the fork. Each fork starts from the previous one and
/// overrides only what its EIPs change.
public struct ForkRules: Sendable {
    public var fork: Fork
    /// EIP-3651: the coinbase starts warm (Shanghai).
    public var warmCoinbase = false
    /// EIP-3860: initcode limited to 2 * maxCodeSize and charged per word (Shanghai).
    public var limitsInitcode = false
    /// EIP-4844 / EIP-1153 / EIP-5656 / EIP-6780 (Cancun).
    public var hasBlobs = false
    public var selfdestructOnlyInCreatingTransaction = false
    /// PREVRANDAO replaces DIFFICULTY from Paris (EIP-4399).
    public var hasPrevRandao = false

    public static let maxCodeSize = 24_576
    public static let maxInitcodeSize = 2 * maxCodeSize

    public static func rules(for fork: Fork) -> ForkRules {
        var r = ForkRules(fork: .london)  // London: EIP-1559, EIP-3529, EIP-3541 (base of this table)
        if fork >= .paris { r.fork = .paris; r.hasPrevRandao = true }  // EIP-4399
        if fork >= .shanghai { r.fork = .shanghai; r.warmCoinbase = true; r.limitsInitcode = true }  // EIP-3651, EIP-3860, EIP-3855
        if fork >= .cancun {  // EIP-1153, EIP-4844, EIP-5656, EIP-6780, EIP-7516
            r.fork = .cancun; r.hasBlobs = true; r.selfdestructOnlyInCreatingTransaction = true
        }
        return r
    }
}

/// Gas constants shared by all supported forks (Berlin pricing onwards: EIP-2929, EIP-3529).
enum GasCost {
    static let warmAccess: Int64 = 100          // EIP-2929 WARM_STORAGE_READ_COST
    static let coldAccountAccess: Int64 = 2600  // EIP-2929
    static let coldSload: Int64 = 2100          // EIP-2929
    static let sstoreSet: Int64 = 20000
    static let sstoreReset: Int64 = 2900        // 5000 - COLD_SLOAD_COST
    static let sstoreClearRefund: Int64 = 4800  // EIP-3529
    static let callStipend: Int64 = 2300
    static let callValue: Int64 = 9000
    static let newAccount: Int64 = 25000
    static let create: Int64 = 32000
    static let codeDeposit: Int64 = 200
    static let initcodeWord: Int64 = 2          // EIP-3860
    static let keccakWord: Int64 = 6
    static let copyWord: Int64 = 3
    static let logTopic: Int64 = 375
    static let logData: Int64 = 8
    static let expByte: Int64 = 50
    static let selfdestruct: Int64 = 5000
    static let txBase: Int64 = 21000
    static let txCreate: Int64 = 32000
    static let txDataZero: Int64 = 4
    static let txDataNonZero: Int64 = 16        // EIP-2028
    static let accessListAddress: Int64 = 2400  // EIP-2930
    static let accessListKey: Int64 = 1900
    static let blobGasPerBlob: UInt64 = 131072  // EIP-4844
    static let maxBlobGasPerBlock: UInt64 = 786432
    static let blobBaseFeeUpdateFraction: UInt64 = 3338477
}
