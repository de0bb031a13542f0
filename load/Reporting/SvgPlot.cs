using System.Globalization;
using System.Net;
using System.Text;

namespace SmsGateway.Load.Reporting;

/// <summary>Draws simple line plots as inline SVG (no script, no external resources).</summary>
public static class SvgPlot
{
    private const int Width = 760, Height = 300, Left = 64, Right = 150, Top = 28, Bottom = 44;

    /// <summary>A named series of (x, y) points drawn in <paramref name="Color"/>.</summary>
    public sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

    /// <summary>Draws <paramref name="series"/>; <paramref name="xTicks"/> gives x tick positions and labels (null = automatic linear ticks).</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, IReadOnlyList<(double X, string Label)>? xTicks = null)
    {
        var pts = series.SelectMany(s => s.Points).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{Esc(title)}</text>");
        if (pts.Count == 0) return sb.Append("<text x=\"300\" y=\"150\">no data</text></svg>").ToString();
        var xMin = pts.Min(p => p.X);
        var xMax = Math.Max(pts.Max(p => p.X), xMin + 1e-9);
        var yMax = Nice(Math.Max(pts.Max(p => p.Y), 1e-6));
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * (Width - Left - Right);
        double Y(double y) => Height - Bottom - y / yMax * (Height - Top - Bottom);
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(v):F1}\" y2=\"{Y(v):F1}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{Y(v) + 4:F1}\" text-anchor=\"end\">{Fmt(v)}</text>");
        }
        var ticks = xTicks ?? [.. Enumerable.Range(0, 6).Select(i => (xMin + (xMax - xMin) * i / 5, Fmt(xMin + (xMax - xMin) * i / 5)))];
        foreach (var (x, label) in ticks.Where(t => t.X >= xMin - 1e-9 && t.X <= xMax + 1e-9))
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(x):F1}\" x2=\"{X(x):F1}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/><text x=\"{X(x):F1}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\">{Esc(label)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Esc(yLabel)}</text>");
        var legendY = Top + 10;
        foreach (var s in series.Where(s => s.Points.Count > 0))
        {
            var path = string.Join(" ", s.Points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{X(p.X):F1},{Y(p.Y):F1}")));
            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.6\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Width - Right + 10}\" x2=\"{Width - Right + 28}\" y1=\"{legendY}\" y2=\"{legendY}\" stroke=\"{s.Color}\" stroke-width=\"3\"/><text x=\"{Width - Right + 32}\" y=\"{legendY + 4}\">{Esc(s.Name)}</text>");
            legendY += 16;
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>The x position of percentile <paramref name="p"/> on a "1 / (1 − p)" axis: log10 of 1/(1−p/100).</summary>
    public static double PercentileX(double p) => Math.Log10(1 / (1 - Math.Min(p, 99.9999) / 100));

    /// <summary>Percentiles sampled for distribution plots (0 … 99.999, denser towards the tail).</summary>
    public static IEnumerable<double> PlotPercentiles() => Enumerable.Range(0, 51).Select(k => 100 * (1 - Math.Pow(10, -k / 10.0)));

    /// <summary>Tick labels for the percentile axis.</summary>
    public static readonly (double X, string Label)[] PercentileTicks =
        [(PercentileX(0), "0%"), (PercentileX(90), "90%"), (PercentileX(99), "99%"), (PercentileX(99.9), "99.9%"), (PercentileX(99.99), "99.99%"), (PercentileX(99.999), "99.999%")];

    private static double Nice(double v)
    {
        var exp = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 }) if (m * exp >= v) return m * exp;
        return 10 * exp;
    }

    private static string Fmt(double v) => v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "0.###", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
