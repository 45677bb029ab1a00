import Primitives

/// Block-level inputs the EVM reads (COINBASE, NUMBER, BASEFEE, BLOBBASEFEE, ...).
public struct BlockEnvironment: Sendable {
    public var coinbase: Address
    public var number: UInt64
    public var timestamp: UInt64
    public var gasLimit: UInt64
    public var baseFee: UInt256
    /// PREVRANDAO from Paris (EIP-4399); DIFFICULTY before.
    public var prevRandao: UInt256
    public var difficulty: UInt256
    public var chainId: UInt256
    /// EIP-4844 excess blob gas of this block (nil before Cancun).
    public var excessBlobGas: UInt64?

    public init(coinbase: Address, number: UInt64, timestamp: UInt64, gasLimit: UInt64, baseFee: UInt256,
                prevRandao: UInt256 = .zero, difficulty: UInt256 = .zero, chainId: UInt256 = 1, excessBlobGas: UInt64? = nil) {
        self.coinbase = coinbase; self.number = number; self.timestamp = timestamp; self.gasLimit = gasLimit
        self.baseFee = baseFee; self.prevRandao = prevRandao; self.difficulty = difficulty; self.chainId = chainId
        self.excessBlobGas = excessBlobGas
    }

    /// EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, 3338477).
    public var blobBaseFee: UInt256 {
        BlockEnvironment.fakeExponential(factor: 1, numerator: UInt256(excessBlobGas ?? 0),
                                         denominator: UInt256(GasCost.blobBaseFeeUpdateFraction))
    }

    /// The Taylor-series approximation of factor * e^(numerator/denominator) from EIP-4844.
    static func fakeExponential(factor: UInt256, numerator: UInt256, denominator: UInt256) -> UInt256 {
        var i: UInt256 = 1
        var output = UInt256.zero
        var accum = factor &* denominator
        while !accum.isZero {
            output = output &+ accum
            accum = (accum &* numerator).div(denominator &* i)
            i = i &+ 1
        }
        return output.div(denominator)
    }
}

/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Equatable, Sendable {
    public var address: Address
    public var storageKeys: [UInt256]
    public init(address: Address, storageKeys: [UInt256]) { self.address = address; self.storageKeys = storageKeys }
}

/// A transaction as the EVM needs it, already decoded and with its sender recovered. The chain
/// layer (or the state-test runner) fills this; the EVM does not know wire formats.
public struct TransactionEnvironment: Sendable {
    /// EIP-2718 type: 0 legacy, 1 access list, 2 fee market, 3 blob.
    public var type: UInt8
    public var sender: Address
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var gasLimit: UInt64
    public var nonce: UInt64
    /// Types 0 and 1.
    public var gasPrice: UInt256
    /// Types 2 and 3.
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var accessList: [AccessListEntry]
    public var maxFeePerBlobGas: UInt256
    public var blobVersionedHashes: [UInt256]

    public init(type: UInt8 = 0, sender: Address, to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                gasLimit: UInt64, nonce: UInt64, gasPrice: UInt256 = .zero, maxFeePerGas: UInt256 = .zero,
                maxPriorityFeePerGas: UInt256 = .zero, accessList: [AccessListEntry] = [],
                maxFeePerBlobGas: UInt256 = .zero, blobVersionedHashes: [UInt256] = []) {
        self.type = type; self.sender = sender; self.to = to; self.value = value; self.data = data
        self.gasLimit = gasLimit; self.nonce = nonce; self.gasPrice = gasPrice; self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas; self.accessList = accessList
        self.maxFeePerBlobGas = maxFeePerBlobGas; self.blobVersionedHashes = blobVersionedHashes
    }
}

/// How an execution frame ended.
public enum Halt: Error, Equatable, Sendable {
    case stop, returned, reverted, selfdestructed
    case outOfGas, stackUnderflow, stackOverflow, badJumpDestination, undefinedInstruction
    case invalidInstruction, staticStateChange, returnDataOutOfBounds, callDepthExceeded
    case initcodeTooLarge, codeTooLarge, invalidCodePrefix, precompileFailure, nonceOverflow, addressCollision

    /// Normal endings keep state changes (REVERT keeps gas but not state).
    public var isSuccess: Bool { self == .stop || self == .returned || self == .selfdestructed }
}
