import Primitives

/// Optional instruction sets the kernels may use, read once from the CPU.
package enum CPUFeatures {
    /// Whether the AVX2 matrix kernel (`MLWideKernels`) may run: the CPU has AVX2 and
    /// MLEDGER_ML_BASELINE is not set. Both kernels give the same bits (see `WideMatMul`), so
    /// this changes speed only.
    package static let wideKernels: Bool = CPUFlags.have(["avx2"], unlessSet: "MLEDGER_ML_BASELINE")
}
