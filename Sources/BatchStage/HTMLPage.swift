/// What every page of `<store>/reports/` shares: the document head (charset, viewport, title, inline CSS),
/// the base style, the closing footer, and how a number or a share is printed. The pages are
/// self-contained: inline CSS and SVG, no script, nothing fetched.
enum HTMLPage {
    /// `<!DOCTYPE html>` up to and including `<body>`; `title` is escaped here, `css` is inserted as it is.
    static func head(title: String, css: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)</style></head><body>
        """
    }

    /// The footer with `text` (already HTML), and the end of the document.
    static func end(footer text: String) -> String {
        "<footer>\(text)</footer></body></html>\n"
    }

    /// The first lines of every page's CSS: body font and colours, the heading's small part.
    static let baseCSS = """
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
        h1 small{font-weight:normal;color:#667}
        """

    /// A number with 4 significant digits (``SVGChart/f(_:)``), or `–` when missing or not finite (the text
    /// overview prints its figures the same way).
    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return SVGChart.f(x)
    }

    /// A share as a percentage (`0.25` → `25 %`), or `–` when missing or not finite.
    static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return SVGChart.f(x * 100) + " %"
    }
}
