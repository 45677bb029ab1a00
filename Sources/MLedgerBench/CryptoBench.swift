import Crypto
import Foundation

func runCryptoBenchmarks() {
    print("== crypto ==")
    let mib = [UInt8](repeating: 0x61, count: 1 << 20)
    let t = measure { _ = Keccak256.hash(mib) }
    report("keccak256 1MiB", 1.0 / t, "MB/s")
}
