import Foundation

/// The GRU step with PyTorch's equations, fused into one pass over the batch:
///
///     r = σ(gi_r + gh_r)      z = σ(gi_z + gh_z)
///     n = tanh(gi_n + r ⊙ gh_n)
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// where `gi = x·W_ihᵀ + b_ih` and `gh = h·W_hhᵀ + b_hh` hold the gates in the order r|z|n.
enum GRUCellKernel {
    /// Next hidden state and the saved gates r|z|n for the backward pass.
    static func forward(gi: Tensor, gh: Tensor, h: Tensor) -> (next: Tensor, saved: Tensor) {
        let batch = h.shape[0], hidden = h.shape[1]
        precondition(gi.shape == [batch, 3 * hidden] && gh.shape == gi.shape, "GRU cell shapes \(gi.shape) \(gh.shape) \(h.shape)")
        var next = [Float](repeating: 0, count: batch * hidden)
        var saved = [Float](repeating: 0, count: batch * 3 * hidden)
        gi.scalars.withUnsafeBufferPointer { pi in
            gh.scalars.withUnsafeBufferPointer { ph in
                h.scalars.withUnsafeBufferPointer { hp in
                    next.withUnsafeMutableBufferPointer { out in
                        saved.withUnsafeMutableBufferPointer { sv in
                            for b in 0..<batch {
                                let g = b * 3 * hidden, o = b * hidden
                                for j in 0..<hidden {
                                    let r = Activation.sigmoid(pi[g + j] + ph[g + j])
                                    let z = Activation.sigmoid(pi[g + hidden + j] + ph[g + hidden + j])
                                    let n = FastMath.tanh(pi[g + 2 * hidden + j] + r * ph[g + 2 * hidden + j])
                                    sv[g + j] = r
                                    sv[g + hidden + j] = z
                                    sv[g + 2 * hidden + j] = n
                                    out[o + j] = (1 - z) * n + z * hp[o + j]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [batch, hidden], scalars: next), Tensor(shape: [batch, 3 * hidden], scalars: saved))
    }

    /// Gradients with respect to gi, gh and h, given the gradient of h'.
    static func backward(upstream: Tensor, saved: Tensor, gh: Tensor, h: Tensor) -> (Tensor, Tensor, Tensor) {
        let batch = h.shape[0], hidden = h.shape[1]
        var dgi = [Float](repeating: 0, count: batch * 3 * hidden)
        var dgh = [Float](repeating: 0, count: batch * 3 * hidden)
        var dh = [Float](repeating: 0, count: batch * hidden)
        upstream.scalars.withUnsafeBufferPointer { up in
            saved.scalars.withUnsafeBufferPointer { sv in
                gh.scalars.withUnsafeBufferPointer { ph in
                    h.scalars.withUnsafeBufferPointer { hp in
                        for b in 0..<batch {
                            let g = b * 3 * hidden, o = b * hidden
                            for j in 0..<hidden {
                                let r = sv[g + j], z = sv[g + hidden + j], n = sv[g + 2 * hidden + j]
                                let d = up[o + j]
                                let dn = d * (1 - z) * (1 - n * n)
                                let dz = d * (hp[o + j] - n) * (z * (1 - z))
                                let dr = dn * ph[g + 2 * hidden + j] * (r * (1 - r))
                                dgi[g + j] = dr
                                dgi[g + hidden + j] = dz
                                dgi[g + 2 * hidden + j] = dn
                                dgh[g + j] = dr
                                dgh[g + hidden + j] = dz
                                dgh[g + 2 * hidden + j] = dn * r
                                dh[o + j] = d * z
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [batch, 3 * hidden], scalars: dgi),
                Tensor(shape: [batch, 3 * hidden], scalars: dgh),
                Tensor(shape: [batch, hidden], scalars: dh))
    }
}
