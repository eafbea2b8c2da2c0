// Parsing gemmlab-bench's options. Every error names the option and the
// text it could not use.
#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <thread>

#include "gemmlab/cpu.hpp"

namespace gemmlab::bench {

const char* const usage_text =
    "usage: gemmlab-bench [options]\n"
    "\n"
    "Measures this machine's peak (FMA throughput per ISA), then GFLOP/s of each\n"
    "sgemm kernel over a size sweep and the time of an RNN forward pass. Every\n"
    "result is checked against a reference before its timing counts.\n"
    "\n"
    "options:\n"
    "  --kernels LIST    kernel names separated by commas, or 'all' (default: every\n"
    "                    kernel of --precision this CPU runs; 'simd' is timed once,\n"
    "                    under the name of the kernel it resolves to, unless named\n"
    "                    explicitly, and means the float one)\n"
    "  --precision P     f32, bf16 or all (default all): which kernels the default\n"
    "                    list and 'all' take. bf16 kernels (sbgemm) are timed twice:\n"
    "                    with bf16 inputs, and with float inputs rounded while packing\n"
    "                    (' f32in'), each checked against the bf16-rounded inputs\n"
    "  --sizes LIST      comma-separated: N (square), MxNxK, A..B (A, 2A, 4A... up to B),\n"
    "                    or 'rnn' (the RNN's shapes). Default: 4..2048 in half-octave\n"
    "                    steps, plus rnn\n"
    "  --layouts LIST    row, col or both (row,col): the layout of A, B and C (default row)\n"
    "  --trans LIST      transpose pairs of op(A) op(B): NN, NT, TN, TT, or 'all'\n"
    "                    (default NN). Every layout x pair is timed for every kernel\n"
    "  --threads LIST    thread counts, e.g. 1,2 (default: 1 and the core count;\n"
    "                    --quick: 1 for the GEMMs, 1 and the core count for the RNN). The\n"
    "                    teaching steps naive ... packed are single-threaded: they run on 1\n"
    "  --samples N       timed samples per point (default 7; --quick 5)\n"
    "  --min-time MS     each sample lasts at least MS milliseconds (default 25; --quick 10)\n"
    "  --naive-max N     run naive only where m*n*k <= N^3 (default 512): it is too slow\n"
    "                    above; larger sizes are checked against a double reference instead\n"
    "  --max-call S      skip a size whose single call is projected to take more than\n"
    "                    S seconds (default 1)\n"
    "  --quick           a reduced sweep for CI: sizes 4, 16, 32 ... 512 and rnn, GEMMs on 1 thread,\n"
    "                    shorter samples\n"
    "  --no-peak, --no-model, --no-gemm, --no-rnn   skip that part (model: the\n"
    "                    clock and the bandwidth of each cache level and memory)\n"
    "  --errors          instead of timing: the rounding error of the float kernel and\n"
    "                    the bf16 ones against K (1..8192), beside their bounds; with\n"
    "                    --out, errors.csv and errors.svg\n"
    "  --out DIR         write gemm.csv, rnn.csv, peak.csv, gemm.svg, roofline.svg,\n"
    "                    results.md and info.txt into DIR\n"
    "  --commit TEXT     the source version measured, recorded in results.md and\n"
    "                    info.txt (make bench passes git describe's)\n"
    "  --no-progress     no progress line on stderr\n"
    "  --loop N          make N untimed calls of the one kernel and the one size given\n"
    "                    (--kernels K --sizes S) and exit: time it with perf stat or\n"
    "                    /usr/bin/time to check this program's figures independently\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 success, 1 a result failed its check (or another error), 2 bad usage\n";

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string quoted(std::string_view s) {
  std::string out("'");
  out.append(s);
  out.append("'");
  return out;
}

// Joins pieces into one message (built with append: GCC 12 warns falsely on
// "literal" + std::string).
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view p : pieces) out.append(p);
  return out;
}

// A whole number in [lo, hi], or a usage_error naming the option.
long parse_int(std::string_view option, std::string_view text, long lo, long hi) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < lo || value > hi) {
    std::string m(option);
    m.append(": ").append(quoted(text)).append(" is not a whole number from ");
    m.append(std::to_string(lo)).append(" to ").append(std::to_string(hi));
    throw usage_error(m);
  }
  return value;
}

double parse_positive(std::string_view option, std::string_view text) {
  // std::from_chars for double is in GCC 11+, but not in libc++ 14: use strtod.
  const std::string s(text);
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(value) || value <= 0) {
    std::string m(option);
    m.append(": ").append(quoted(text)).append(" is not a positive number");
    throw usage_error(m);
  }
  return value;
}

constexpr long max_dim = 20000;  // larger would not fit in memory here (and takes hours)

std::vector<int> default_square_sweep() {
  // Half-octave steps: the powers of two and the sizes halfway between them
  // (x1.5), so a dip at sizes that are not a multiple of a tile shows up.
  std::vector<int> sizes;
  for (int p = 4; p <= 2048; p *= 2) {
    sizes.push_back(p);
    if (p >= 16 && p < 2048) sizes.push_back(p + p / 2);
  }
  return sizes;
}

