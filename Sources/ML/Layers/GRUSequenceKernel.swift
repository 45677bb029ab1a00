import Foundation

/// A whole GRU layer over time in one operation (the recurrence of `GRUCellKernel` run for
/// every step), fused because the benchmark showed the per-step graph dominated by
/// allocation, weight transposes and small nodes.
///
/// Forward: `gh_t = h_{t−1}·W_hhᵀ + b_hh`, then the cell equations with `gi_t` taken from the
/// precomputed input projections. Backward through time: the hidden-state gradient flows
/// `dh_{t−1} = dgh_t·W_hh + dh_t ⊙ z_t`, and the weight gradients are one product over all
/// steps, `dW_hh = Σ_t dgh_tᵀ·h_{t−1}`, summed in a fixed (time-major, then batch) order.
enum GRUSequenceKernel {
    /// What the backward pass needs from the forward pass.
    struct Saved {
        /// Gates r|z|n per step, `[time, batch, 3·hidden]`.
        let gates: [Float]
        /// `(W_hn·h + b_hn)` per step, `[time, batch, hidden]`.
        let hiddenN: [Float]
        /// Hidden state before each step, `[time, batch, hidden]` (h_{−1} = initial state).
        let previous: [Float]
    }

    /// Runs the layer: `gatesAll` `[batch, time, 3·hidden]`, `weightHH` `[3·hidden, hidden]`,
    /// `biasHH` `[3·hidden]`, `initial` `[batch, hidden]`; returns the outputs `[batch, time, hidden]`.
    /// `weightHHTransposed` is `weightHH` transposed when the caller keeps it (a parameter's
    /// `transposedValue`); nil transposes here.
    static func forward(gatesAll: Tensor, weightHH: Tensor, weightHHTransposed: Tensor? = nil, biasHH: Tensor, initial: Tensor,
                        saving: Bool) -> (output: Tensor, saved: Saved?) {
        let batch = gatesAll.shape[0], time = gatesAll.shape[1], hidden = weightHH.shape[1]
        let g3 = 3 * hidden
        precondition(gatesAll.shape[2] == g3 && weightHH.shape[0] == g3 && biasHH.count == g3 && initial.shape == [batch, hidden],
                     "GRU layer shapes \(gatesAll.shape) \(weightHH.shape) \(biasHH.shape) \(initial.shape)")
        let transposed = weightHHTransposed ?? weightHH.transposedLastTwo()  // [hidden, 3·hidden]
        var output = [Float].uninitialized(count: batch * time * hidden)
        var gates = saving ? [Float].uninitialized(count: time * batch * g3) : []
        var hiddenN = saving ? [Float].uninitialized(count: time * batch * hidden) : []
        var previous = saving ? [Float].uninitialized(count: time * batch * hidden) : []
        var h = initial.scalars
        var gh = [Float].uninitialized(count: batch * g3)
        gatesAll.scalars.withUnsafeBufferPointer { giBuffer in
        transposed.scalars.withUnsafeBufferPointer { wBuffer in
        biasHH.scalars.withUnsafeBufferPointer { biasBuffer in
        h.withUnsafeMutableBufferPointer { hBuffer in
        gh.withUnsafeMutableBufferPointer { ghBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
        gates.withUnsafeMutableBufferPointer { gatesBuffer in
        hiddenN.withUnsafeMutableBufferPointer { hiddenNBuffer in
        previous.withUnsafeMutableBufferPointer { previousBuffer in
            let gi = giBuffer.baseAddress!, w = wBuffer.baseAddress!, bias = biasBuffer.baseAddress!
            let hAll = hBuffer.baseAddress!, ghAll = ghBuffer.baseAddress!, out = outBuffer.baseAddress!
            let gatesBase = gatesBuffer.baseAddress, hiddenNBase = hiddenNBuffer.baseAddress, previousBase = previousBuffer.baseAddress
            // Each batch row's recurrence is independent of the others, so threads take whole
            // rows for all time steps: no synchronisation inside the sequence, and every
            // element is computed exactly as on one thread.
            ComputeThreads.parallelChunks(total: batch, granule: MatMulKernel.rowGranule, cost: batch * time * g3 * hidden) { rows in
                ComputeThreads.withCount(1) {
                    let count = rows.count, first = rows.lowerBound
                    let hp = hAll + first * hidden, ghp = ghAll + first * g3
                    for t in 0..<time {
                        if saving { (previousBase! + (t * batch + first) * hidden).update(from: hp, count: count * hidden) }
                        MatMulKernel.multiply(hp, w, ghp, m: count, n: g3, k: hidden, accumulate: false)
                        for b in rows {
                            let giRow = gi + (b * time + t) * g3, ghRow = ghAll + b * g3, hRow = hAll + b * hidden
                            let outRow = out + (b * time + t) * hidden
                            let savedGates = saving ? gatesBase! + (t * batch + b) * g3 : nil
                            let savedN = saving ? hiddenNBase! + (t * batch + b) * hidden : nil
                            var j = 0
                            while j + 8 <= hidden {
                                let r = FastMath.sigmoid(load8(giRow + j) + (load8(ghRow + j) + load8(bias + j)))
                                let z = FastMath.sigmoid(load8(giRow + hidden + j) + (load8(ghRow + hidden + j) + load8(bias + hidden + j)))
                                let ghn = load8(ghRow + 2 * hidden + j) + load8(bias + 2 * hidden + j)
                                let n = FastMath.tanh(load8(giRow + 2 * hidden + j) + r * ghn)
                                let next = (1 - z) * n + z * load8(hRow + j)
                                if let savedGates, let savedN {
                                    store8(r, savedGates + j)
                                    store8(z, savedGates + hidden + j)
                                    store8(n, savedGates + 2 * hidden + j)
                                    store8(ghn, savedN + j)
                                }
                                store8(next, hRow + j)
                                store8(next, outRow + j)
                                j += 8
                            }
                            while j < hidden {
                                let r = FastMath.sigmoid(giRow[j] + (ghRow[j] + bias[j]))
                                let z = FastMath.sigmoid(giRow[hidden + j] + (ghRow[hidden + j] + bias[hidden + j]))
                                let ghn = ghRow[2 * hidden + j] + bias[2 * hidden + j]
                                let n = FastMath.tanh(giRow[2 * hidden + j] + r * ghn)
                                let next = (1 - z) * n + z * hRow[j]
                                if let savedGates, let savedN {
                                    savedGates[j] = r
                                    savedGates[hidden + j] = z
                                    savedGates[2 * hidden + j] = n
                                    savedN[j] = ghn
                                }
                                hRow[j] = next
                                outRow[j] = next
                                j += 1
                            }
                        }
                    }
                }
            }
        }}}}}}}}}
        let saved = saving ? Saved(gates: gates, hiddenN: hiddenN, previous: previous) : nil
        return (Tensor(shape: [batch, time, hidden], scalars: output), saved)
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Gradients for gatesAll, weightHH, biasHH and the initial state, given the gradient of
    /// the outputs `[batch, time, hidden]`.
    static func backward(upstream: Tensor, saved: Saved, weightHH: Tensor)
        -> (gatesAll: Tensor, weightHH: Tensor, biasHH: Tensor, initial: Tensor) {
        let batch = upstream.shape[0], time = upstream.shape[1], hidden = upstream.shape[2]
        let g3 = 3 * hidden
        var dGatesAll = [Float].uninitialized(count: batch * time * g3)
        var dGH = [Float].uninitialized(count: time * batch * g3)  // time-major, for the weight product
        var dhNext = [Float](repeating: 0, count: batch * hidden)
        var carried = [Float].uninitialized(count: batch * hidden)
        upstream.scalars.withUnsafeBufferPointer { upBuffer in
        weightHH.scalars.withUnsafeBufferPointer { wBuffer in
        saved.gates.withUnsafeBufferPointer { gatesBuffer in
        saved.hiddenN.withUnsafeBufferPointer { hiddenNBuffer in
        saved.previous.withUnsafeBufferPointer { previousBuffer in
        dGatesAll.withUnsafeMutableBufferPointer { dGatesBuffer in
        dGH.withUnsafeMutableBufferPointer { dGHBuffer in
        dhNext.withUnsafeMutableBufferPointer { dhNextBuffer in
        carried.withUnsafeMutableBufferPointer { carriedBuffer in
            let up = upBuffer.baseAddress!, w = wBuffer.baseAddress!
            let dhn = dhNextBuffer.baseAddress!, carry = carriedBuffer.baseAddress!
            let gatesBase = gatesBuffer.baseAddress!, hiddenNBase = hiddenNBuffer.baseAddress!, previousBase = previousBuffer.baseAddress!
            let dGatesBase = dGatesBuffer.baseAddress!, dGHBase = dGHBuffer.baseAddress!
            // As in the forward pass, rows are independent through time: threads take whole rows.
            ComputeThreads.parallelChunks(total: batch, granule: MatMulKernel.rowGranule, cost: batch * time * g3 * hidden) { rows in
                ComputeThreads.withCount(1) {
                    for t in stride(from: time - 1, through: 0, by: -1) {
                        for b in rows {
                            let s = (t * batch + b) * g3, hRow = b * hidden, stepRow = (t * batch + b) * hidden
                            let gates = gatesBase + s, ghn = hiddenNBase + stepRow
                            let hPrev = previousBase + stepRow
                            let dgi = dGatesBase + (b * time + t) * g3, dgh = dGHBase + s
                            let upRow = up + (b * time + t) * hidden
                            for j in 0..<hidden {
                                let d = upRow[j] + dhn[hRow + j]
                                let r = gates[j], z = gates[hidden + j], n = gates[2 * hidden + j]
                                let dn = d * (1 - z) * (1 - n * n)
                                let dz = d * (hPrev[j] - n) * (z * (1 - z))
                                let dr = dn * ghn[j] * (r * (1 - r))
                                dgi[j] = dr
                                dgi[hidden + j] = dz
                                dgi[2 * hidden + j] = dn
                                dgh[j] = dr
                                dgh[hidden + j] = dz
                                dgh[2 * hidden + j] = dn * r
                                carry[hRow + j] = d * z
                            }
                        }
                        // dh_{t−1} = dgh_t·W_hh + dh_t ⊙ z_t
                        let first = rows.lowerBound
                        MatMulKernel.multiply(dGHBase + (t * batch + first) * g3, w, dhn + first * hidden,
                                              m: rows.count, n: hidden, k: g3, accumulate: false)
                        for i in (first * hidden)..<(rows.upperBound * hidden) { dhn[i] += carry[i] }
                    }
                }
            }
        }}}}}}}}}
        let gradient = Tensor(shape: [time * batch, g3], scalars: dGH)
        let previous = Tensor(shape: [time * batch, hidden], scalars: saved.previous)
        let dWeight = gradient.matmul(previous, transposeSelf: true)
        let dBias = gradient.sum(axis: 0)
        return (Tensor(shape: [batch, time, g3], scalars: dGatesAll), dWeight, dBias,
                Tensor(shape: [batch, hidden], scalars: dhNext))
    }
}
