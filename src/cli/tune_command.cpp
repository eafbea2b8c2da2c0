// `gemmlab tune`: times a packed float kernel's five loops over a small grid
// of cache blocks (KC, MC, NC) around its constants and the cache model's
// choice, and can write the best to a tuning file (GEMMLAB_TUNING_FILE).
//
// On a machine shared with other work one timing says little, so the grid
// points are timed in turn, round after round (each round in a shifted
// order), and each point keeps the median of its rounds: a burst of other
// work costs every point about the same. Before any timing, every point's
// result is checked against a double-precision reference, so block sizes
// that compute a wrong result fail the run instead of winning it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "gemmlab/cpu.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"

namespace gemmlab::cli {
namespace {

const char* const tune_usage =
    "usage: gemmlab tune [--kernel NAME[,NAME...]] [--sizes N[,N...]] [--rounds R] [--quick] [--out FILE]\n"
    "\n"
    "Times sgemm (N x N x N, row-major, 1 thread, always the packed five loops) with a\n"
    "kernel's micro-kernel over a grid of cache blocks: KC among the constants', the\n"
    "cache model's and 128, 192, 256, 384, 512, 768; for each KC, MC at the constants'\n"
    "value, at the model's A-block size (in bytes) for that KC, and between the two;\n"
    "NC the constants' (at N below NC it does not change the loops). The points run in\n"
    "turn, round after round, and each keeps its median; every point's result is\n"
    "first checked against a double-precision reference. Prints one row per point\n"
    "(GFLOP/s at each N and their mean), the best point, and how far the constants\n"
    "and the model are below it.\n"
    "\n"
    "  --kernel NAME,...  packed float kernels: blocked, simd-avx2, simd-avx512,\n"
    "                     simd-neon or simd (the default: the best one here)\n"
    "  --sizes N,...      the sizes N (default 1024,2048; 1 to 8192)\n"
    "  --rounds R         rounds over the grid (default 5; 1 to 100)\n"
    "  --quick            a smoke run: the constants' and the model's KC and MC alone,\n"
    "                     sizes 256,512 and 2 rounds unless given (seconds, not a\n"
    "                     measurement to keep)\n"
    "  --out FILE         also write the best blocks of each kernel's micro-kernel to\n"
    "                     FILE, a tuning file for GEMMLAB_TUNING_FILE (the format:\n"
    "                     docs/05-packing.md). Written whole or not at all: to a\n"
    "                     temporary file beside FILE, then renamed over it\n"
    "\n"
    "A progress line is rewritten on stderr while it runs. Exit status: 0 ok; 1 a\n"
    "wrong result, too little memory, or a file that cannot be written; 2 bad usage.\n";

struct TuneOptions {
  std::vector<Kernel> kernels{Kernel::simd};
  std::vector<int> sizes;
  int rounds = 0;  // 0: the default for the mode
  bool quick = false;
  std::optional<std::string> out;
};

constexpr int kMaxSize = 8192;
constexpr int kMaxRounds = 100;

// "1024,2048" -> {1024, 2048}, each 1..kMaxSize.
std::vector<int> parse_sizes(const std::string& text) {
  std::vector<int> sizes;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    int n = 0;
    const bool digits = !item.empty() && item.size() <= 5 &&
                        std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) n = std::stoi(item);
    if (!digits || n < 1 || n > kMaxSize)
      throw usage_error("tune: --sizes: '" + item + "' is not a size from 1 to " + std::to_string(kMaxSize) +
                        " (the form: N,N,...)");
    if (std::find(sizes.begin(), sizes.end(), n) != sizes.end())
      throw usage_error("tune: --sizes: " + item + " is given twice");
    sizes.push_back(n);
    start = end + 1;
  }
  return sizes;
}

