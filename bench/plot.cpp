#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chart_style.hpp"
#include "svg.hpp"

namespace gemmlab::bench {
namespace {

struct Series {
  std::string label;
  std::string isa;
  int threads = 1;
  std::string colour;
  int marker = 0;
  std::vector<Point> data;  // (N, GFLOP/s)
};

// A tick step of 1, 2 or 5 times a power of ten giving at most `max_ticks`.
double nice_step(double range, int max_ticks) {
  const double raw = range / max_ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) return m * power;
  return 10 * power;
}

}  // namespace

std::string gemm_plot_svg(const std::vector<GemmRow>& rows, const PeakTable& peaks, const PlotLabels& labels) {
  // ---- the series: one per (kernel, threads), square shapes only ----
  std::vector<Series> series;
  std::vector<std::string> kernel_order;
  std::vector<int> thread_order;
  for (const GemmRow& r : rows) {
    if (r.skipped || !r.check_passed || !r.shape.square()) continue;
    auto it = std::find_if(series.begin(), series.end(), [&](const Series& s) {
      return s.label.starts_with(r.name + ",") && s.threads == r.threads;
    });
    if (it == series.end()) {
      Series s;
      s.label = r.name;
      s.label.append(", ").append(std::to_string(r.threads)).append(r.threads == 1 ? " thread" : " threads");
      s.isa = r.peak_isa;
      s.threads = r.threads;
      series.push_back(s);
      it = series.end() - 1;
    }
    it->data.push_back({double(r.shape.m), r.gflops});
    if (std::find(kernel_order.begin(), kernel_order.end(), r.name) == kernel_order.end())
      kernel_order.push_back(r.name);
    if (std::find(thread_order.begin(), thread_order.end(), r.threads) == thread_order.end())
      thread_order.push_back(r.threads);
  }
  // Colour by kernel, lighter for each further thread count; marker shape by
  // thread count. So a kernel's 1- and 2-thread lines read as a pair.
  for (Series& one : series) {
    const std::string kernel = one.label.substr(0, one.label.find(','));
    const auto kernel_index =
        static_cast<std::size_t>(std::find(kernel_order.begin(), kernel_order.end(), kernel) - kernel_order.begin());
    const auto thread_index = std::find(thread_order.begin(), thread_order.end(), one.threads) - thread_order.begin();
    one.colour = lighter(palette[kernel_index % palette_size], std::min(0.4 * double(thread_index), 0.8));
    one.marker = static_cast<int>(thread_index);
    std::sort(one.data.begin(), one.data.end(), [](Point a, Point b) { return a.x < b.x; });
  }

  // ---- the peak lines: each (ISA, threads) a plotted series is compared with ----
  struct PeakLine {
    std::string label;
    std::string colour;
    double gflops;
    double label_y = 0;
  };
  std::vector<PeakLine> peak_lines;
  for (const Series& s : series) {
    const double g = peaks.gflops(s.isa, s.threads);
    if (g <= 0) continue;
    std::string label = isa_title(s.isa);
    label.append(" peak, ").append(std::to_string(s.threads)).append(s.threads == 1 ? " thread: " : " threads: ");
    label.append(fixed(g, g < 10 ? 1 : 0));
    if (std::none_of(peak_lines.begin(), peak_lines.end(), [&](const PeakLine& p) { return p.label == label; }))
      peak_lines.push_back({label, s.colour, g});
  }

  // ---- geometry ----
  // The legend goes under the plot, in up to four columns, so it never hides data.
  const std::size_t legend_columns = std::min<std::size_t>(4, std::max<std::size_t>(1, series.size()));
  const std::size_t legend_rows = (series.size() + legend_columns - 1) / legend_columns;
  const double legend_row_h = 20;
  const double width = 1100, height = 620 + legend_row_h * double(legend_rows);
  const double left = 80, right = 215, top = 70, bottom = 80 + legend_row_h * double(legend_rows);
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double x_min = 4, x_max = 2048;
  double y_max = 1;
  bool any = false;
  for (const Series& s : series)
    for (const Point& p : s.data) {
      if (!any) x_min = x_max = p.x;
      any = true;
      x_min = std::min(x_min, p.x);
      x_max = std::max(x_max, p.x);
      y_max = std::max(y_max, p.y);
    }
  for (const PeakLine& p : peak_lines) y_max = std::max(y_max, p.gflops);
  // Powers of two just around the data, so the ticks sit at the ends.
  const double lx_min = std::floor(std::log2(x_min)), lx_max = std::max(std::ceil(std::log2(x_max)), lx_min + 1);
  const double y_step = nice_step(y_max * 1.05, 8);
  const double y_top = std::ceil(y_max * 1.05 / y_step) * y_step;
  const auto px = [&](double n) { return left + (std::log2(n) - lx_min) / (lx_max - lx_min) * plot_w; };
  const auto py = [&](double g) { return top + plot_h - g / y_top * plot_h; };

  Svg svg(width, height);
  svg.rect(0, 0, width, height, "#ffffff");
  svg.text({width / 2, 30}, labels.title, {17, "#111", Anchor::middle, true});
  svg.text({width / 2, 50}, labels.subtitle, {12, "#555", Anchor::middle});

  // Grid and axes.
  const Stroke grid{"#e4e4e4", 1, ""};
  const Stroke axis{"#444", 1.2, ""};
  const int y_ticks = static_cast<int>(std::lround(y_top / y_step));
  for (int tick = 0; tick <= y_ticks; ++tick) {
    const double g = tick * y_step;
    svg.line({left, py(g)}, {left + plot_w, py(g)}, grid);
    svg.text({left - 8, py(g) + 4}, fixed(g, y_step < 1 ? 1 : 0), {12, "#333", Anchor::end});
  }
  for (int power = static_cast<int>(lx_min); power <= static_cast<int>(lx_max); ++power) {
    const double n = std::exp2(power);
    svg.line({px(n), top}, {px(n), top + plot_h}, grid);
    svg.text({px(n), top + plot_h + 20}, fixed(n, 0), {12, "#333", Anchor::middle});
  }
  svg.line({left, top + plot_h}, {left + plot_w, top + plot_h}, axis);
  svg.line({left, top}, {left, top + plot_h}, axis);
  svg.text({left + plot_w / 2, top + plot_h + 46}, "matrix size N (M = N = K, log scale)",
           {14, "#222", Anchor::middle});
  svg.text({24, top + plot_h / 2}, "GFLOP/s (2·N³ / time, median)", {14, "#222", Anchor::middle, false, -90});

  // Peak lines, labels to the right of the plot, pushed apart when close.
  std::sort(peak_lines.begin(), peak_lines.end(),
            [](const PeakLine& a, const PeakLine& b) { return a.gflops > b.gflops; });
  double previous_y = -1e9;
  for (PeakLine& p : peak_lines) {
    p.label_y = std::max(py(p.gflops) + 4, previous_y + 15);
    previous_y = p.label_y;
  }
  for (const PeakLine& p : peak_lines) {
    svg.line({left, py(p.gflops)}, {left + plot_w, py(p.gflops)}, {p.colour, 1.5, "7 5"});
    svg.text({left + plot_w + 8, p.label_y}, p.label, {12, p.colour, Anchor::start});
  }

  // The data.
  for (const Series& s : series) {
    std::vector<Point> pts;
    for (const Point& d : s.data) pts.push_back({px(d.x), py(d.y)});
    svg.polyline(pts, {s.colour, 2, ""});
    for (const Point& p : pts) svg.marker(p, s.marker, 8, s.colour);
  }

  // Legend, under the axis label.
  const double legend_top = top + plot_h + 72, column_w = plot_w / double(legend_columns);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double x = left + column_w * double(i % legend_columns);
    const std::size_t row = i / legend_columns;  // whole rows, then the column
    const double y = legend_top + legend_row_h * double(row);
    svg.line({x, y}, {x + 28, y}, {series[i].colour, 2, ""});
    svg.marker({x + 14, y}, series[i].marker, 8, series[i].colour);
    svg.text({x + 36, y + 4}, series[i].label, {12, "#222", Anchor::start});
  }
  if (series.empty())
    svg.text({left + plot_w / 2, top + plot_h / 2}, "no square sizes measured", {14, "#888", Anchor::middle});
  return svg.str();
}

}  // namespace gemmlab::bench
