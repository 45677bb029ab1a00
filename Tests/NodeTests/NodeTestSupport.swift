import Chain
import LedgerCrypto
import EVM
import Foundation
import Node
import Primitives

/// Throw-away dev chains and signed transactions for the node's tests.
enum NodeTestSupport {
    static var devGenesisPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("genesis/dev.json").path
    }

    /// A data directory initialised from genesis/dev.json, as `mledger init` makes it.
    static func makeDevDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "mledger-node-test-\(UUID().uuidString)"
        let (database, _, _) = try ChainDatabase.initialize(dataDirectory: directory, genesisPath: devGenesisPath)
        database.store.close()
        return directory
    }

    static let keys = DevelopmentAccounts.accountKeys

    static func address(_ key: [UInt8]) throws -> Address { try Secp256k1Address.of(key) }

    /// A gas-free EIP-1559 transaction (fee caps 0) signed with `key`.
    static func dynamicFee(_ key: [UInt8], nonce: UInt64, to: Address?, value: UInt256 = .zero,
                           data: [UInt8] = [], gas: UInt64 = 100_000, chainId: UInt64 = 1337) throws -> Transaction {
        try Transaction(.dynamicFee(DynamicFeeTransaction(
            chainId: chainId, nonce: nonce, maxPriorityFeePerGas: .zero, maxFeePerGas: .zero, gasLimit: gas,
            to: to, value: value, data: data))).signed(privateKey: key)
    }

    /// A legacy (EIP-155) transaction with the given gas price.
    static func legacy(_ key: [UInt8], nonce: UInt64, to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                       gas: UInt64 = 100_000, gasPrice: UInt256 = .zero) throws -> Transaction {
        try Transaction(.legacy(LegacyTransaction(chainId: 1337, nonce: nonce, gasPrice: gasPrice, gasLimit: gas,
                                                  to: to, value: value, data: data))).signed(privateKey: key)
    }

    /// Runtime code: stores the first call-data word in slot 0 and logs it under topic 0xaa;
    /// a zero word reverts with the 4 bytes 0xdeadbeef.
    static let storeAndLogRuntime: [UInt8] = [
        0x60, 0x00, 0x35, 0x80, 0x15, 0x60, 0x17, 0x57, 0x80, 0x60, 0x00, 0x55, 0x60, 0x00, 0x52,
        0x60, 0xaa, 0x60, 0x20, 0x60, 0x00, 0xa1, 0x00,
        0x5b, 0x63, 0xde, 0xad, 0xbe, 0xef, 0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x1c, 0xfd,
    ]

    /// Init code that deploys `storeAndLogRuntime`.
    static var storeAndLogInitCode: [UInt8] {
        let size = UInt8(storeAndLogRuntime.count)
        return [0x60, size, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, size, 0x60, 0x00, 0xf3] + storeAndLogRuntime
    }

    static func word(_ value: UInt64) -> [UInt8] { UInt256(value).hash32.bytes }

    /// The genesis allocation as the EVM's in-memory state, for replaying blocks independently.
    static func memoryState(_ genesis: Genesis) -> MemoryBackend {
        let backend = MemoryBackend()
        for (address, account) in genesis.alloc {
            var storage = [UInt256: UInt256]()
            for (slot, value) in account.storage { storage[UInt256(slot)] = UInt256(value) }
            backend.set(address, nonce: account.nonce, balance: account.balance, code: account.code, storage: storage)
        }
        return backend
    }
}

/// Addresses of private keys.
enum Secp256k1Address {
    static func of(_ key: [UInt8]) throws -> Address { try LedgerCrypto.Secp256k1.address(ofPrivateKey: key) }
}