TuneOptions parse_tune_options(std::span<const std::string> args) {
  TuneOptions o;
  bool kernel_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        throw usage_error("tune: " + a + " needs a value (see gemmlab tune --help)");
      return args[++i];
    };
    if (a == "--kernel") {
      if (kernel_given) throw usage_error("tune: --kernel given twice");
      kernel_given = true;
      const std::string& names = value();
      o.kernels.clear();
      for (Kernel k : parse_kernel_list(names)) {
        if (kernel_blocking(k).micro_kernel.empty())
          throw usage_error("tune: --kernel: '" + std::string(kernel_name(k)) +
                            "' has no cache blocks to tune (the packed float kernels: blocked, simd-avx2, "
                            "simd-avx512, simd-neon, simd)");
        o.kernels.push_back(k);
      }
    } else if (a == "--sizes") {
      if (!o.sizes.empty()) throw usage_error("tune: --sizes given twice");
      o.sizes = parse_sizes(value());
    } else if (a == "--rounds") {
      if (o.rounds != 0) throw usage_error("tune: --rounds given twice");
      const std::string& text = value();
      const bool digits = !text.empty() && text.size() <= 3 &&
                          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      o.rounds = digits ? std::stoi(text) : 0;
      if (o.rounds < 1 || o.rounds > kMaxRounds)
        throw usage_error("tune: --rounds: '" + text + "' is not a count from 1 to " + std::to_string(kMaxRounds));
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--out") {
      if (o.out) throw usage_error("tune: --out given twice");
      o.out = value();
      if (o.out->empty()) throw usage_error("tune: --out needs a file name");
    } else {
      throw usage_error("tune: unknown option '" + a + "' (see gemmlab tune --help)");
    }
  }
  if (o.sizes.empty()) o.sizes = o.quick ? std::vector<int>{256, 512} : std::vector<int>{1024, 2048};
  if (o.rounds == 0) o.rounds = o.quick ? 2 : 5;
  return o;
}

// ---- the grid ---------------------------------------------------------------------

// value rounded to a multiple of `multiple` (down, or to the nearest), from
// one multiple to the largest at most `most`.
int round_to(long long value, int multiple, int most, bool down) {
  const long long rounded = std::max<long long>(multiple, (value + (down ? 0 : multiple / 2)) / multiple * multiple);
  return static_cast<int>(std::min<long long>(rounded, 1LL * (most / multiple) * multiple));
}

}  // namespace

std::vector<TunePoint> tune_grid(const KernelBlocking& kb, bool quick) {
  std::vector<TunePoint> points;
  const auto add = [&](const BlockSizes& b, const std::string& origin) {
    for (TunePoint& p : points)
      if (p.blocks == b) {
        if (!origin.empty()) p.origin += (p.origin.empty() ? "" : ", ") + origin;
        return;
      }
    points.push_back({b, origin});
  };
  add(kb.constants, "constants");
  add(kb.model, "model");
  add(kb.in_use, "in use");

  std::vector<int> kcs{kb.constants.kc, kb.model.kc};
  if (!quick) kcs.insert(kcs.end(), {128, 192, 256, 384, 512, 768});
  std::sort(kcs.begin(), kcs.end());
  kcs.erase(std::unique(kcs.begin(), kcs.end()), kcs.end());
  constexpr int kMostMc = 65536;  // sgemm_with_blocks' limit
  for (const int kc : kcs) {
    const int constants_mc = kb.constants.mc;
    // The model's MC is an A block of a given size in L2: at this KC, that
    // many bytes hold model.mc * model.kc / kc rows (down to a multiple of
    // MR, as the model rounds).
    const int model_mc = round_to(1LL * kb.model.mc * kb.model.kc / kc, kb.mr, kMostMc, true);
    std::vector<int> mcs{constants_mc, model_mc};
    if (!quick) {  // and one between them (their geometric mean), or twice the constant when they agree
      const int between = round_to(std::llround(std::sqrt(1.0 * constants_mc * model_mc)), kb.mr, kMostMc, false);
      mcs.push_back(between != constants_mc && between != model_mc
                        ? between
                        : round_to(2LL * constants_mc, kb.mr, kMostMc, false));
    }
    for (const int mc : mcs)
      if (std::none_of(points.begin(), points.end(),
                       [&](const TunePoint& p) { return p.blocks.kc == kc && p.blocks.mc == mc; }))
        add({.kc = kc, .mc = mc, .nc = kb.constants.nc}, "");
  }
  std::sort(points.begin(), points.end(), [](const TunePoint& a, const TunePoint& b) {
    if (a.blocks.kc != b.blocks.kc) return a.blocks.kc < b.blocks.kc;
    if (a.blocks.mc != b.blocks.mc) return a.blocks.mc < b.blocks.mc;
    return a.blocks.nc < b.blocks.nc;
  });
  return points;
}

