import Foundation

/// Why a chart cannot be drawn.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    case emptySeries
    case lengthMismatch(column: String, count: Int, expected: Int)
    case nonFiniteValue(column: String, index: Int)
    case noValues
    case imageTooSmall(width: Int, height: Int)

    public var description: String {
        switch self {
        case .emptySeries: return "the series has no points"
        case let .lengthMismatch(column, count, expected): return "column \(column) has \(count) values, expected \(expected)"
        case let .nonFiniteValue(column, index): return "column \(column) value \(index) is not a finite number"
        case .noValues: return "every value is missing; nothing to plot"
        case let .imageTooSmall(width, height): return "a \(width)x\(height) image is too small for a chart (minimum 200x150)"
        }
    }
}

/// Actual values, forecasts and a prediction band over the same points in time; nil marks a
/// missing value (no actual yet, no forecast for that hour).
public struct ForecastSeries: Sendable {
    public var labels: [String]
    public var actual: [Double?]
    public var forecast: [Double?]
    public var lower: [Double?]
    public var upper: [Double?]

    public init(labels: [String], actual: [Double?], forecast: [Double?], lower: [Double?], upper: [Double?]) {
        self.labels = labels
        self.actual = actual
        self.forecast = forecast
        self.lower = lower
        self.upper = upper
    }

    var count: Int { labels.count }

    func validate() throws {
        guard count > 0 else { throw PlotError.emptySeries }
        for (name, column) in [("actual", actual), ("forecast", forecast), ("lower", lower), ("upper", upper)] {
            guard column.count == count else { throw PlotError.lengthMismatch(column: name, count: column.count, expected: count) }
            if let bad = column.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) {
                throw PlotError.nonFiniteValue(column: name, index: bad)
            }
        }
        guard allValues.contains(where: { _ in true }) else { throw PlotError.noValues }
    }

    var allValues: [Double] { (actual + forecast + lower + upper).compactMap { $0 } }
}

/// Where the plot area lies and how data map to pixels; exposed so tests (and callers that
/// annotate the image) can find a data point's pixel.
public struct ChartLayout: Sendable, Equatable {
    public let width: Int, height: Int
    public let plotLeft: Int, plotTop: Int, plotWidth: Int, plotHeight: Int
    /// The value range of the y axis (rounded out to whole tick steps).
    public let yMinimum: Double, yMaximum: Double, yStep: Double
    public let pointCount: Int

    public func pixelX(index: Double) -> Int {
        guard pointCount > 1 else { return plotLeft + plotWidth / 2 }
        return plotLeft + Int((index * Double(plotWidth - 1) / Double(pointCount - 1)).rounded())
    }

    public func pixelY(value: Double) -> Int {
        plotTop + Int(((yMaximum - value) / (yMaximum - yMinimum) * Double(plotHeight - 1)).rounded())
    }
}

/// A raster line chart of a forecast: the actual series, the forecast, and the prediction band
/// shaded between lower and upper; y axis with ticks at 1-2-5 steps and a light grid, x axis
/// with labels from the series, a title and a legend above the plot area.
public struct ForecastChart {
    public struct Colors: Sendable {
        public var actual = RGB(31, 119, 180)
        public var forecast = RGB(230, 85, 13)
        public var band = RGB(253, 174, 107)
        /// Opacity of the band over the background and grid.
        public var bandAlpha = 0.45
        public var grid = RGB(225, 225, 225)
        public var axis = RGB.black
        public var text = RGB(40, 40, 40)
        public init() {}
    }

    public let series: ForecastSeries
    public let title: String
    public let yAxisLabel: String
    public let bandLabel: String
    public let colors: Colors
    public let layout: ChartLayout

    public init(series: ForecastSeries, title: String, yAxisLabel: String = "", bandLabel: String = "90% interval",
                width: Int = 960, height: Int = 420, colors: Colors = Colors()) throws {
        guard width >= 200, height >= 150 else { throw PlotError.imageTooSmall(width: width, height: height) }
        try series.validate()
        self.series = series
        self.title = title
        self.yAxisLabel = yAxisLabel
        self.bandLabel = bandLabel
        self.colors = colors
        let values = series.allValues
        let (lo, hi, step) = Self.niceRange(values.min()!, values.max()!)
        let labelWidth = Self.tickLabels(lo, hi, step).map { BitmapFont.width(of: $0.text) }.max() ?? 0
        let left = labelWidth + 16
        layout = ChartLayout(width: width, height: height, plotLeft: left, plotTop: 46,
                             plotWidth: width - left - 20, plotHeight: height - 46 - 36,
                             yMinimum: lo, yMaximum: hi, yStep: step, pointCount: series.count)
    }

    /// The chart as PNG bytes.
    public func png() -> [UInt8] { PNGEncoder.encode(render()) }

