import Foundation

/// Small inline SVG charts for the HTML report: paired bars (expected vs actual) and a line over hours.
enum SVGChart {
    static let width = 420.0
    static let height = 160.0
    static let margin = 28.0

    /// Two bar series side by side per bin (proportions), with the bins' labels as tooltips.
    static func pairedBars(labels: [String], expected: [Double], actual: [Double]) -> String {
        let p = proportions(actual), q = proportions(expected)
        let n = max(labels.count, 1)
        let top = max(p.max() ?? 0, q.max() ?? 0, 1e-12)
        let plotWidth = width - 2 * margin, plotHeight = height - 2 * margin
        let slot = plotWidth / Double(n)
        var out = svgOpen()
        out.reserveCapacity(out.utf8.count + 400 + 2 * 200 * n)
        out += axis()
        for i in 0..<min(n, labels.count) {
            let x = margin + Double(i) * slot
            let label = escape(labels[i])
            bar(&out, css: "expected", x: x + 0.08 * slot, width: slot * 0.42, value: q[safe: i] ?? 0, top: top, plotHeight: plotHeight, label: label)
            bar(&out, css: "actual", x: x + 0.5 * slot, width: slot * 0.42, value: p[safe: i] ?? 0, top: top, plotHeight: plotHeight, label: label)
        }
        out += "<text x=\"\(c(margin))\" y=\"14\" class=\"legend\"><tspan class=\"expected-text\">■ expected</tspan> <tspan class=\"actual-text\">■ actual</tspan> (max \(f(top * 100))%)</text>"
        return out + "</svg>"
    }

    /// One bar of `pairedBars`, appended piece by piece (a report draws thousands).
    private static func bar(_ out: inout String, css: String, x: Double, width: Double, value: Double, top: Double,
                            plotHeight: Double, label: String) {
        let h = value / top * plotHeight
        out += "<rect class=\""
        out += css
        out += "\" x=\""
        appendC(x, to: &out)
        out += "\" y=\""
        appendC(height - margin - h, to: &out)
        out += "\" width=\""
        appendC(width, to: &out)
        out += "\" height=\""
        appendC(h, to: &out)
        out += "\"><title>"
        out += label
        out += ": "
        out += css
        out += " "
        appendF(value * 100, to: &out)
        out += "%</title></rect>"
    }

    /// One line per series over the points' x positions (hours); gaps where a value is missing.
    static func lines(title: String, xLabels: [String], series: [(name: String, css: String, values: [Double?])]) -> String {
        let all = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        var out = svgOpen()
        out += axis()
        out += "<text x=\"\(c(margin))\" y=\"14\" class=\"legend\">\(escape(title))"
        for s in series { out += " <tspan class=\"\(s.css)-text\">— \(escape(s.name))</tspan>" }
        out += "</text>"
        guard let low = all.min(), let high = all.max() else {
            return out + "<text x=\"\(c(width / 2 - 30))\" y=\"\(c(height / 2))\" class=\"legend\">no data</text></svg>"
        }
        let span = high - low > 0 ? high - low : max(abs(high), 1)
        let base = high - low > 0 ? low : high - span / 2
        let n = max(xLabels.count, 1)
        let plotWidth = width - 2 * margin, plotHeight = height - 2 * margin
        func xPos(_ i: Int) -> Double { n == 1 ? margin + plotWidth / 2 : margin + Double(i) / Double(n - 1) * plotWidth }
        func yPos(_ v: Double) -> Double { height - margin - (v - base) / span * plotHeight }
        for s in series {
            var path = ""
            var pen = false
            for (i, value) in s.values.enumerated() {
                guard let value, value.isFinite else { pen = false; continue }
                path += "\(pen ? "L" : "M")\(c(xPos(i))),\(c(yPos(value))) "
                pen = true
                out += "<circle class=\"\(s.css)\" cx=\"\(c(xPos(i)))\" cy=\"\(c(yPos(value)))\" r=\"2.5\"><title>\(escape(xLabels[safe: i] ?? "")): \(f(value))</title></circle>"
            }
            if !path.isEmpty { out += "<path class=\"\(s.css) line\" d=\"\(path)\"/>" }
        }
        out += "<text x=\"2\" y=\"\(c(margin + 4))\" class=\"tick\">\(f(base + span))</text>"
        out += "<text x=\"2\" y=\"\(c(height - margin))\" class=\"tick\">\(f(base))</text>"
        if let first = xLabels.first { out += "<text x=\"\(c(margin))\" y=\"\(c(height - 8))\" class=\"tick\">\(escape(first))</text>" }
        if xLabels.count > 1, let last = xLabels.last {
            out += "<text x=\"\(c(width - margin))\" y=\"\(c(height - 8))\" text-anchor=\"end\" class=\"tick\">\(escape(last))</text>"
        }
        return out + "</svg>"
    }