namespace {

// ---- the measurement --------------------------------------------------------------

// One progress line on stderr, rewritten with '\r' on a terminal; elsewhere
// (a log) a line at the start of each round.
class ProgressLine {
 public:
  ProgressLine() : terminal_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ProgressLine(ProgressLine&&) = delete;
  ProgressLine& operator=(ProgressLine&&) = delete;

  void show(const std::string& text, bool new_round) {
    if (!terminal_) {
      if (new_round) std::fprintf(stderr, "%s\n", text.c_str());
      return;
    }
    std::string line = text;
    if (line.size() < width_) line.append(width_ - line.size(), ' ');
    width_ = text.size();
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
  }
  void clear() {
    if (!terminal_ || width_ == 0) return;
    std::fprintf(stderr, "\r%s\r", std::string(width_, ' ').c_str());
    std::fflush(stderr);
    width_ = 0;
  }

 private:
  bool terminal_;
  std::size_t width_ = 0;
};

// One size's operands, and what the check needs of them: for a random
// vector x, A (B x) in double, and the bound on |C x - A (B x)| each row may
// show. That is Freivalds' check, made rigorous: gemmlab/numerics.hpp
// counts at most 2(K + 2) - 1 roundings on the path of any element of C,
// whatever KC (a dot product's K, one per KC slice added into C, alpha's),
// so each element is within gamma_{2K+3} (|A||B|)_ij of the exact one, and
// row i of C x within gamma_{2K+3} (|A| (|B| |x|))_i of A (B x), plus the
// double sums' own rounding. (The c = 2 of numerics.hpp's shorter bound
// holds only up to K of about 2800; --sizes goes further.) A wrong tile, a
// missed KC slice or a NaN moves some row by far more than that.
struct Operands {
  int n = 0;
  std::vector<float> a, b, c;
  std::vector<double> x, abx, bound;
};

Operands make_operands(int n, std::uint64_t seed) {
  Operands o;
  o.n = n;
  const std::size_t count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  SplitMix64 rng(seed);
  o.a.resize(count);
  o.b.resize(count);
  o.c.assign(count, 0.0f);
  for (float& v : o.a) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  for (float& v : o.b) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  o.x.resize(static_cast<std::size_t>(n));
  for (double& v : o.x) v = rng.uniform(-1.0, 1.0);
  std::vector<double> bx(o.x.size()), abs_bx(o.x.size());
  for (std::size_t p = 0; p < o.x.size(); ++p)
    for (std::size_t j = 0; j < o.x.size(); ++j) {
      const double bpj = o.b[p * o.x.size() + j];
      bx[p] += bpj * o.x[j];
      abs_bx[p] += std::fabs(bpj) * std::fabs(o.x[j]);
    }
  o.abx.assign(o.x.size(), 0.0);
  o.bound.assign(o.x.size(), 0.0);
  const double gamma = gamma_n(2.0 * n + 3.0);
  for (std::size_t i = 0; i < o.x.size(); ++i) {
    double abs_sum = 0.0;
    for (std::size_t p = 0; p < o.x.size(); ++p) {
      const double aip = o.a[i * o.x.size() + p];
      o.abx[i] += aip * bx[p];
      abs_sum += std::fabs(aip) * abs_bx[p];
    }
    o.bound[i] = gamma * abs_sum;
  }
  return o;
}

// Throws, naming the blocks, the size and the first wrong row, unless
// every row of C x is within its bound of A (B x).
void check_result(const Operands& o, const BlockSizes& b, std::string_view kernel) {
  const std::size_t n = o.x.size();
  const double double_rounding = 4.0 * (2.0 * static_cast<double>(n) + 2.0) * 0x1.0p-53;
  for (std::size_t i = 0; i < n; ++i) {
    double cx = 0.0, abs_cx = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      cx += double(o.c[i * n + j]) * o.x[j];
      abs_cx += std::fabs(double(o.c[i * n + j]) * o.x[j]);
    }
    const double err = std::fabs(cx - o.abx[i]);
    const double bound = o.bound[i] + double_rounding * (o.bound[i] + abs_cx + std::fabs(o.abx[i]));
    if (!(err <= bound)) {
      char text[160];
      std::snprintf(text, sizeof text, "row %zu: |C x - A (B x)| = %.3g, above the bound %.3g", i, err, bound);
      throw std::runtime_error("tune: " + std::string(kernel) + " with KC " + std::to_string(b.kc) + ", MC " +
                               std::to_string(b.mc) + ", NC " + std::to_string(b.nc) +
                               " computes a wrong result at N=" + std::to_string(o.n) + " (" + text + ")");
    }
  }
}

