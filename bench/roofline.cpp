#include "roofline.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "chart_style.hpp"
#include "svg.hpp"

namespace gemmlab::bench {
namespace {

// Each level's colour; the load widths differ by dash.
std::string level_colour(const std::string& level) {
  if (level == "L1") return "#009E73";
  if (level == "L2") return "#0072B2";
  if (level == "L3") return "#E69F00";
  return "#D55E00";  // memory
}

// The widest loads solid, the baseline's dotted.
Stroke load_stroke(const std::string& loads, const std::string& colour) {
  if (loads == "baseline") return {colour, 1.6, "3 3"};
  return {colour, 2, ""};
}

std::string loads_title(const std::string& loads) {
  if (loads == "avx512") return "64-byte loads";
  if (loads == "avx2") return "32-byte loads";
  return "baseline loads";
}

}  // namespace

std::vector<RooflinePoint> roofline_points(const std::vector<GemmRow>& rows) {
  std::vector<RooflinePoint> points;
  for (const GemmRow& r : rows) {
    if (r.skipped || !r.check_passed || r.threads != 1 || !r.shape.square() || !r.variant.is_default() ||
        r.f32_inputs || r.kernel == Kernel::simd)
      continue;
    const double intensity = kernel_flops_per_byte(r.kernel);
    if (intensity <= 0) continue;
    auto it = std::find_if(points.begin(), points.end(), [&](const RooflinePoint& p) { return p.kernel == r.name; });
    if (it == points.end()) {
      points.push_back({r.kernel, r.name, intensity, 0, 0});
      it = points.end() - 1;
    }
    if (r.shape.n > it->n) {  // the largest size: its data comes from furthest away
      it->n = r.shape.n;
      it->gflops = r.gflops;
    }
  }
  return points;
}

std::string roofline_svg(const PeakTable& peaks, const MachineModel& model, const std::vector<RooflinePoint>& points,
                         const PlotLabels& labels) {
  // ---- the roofs ----
  struct ComputeRoof {
    std::string label;
    double gflops;
  };
  std::vector<ComputeRoof> compute;
  for (const PeakResult& p : peaks.results())
    if (p.threads == 1 && p.gflops_median > 0) compute.push_back({isa_title(p.isa), p.gflops_median});
  std::sort(compute.begin(), compute.end(),
            [](const ComputeRoof& a, const ComputeRoof& b) { return a.gflops > b.gflops; });
  const double top_roof = compute.empty() ? 1.0 : compute.front().gflops;

  // ---- geometry: log2 axes around the roofs and the points ----
  const double width = 1100, height = 720;
  const double left = 80, right = 250, top = 70, bottom = 130;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double x_lo = 1.0 / 16, x_hi = 32;
  double y_lo = 1, y_hi = top_roof * 1.5;
  for (const RooflinePoint& p : points) {
    x_lo = std::min(x_lo, p.flops_per_byte / 2);
    x_hi = std::max(x_hi, p.flops_per_byte * 2);
    if (p.gflops > 0) y_lo = std::min(y_lo, p.gflops / 2);
  }
  for (const ComputeRoof& c : compute) y_lo = std::min(y_lo, c.gflops / 2);
  const double lx_lo = std::floor(std::log2(x_lo)), lx_hi = std::ceil(std::log2(x_hi));
  const double ly_lo = std::floor(std::log2(y_lo)), ly_hi = std::ceil(std::log2(y_hi));
  const auto px = [&](double x) { return left + (std::log2(x) - lx_lo) / (lx_hi - lx_lo) * plot_w; };
  const auto py = [&](double y) { return top + plot_h - (std::log2(y) - ly_lo) / (ly_hi - ly_lo) * plot_h; };

  Svg svg(width, height);
  svg.rect(0, 0, width, height, "#ffffff");
  svg.text({width / 2, 30}, labels.title, {17, "#111", Anchor::middle, true});
  svg.text({width / 2, 50}, labels.subtitle, {12, "#555", Anchor::middle});

  const Stroke grid{"#e4e4e4", 1, ""};
  const Stroke axis{"#444", 1.2, ""};
  for (int power = static_cast<int>(ly_lo); power <= static_cast<int>(ly_hi); ++power) {
    const double y = std::exp2(power);
    svg.line({left, py(y)}, {left + plot_w, py(y)}, grid);
    svg.text({left - 8, py(y) + 4}, fixed(y, y < 1 ? 2 : 0), {12, "#333", Anchor::end});
  }
  for (int power = static_cast<int>(lx_lo); power <= static_cast<int>(lx_hi); ++power) {
    const double x = std::exp2(power);
    svg.line({px(x), top}, {px(x), top + plot_h}, grid);
    const std::string tick = power >= 0 ? fixed(x, 0) : "1/" + fixed(std::exp2(-power), 0);
    svg.text({px(x), top + plot_h + 20}, tick, {12, "#333", Anchor::middle});
  }
  svg.line({left, top + plot_h}, {left + plot_w, top + plot_h}, axis);
  svg.line({left, top}, {left, top + plot_h}, axis);
  svg.text({left + plot_w / 2, top + plot_h + 46}, "arithmetic intensity: flops per byte the kernel loads (log scale)",
           {14, "#222", Anchor::middle});
  svg.text({24, top + plot_h / 2}, "GFLOP/s, 1 thread (log scale)", {14, "#222", Anchor::middle, false, -90});

  // Compute roofs: horizontal, labelled right of the plot (pushed apart).
  double previous_y = -1e9;
  for (const ComputeRoof& c : compute) {
    svg.line({left, py(c.gflops)}, {left + plot_w, py(c.gflops)}, {"#555", 1.3, "8 4"});
    const double label_y = std::max(py(c.gflops) + 4, previous_y + 15);
    previous_y = label_y;
    svg.text({left + plot_w + 8, label_y}, c.label + " peak " + fixed(c.gflops, c.gflops < 10 ? 1 : 0),
             {12, "#333", Anchor::start});
  }

  // Bandwidth roofs: GFLOP/s = intensity x GB/s, up to the highest peak,
  // for the widest loads and the baseline's (the table in results.md has
  // every width); the key under the chart names them.
  std::vector<const BandwidthResult*> drawn;
  const std::string widest = model.bandwidth.empty() ? std::string() : model.bandwidth.front().loads;
  for (const BandwidthResult& b : model.bandwidth) {
    if (b.gbytes_per_second <= 0 || (b.loads != widest && b.loads != "baseline")) continue;
    const double x_end = std::min(x_hi, top_roof / b.gbytes_per_second);
    double x_start = std::exp2(lx_lo);
    if (b.gbytes_per_second * x_start < std::exp2(ly_lo)) x_start = std::exp2(ly_lo) / b.gbytes_per_second;
    if (x_start >= x_end) continue;
    svg.line({px(x_start), py(b.gbytes_per_second * x_start)}, {px(x_end), py(b.gbytes_per_second * x_end)},
             load_stroke(b.loads, level_colour(b.level)));
    drawn.push_back(&b);
  }

  // The kernels.
  std::vector<Point> placed_labels;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const RooflinePoint& p = points[i];
    if (p.gflops <= 0) continue;
    const std::string colour = "#111";
    const Point at{px(p.flops_per_byte), py(p.gflops)};
    svg.marker(at, static_cast<int>(i % 4), 10, colour);
    Point label{at.x + 9, at.y + 4};
    for (const Point& other : placed_labels)  // kernels of equal intensity: one label under the other
      if (std::abs(other.x - label.x) < 120 && std::abs(other.y - label.y) < 14) label.y = other.y + 14;
    placed_labels.push_back(label);
    std::string text = p.kernel;
    text.append(" (N = ")
        .append(std::to_string(p.n))
        .append(", ")
        .append(fixed(p.gflops, p.gflops < 10 ? 1 : 0))
        .append(")");
    svg.text(label, text, {12, colour, Anchor::start, true});
  }

  // The key: one entry per bandwidth roof, a column per level.
  const double key_top = top + plot_h + 74;
  std::map<std::string, int> rows_in_column;
  std::vector<std::string> columns;
  for (const BandwidthResult* b : drawn) {
    auto column = std::find(columns.begin(), columns.end(), b->level);
    if (column == columns.end()) column = columns.insert(columns.end(), b->level);
    const double x = left + 200.0 * static_cast<double>(column - columns.begin());
    const double y = key_top + 20.0 * rows_in_column[b->level]++;
    svg.line({x, y}, {x + 30, y}, load_stroke(b->loads, level_colour(b->level)));
    std::string text = b->level;
    text.append(": ").append(fixed(b->gbytes_per_second, 0)).append(" GB/s, ").append(loads_title(b->loads));
    svg.text({x + 36, y + 4}, text, {12, "#222", Anchor::start});
  }
  if (points.empty())
    svg.text({left + plot_w / 2, top + plot_h / 2}, "no kernel measured", {14, "#888", Anchor::middle});
  return svg.str();
}

}  // namespace gemmlab::bench
