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
        out += axis()
        for i in 0..<min(n, labels.count) {
            let x = margin + Double(i) * slot
            for (offset, value, css) in [(0.08, q[safe: i] ?? 0, "expected"), (0.5, p[safe: i] ?? 0, "actual")] {
                let h = value / top * plotHeight
                out += "<rect class=\"\(css)\" x=\"\(f(x + offset * slot))\" y=\"\(f(height - margin - h))\" width=\"\(f(slot * 0.42))\" height=\"\(f(h))\"><title>\(escape(labels[i])): \(css) \(f(value * 100))%</title></rect>"
            }
        }
        out += "<text x=\"\(f(margin))\" y=\"14\" class=\"legend\"><tspan class=\"expected-text\">■ expected</tspan> <tspan class=\"actual-text\">■ actual</tspan> (max \(f(top * 100))%)</text>"
        return out + "</svg>"
    }

    /// One line per series over the points' x positions (hours); gaps where a value is missing.
    static func lines(title: String, xLabels: [String], series: [(name: String, css: String, values: [Double?])]) -> String {
        let all = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        var out = svgOpen()
        out += axis()
        out += "<text x=\"\(f(margin))\" y=\"14\" class=\"legend\">\(escape(title))"
        for s in series { out += " <tspan class=\"\(s.css)-text\">— \(escape(s.name))</tspan>" }
        out += "</text>"
        guard let low = all.min(), let high = all.max() else {
            return out + "<text x=\"\(f(width / 2 - 30))\" y=\"\(f(height / 2))\" class=\"legend\">no data</text></svg>"
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
                path += "\(pen ? "L" : "M")\(f(xPos(i))),\(f(yPos(value))) "
                pen = true
                out += "<circle class=\"\(s.css)\" cx=\"\(f(xPos(i)))\" cy=\"\(f(yPos(value)))\" r=\"2.5\"><title>\(escape(xLabels[safe: i] ?? "")): \(f(value))</title></circle>"
            }
            if !path.isEmpty { out += "<path class=\"\(s.css) line\" d=\"\(path)\"/>" }
        }
        out += "<text x=\"2\" y=\"\(f(margin + 4))\" class=\"tick\">\(f(base + span))</text>"
        out += "<text x=\"2\" y=\"\(f(height - margin))\" class=\"tick\">\(f(base))</text>"
        if let first = xLabels.first { out += "<text x=\"\(f(margin))\" y=\"\(f(height - 8))\" class=\"tick\">\(escape(first))</text>" }
        if xLabels.count > 1, let last = xLabels.last {
            out += "<text x=\"\(f(width - margin))\" y=\"\(f(height - 8))\" text-anchor=\"end\" class=\"tick\">\(escape(last))</text>"
        }
        return out + "</svg>"
    }

    static func svgOpen() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\">"
    }

    static func axis() -> String {
        "<line class=\"axis\" x1=\"\(f(margin))\" y1=\"\(f(height - margin))\" x2=\"\(f(width - margin))\" y2=\"\(f(height - margin))\"/>"
            + "<line class=\"axis\" x1=\"\(f(margin))\" y1=\"\(f(margin))\" x2=\"\(f(margin))\" y2=\"\(f(height - margin))\"/>"
    }

    static func proportions(_ counts: [Double]) -> [Double] {
        let total = counts.reduce(0, +)
        return total > 0 ? counts.map { $0 / total } : counts.map { _ in 0 }
    }

    /// A short, locale-independent number.
    static func f(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        if x == x.rounded() && abs(x) < 1e9 { return String(Int64(x)) }
        return String(format: "%.4g", x)
    }
}

/// Text safe inside HTML/SVG elements and attributes.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for ch in text {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
