import Foundation

/// The CPU's instruction-set flags as Linux reports them (`flags` in /proc/cpuinfo), read once:
/// the wide kernels (ML's matrix product, LedgerCrypto's four-way Keccak) run only where their
/// instructions exist. Elsewhere (other systems, other architectures) no flag is reported and the
/// portable code runs.
public enum CPUFlags {
    public static let all: Set<String> = {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
        #else
        return []
        #endif
    }()

    /// Whether the CPU has every one of `flags`, unless the environment variable
    /// `baselineVariable` is "1" (benchmarks and tests compare both paths that way).
    public static func have(_ flags: [String], unlessSet baselineVariable: String) -> Bool {
        ProcessInfo.processInfo.environment[baselineVariable] != "1" && flags.allSatisfy(all.contains)
    }
}
