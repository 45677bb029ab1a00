import Foundation

/// Runs `body` repeatedly for about `seconds` and returns the median seconds per call
/// over several rounds, so one noisy round on a shared machine does not set the figure.
func measure(seconds: Double = 0.5, rounds: Int = 5, _ body: () -> Void) -> Double {
    body()  // warm-up: caches, lazy initialisation
    var perCall = [Double]()
    let roundBudget = seconds / Double(rounds)
    for _ in 0..<rounds {
        var iterations = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed: UInt64 = 0
        repeat {
            body()
            iterations += 1
            elapsed = DispatchTime.now().uptimeNanoseconds - start
        } while Double(elapsed) / 1e9 < roundBudget
        perCall.append(Double(elapsed) / 1e9 / Double(iterations))
    }
    perCall.sort()
    return perCall[perCall.count / 2]
}

/// Nearest-rank percentile (`p` in 0...100) of ascending `sorted` values; 0 when there are none.
/// The one definition every latency row of the benchmarks uses.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// Prints one aligned row: name, figure, unit, and the reference if any.
func report(_ name: String, _ value: Double, _ unit: String, reference: String = "") {
    let figure = String(format: "%12.2f", value)
    print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(figure) \(unit.padding(toLength: 10, withPad: " ", startingAt: 0)) \(reference)")
}
