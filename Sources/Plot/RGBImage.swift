/// An 8-bit sRGB colour.
public struct RGB: Equatable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)

    /// `self` laid over `background` with opacity `alpha` in [0, 1], rounded per channel.
    public func blended(over background: RGB, alpha: Double) -> RGB {
        func mix(_ f: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(f) * alpha + Double(b) * (1 - alpha)).rounded()) }
        return RGB(mix(r, background.r), mix(g, background.g), mix(b, background.b))
    }
}

/// A raster of RGB pixels, row-major from the top-left corner, with the drawing operations the
/// charts need. Drawing outside the image is clipped silently.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    /// Three bytes per pixel, rows top to bottom.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "image must have a positive size")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get {
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        for row in max(0, y)..<min(height, y + h) where w > 0 {
            for column in max(0, x)..<min(width, x + w) { self[column, row] = color }
        }
    }

    /// Blends `color` at `alpha` over what is already there (for translucent bands).
    public mutating func blend(x: Int, y: Int, color: RGB, alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        self[x, y] = color.blended(over: self[x, y], alpha: alpha)
    }

    /// A straight line from (x0, y0) to (x1, y1) (Bresenham), each point a square of side
    /// `thickness` centred on the line.
    public mutating func line(from p0: (x: Int, y: Int), to p1: (x: Int, y: Int), color: RGB, thickness: Int = 1) {
        var x = p0.x, y = p0.y
        let dx = abs(p1.x - x), dy = -abs(p1.y - y)
        let sx = x < p1.x ? 1 : -1, sy = y < p1.y ? 1 : -1
        var error = dx + dy
        let offset = (thickness - 1) / 2
        while true {
            fill(x: x - offset, y: y - offset, width: thickness, height: thickness, color: color)
            if x == p1.x && y == p1.y { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Text in the built-in 5×7 font with its top-left corner at (x, y), each font pixel drawn
    /// as a `scale`×`scale` square.
    public mutating func text(_ string: String, x: Int, y: Int, color: RGB, scale: Int = 1) {
        var cursor = x
        for character in string {
            let rows = BitmapFont.glyph(character)
            for (r, bits) in rows.enumerated() {
                for c in 0..<BitmapFont.glyphWidth where bits >> (BitmapFont.glyphWidth - 1 - c) & 1 == 1 {
                    fill(x: cursor + c * scale, y: y + r * scale, width: scale, height: scale, color: color)
                }
            }
            cursor += BitmapFont.advance * scale
        }
    }
}
