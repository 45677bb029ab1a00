import EVM

// The EVM module, its `EVM` class and the Chain/RPC modules share a few type names (`Log`,
// `AccessListEntry`, `StateBackend`, `TransactionError`); a qualified `EVM.Log` would look inside
// the class. These aliases, declared where only the EVM module is imported, name the EVM's
// types unambiguously for the rest of the Node module.
typealias EVMStateBackend = StateBackend
typealias EVMLog = Log
typealias EVMAccessListEntry = AccessListEntry
typealias EVMTransactionError = TransactionError
