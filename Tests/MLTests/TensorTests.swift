import Foundation
import ML
import Testing

/// Tensor kernels against straightforward definitions.
struct TensorTests {
    func naiveMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        return Tensor(shape: [m, n]) { idx in
            let i = idx / n, j = idx % n
            var s: Float = 0
            for p in 0..<k { s += a.scalars[i * k + p] * b.scalars[p * n + j] }
            return s
        }
    }

    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return g.uniformTensor(shape, bound: 1)
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (4, 8, 8), (13, 17, 19), (64, 64, 192), (130, 3, 9)])
    func matmulMatchesDefinitionBitForBit(m: Int, k: Int, n: Int) {
        let a = random([m, k], seed: 1), b = random([k, n], seed: 2)
        // Same summation order as the definition, so the results are identical, not just close.
        #expect(a.matmul(b) == naiveMatmul(a, b))
        #expect(a.transposedLastTwo().matmul(b, transposeSelf: true) == naiveMatmul(a, b))
        #expect(a.matmul(b.transposedLastTwo(), transposeOther: true) == naiveMatmul(a, b))
    }

    /// The AVX2 and AVX-512 kernels give the baseline kernel's bits (weights must not depend on
    /// which one a machine runs), over tile edges, k blocks, strided left operands and `+=`.
    @Test(.enabled(if: MatMulVariant.avx2.isAvailable, "this CPU has no AVX2: only the baseline kernel exists here"),
          arguments: [(1, 1, 1), (6, 16, 16), (7, 33, 17), (128, 64, 192), (61, 1100, 40), (4608, 192, 64), (5, 3, 24),
                       // Fewer rows than a tile (the row kernel): 64-column blocks, 8-column blocks, scalar tail.
                       (1, 64, 192), (3, 70, 203),
                       // AVX-512: partial 8-row bands, 16- and 8-column tails, narrow results of a
                       // transposed operand (a one-input layer's weight gradient) with a row tail.
                       (9, 5, 47), (128, 192, 64), (192, 4608, 1), (200, 300, 3), (17, 4608, 7), (64, 64, 24)])
    func wideKernelsEqualBaselineBitForBit(m: Int, k: Int, n: Int) {
        let a = random([m, k], seed: 11), b = random([k, n], seed: 12), start = random([m, n], seed: 13)
        let aT = a.transposedLastTwo()
        let variants = MatMulVariant.allCases.filter(\.isAvailable)
        for (accumulate, transposed) in [(false, false), (true, false), (false, true), (true, true)] {
            var results: [[Float]] = []
            for variant in variants {
                var c = start.scalars
                let left = transposed ? aT.scalars : a.scalars
                left.withUnsafeBufferPointer { pa in
                    b.scalars.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            MatMulKernel.multiply(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k,
                                                  accumulate: accumulate, aRowStride: transposed ? 1 : k,
                                                  aColumnStride: transposed ? m : 1, variant: variant)
                        }
                    }
                }
                results.append(c)
            }
            // Against the definition where that is quick enough, else against the baseline.
            let expected = m * n * k <= 2_000_000
                ? naiveMatmul(left: transposed ? aT : a, transposed: transposed, b, start: accumulate ? start : nil).scalars
                : results[0]
            for (variant, result) in zip(variants, results) {
                #expect(result == expected, "\(variant) m \(m) k \(k) n \(n) accumulate \(accumulate) transposed \(transposed)")
            }
        }
    }

    /// The definition with an optional starting value and a left operand stored transposed.
    func naiveMatmul(left: Tensor, transposed: Bool, _ b: Tensor, start: Tensor?) -> Tensor {
        let m = transposed ? left.shape[1] : left.shape[0], k = transposed ? left.shape[0] : left.shape[1], n = b.shape[1]
        return Tensor(shape: [m, n]) { idx in
            let i = idx / n, j = idx % n
            var s: Float = start?.scalars[idx] ?? 0
            for p in 0..<k { s += left.scalars[transposed ? p * m + i : i * k + p] * b.scalars[p * n + j] }
            return s
        }
    }

    @Test func theWidestKernelIsChosenWhereTheCPUHasIt() {
        if ProcessInfo.processInfo.environment["MLEDGER_ML_BASELINE"] == "1" {
            #expect(CPUFeatures.matMulVariant == .baseline)
        } else if MatMulVariant.avx512.isAvailable && ProcessInfo.processInfo.environment["MLEDGER_ML_AVX2"] != "1" {
            #expect(CPUFeatures.matMulVariant == .avx512)
        } else {
            #expect(CPUFeatures.matMulVariant == (MatMulVariant.avx2.isAvailable ? .avx2 : .baseline))
        }
    }

    @Test func batchedMatmulMatchesPerEntryProducts() {
        let a = random([3, 4, 5], seed: 3), b = random([3, 5, 6], seed: 4), shared = random([5, 6], seed: 5)
        let batched = a.matmul(b), sharedProduct = a.matmul(shared)
        for e in 0..<3 {
            let ae = a.slice(axis: 0, e..<(e + 1)).reshaped([4, 5])
            #expect(batched.slice(axis: 0, e..<(e + 1)).reshaped([4, 6]) == naiveMatmul(ae, b.slice(axis: 0, e..<(e + 1)).reshaped([5, 6])))
            #expect(sharedProduct.slice(axis: 0, e..<(e + 1)).reshaped([4, 6]) == naiveMatmul(ae, shared))
        }
    }

    @Test func matmulIsIdenticalForAnyThreadCount() {
        let a = random([256, 64], seed: 6), b = random([64, 192], seed: 7)
        let one = ComputeThreads.withCount(1) { a.matmul(b) }
        for threads in [2, 3, 8] {
            #expect(ComputeThreads.withCount(threads) { a.matmul(b) } == one)
        }
    }

    @Test func broadcastingFollowsNumPyRules() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor(shape: [3], scalars: [10, 20, 30])
        let column = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * column).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect((column + row).shape == [2, 3])
        #expect((column + row).scalars == [110, 120, 130, 210, 220, 230])
        #expect(Tensor.broadcastShape([2, 3], [4]) == nil)
        #expect((a + row).summed(toShape: [3]).scalars == [25, 47, 69])
        #expect((a * column).summed(toShape: [2, 1]).scalars == [600, 3000])
    }

    @Test func layoutOperations() {
        let t = Tensor(shape: [2, 3, 2]) { Float($0) }
        #expect(t.transposedLastTwo().shape == [2, 2, 3])
        #expect(t.transposedLastTwo().scalars == [0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11])
        #expect(t.permuted([1, 0, 2]).scalars == [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11])
        let middle = t.slice(axis: 1, 1..<3)
        #expect(middle.shape == [2, 2, 2])
        #expect(middle.scalars == [2, 3, 4, 5, 8, 9, 10, 11])
        let joined = Tensor.concatenate([t.slice(axis: 1, 0..<1), middle], axis: 1)
        #expect(joined == t)
        #expect(Tensor.stack([t, t], axis: 0).shape == [2, 2, 3, 2])
        #expect(t.reshaped([3, -1]).shape == [3, 4])
    }

    @Test func reductions() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.sum().scalar == 21)
        #expect(t.mean().scalar == 3.5)
        #expect(t.sum(axis: 0).scalars == [5, 7, 9])
        #expect(t.sum(axis: 1, keepingDimension: true).shape == [2, 1])
        #expect(t.sum(axis: 1).scalars == [6, 15])
        #expect(t.mean(axis: 1).scalars == [2, 5])
    }

    @Test func copyOnWriteKeepsCopiesIndependent() {
        var a = Tensor(shape: [3], scalars: [1, 2, 3])
        let b = a
        a[flat: 0] = 9
        #expect(b.scalars == [1, 2, 3])
        #expect(a.scalars == [9, 2, 3])
    }

    @Test func generatorIsSeededAndUniform() {
        var g1 = SeededGenerator(seed: 42), g2 = SeededGenerator(seed: 42), g3 = SeededGenerator(seed: 43)
        let s1 = (0..<8).map { _ in g1.next() }, s2 = (0..<8).map { _ in g2.next() }, s3 = (0..<8).map { _ in g3.next() }
        #expect(s1 == s2)
        #expect(s1 != s3)
        var g = SeededGenerator(seed: 5)
        let values = (0..<10_000).map { _ in g.uniform(-0.5, 0.5) }
        #expect(values.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean) < 0.02)
        let p = g.permutation(50)
        #expect(p.sorted() == Array(0..<50))
        #expect(p != Array(0..<50))
    }

    @Test func initialisationBoundsFollowPyTorch() {
        var g = SeededGenerator(seed: 9)
        let linear = Linear(inputSize: 16, outputSize: 4, generator: &g)
        #expect(linear.weight.value.scalars.allSatisfy { abs($0) <= 0.25 })
        #expect(linear.bias!.value.scalars.allSatisfy { abs($0) <= 0.25 })
        let gru = GRU(inputSize: 1, hiddenSize: 64, layerCount: 2, generator: &g)
        #expect(gru.parameters.allSatisfy { $0.value.scalars.allSatisfy { abs($0) <= 0.125 } })
        #expect(gru.namedParameters.map(\.name) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"])
        #expect(gru.layers[0].weightIH.shape == [192, 1])
        #expect(gru.layers[1].weightIH.shape == [192, 64])
    }
}