void multiply(Kernel k, const BlockSizes& b, Operands& o) {
  sgemm_with_blocks(k, b, o.n, o.n, o.n, 1.0f, o.a.data(), o.n, o.b.data(), o.n, 0.0f, o.c.data(), o.n);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 == 1 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

// One kernel's whole run: the grid, its medians (GFLOP/s, [point][size]).
struct KernelRun {
  Kernel kernel = Kernel::simd;
  KernelBlocking blocking;
  std::vector<TunePoint> points;
  std::vector<std::vector<double>> gflops;
  std::vector<double> score;  // the mean over the sizes, per point
  std::size_t best = 0;
};

KernelRun tune_kernel(Kernel k, const TuneOptions& o) {
  KernelRun run;
  run.kernel = resolve_kernel(k);
  run.blocking = kernel_blocking(k);
  run.points = tune_grid(run.blocking, o.quick);
  const std::size_t points = run.points.size(), sizes = o.sizes.size();
  const std::string name(kernel_name(run.kernel));
  // Each timing is a batch of calls lasting about this long or more (the
  // count taken from the fastest checking call), so that the clock's
  // resolution does not count; the checking calls also warm the caches and
  // the packing buffers.
  const double batch_seconds = o.quick ? 0.01 : 0.05;

  std::vector<Operands> operands;
  std::vector<int> reps(sizes, 1);
  ProgressLine progress;
  for (std::size_t s = 0; s < sizes; ++s) {
    try {
      operands.push_back(make_operands(o.sizes[s], 42 + s));
    } catch (const std::bad_alloc&) {
      throw std::runtime_error("tune: out of memory for the " + std::to_string(o.sizes[s]) + " x " +
                               std::to_string(o.sizes[s]) + " operands");
    }
    double fastest = 1e30;
    for (std::size_t q = 0; q < points; ++q) {
      progress.show("tune " + name + ": checking N=" + std::to_string(o.sizes[s]) + ", point " + std::to_string(q + 1) +
                        "/" + std::to_string(points),
                    q == 0 && s == 0);
      std::fill(operands[s].c.begin(), operands[s].c.end(), std::nanf(""));  // beta = 0 must overwrite it
      const auto start = std::chrono::steady_clock::now();
      multiply(run.kernel, run.points[q].blocks, operands[s]);
      fastest = std::min(fastest, seconds_since(start));
      check_result(operands[s], run.points[q].blocks, name);
    }
    reps[s] = static_cast<int>(std::clamp(std::ceil(batch_seconds / std::max(fastest, 1e-9)), 1.0, 10000.0));
  }

  std::vector<std::vector<std::vector<double>>> samples(points, std::vector<std::vector<double>>(sizes));
  for (int r = 0; r < o.rounds; ++r)
    for (std::size_t s = 0; s < sizes; ++s)
      for (std::size_t i = 0; i < points; ++i) {
        const std::size_t q = (i + static_cast<std::size_t>(r)) % points;  // each round in a shifted order
        progress.show("tune " + name + ": round " + std::to_string(r + 1) + "/" + std::to_string(o.rounds) +
                          ", N=" + std::to_string(o.sizes[s]) + ", point " + std::to_string(i + 1) + "/" +
                          std::to_string(points),
                      i == 0 && s == 0);
        const auto start = std::chrono::steady_clock::now();
        for (int rep = 0; rep < reps[s]; ++rep) multiply(run.kernel, run.points[q].blocks, operands[s]);
        const double seconds = seconds_since(start);
        const double n = o.sizes[s];
        samples[q][s].push_back(2.0 * n * n * n * reps[s] / seconds * 1e-9);
      }
  progress.clear();

  run.gflops.assign(points, std::vector<double>(sizes));
  run.score.assign(points, 0.0);
  for (std::size_t q = 0; q < points; ++q) {
    for (std::size_t s = 0; s < sizes; ++s) {
      run.gflops[q][s] = median(samples[q][s]);
      run.score[q] += run.gflops[q][s] / static_cast<double>(sizes);
    }
    if (run.score[q] > run.score[run.best]) run.best = q;
  }
  return run;
}

// ---- the report and the file --------------------------------------------------------

std::string formatted(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string sizes_text(const BlockSizes& b) {
  return "KC " + std::to_string(b.kc) + ", MC " + std::to_string(b.mc) + ", NC " + std::to_string(b.nc);
}

// The score of a point with these blocks, if the grid has one.
std::optional<double> score_of(const KernelRun& run, const BlockSizes& b) {
  for (std::size_t q = 0; q < run.points.size(); ++q)
    if (run.points[q].blocks == b) return run.score[q];
  return std::nullopt;
}

std::string report(const KernelRun& run, const TuneOptions& o) {
  std::ostringstream out;
  const KernelBlocking& kb = run.blocking;
  out << "gemmlab tune: " << kernel_name(run.kernel) << ", micro-kernel " << kb.micro_kernel << " (" << kb.mr << " x "
      << kb.nr << "), 1 thread, sgemm N x N x N (row-major, alpha 1, beta 0)\n"
      << "GFLOP/s, the median of " << o.rounds << " interleaved round" << (o.rounds == 1 ? "" : "s")
      << "; every point's result checked against a double-precision reference"
      << (o.quick ? "\n(--quick: a smoke run on a small grid, not a measurement to keep)" : "") << "\n\n";
  char cell[64];
  std::snprintf(cell, sizeof cell, "%6s %6s %7s", "KC", "MC", "NC");
  out << cell;
  for (const int n : o.sizes) {
    std::snprintf(cell, sizeof cell, " %9s", ("N=" + std::to_string(n)).c_str());
    out << cell;
  }
  out << "      mean\n";
  for (std::size_t q = 0; q < run.points.size(); ++q) {
    const BlockSizes& b = run.points[q].blocks;
    std::snprintf(cell, sizeof cell, "%6d %6d %7d", b.kc, b.mc, b.nc);
    out << cell;
    for (const double g : run.gflops[q]) out << formatted(" %9.1f", g);
    out << formatted(" %9.1f", run.score[q]);
    const std::string& origin = run.points[q].origin;
    if (q == run.best) out << "  best" << (origin.empty() ? "" : ", ");
    if (!origin.empty()) out << (q == run.best ? "" : "  ") << origin;
    out << '\n';
  }
  const double best = run.score[run.best];
  out << "\nbest:      " << sizes_text(run.points[run.best].blocks) << ": " << formatted("%.1f", best)
      << " GFLOP/s (the mean over the sizes)\n";
  const auto against_best = [&](const char* label, const BlockSizes& b) {
    const std::optional<double> score = score_of(run, b);
    if (!score) return;
    out << label << sizes_text(b) << ": " << formatted("%.1f", *score) << " GFLOP/s, ";
    if (*score >= best)
      out << "the best\n";
    else
      out << formatted("%.1f", 100.0 * (best - *score) / best) << "% below the best\n";
  };
  against_best("constants: ", kb.constants);
  against_best("model:     ", kb.model);
  if (kb.in_use != kb.constants && kb.in_use != kb.model) against_best("in use:    ", kb.in_use);
  return out.str();
}

// A comment for the tuning file: what was measured, where. (An
// ostringstream: GCC 12 reports a false -Wrestrict on the std::string
// concatenations this would take.)
std::string file_comment(const std::vector<KernelRun>& runs, const TuneOptions& o) {
  std::string brand;
  for (const char c : cpu_features().brand) brand += c >= 0x20 && c < 0x7f ? c : '?';
  std::ostringstream text;
  text << "written by gemmlab tune on " << (brand.empty() ? std::string("an unnamed CPU") : brand) << ", 1 thread, N =";
  for (std::size_t s = 0; s < o.sizes.size(); ++s) text << (s == 0 ? " " : ", ") << o.sizes[s];
  text << ", median of " << o.rounds << " rounds" << (o.quick ? " (--quick)" : "");
  for (const KernelRun& run : runs) {
    text << '\n' << kernel_name(run.kernel) << ": best " << formatted("%.1f", run.score[run.best]) << " GFLOP/s";
    if (const std::optional<double> c = score_of(run, run.blocking.constants))
      text << ", constants " << formatted("%.1f", *c);
    if (const std::optional<double> m = score_of(run, run.blocking.model)) text << ", model " << formatted("%.1f", *m);
  }
  if (!text) throw std::bad_alloc();  // a string stream fails only when its buffer cannot grow
  return text.str();
}

[[noreturn]] void cannot_write(const std::string& path, const std::string& what, int reason) {
  throw std::runtime_error("tune: --out: cannot write '" + path + "': " + what + ": " + std::strerror(reason));
}

// `text` to `path`, whole or not at all: into a new file in the same
// directory, flushed to the disk, then renamed over `path` (a rename within
// one file system replaces the name at once).
void write_atomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string hidden(".");  // ".FILE.XXXXXX", mkstemp's pattern
  hidden.append(target.filename().string()).append(".XXXXXX");
  std::string temporary = (dir / hidden).string();
  const int fd = mkstemp(temporary.data());
  if (fd < 0) cannot_write(path, "cannot create a temporary file in " + dir.string(), errno);
  const auto fail = [&](const std::string& what) {
    const int reason = errno;
    close(fd);
    unlink(temporary.c_str());
    cannot_write(path, what, reason);
  };
  const mode_t mask = umask(0);  // read and restored: mkstemp's 0600 becomes what a new file would get
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) fail("chmod of the temporary file");
  for (std::size_t written = 0; written < text.size();) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write to the temporary file");
    written += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) fail("fsync of the temporary file");
  if (close(fd) != 0) {
    const int reason = errno;
    unlink(temporary.c_str());
    cannot_write(path, "close of the temporary file", reason);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int reason = errno;
    unlink(temporary.c_str());
    cannot_write(path, "rename of the temporary file " + temporary, reason);
  }
}

}  // namespace

