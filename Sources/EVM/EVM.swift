// EVM module: interpreter, gas, precompiles, journaled state, transaction processing.