    public func render() -> RGBImage {
        var image = RGBImage(width: layout.width, height: layout.height)
        let l = layout
        // Grid and y tick labels.
        for tick in Self.tickLabels(l.yMinimum, l.yMaximum, l.yStep) {
            let y = l.pixelY(value: tick.value)
            image.fill(x: l.plotLeft, y: y, width: l.plotWidth, height: 1, color: colors.grid)
            image.fill(x: l.plotLeft - 5, y: y, width: 5, height: 1, color: colors.axis)
            image.text(tick.text, x: l.plotLeft - 8 - BitmapFont.width(of: tick.text), y: y - 3, color: colors.text)
        }
        drawBand(&image)
        drawLine(&image, series.actual, color: colors.actual)
        drawLine(&image, series.forecast, color: colors.forecast)
        // Axes over the data so they stay crisp.
        image.fill(x: l.plotLeft - 1, y: l.plotTop, width: 1, height: l.plotHeight + 1, color: colors.axis)
        image.fill(x: l.plotLeft - 1, y: l.plotTop + l.plotHeight, width: l.plotWidth + 1, height: 1, color: colors.axis)
        drawXTicks(&image)
        // Title centred on top, the y unit above the axis, the legend to the right.
        let titleWidth = BitmapFont.width(of: title, scale: 2)
        image.text(title, x: (l.width - titleWidth) / 2, y: 8, color: colors.text, scale: 2)
        if !yAxisLabel.isEmpty { image.text(yAxisLabel, x: 8, y: l.plotTop - 16, color: colors.text) }
        drawLegend(&image)
        return image
    }

    private func drawBand(_ image: inout RGBImage) {
        let l = layout
        guard series.count > 1 else { return }
        for px in l.plotLeft..<(l.plotLeft + l.plotWidth) {
            let t = Double(px - l.plotLeft) * Double(series.count - 1) / Double(l.plotWidth - 1)
            let i0 = min(Int(t), series.count - 2)
            let f = t - Double(i0)
            guard let lo0 = series.lower[i0], let lo1 = series.lower[i0 + 1],
                  let hi0 = series.upper[i0], let hi1 = series.upper[i0 + 1] else { continue }
            let top = l.pixelY(value: hi0 + (hi1 - hi0) * f)
            let bottom = l.pixelY(value: lo0 + (lo1 - lo0) * f)
            for y in min(top, bottom)...max(top, bottom) { image.blend(x: px, y: y, color: colors.band, alpha: colors.bandAlpha) }
        }
    }

    private func drawLine(_ image: inout RGBImage, _ values: [Double?], color: RGB) {
        var previous: (x: Int, y: Int)?
        for (i, v) in values.enumerated() {
            guard let v else { previous = nil; continue }
            let point = (x: layout.pixelX(index: Double(i)), y: layout.pixelY(value: v))
            image.line(from: previous ?? point, to: point, color: color, thickness: 2)
            previous = point
        }
    }

    private func drawXTicks(_ image: inout RGBImage) {
        let l = layout
        let bottom = l.plotTop + l.plotHeight
        let widest = series.labels.map { BitmapFont.width(of: Self.shortLabel($0)) }.max() ?? 0
        // Room for each label plus a gap decides how many ticks fit; steps are hour-friendly.
        let fitting = max(1, l.plotWidth / max(widest + 24, 1))
        let step = [1, 2, 3, 4, 6, 12, 24, 48, 72, 168, 336, 720].first { (series.count - 1) / $0 < fitting }
            ?? max(1, series.count / fitting)
        for i in stride(from: 0, to: series.count, by: step) {
            let x = l.pixelX(index: Double(i))
            image.fill(x: x, y: bottom + 1, width: 1, height: 5, color: colors.axis)
            let label = Self.shortLabel(series.labels[i])
            // Centred under the tick, but kept inside the image at both ends.
            let labelWidth = BitmapFont.width(of: label)
            let labelX = min(max(2, x - labelWidth / 2), l.width - labelWidth - 2)
            image.text(label, x: labelX, y: bottom + 10, color: colors.text)
        }
    }

    private func drawLegend(_ image: inout RGBImage) {
        let entries: [(String, RGB, Bool)] = [("actual", colors.actual, false), ("forecast", colors.forecast, false),
                                              (bandLabel, colors.band, true)]
        let widths = entries.map { 26 + BitmapFont.width(of: $0.0) + 16 }
        var x = layout.plotLeft + layout.plotWidth - widths.reduce(0, +)
        let y = layout.plotTop - 14
        for (entry, w) in zip(entries, widths) {
            if entry.2 {
                for dy in -4...4 { for dx in 0..<20 { image.blend(x: x + dx, y: y + 3 + dy, color: entry.1, alpha: colors.bandAlpha) } }
            } else {
                image.fill(x: x, y: y + 2, width: 20, height: 2, color: entry.1)
            }
            image.text(entry.0, x: x + 26, y: y, color: colors.text)
            x += w
        }
    }

    /// "2023-06-01T13:00:00Z" (or with a space) becomes "06-01 13:00"; other labels stay.
    static func shortLabel(_ label: String) -> String {
        let c = Array(label)
        if c.count >= 16, c[4] == "-", c[7] == "-", c[10] == "T" || c[10] == " ", c[13] == ":" {
            return String(c[5..<10]) + " " + String(c[11..<16])
        }
        return label
    }

    /// Extends [lo, hi] to whole multiples of a 1-2-5 step giving about five intervals.
    static func niceRange(_ lo: Double, _ hi: Double) -> (Double, Double, Double) {
        var lo = lo, hi = hi
        if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= 1; hi += 1 }
        let rough = (hi - lo) / 5
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step, step)
    }

    static func tickLabels(_ lo: Double, _ hi: Double, _ step: Double) -> [(value: Double, text: String)] {
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        let count = Int(((hi - lo) / step).rounded())
        return (0...count).map { k in
            let v = lo + Double(k) * step
            return (v, String(format: "%.\(decimals)f", abs(v) < step / 2 ? 0 : v))
        }
    }
}
