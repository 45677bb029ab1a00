import Primitives
import LedgerCrypto

/// Contract code with its hash and its jump-destination analysis, computed once and shared:
/// the same `Bytecode` object is handed out for every account holding that code hash.
public final class Bytecode: @unchecked Sendable {
    public let bytes: [UInt8]
    /// Code followed by 33 zero bytes, so PUSH32 at the end reads zeros without a bounds check.
    let padded: UnsafeMutablePointer<UInt8>
    /// One flag per code byte: a JUMPDEST opcode (not inside PUSH data).
    let jumpdests: UnsafeMutablePointer<Bool>
    public let count: Int
    private var cachedHash: Hash32?

    public static let empty = Bytecode([], hash: emptyCodeHash)
    /// Keccak-256 of the empty string: the code hash of accounts without code.
    public static let emptyCodeHash = Keccak256.hash([UInt8]())

    public init(_ bytes: [UInt8], hash: Hash32? = nil) {
        self.bytes = bytes
        count = bytes.count
        cachedHash = hash
        let pad = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 33)
        pad.initialize(repeating: 0, count: bytes.count + 33)
        bytes.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pad.update(from: base, count: bytes.count) }
        }
        padded = pad
        let jd = UnsafeMutablePointer<Bool>.allocate(capacity: bytes.count + 1)
        jd.initialize(repeating: false, count: bytes.count + 1)
        jumpdests = jd
        var pc = 0
        while pc < bytes.count {
            let op = padded[pc]
            if op == 0x5b { jumpdests[pc] = true } else if op >= 0x60 && op <= 0x7f { pc += Int(op - 0x5f) }
            pc += 1
        }
    }

    deinit { padded.deallocate(); jumpdests.deallocate() }

    public var hash: Hash32 {
        if let h = cachedHash { return h }
        let h = Keccak256.hash(bytes)
        cachedHash = h
        return h
    }

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    func isJumpdest(_ target: UInt256) -> Bool {
        guard let t = target.uint64, t < UInt64(count) else { return false }
        return jumpdests[Int(t)]
    }
}

/// Interns code by hash so the analysis runs once per distinct code.
public final class BytecodeCache: @unchecked Sendable {
    private var byHash: [Hash32: Bytecode] = [:]
    public init() {}

    public func bytecode(_ bytes: [UInt8]) -> Bytecode {
        if bytes.isEmpty { return .empty }
        let h = Keccak256.hash(bytes)
        if let c = byHash[h] { return c }
        let c = Bytecode(bytes, hash: h)
        byHash[h] = c
        return c
    }

    public func bytecode(hash: Hash32) -> Bytecode? { hash == Bytecode.emptyCodeHash ? .empty : byHash[hash] }
}
