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
    static func forward(gatesAll: Tensor, weightHH: Tensor, biasHH: Tensor, initial: Tensor,
                        saving: Bool) -> (output: Tensor, saved: Saved?) {
        let batch = gatesAll.shape[0], time = gatesAll.shape[1], hidden = weightHH.shape[1]
        let g3 = 3 * hidden
        precondition(gatesAll.shape[2] == g3 && weightHH.shape[0] == g3 && biasHH.count == g3 && initial.shape == [batch, hidden],
                     "GRU layer shapes \(gatesAll.shape) \(weightHH.shape) \(biasHH.shape) \(initial.shape)")
        let transposed = weightHH.transposedLastTwo()  // [hidden, 3·hidden]
        var output = [Float](repeating: 0, count: batch * time * hidden)
        var gates = saving ? [Float](repeating: 0, count: time * batch * g3) : []
        var hiddenN = saving ? [Float](repeating: 0, count: time * batch * hidden) : []
        var previous = saving ? [Float](repeating: 0, count: time * batch * hidden) : []
        var h = initial.scalars
        var gh = [Float](repeating: 0, count: batch * g3)
        gatesAll.scalars.withUnsafeBufferPointer { gi in
            transposed.scalars.withUnsafeBufferPointer { w in
                biasHH.scalars.withUnsafeBufferPointer { bias in
                    for t in 0..<time {
                        if saving {
                            previous.withUnsafeMutableBufferPointer { p in
                                for i in 0..<(batch * hidden) { p[t * batch * hidden + i] = h[i] }
                            }
                        }
                        h.withUnsafeBufferPointer { hp in
                            gh.withUnsafeMutableBufferPointer { out in
                                MatMulKernel.multiply(hp.baseAddress!, w.baseAddress!, out.baseAddress!, m: batch, n: g3, k: hidden, accumulate: false)
                            }
                        }
                        for b in 0..<batch {
                            let giRow = (b * time + t) * g3, ghRow = b * g3, hRow = b * hidden
                            for j in 0..<hidden {
                                let r = Activation.sigmoid(gi[giRow + j] + (gh[ghRow + j] + bias[j]))
                                let z = Activation.sigmoid(gi[giRow + hidden + j] + (gh[ghRow + hidden + j] + bias[hidden + j]))
                                let ghn = gh[ghRow + 2 * hidden + j] + bias[2 * hidden + j]
                                let n = Foundation.tanh(gi[giRow + 2 * hidden + j] + r * ghn)
                                let next = (1 - z) * n + z * h[hRow + j]
                                if saving {
                                    let s = (t * batch + b) * g3
                                    gates[s + j] = r
                                    gates[s + hidden + j] = z
                                    gates[s + 2 * hidden + j] = n
                                    hiddenN[(t * batch + b) * hidden + j] = ghn
                                }
                                h[hRow + j] = next
                                output[(b * time + t) * hidden + j] = next
                            }
                        }
                    }
                }
            }
        }
        let saved = saving ? Saved(gates: gates, hiddenN: hiddenN, previous: previous) : nil
        return (Tensor(shape: [batch, time, hidden], scalars: output), saved)
    }

    /// Gradients for gatesAll, weightHH, biasHH and the initial state, given the gradient of
    /// the outputs `[batch, time, hidden]`.
    static func backward(upstream: Tensor, saved: Saved, weightHH: Tensor)
        -> (gatesAll: Tensor, weightHH: Tensor, biasHH: Tensor, initial: Tensor) {
        let batch = upstream.shape[0], time = upstream.shape[1], hidden = upstream.shape[2]
        let g3 = 3 * hidden
        var dGatesAll = [Float](repeating: 0, count: batch * time * g3)
        var dGH = [Float](repeating: 0, count: time * batch * g3)  // time-major, for the weight product
        var dhNext = [Float](repeating: 0, count: batch * hidden)
        var carried = [Float](repeating: 0, count: batch * hidden)
        upstream.scalars.withUnsafeBufferPointer { up in
            weightHH.scalars.withUnsafeBufferPointer { w in
                for t in stride(from: time - 1, through: 0, by: -1) {
                    for b in 0..<batch {
                        let s = (t * batch + b) * g3, hRow = b * hidden
                        let giRow = (b * time + t) * g3
                        for j in 0..<hidden {
                            let d = up[(b * time + t) * hidden + j] + dhNext[hRow + j]
                            let r = saved.gates[s + j], z = saved.gates[s + hidden + j], n = saved.gates[s + 2 * hidden + j]
                            let hPrev = saved.previous[(t * batch + b) * hidden + j]
                            let dn = d * (1 - z) * (1 - n * n)
                            let dz = d * (hPrev - n) * (z * (1 - z))
                            let dr = dn * saved.hiddenN[(t * batch + b) * hidden + j] * (r * (1 - r))
                            dGatesAll[giRow + j] = dr
                            dGatesAll[giRow + hidden + j] = dz
                            dGatesAll[giRow + 2 * hidden + j] = dn
                            dGH[s + j] = dr
                            dGH[s + hidden + j] = dz
                            dGH[s + 2 * hidden + j] = dn * r
                            carried[hRow + j] = d * z
                        }
                    }
                    // dh_{t−1} = dgh_t·W_hh + dh_t ⊙ z_t
                    dGH.withUnsafeBufferPointer { g in
                        dhNext.withUnsafeMutableBufferPointer { out in
                            MatMulKernel.multiply(g.baseAddress! + t * batch * g3, w.baseAddress!, out.baseAddress!,
                                                  m: batch, n: hidden, k: g3, accumulate: false)
                        }
                    }
                    for i in 0..<(batch * hidden) { dhNext[i] += carried[i] }
                }
            }
        }
        let gradient = Tensor(shape: [time * batch, g3], scalars: dGH)
        let previous = Tensor(shape: [time * batch, hidden], scalars: saved.previous)
        let dWeight = gradient.matmul(previous, transposeSelf: true)
        let dBias = gradient.sum(axis: 0)
        return (Tensor(shape: [batch, time, g3], scalars: dGatesAll), dWeight, dBias,
                Tensor(shape: [batch, hidden], scalars: dhNext))
    }
}