    static func svgOpen() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\">"
    }

    static func axis() -> String {
        "<line class=\"axis\" x1=\"\(c(margin))\" y1=\"\(c(height - margin))\" x2=\"\(c(width - margin))\" y2=\"\(c(height - margin))\"/>"
            + "<line class=\"axis\" x1=\"\(c(margin))\" y1=\"\(c(margin))\" x2=\"\(c(margin))\" y2=\"\(c(height - margin))\"/>"
    }

    static func proportions(_ counts: [Double]) -> [Double] {
        let total = counts.reduce(0, +)
        return total > 0 ? counts.map { $0 / total } : counts.map { _ in 0 }
    }

    /// A short, locale-independent number (4 significant digits), without Foundation's formatter
    /// (a report calls this tens of thousands of times).
    static func f(_ x: Double) -> String {
        var out = ""
        appendF(x, to: &out)
        return out
    }

    /// `f(x)` appended to `out`.
    static func appendF(_ x: Double, to out: inout String) {
        guard x.isFinite else { out += "0"; return }
        if x == x.rounded() && abs(x) < 1e9 { out += String(Int64(x)); return }
        let magnitude = abs(x)
        guard magnitude >= 1e-3 && magnitude < 1e9 else { out += String(format: "%.4g", x); return }
        let decimals = max(0, 3 - Int(log10(magnitude).rounded(.down)))
        appendFixed(x, decimals: decimals, to: &out)
    }

    /// One decimal: SVG coordinates.
    static func c(_ x: Double) -> String {
        var out = ""
        appendC(x, to: &out)
        return out
    }

    /// `c(x)` appended to `out`.
    static func appendC(_ x: Double, to out: inout String) {
        if x.isFinite { appendFixed(x, decimals: 1, to: &out) } else { out += "0" }
    }

    /// x with `decimals` digits after the point, trailing zeros dropped.
    static func fixed(_ x: Double, decimals: Int) -> String {
        var out = ""
        appendFixed(x, decimals: decimals, to: &out)
        return out
    }

    /// `fixed(x, decimals:)` appended to `out`.
    static func appendFixed(_ x: Double, decimals: Int, to out: inout String) {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(x) * Double(scale)).rounded())
        let whole = scaled / scale
        var fraction = scaled % scale
        var places = decimals
        while places > 0 && fraction % 10 == 0 { fraction /= 10; places -= 1 }
        if x < 0 && scaled != 0 { out += "-" }
        out += String(whole)
        guard places > 0 else { return }
        out += "."
        let digits = String(fraction)
        for _ in digits.count..<places { out += "0" }
        out += digits
    }
}

/// Text safe inside HTML/SVG elements and attributes. Works on UTF-8 bytes (the five characters it
/// replaces are ASCII, so no multi-byte sequence is touched); text without them comes back as it is.
func escape(_ text: String) -> String {
    func special(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }
    guard text.utf8.contains(where: special) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "&"): out += "&amp;".utf8
        case UInt8(ascii: "<"): out += "&lt;".utf8
        case UInt8(ascii: ">"): out += "&gt;".utf8
        case UInt8(ascii: "\""): out += "&quot;".utf8
        case UInt8(ascii: "'"): out += "&#39;".utf8
        default: out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