int run_tune(std::span<const std::string> args, std::ostream& os) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      os << tune_usage;
      return 0;
    }
  const TuneOptions o = parse_tune_options(args);
  check_settings();  // before any work: a bad GEMMLAB_* variable prints nothing but the error

  std::vector<KernelRun> runs;
  std::vector<TunedBlocks> best;
  for (const Kernel k : o.kernels) {
    const std::string_view micro = kernel_blocking(k).micro_kernel;
    if (std::any_of(best.begin(), best.end(), [&](const TunedBlocks& t) { return t.micro_kernel == micro; }))
      continue;  // simd and the kernel it runs share a micro-kernel
    runs.push_back(tune_kernel(k, o));
    best.push_back({std::string(micro), runs.back().points[runs.back().best].blocks});
  }
  std::ostringstream text;
  for (const KernelRun& run : runs) text << (&run == runs.data() ? "" : "\n") << report(run, o);
  if (o.out) {
    write_atomically(*o.out, tuning_file_text(best, file_comment(runs, o)));
    text << "\nwrote " << *o.out << " (for GEMMLAB_TUNING_FILE):";
    for (const TunedBlocks& t : best)
      text << (&t == best.data() ? " " : "; ") << t.micro_kernel << ' ' << sizes_text(t.blocks);
    text << '\n';
  }
  if (!text) throw std::bad_alloc();  // a string stream fails only when its buffer cannot grow
  errno = 0;                          // so that a failed write reports its own reason (require_written)
  os << text.str();
  return 0;
}

}  // namespace gemmlab::cli
