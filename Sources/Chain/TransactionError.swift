import Primitives
import RLP

/// Names a transaction field in error messages.
public enum TransactionField: String, Sendable {
    case chainId, nonce, gasPrice, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data
    case accessList, maxFeePerBlobGas, blobVersionedHashes, v, yParity, r, s
}

/// Which stage rejected a transaction: its encoding, its signature, or the protocol rules.
public enum TransactionErrorCategory: Sendable {
    /// Not a well-formed transaction: bad RLP, wrong field shapes or sizes, unknown type.
    case encoding
    /// Signature values out of range, wrong chain, or no key recovers from them.
    case signature
    /// Well-formed and signed, but breaks a protocol rule (gas, fees, sizes).
    case validation
}

/// Why a transaction was rejected; every case names the rule or field at fault.
public enum TransactionError: Error, Equatable, CustomStringConvertible {
    // MARK: Encoding
    case emptyInput
    case malformedRLP(RLPError)
    /// EIP-2718 type byte that this ledger does not know.
    case unknownType(UInt8)
    /// A first byte in 0x80...0xbf: neither a type byte nor a legacy RLP list.
    case legacyNotAList
    /// The typed payload after the type byte is not an RLP list.
    case payloadNotAList
    case wrongFieldCount(expected: Int, got: Int)
    /// A scalar field was given as an RLP list.
    case fieldIsList(TransactionField)
    /// A list field (access list, blob hashes) was given as a byte string.
    case fieldIsNotList(TransactionField)
    /// Integers must be minimal big-endian: no leading zero byte.
    case integerLeadingZero(TransactionField)
    case integerTooLarge(TransactionField, maxBytes: Int)
    case wrongAddressLength(TransactionField, got: Int)
    /// An access-list entry must be the list `[address, [storageKey, ...]]` (EIP-2930).
    case malformedAccessListEntry(index: Int)
    case wrongStorageKeyLength(got: Int)
    case wrongBlobHashLength(got: Int)
    /// EIP-4844 transactions cannot create contracts: `to` is required.
    case missingRecipient

    // MARK: Signature
    /// Legacy `v` must be 27, 28 or `chainId * 2 + 35/36` (EIP-155).
    case invalidLegacyV(hex: String)
    /// Typed transactions carry a y-parity of 0 or 1.
    case invalidYParity(hex: String)
    /// r must be in [1, n-1].
    case invalidSignatureR
    /// s must be in [1, n-1].
    case invalidSignatureS
    /// s above n/2 is the malleable twin of a valid signature (EIP-2).
    case highSignatureS
    case recoveryFailed
    case chainIdMismatch(expected: UInt64, got: UInt64)
    case invalidPrivateKey

    // MARK: Validation (Cancun rules)
    /// EIP-2681: a nonce of 2^64-1 could never be followed by another transaction.
    case nonceAtMaximum
    case intrinsicGasTooLow(required: UInt64, gasLimit: UInt64)
    /// gasLimit * (max) fee per gas must fit in 256 bits, so the up-front cost is computable.
    case feeTimesGasOverflow
    /// EIP-1559: the priority fee is part of the max fee and cannot exceed it.
    case priorityFeeAboveMaxFee
    /// EIP-3860: create transactions carry at most 49152 bytes of init code.
    case initCodeTooLarge(size: Int, limit: Int)
    /// EIP-4844: a blob transaction carries at least one blob.
    case noBlobs
    case tooManyBlobs(count: Int, limit: Int)
    /// EIP-4844: versioned hashes start with the KZG version byte 0x01.
    case invalidBlobVersion(index: Int)

    public var category: TransactionErrorCategory {
        switch self {
        case .emptyInput, .malformedRLP, .unknownType, .legacyNotAList, .payloadNotAList, .wrongFieldCount,
             .fieldIsList, .fieldIsNotList, .integerLeadingZero, .integerTooLarge, .wrongAddressLength,
             .malformedAccessListEntry, .wrongStorageKeyLength, .wrongBlobHashLength, .missingRecipient:
            return .encoding
        case .invalidLegacyV, .invalidYParity, .invalidSignatureR, .invalidSignatureS, .highSignatureS,
             .recoveryFailed, .chainIdMismatch, .invalidPrivateKey:
            return .signature
        case .nonceAtMaximum, .intrinsicGasTooLow, .feeTimesGasOverflow, .priorityFeeAboveMaxFee,
             .initCodeTooLarge, .noBlobs, .tooManyBlobs, .invalidBlobVersion:
            return .validation
        }
    }

    public var description: String {
        switch self {
        case .emptyInput: return "transaction: empty input"
        case .malformedRLP(let error): return "transaction: \(error)"
        case .unknownType(let type): return "transaction: unknown type 0x\(String(type, radix: 16))"
        case .legacyNotAList: return "transaction: legacy transaction must be an RLP list"
        case .payloadNotAList: return "transaction: typed payload must be an RLP list"
        case let .wrongFieldCount(expected, got): return "transaction: expected \(expected) fields, got \(got)"
        case .fieldIsList(let f): return "transaction: field \(f.rawValue) must be a byte string, not a list"
        case .fieldIsNotList(let f): return "transaction: field \(f.rawValue) must be a list"
        case .integerLeadingZero(let f): return "transaction: integer \(f.rawValue) has a leading zero byte"
        case let .integerTooLarge(f, max): return "transaction: integer \(f.rawValue) exceeds \(max) bytes"
        case let .wrongAddressLength(f, got): return "transaction: address in \(f.rawValue) has \(got) bytes, not 20"
        case .malformedAccessListEntry(let i): return "transaction: access list entry \(i) is not [address, [keys]]"
        case .wrongStorageKeyLength(let got): return "transaction: access list storage key has \(got) bytes, not 32"
        case .wrongBlobHashLength(let got): return "transaction: blob versioned hash has \(got) bytes, not 32"
        case .missingRecipient: return "transaction: blob transactions need a recipient"
        case .invalidLegacyV(let v): return "transaction: legacy v \(v) is neither 27/28 nor an EIP-155 value"
        case .invalidYParity(let v): return "transaction: y-parity \(v) is not 0 or 1"
        case .invalidSignatureR: return "transaction: signature r is not in [1, n-1]"
        case .invalidSignatureS: return "transaction: signature s is not in [1, n-1]"
        case .highSignatureS: return "transaction: signature s is above n/2 (EIP-2)"
        case .recoveryFailed: return "transaction: no public key recovers from the signature"
        case let .chainIdMismatch(expected, got): return "transaction: chain id \(got), expected \(expected)"
        case .invalidPrivateKey: return "transaction: private key is not a valid secp256k1 scalar"
        case .nonceAtMaximum: return "transaction: nonce 2^64-1 is not allowed (EIP-2681)"
        case let .intrinsicGasTooLow(required, gasLimit):
            return "transaction: gas limit \(gasLimit) is below the intrinsic gas \(required)"
        case .feeTimesGasOverflow: return "transaction: gas limit times fee per gas exceeds 2^256-1"
        case .priorityFeeAboveMaxFee: return "transaction: max priority fee exceeds max fee per gas (EIP-1559)"
        case let .initCodeTooLarge(size, limit): return "transaction: init code of \(size) bytes exceeds \(limit) (EIP-3860)"
        case .noBlobs: return "transaction: blob transaction without blobs (EIP-4844)"
        case let .tooManyBlobs(count, limit): return "transaction: \(count) blobs exceed the limit of \(limit)"
        case .invalidBlobVersion(let i): return "transaction: blob versioned hash \(i) does not start with 0x01"
        }
    }
}
