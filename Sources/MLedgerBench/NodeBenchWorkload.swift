import Chain
import LedgerCrypto
import Foundation
import Primitives
import RLP

/// A transaction signed ahead of the timed window: its raw encoding as the `0x` hex that
/// `eth_sendRawTransaction` takes, and its hash for finding it in blocks.
struct NodeBenchTransaction {
    let raw: [UInt8]
    let rawHex: String
    let hash: Hash32
}

/// The bench's transactions on the dev chain (genesis/dev.json, chain id 1337, fees 0):
/// fresh sender keys funded by the four dev accounts, value transfers and storage writes
/// spread over those senders with consecutive nonces, and the storage contract's deployment.
/// Every scenario has senders of its own, so each scenario's nonces start at 0 and the
/// in-process reference can replay any scenario after the funding alone.
struct NodeBenchWorkload {
    static let chainId: UInt64 = 1337
    /// Gas of a plain value transfer; the block builder reserves each transaction's limit.
    static let transferGas: UInt64 = 21_000
    /// A fresh-slot write costs 21,000 + calldata (at most 32 * 16) + 22,100 (EIP-2929 cold
    /// SSTORE of a zero slot, EIP-2200) + 8 for the other opcodes: at most 43,620.
    static let storageWriteGas: UInt64 = 44_000

    /// Runtime code of the storage contract: `SSTORE(slot = calldata word 0, value = CALLER)`.
    /// CALLER (0x33), PUSH1 0 (0x60 0x00), CALLDATALOAD (0x35), SSTORE (0x55), STOP (0x00).
    static let storageRuntime: [UInt8] = [0x33, 0x60, 0x00, 0x35, 0x55, 0x00]

    /// Init code that returns `storageRuntime`: CODECOPY it from offset 12 to memory 0, RETURN.
    static var storageInitCode: [UInt8] {
        let size = UInt8(storageRuntime.count)
        return [0x60, size, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, size, 0x60, 0x00, 0xf3] + storageRuntime
    }

    let devKeys = DevelopmentAccounts.accountKeys
    let devAddresses: [Address]
    /// Sender keys per scenario, `sendersPerScenario` each.
    let scenarioKeys: [[[UInt8]]]
    let funding: [NodeBenchTransaction]
    let deployment: NodeBenchTransaction
    let contract: Address

    /// Keys are Keccak-256 of "mledger bench sender S/I" (public test keys, like the dev
    /// accounts). Each sender gets 1 ether; transfers move 1 wei, so fees of 0 leave them
    /// solvent whatever the count.
    init(scenarios: Int, sendersPerScenario: Int) throws {
        devAddresses = try DevelopmentAccounts.accountAddresses
        scenarioKeys = (0..<scenarios).map { scenario in
            (0..<sendersPerScenario).map { Keccak256.hash(Array("mledger bench sender \(scenario)/\($0)".utf8)).bytes }
        }
        let everySender = scenarioKeys.flatMap { $0 }
        var devNonces = [UInt64](repeating: 0, count: devKeys.count)
        var unsigned = [(key: [UInt8], transaction: Transaction)]()
        for (index, key) in everySender.enumerated() {
            let funder = index % devKeys.count
            unsigned.append((devKeys[funder], Self.transaction(nonce: devNonces[funder], to: try Secp256k1.address(ofPrivateKey: key),
                                                               value: UInt256(1_000_000_000_000_000_000), gas: Self.transferGas)))
            devNonces[funder] += 1
        }
        funding = try Self.sign(unsigned)
        // The contract comes from dev account 1 at its next nonce: its address is known
        // before the deployment is mined (CREATE: low 20 bytes of keccak(rlp([sender, nonce]))).
        let deployNonce = devNonces[0]
        deployment = try Self.sign([(devKeys[0], Self.transaction(nonce: deployNonce, to: nil, value: .zero, gas: 200_000,
                                                                 data: Self.storageInitCode))])[0]
        contract = Address(low20Of: Keccak256.hash(RLP.encode(list: [RLP.encode(bytes: devAddresses[0].bytes),
                                                                     RLP.encode(uint: deployNonce)])))
    }

    /// `count` transfers of 1 wei from the scenario's senders, round robin (sender `i % S`
    /// with nonce `i / S`), to 1,024 recipient accounts.
    func transfers(scenario: Int, count: Int) throws -> [NodeBenchTransaction] {
        let keys = scenarioKeys[scenario]
        let recipients = (0..<1_024).map { Address(low20Of: Keccak256.hash(Array("mledger bench recipient \($0)".utf8))) }
        return try Self.sign((0..<count).map { index in
            (keys[index % keys.count], Self.transaction(nonce: UInt64(index / keys.count), to: recipients[index % recipients.count],
                                                        value: .one, gas: Self.transferGas))
        })
    }

    /// `count` calls to the storage contract, each writing a slot no other call writes: the
    /// slot number is `firstSlot + i` (the calldata word).
    func storageWrites(scenario: Int, count: Int, firstSlot: UInt64) throws -> [NodeBenchTransaction] {
        let keys = scenarioKeys[scenario]
        return try Self.sign((0..<count).map { index in
            (keys[index % keys.count], Self.transaction(nonce: UInt64(index / keys.count), to: contract, value: .zero,
                                                        gas: Self.storageWriteGas,
                                                        data: UInt256(firstSlot + UInt64(index)).hash32.bytes))
        })
    }

    /// A gas-free EIP-1559 transaction (fee cap and tip 0).
    static func transaction(nonce: UInt64, to: Address?, value: UInt256, gas: UInt64, data: [UInt8] = []) -> Transaction {
        Transaction(.dynamicFee(DynamicFeeTransaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: .zero,
                                                      maxFeePerGas: .zero, gasLimit: gas, to: to, value: value, data: data)))
    }

    /// Signs on every core (signing is not part of any timed figure).
    static func sign(_ unsigned: [(key: [UInt8], transaction: Transaction)]) throws -> [NodeBenchTransaction] {
        var signed = [NodeBenchTransaction?](repeating: nil, count: unsigned.count)
        let failures = NSLock()
        var failure: (any Error)?
        let chunk = 256
        signed.withUnsafeMutableBufferPointer { output in
            let base = output.baseAddress!
            DispatchQueue.concurrentPerform(iterations: (unsigned.count + chunk - 1) / chunk) { part in
                for index in (part * chunk)..<min(unsigned.count, (part + 1) * chunk) {
                    do {
                        let transaction = try unsigned[index].transaction.signed(privateKey: unsigned[index].key)
                        let raw = transaction.encoded
                        base[index] = NodeBenchTransaction(raw: raw, rawHex: Hex.encode(raw), hash: Keccak256.hash(raw))
                    } catch {
                        failures.withLock { failure = error }
                    }
                }
            }
        }
        if let failure { throw NodeBenchError.setup("signing failed: \(failure)") }
        return signed.compactMap { $0 }
    }
}
