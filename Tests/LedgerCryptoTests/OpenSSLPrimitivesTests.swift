import LedgerCrypto
import Primitives
import Testing

private func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes, prefix: false) }
private func bytes(_ text: String) throws -> [UInt8] { try Hex.decode(text) }

@Test func sha256KnownVectors() throws {
    #expect(hex(try SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(hex(try SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func ripemd160KnownVectors() throws {
    #expect(RIPEMD160.isAvailable, "OpenSSL offers no RIPEMD-160 (default or legacy provider)")
    #expect(hex(try RIPEMD160.hash([UInt8]())) == "9c1185a5c5e9fc54612808977ee8f548b2258d31")
    #expect(hex(try RIPEMD160.hash(Array("abc".utf8))) == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
}

@Test func sha3KnownVectors() throws {
    #expect(hex(try SHA3_256.hash([UInt8]())) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    #expect(hex(try SHA3_256.hash(Array("abc".utf8))) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
}

/// RFC 7914, section 12 (the two vectors small enough for a unit test).
@Test func scryptRFC7914Vectors() throws {
    let first = try Scrypt.derive(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
    #expect(hex(first) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    let second = try Scrypt.derive(password: Array("password".utf8), salt: Array("NaCl".utf8),
                                   n: 1024, r: 8, p: 16, length: 64)
    #expect(hex(second) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
}

@Test func scryptRejectsBadParameters() {
    #expect(throws: OpenSSLError.self) { try Scrypt.derive(password: [1], salt: [2], n: 1000, r: 8, p: 1, length: 32) }
    #expect(throws: OpenSSLError.self) { try Scrypt.derive(password: [1], salt: [2], n: 1, r: 8, p: 1, length: 32) }
    #expect(throws: OpenSSLError.self) { try Scrypt.derive(password: [1], salt: [2], n: 16, r: 0, p: 1, length: 32) }
    #expect(throws: OpenSSLError.self) { try Scrypt.derive(password: [1], salt: [2], n: 16, r: 1, p: 0, length: 32) }
    #expect(throws: OpenSSLError.self) { try Scrypt.derive(password: [1], salt: [2], n: 16, r: 1, p: 1, length: 0) }
    // n = 2^40 would need terabytes: refused before OpenSSL allocates anything.
    do {
        _ = try Scrypt.derive(password: [1], salt: [2], n: 1 << 40, r: 8, p: 1, length: 32)
        Issue.record("huge n accepted")
    } catch {
        #expect("\(error)".contains("memory"))
    }
}

/// The standard keystore setting needs 256 MiB, above OpenSSL's 32 MiB default ceiling: the
/// wrapper must hand OpenSSL a large enough limit. (r = 8 with a small n keeps the test fast;
/// the full n = 2^18 runs in the keystore conformance suite.)
@Test func scryptMemoryRequirementCountsTheTable() {
    #expect(Scrypt.memoryRequired(n: 262144, r: 8, p: 1) > 256 << 20)
    #expect(Scrypt.memoryRequired(n: 262144, r: 8, p: 1) < Scrypt.defaultMemoryLimit)
}

/// PBKDF2-HMAC-SHA256 vectors for "password"/"salt" (the RFC 6070 inputs with SHA-256).
@Test func pbkdf2SHA256Vectors() throws {
    let password = Array("password".utf8), salt = Array("salt".utf8)
    #expect(hex(try PBKDF2.sha256(password: password, salt: salt, iterations: 1, length: 32))
        == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
    #expect(hex(try PBKDF2.sha256(password: password, salt: salt, iterations: 2, length: 32))
        == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    #expect(hex(try PBKDF2.sha256(password: password, salt: salt, iterations: 4096, length: 32))
        == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
    #expect(throws: OpenSSLError.self) { try PBKDF2.sha256(password: password, salt: salt, iterations: 0, length: 32) }
}

/// NIST SP 800-38A, F.5.1 (CTR-AES128.Encrypt), first two blocks, plus the inverse.
@Test func aes128CTRNISTVector() throws {
    let key = try bytes("2b7e151628aed2a6abf7158809cf4f3c")
    let iv = try bytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
    let plain = try bytes("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
    let cipher = try AES128CTR.apply(key: key, iv: iv, data: plain)
    #expect(hex(cipher) == "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff")
    #expect(try AES128CTR.apply(key: key, iv: iv, data: cipher) == plain)
    // A partial final block uses a prefix of the key stream.
    #expect(hex(try AES128CTR.apply(key: key, iv: iv, data: Array(plain[0..<5]))) == "874d6191b6")
    #expect(try AES128CTR.apply(key: key, iv: iv, data: []) == [])
}

@Test func aes128CTRRejectsWrongSizes() {
    #expect(throws: OpenSSLError.self) { try AES128CTR.apply(key: [UInt8](repeating: 0, count: 32), iv: [UInt8](repeating: 0, count: 16), data: [1]) }
    #expect(throws: OpenSSLError.self) { try AES128CTR.apply(key: [UInt8](repeating: 0, count: 16), iv: [UInt8](repeating: 0, count: 12), data: [1]) }
}

@Test func secureRandomGivesDistinctBytesOfTheRequestedLength() throws {
    let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
    #expect(a.count == 32 && b.count == 32)
    #expect(a != b)
    #expect(try SecureRandom.bytes(0).isEmpty)
    #expect(throws: OpenSSLError.self) { try SecureRandom.bytes(-1) }
}

/// The Swift ROMix path (used where OpenSSL refuses N ≥ 2^(16·r)) must give the RFC 7914
/// vectors too, and agree with OpenSSL elsewhere.
@Test func scryptSwiftCoreMatchesRFC7914AndOpenSSL() throws {
    let first = try Scrypt.deriveWithoutOpenSSLCore(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
    #expect(hex(first) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    let second = try Scrypt.deriveWithoutOpenSSLCore(password: Array("password".utf8), salt: Array("NaCl".utf8),
                                                     n: 1024, r: 8, p: 16, length: 64)
    #expect(hex(second) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    for (n, r, p) in [(2, 1, 1), (64, 2, 3), (256, 3, 1)] {
        let ours = try Scrypt.deriveWithoutOpenSSLCore(password: [9, 8, 7], salt: [1, 2], n: n, r: r, p: p, length: 40)
        let openssl = try Scrypt.derive(password: [9, 8, 7], salt: [1, 2], n: n, r: r, p: p, length: 40)
        #expect(ours == openssl, "n=\(n) r=\(r) p=\(p)")
    }
}

/// n = 2^16 with r = 1 breaks RFC 7914's N < 2^(16·r), which OpenSSL enforces but keystore
/// files ignore: `derive` must still answer (through the Swift core).
@Test func scryptAcceptsKeystoreParametersOpenSSLRefuses() throws {
    let key = try Scrypt.derive(password: Array("pw".utf8), salt: [1], n: 1 << 16, r: 1, p: 1, length: 32)
    #expect(key.count == 32)
    #expect(key != (try Scrypt.derive(password: Array("pw".utf8), salt: [2], n: 1 << 16, r: 1, p: 1, length: 32)))
}
