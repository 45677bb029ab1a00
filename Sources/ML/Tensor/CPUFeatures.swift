import Primitives

/// The matrix-product kernels. All give the same bits (same products, added in the same order,
/// multiply then add), so the choice changes speed only.
package enum MatMulVariant: Sendable, CaseIterable {
    /// 6×8 SSE tiles: any x86-64 (and portable code elsewhere).
    case baseline
    /// 6×16 AVX2 tiles (`MLWideKernels`).
    case avx2
    /// 8×32 AVX-512 tiles (`MLWideKernels512`).
    case avx512

    /// Whether this CPU can run the kernel.
    package var isAvailable: Bool {
        switch self {
        case .baseline: true
        case .avx2: CPUFlags.all.contains("avx2")
        case .avx512: CPUFlags.all.isSuperset(of: ["avx2", "avx512f"])
        }
    }
}

/// Optional instruction sets the kernels may use, read once from the CPU.
package enum CPUFeatures {
    /// The widest matrix kernel the CPU runs: AVX-512 where /proc/cpuinfo lists avx512f, else
    /// AVX2 where it lists avx2, else the baseline. MLEDGER_ML_BASELINE=1 forces the baseline,
    /// MLEDGER_ML_AVX2=1 stops at AVX2 (benchmarks and tests compare the kernels that way).
    package static let matMulVariant: MatMulVariant = {
        if CPUFlags.have(["avx2", "avx512f"], unlessSet: "MLEDGER_ML_BASELINE") && CPUFlags.have([], unlessSet: "MLEDGER_ML_AVX2") {
            return .avx512
        }
        return CPUFlags.have(["avx2"], unlessSet: "MLEDGER_ML_BASELINE") ? .avx2 : .baseline
    }()
}