void add_square(std::vector<Shape>& shapes, int n) { shapes.push_back({n, n, n, ""}); }

std::vector<Shape> parse_sizes(std::string_view text) {
  std::vector<Shape> shapes;
  for (std::string_view item : split(text, ',')) {
    if (item == "rnn") {
      for (const Shape& s : rnn_shapes()) shapes.push_back(s);
    } else if (const auto dots = item.find(".."); dots != std::string_view::npos) {
      const long lo = parse_int("--sizes", item.substr(0, dots), 1, max_dim);
      const long hi = parse_int("--sizes", item.substr(dots + 2), 1, max_dim);
      if (hi < lo) throw usage_error(cat({"--sizes: range ", quoted(item), " ends below its start"}));
      for (long n = lo; n <= hi; n *= 2) add_square(shapes, static_cast<int>(n));
    } else if (item.find('x') != std::string_view::npos) {
      const auto dims = split(item, 'x');
      if (dims.size() != 3) throw usage_error(cat({"--sizes: ", quoted(item), " is not MxNxK (three numbers)"}));
      shapes.push_back({static_cast<int>(parse_int("--sizes", dims[0], 1, max_dim)),
                        static_cast<int>(parse_int("--sizes", dims[1], 1, max_dim)),
                        static_cast<int>(parse_int("--sizes", dims[2], 1, max_dim)), ""});
    } else {
      add_square(shapes, static_cast<int>(parse_int("--sizes", item, 1, max_dim)));
    }
  }
  return shapes;
}

std::vector<GemmVariant> parse_variants(std::string_view layouts_text, std::string_view trans_text) {
  std::vector<Layout> layouts;
  const std::string_view both = "row,col";
  for (std::string_view l : split(layouts_text.empty() ? "row" : layouts_text == "both" ? both : layouts_text, ',')) {
    if (l == "row")
      layouts.push_back(Layout::row_major);
    else if (l == "col")
      layouts.push_back(Layout::col_major);
    else
      throw usage_error(cat({"--layouts: ", quoted(l), " is not row or col (or give 'both')"}));
  }
  std::vector<std::pair<Transpose, Transpose>> pairs;
  const std::string_view all_pairs = "NN,NT,TN,TT";
  for (std::string_view t : split(trans_text.empty() ? "NN" : trans_text == "all" ? all_pairs : trans_text, ',')) {
    if (t.size() != 2 || (t[0] != 'N' && t[0] != 'T') || (t[1] != 'N' && t[1] != 'T'))
      throw usage_error(cat({"--trans: ", quoted(t), " is not NN, NT, TN or TT"}));
    pairs.emplace_back(t[0] == 'T' ? Transpose::trans : Transpose::no_trans,
                       t[1] == 'T' ? Transpose::trans : Transpose::no_trans);
  }
  std::vector<GemmVariant> out;
  for (Layout l : layouts)
    for (const auto& [ta, tb] : pairs) out.push_back(GemmVariant{l, ta, tb});
  return out;
}

// The available kernels of the precisions asked for, float first.
std::vector<Kernel> available_of(std::string_view precision) {
  std::vector<Kernel> out;
  if (precision != "bf16") out = available_kernels(Precision::f32);
  if (precision != "f32")
    for (Kernel k : available_kernels(Precision::bf16))
      if (k != Kernel::simd) out.push_back(k);  // (`simd` by name means the float one)
  return out;
}

std::vector<Kernel> parse_kernels(std::string_view text, std::string_view precision) {
  std::vector<Kernel> kernels;
  for (std::string_view name : split(text, ',')) {
    if (name == "all") {
      for (Kernel k : available_of(precision)) kernels.push_back(k);
      continue;
    }
    Kernel k = Kernel::naive;
    try {
      k = kernel_from_name(name);
    } catch (const std::invalid_argument& e) {
      throw usage_error(std::string("--kernels: ") + e.what());
    }
    if (!kernel_available(k))
      throw usage_error(cat({"--kernels: ", quoted(name), " cannot run here: ", kernel_status(k)}));
    kernels.push_back(k);
  }
  // A name given twice is timed once.
  std::vector<Kernel> unique;
  for (Kernel k : kernels)
    if (std::find(unique.begin(), unique.end(), k) == unique.end()) unique.push_back(k);
  return unique;
}

// Every available kernel, but each concrete kernel once: `simd` is dropped
// when the kernel it resolves to is in the list already.
std::vector<Kernel> default_kernels(std::string_view precision) {
  std::vector<Kernel> out;
  const std::vector<Kernel> all = available_of(precision);
  for (Kernel k : all) {
    if (k == Kernel::simd && std::find(all.begin(), all.end(), resolve_kernel(k)) != all.end()) continue;
    out.push_back(k);
  }
  return out;
}

}  // namespace

std::string GemmVariant::name() const {
  std::string out(layout == Layout::row_major ? "row " : "col ");
  out += trans_a == Transpose::no_trans ? 'N' : 'T';
  out += trans_b == Transpose::no_trans ? 'N' : 'T';
  return out;
}

