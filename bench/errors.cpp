// The error study of errors.hpp: measured error against K, and its chart.
#include "errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "gemmlab/bf16.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/sbgemm.hpp"
#include "svg.hpp"

namespace gemmlab::bench {
namespace {

constexpr int kSide = 32;  // M = N

// The bound on e (errors.hpp) for float sums, and with the inputs' rounding.
double sums_bound(int K) { return gemm_error_bound(K, 1.0); }
double rounded_inputs_bound(int K) {
  const double v = bf16_unit_roundoff;
  return sums_bound(K) * (1 + v) * (1 + v) + bf16_input_rounding_bound(1.0);
}

// The largest normalised error of C against the exact product of A and B
// (as given: float, or already rounded to bf16 and back).
double max_normalised_error(const std::vector<float>& A, const std::vector<float>& B, const std::vector<float>& C,
                            int K) {
  double worst = 0;
  for (int i = 0; i < kSide; ++i)
    for (int j = 0; j < kSide; ++j) {
      double exact = 0, scale = 0;
      for (int p = 0; p < K; ++p) {
        const double x =
            double(A[static_cast<std::size_t>(i) * K + p]) * double(B[static_cast<std::size_t>(p) * kSide + j]);
        exact += x;
        scale += std::fabs(x);
      }
      if (scale > 0)
        worst = std::max(worst, std::fabs(double(C[static_cast<std::size_t>(i) * kSide + j]) - exact) / scale);
    }
  return worst;
}

std::vector<float> rounded(const std::vector<float>& x) {
  std::vector<bf16> b(x.size());
  to_bf16(x, b);
  std::vector<float> out(x.size());
  to_float(b, out);
  return out;
}

}  // namespace

std::vector<ErrorRow> run_error_study(bool progress) {
  std::vector<Kernel> bf16_kernels{Kernel::bf16_naive};
  const Kernel best = resolve_kernel(Kernel::simd, Precision::bf16);
  if (best != Kernel::bf16_naive) bf16_kernels.push_back(best);
  const std::string float_name = std::string(kernel_name(resolve_kernel(Kernel::simd)));
  std::vector<ErrorRow> rows;
  std::uint64_t seed = 7;
  for (const char* data : {"zero-mean", "positive"}) {
    for (int K = 1; K <= 8192; K *= 2) {
      if (progress) std::fputc('.', stderr);
      SplitMix64 rng(seed++);
      std::vector<float> A(static_cast<std::size_t>(kSide) * K), B(static_cast<std::size_t>(K) * kSide);
      for (float& x : A) x = data[0] == 'z' ? static_cast<float>(rng.normal()) : static_cast<float>(rng.uniform());
      for (float& x : B) x = data[0] == 'z' ? static_cast<float>(rng.normal()) : static_cast<float>(rng.uniform());
      const std::vector<float> A16 = rounded(A), B16 = rounded(B);
      std::vector<float> C(static_cast<std::size_t>(kSide) * kSide);

      sgemm(Kernel::simd, kSide, kSide, K, 1.0f, A.data(), K, B.data(), kSide, 0.0f, C.data(), kSide);
      rows.push_back({float_name, data, "float inputs", K, max_normalised_error(A, B, C, K), sums_bound(K)});
      for (Kernel k : bf16_kernels) {
        sbgemm(k, kSide, kSide, K, 1.0f, A.data(), K, B.data(), kSide, 0.0f, C.data(), kSide);  // rounds while packing
        const std::string name(kernel_name(k));
        rows.push_back({name, data, "bf16 inputs", K, max_normalised_error(A16, B16, C, K), sums_bound(K)});
        rows.push_back({name, data, "float inputs", K, max_normalised_error(A, B, C, K), rounded_inputs_bound(K)});
      }
    }
  }
  if (progress) std::fputc('\n', stderr);
  return rows;
}

void print_error_table(std::FILE* out, const std::vector<ErrorRow>& rows) {
  std::fprintf(out,
               "Rounding error against K (32 x 32 x K; the largest |C - C_exact| / sum |A||B| over C, and its "
               "bound)\n");
  std::fprintf(out, "  %-12s %-10s %-13s", "kernel", "data", "against");
  std::vector<int> ks;
  for (const ErrorRow& r : rows)
    if (std::find(ks.begin(), ks.end(), r.k) == ks.end()) ks.push_back(r.k);
  for (int k : ks)
    if (k == 1 || k == 16 || k == 256 || k == 4096 || k == 8192)
      std::fprintf(out, " %9s", ("K=" + std::to_string(k)).c_str());
  std::fprintf(out, "   bound at K=8192\n");
  for (std::size_t i = 0; i < rows.size();) {
    const ErrorRow& first = rows[i];
    std::fprintf(out, "  %-12s %-10s %-13s", first.kernel.c_str(), first.data.c_str(), first.reference.c_str());
    double last_bound = 0;
    for (std::size_t j = i; j < rows.size(); ++j) {
      const ErrorRow& r = rows[j];
      if (r.kernel != first.kernel || r.data != first.data || r.reference != first.reference) continue;
      if (r.k == 1 || r.k == 16 || r.k == 256 || r.k == 4096 || r.k == 8192) std::fprintf(out, " %9.2e", r.max_error);
      last_bound = r.bound;
    }
    std::fprintf(out, "   %9.2e\n", last_bound);
    // The next series: the next row whose (kernel, data, reference) is new.
    std::size_t next = i + 1;
    while (next < rows.size()) {
      bool seen = false;
      for (std::size_t j = 0; j < next && !seen; ++j)
        seen = rows[j].kernel == rows[next].kernel && rows[j].data == rows[next].data &&
               rows[j].reference == rows[next].reference;
      if (!seen) break;
      ++next;
    }
    i = next;
  }
  std::fprintf(out, "\n");
}

void write_error_files(const std::string& dir, const std::vector<ErrorRow>& rows, const std::string& subtitle) {
  const std::filesystem::path folder(dir);
  std::filesystem::create_directories(folder);
  {
    std::ofstream f(folder / "errors.csv");
    f << "kernel,data,reference,k,max_normalised_error,bound\n";
    for (const ErrorRow& r : rows)
      f << r.kernel << ',' << r.data << ',' << r.reference << ',' << r.k << ',' << r.max_error << ',' << r.bound
        << '\n';
    if (!f) throw std::runtime_error("cannot write '" + (folder / "errors.csv").string() + "'");
  }

  // Two panels (zero-mean, positive), log-log: K against e.
  const char* const colours[] = {"#0072B2", "#D55E00", "#E69F00", "#009E73", "#56B4E9"};
  const double width = 1100, height = 560, panel_w = 440, panel_h = 340, top = 80;
  const double lefts[] = {80, 600};
  const double y_lo = -9, y_hi = -1;  // log10 of e
  const auto px = [&](double left, double k) { return left + std::log2(k) / 13.0 * panel_w; };
  const auto py = [&](double e) {
    const double l = std::clamp(std::log10(std::max(e, 1e-12)), y_lo, y_hi);
    return top + panel_h - (l - y_lo) / (y_hi - y_lo) * panel_h;
  };
  Svg svg(width, height);
  svg.rect(0, 0, width, height, "#ffffff");
  svg.text({width / 2, 28}, "Rounding error against K: float sums, and bf16 inputs",
           {17, "#111", Anchor::middle, true});
  svg.text({width / 2, 48}, subtitle, {12, "#555", Anchor::middle});
  std::vector<std::string> series;  // "kernel|reference", in order of appearance
  for (const ErrorRow& r : rows) {
    const std::string key = r.kernel + "|" + r.reference;
    if (std::find(series.begin(), series.end(), key) == series.end()) series.push_back(key);
  }
  for (int panel = 0; panel < 2; ++panel) {
    const double left = lefts[panel];
    const std::string data = panel == 0 ? "zero-mean" : "positive";
    svg.text({left + panel_w / 2, top - 10}, panel == 0 ? "zero-mean data, N(0, 1)" : "positive data, U(0, 1)",
             {14, "#222", Anchor::middle, true});
    for (int l = static_cast<int>(y_lo); l <= static_cast<int>(y_hi); ++l) {
      svg.line({left, py(std::pow(10.0, l))}, {left + panel_w, py(std::pow(10.0, l))}, {"#e4e4e4", 1, ""});
      svg.text({left - 6, py(std::pow(10.0, l)) + 4}, "1e" + std::to_string(l), {11, "#333", Anchor::end});
    }
    for (int p = 0; p <= 13; p += 2) {
      const double k = std::exp2(p);
      svg.line({px(left, k), top}, {px(left, k), top + panel_h}, {"#e4e4e4", 1, ""});
      svg.text({px(left, k), top + panel_h + 16}, std::to_string(static_cast<int>(k)), {11, "#333", Anchor::middle});
    }
    svg.text({left + panel_w / 2, top + panel_h + 36}, "K (log scale); points on the bottom edge are exact (0)",
             {13, "#222", Anchor::middle});
    // The two bounds, dashed.
    std::vector<Point> sums, inputs;
    for (int p = 0; p <= 13; ++p) {
      sums.push_back({px(left, std::exp2(p)), py(sums_bound(1 << p))});
      inputs.push_back({px(left, std::exp2(p)), py(rounded_inputs_bound(1 << p))});
    }
    svg.polyline(sums, {"#666", 1.5, "7 5"});
    svg.polyline(inputs, {"#666", 1.5, "2 4"});
    for (std::size_t s = 0; s < series.size(); ++s) {
      std::vector<Point> pts;
      for (const ErrorRow& r : rows)
        if (r.data == data && r.kernel + "|" + r.reference == series[s])
          pts.push_back({px(left, r.k), py(r.max_error)});
      const std::string colour = colours[s % std::size(colours)];
      svg.polyline(pts, {colour, 2, ""});
      for (const Point& p : pts) svg.marker(p, static_cast<int>(s % 4), 7, colour);
    }
  }
  // Legend under the panels.
  double y = top + panel_h + 64;
  svg.line({80, y}, {108, y}, {"#666", 1.5, "7 5"});
  svg.text({116, y + 4}, "bound, float sums: 2 gamma_{K+2}", {12, "#222", Anchor::start});
  svg.line({600, y}, {628, y}, {"#666", 1.5, "2 4"});
  svg.text({636, y + 4}, "bound with the inputs rounded to bf16: + (2v + v^2), v = 2^-8", {12, "#222", Anchor::start});
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (s % 2 == 0) y += 20;
    const double x = s % 2 == 0 ? 80 : 600;
    const std::string colour = colours[s % std::size(colours)];
    svg.line({x, y}, {x + 28, y}, {colour, 2, ""});
    svg.marker({x + 14, y}, static_cast<int>(s % 4), 7, colour);
    std::string label = series[s];
    label.replace(label.find('|'), 1, ", against the exact product of its ");
    svg.text({x + 36, y + 4}, label, {12, "#222", Anchor::start});
  }
  svg.save((folder / "errors.svg").string());
}

}  // namespace gemmlab::bench
