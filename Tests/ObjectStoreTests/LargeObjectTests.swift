import Testing
import ObjectStore

#if canImport(Glibc)
import Glibc
#endif

/// A large object through each store without holding it: written from a generator in 1 MiB
/// writes, read back in 1 MiB pieces, compared by SHA-256. Off by default (it moves
/// gigabytes); `MLEDGER_OBJECTSTORE_LARGE_MIB=1024` runs it with 1 GiB and prints the time
/// and the process's peak resident memory.
@Suite(.serialized, .enabled(if: environment("MLEDGER_OBJECTSTORE_LARGE_MIB") != nil))
struct LargeObjectTests {
    @Test(arguments: StoreKind.enabled)
    func streamsWithoutHoldingTheObject(kind: StoreKind) async throws {
        let mebibytes = Int(environment("MLEDGER_OBJECTSTORE_LARGE_MIB") ?? "") ?? 0
        let store = try kind.store()
        let location = try uniqueLocation("large.bin")
        let block = pattern(1 << 20, seed: 99)
        let sent = SHA256Hasher()
        let start = monotonicSeconds()
        let upload = try await store.beginUpload(location)
        for index in 0..<mebibytes {
            var piece = block
            piece[0] = UInt8(truncatingIfNeeded: index)  // every MiB differs
            piece[piece.count - 1] = UInt8(truncatingIfNeeded: index >> 8)
            sent.update(piece)
            try await upload.write(piece[...])
        }
        #expect(try await upload.commit() == Int64(mebibytes) << 20)
        let written = monotonicSeconds()
        let received = SHA256Hasher()
        var count = 0
        let reader = try await store.read(location, range: nil)
        while let piece = try await reader.next(maxBytes: 1 << 20) {
            received.update(piece)
            count += piece.count
        }
        let read = monotonicSeconds()
        #expect(count == mebibytes << 20)
        #expect(received.finalize() == sent.finalize())
        try await store.delete(location)
        print("large object, \(kind.rawValue): \(mebibytes) MiB written in \(format(written - start)) s, "
            + "read in \(format(read - written)) s; peak RSS of the test process \(peakResidentMiB()) MiB")
    }
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private func format(_ seconds: Double) -> String { String(Int((seconds * 10).rounded())) .inserting(dotBeforeLast: 1) }

private extension String {
    func inserting(dotBeforeLast digits: Int) -> String {
        let padded = count <= digits ? String(repeating: "0", count: digits - count + 1) + self : self
        return String(padded.dropLast(digits)) + "." + String(padded.suffix(digits))
    }
}

/// VmHWM from /proc/self/status (Linux), in MiB; 0 where unavailable.
private func peakResidentMiB() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(cString: line)
        if text.hasPrefix("VmHWM:") {
            let kib = Int(text.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            return kib / 1024
        }
    }
    return 0
}