std::vector<Shape> rnn_shapes() {
  // C (batch x neurons) := X (batch x inputs) * Wx (inputs x neurons), and the
  // recurrent Y (batch x neurons) * Wy (neurons x neurons): m = batch,
  // n = neurons, k = inputs or neurons.
  return {
      {4, 5, 3, "seed input X*Wx (B4 I3 H5)"},
      {4, 5, 5, "seed recurrent Y*Wy"},
      {64, 256, 128, "input projection, one step (B64 I128 H256)"},
      {3200, 256, 128, "input projection, all 50 steps"},
      {64, 256, 256, "recurrent Y*Wy (B64 H256)"},
  };
}

Options parse_options(std::span<const std::string> args) {
  Options o;
  std::string kernels_text, sizes_text, threads_text, layouts_text, trans_text, precision = "all";
  long samples = -1;
  double min_time_ms = -1;
  for (const std::string& a : args) {
    o.command_line.append(o.command_line.empty() ? "gemmlab-bench " : " ").append(a);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    // The value of an option that takes one: the next argument.
    const auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size()) throw usage_error(a + " needs a value (see --help)");
      return args[++i];
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    } else if (a == "--kernels")
      kernels_text = value();
    else if (a == "--precision") {
      precision = value();
      if (precision != "f32" && precision != "bf16" && precision != "all")
        throw usage_error(cat({"--precision: ", quoted(precision), " is not f32, bf16 or all"}));
    } else if (a == "--sizes")
      sizes_text = value();
    else if (a == "--layouts")
      layouts_text = value();
    else if (a == "--trans")
      trans_text = value();
    else if (a == "--threads")
      threads_text = value();
    else if (a == "--samples")
      samples = parse_int(a, value(), 1, 1000);
    else if (a == "--min-time")
      min_time_ms = parse_positive(a, value());
    else if (a == "--naive-max")
      o.naive_max = static_cast<int>(parse_int(a, value(), 1, max_dim));
    else if (a == "--max-call")
      o.max_call_seconds = parse_positive(a, value());
    else if (a == "--quick")
      o.quick = true;
    else if (a == "--no-peak")
      o.run_peak = false;
    else if (a == "--no-model")
      o.run_model = false;
    else if (a == "--commit") {
      o.commit = value();
      if (o.commit.empty() || o.commit.size() > 100 ||
          std::any_of(o.commit.begin(), o.commit.end(), [](char c) { return c < ' ' || c > '~'; }))
        throw usage_error("--commit: give 1 to 100 printable ASCII characters");
    } else if (a == "--no-gemm")
      o.run_gemm = false;
    else if (a == "--no-rnn")
      o.run_rnn = false;
    else if (a == "--errors")
      o.run_errors = true;
    else if (a == "--no-progress")
      o.progress = false;
    else if (a == "--out") {
      o.out_dir = value();
      if (o.out_dir.empty()) throw usage_error("--out: the folder name is empty");
    } else if (a == "--loop")
      o.loop_calls = parse_int(a, value(), 0, 1000000000);
    else
      throw usage_error(cat({"unknown option ", quoted(a), " (see --help)"}));
  }

  o.kernels = kernels_text.empty() ? default_kernels(precision) : parse_kernels(kernels_text, precision);
  o.variants = parse_variants(layouts_text, trans_text);
  if (sizes_text.empty()) {
    if (o.quick) {
      for (int n : {4, 16, 32, 64, 128, 256, 512}) add_square(o.shapes, n);
    } else {
      for (int n : default_square_sweep()) add_square(o.shapes, n);
    }
    for (const Shape& s : rnn_shapes()) o.shapes.push_back(s);
  } else {
    o.shapes = parse_sizes(sizes_text);
  }
  if (threads_text.empty()) {
    o.threads = {1};
    o.rnn_threads = {1};
    const int cores = cpu_features().logical_cores;
    if (!o.quick && cores > 1) o.threads.push_back(cores);
    if (cores > 1) o.rnn_threads.push_back(cores);
  } else {
    for (std::string_view t : split(threads_text, ','))
      o.threads.push_back(static_cast<int>(parse_int("--threads", t, 1, 1024)));
    o.rnn_threads = o.threads;
  }

  o.measure.samples = static_cast<int>(samples > 0 ? samples : (o.quick ? 5 : 7));
  o.measure.min_sample_seconds = (min_time_ms > 0 ? min_time_ms : (o.quick ? 10.0 : 25.0)) * 1e-3;
  // The peak comes from many short samples: a sample shorter than the
  // scheduler's time slice (a few ms) has a fair chance to run undisturbed
  // on a shared machine, where a long one always includes other processes.
  o.peak_measure.min_sample_seconds = 0.004;
  o.peak_measure.samples = o.quick ? 20 : 60;

  if (o.loop_calls >= 0 && (o.kernels.size() != 1 || o.shapes.size() != 1))
    throw usage_error("--loop: give exactly one kernel (--kernels) and one size (--sizes)");
  return o;
}

}  // namespace gemmlab::bench
