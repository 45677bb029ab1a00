import Foundation

/// Optional instruction sets the kernels may use, read once from the CPU.
package enum CPUFeatures {
    /// Whether the AVX2 matrix kernel (`MLWideKernels`) may run: the CPU has AVX2 and
    /// MLEDGER_ML_BASELINE is not set. Both kernels give the same bits (see `WideMatMul`), so
    /// this changes speed only.
    package static let wideKernels: Bool = {
        #if arch(x86_64) && os(Linux)
        if ProcessInfo.processInfo.environment["MLEDGER_ML_BASELINE"] == "1" { return false }
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx2")
        #else
        return false
        #endif
    }()
}
