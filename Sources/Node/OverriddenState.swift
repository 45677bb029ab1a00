import LedgerCrypto
import EVM
import Primitives
import RPC

/// A state with `eth_call` overrides laid over it: replaced balances, nonces and code, and
/// storage either replaced whole (`state`) or slot by slot (`stateDiff`). Reads only; the
/// call's own writes stay in its journal.
final class OverriddenState: EVMStateBackend, StorageProbe {
    private let base: TrieAccountState
    private let overrides: [Address: AccountOverride]
    private let codes = BytecodeCache()

    init(base: TrieAccountState, overrides: [Address: AccountOverride]) {
        self.base = base
        self.overrides = overrides
        for override in overrides.values { if let code = override.code { _ = codes.bytecode(code) } }
    }

    func account(_ address: Address) -> AccountInfo? {
        guard let override = overrides[address] else { return base.account(address) }
        var info = base.account(address) ?? AccountInfo()
        if let balance = override.balance { info.balance = balance }
        if let nonce = override.nonce { info.nonce = nonce }
        if let code = override.code { info.codeHash = codes.bytecode(code).hash }
        return info
    }

    func code(hash: Hash32) -> Bytecode { codes.bytecode(hash: hash) ?? base.code(hash: hash) }

    func storage(_ address: Address, _ key: UInt256) -> UInt256 {
        if let override = overrides[address] {
            if let state = override.state { return state[key.hash32].map(UInt256.init) ?? .zero }
            if let word = override.stateDiff?[key.hash32] { return UInt256(word) }
        }
        return base.storage(address, key)
    }

    func hasStorage(_ address: Address) -> Bool {
        if let state = overrides[address]?.state { return state.values.contains { $0 != .zero } }
        if let diff = overrides[address]?.stateDiff, diff.values.contains(where: { $0 != .zero }) { return true }
        return base.hasStorage(address)
    }

    func blockHash(number: UInt64) -> Hash32 { base.blockHash(number: number) }
}
