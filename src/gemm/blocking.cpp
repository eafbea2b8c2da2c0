// The cache blocks of the float five-loop driver, from the caches the CPU
// describes: an analytical model in the spirit of Low, Igual, Smith and
// Quintana-Orti, "Analytical modeling is enough for high-performance BLIS"
// (ACM TOMS 43(2), 2016), written for gemmlab's micro-kernels.
//
// The idea: a set-associative cache of W ways is W slices of sets x line
// bytes each ("ways"); a contiguous buffer of b bytes fills ceil(b / way)
// of them in every set. Data that must stay in a level while other data
// streams through it keeps its place if the two together use at most the
// level's ways less one, that one left for what the loops touch besides
// (the C tile, the stack, the next panel's first lines): LRU then evicts
// the streaming data, not the resident one.
//
//   KC (L1): the 1st loop calls the micro-kernel with one B micro-panel
//     (KC x NR) and a new A micro-panel (MR x KC) each time, so the B
//     micro-panel is the resident one: the largest KC (a multiple of 8)
//     with ways(KC*NR*4) + ways(MR*KC*4) <= W1 - 1.
//   MC (L2): the packed A block (MC x KC) is reused by every B micro-panel
//     of the 2nd loop while those stream in from L3: it gets half of the
//     L2's ways less one (B micro-panels, C tiles and the next B block's
//     lines share the other half), so MC = the largest multiple of MR with
//     ways(MC*KC*4) <= (W2 - 1) / 2.
//   NC (L3): the packed B block (KC x NC) is reused by every A block of the
//     3rd loop: half of this core's share of the L3 (its capacity over the
//     cores that share it), the other half for the A blocks and C of the
//     cores around it; a multiple of NR, at most kMaxNc.
//   A micro-kernel that streams both panels from L2 (streams_panels_from_l2,
//   the wide 14 x 32 AVX-512 tile: its B micro-panel at a useful depth is
//   larger than L1) replaces the first two rules: L2 holds the A block and
//   two B micro-panels (the one in use and the next, which the kernel
//   prefetches into L2 while it reads the first) in half its ways less one,
//   with MC = kCallsPerBPanel * MR, and KC is the deepest that fits. Deep
//   matters there: each KC slice is one more pass over C, which for N >=
//   1024 comes from L3 or memory (the L1 rule gave KC = 224 on a 48 KiB L1d,
//   9% below the best the tuner found; this rule gives 584, within 2-3%).
// A level the CPU does not describe keeps the micro-kernel's constant.
//
// The model is the default; GEMMLAB_BLOCKING=constants runs each
// micro-kernel's measured constants instead, and `gemmlab tune` measures both
// against a grid (docs/05-packing.md, "Block sizes from the caches").
#include "gemm/blocking.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/setting_text.hpp"
#include "gemm/goto.hpp"
#include "gemm/kernels.hpp"

namespace gemmlab::detail {
namespace {

constexpr int kFloatBytes = 4;
constexpr int kKcStep = 8;
constexpr int kMaxKc = 2048;  // deeper slices only lengthen the packing, nothing in L1 is gained
constexpr int kMaxNc = 16384;
// A micro-kernel that streams its panels from L2 reads each B micro-panel
// (fetched from the B block in L3) once per call of the 1st loop: with six
// calls per panel its L3 traffic is a sixth of the panels' L2 traffic. The
// tuner found MC between 6 and 15 times MR within 1% of each other.
constexpr int kCallsPerBPanel = 6;

std::size_t way_bytes(const CacheLevel& c) {
  return static_cast<std::size_t>(c.sets) * static_cast<std::size_t>(c.line_bytes);
}
// How many ways of every set `bytes` of contiguous data fill.
std::size_t ways_for(std::size_t bytes, const CacheLevel& c) { return (bytes + way_bytes(c) - 1) / way_bytes(c); }

std::string kib(std::size_t bytes) {
  const double k = static_cast<double>(bytes) / 1024.0;
  char text[32];
  std::snprintf(text, sizeof text, k == static_cast<double>(static_cast<std::size_t>(k)) ? "%.0f KiB" : "%.1f KiB", k);
  return text;
}

}  // namespace

BlockingChoice model_blocking(int mr, int nr, const CacheInfo& caches, const Blocking& constants,
                              bool streams_from_l2) {
  BlockingChoice choice{constants, {}};
  Blocking& b = choice.blocking;
  const auto bytes = [](long long floats) { return static_cast<std::size_t>(floats) * kFloatBytes; };

  const CacheLevel& l1 = caches.l1d;
  const CacheLevel& l2 = caches.l2;
  const std::size_t l2_half = l2.known() ? static_cast<std::size_t>((l2.ways - 1) / 2) : 0;  // ways
  if (streams_from_l2 && l2_half >= 3) {
    // Both panels stream from L2: L2 holds the A block and the B micro-panel
    // in use with the next one (prefetched while the first is read), in half
    // its ways less one. MC = kCallsPerBPanel * MR; KC the deepest that fits.
    const int mc = kCallsPerBPanel * mr;
    int kc = 0;
    for (int k = kKcStep; k <= kMaxKc; k += kKcStep)
      if (ways_for(bytes(1LL * mc * k), l2) + 2 * ways_for(bytes(1LL * k * nr), l2) <= l2_half) kc = k;
    if (kc > 0) {
      b.kc = kc;
      b.mc = mc;
      choice.reasoning += "KC = " + std::to_string(kc) + ": the panels stream from L2, which holds the A block " +
                          std::to_string(mc) + " x " + std::to_string(kc) + " floats = " + kib(bytes(1LL * mc * kc)) +
                          " (" + std::to_string(ways_for(bytes(1LL * mc * kc), l2)) + " ways) + 2 B micro-panels " +
                          std::to_string(kc) + " x " + std::to_string(nr) + " = 2 x " + kib(bytes(1LL * kc * nr)) +
                          " (2 x " + std::to_string(ways_for(bytes(1LL * kc * nr), l2)) +
                          " ways) <= " + std::to_string(l2_half) + " of the L2's " + std::to_string(l2.ways) +
                          " ways of " + kib(way_bytes(l2)) + " (half less one)\n";
      choice.reasoning += "MC = " + std::to_string(mc) + ": " + std::to_string(kCallsPerBPanel) +
                          " micro-kernel calls share each B micro-panel fetched into L2\n";
    }
  }
  const bool streamed = !choice.reasoning.empty();  // KC and MC set by the L2 rule
  if (!streamed && l1.known() && l1.ways >= 3) {
    int kc = 0;
    for (int k = kKcStep; k <= kMaxKc; k += kKcStep)
      if (ways_for(bytes(1LL * k * nr), l1) + ways_for(bytes(1LL * mr * k), l1) <=
          static_cast<std::size_t>(l1.ways - 1))
        kc = k;
    if (kc > 0) {
      b.kc = kc;
      choice.reasoning += "KC = " + std::to_string(kc) + ": B micro-panel " + std::to_string(kc) + " x " +
                          std::to_string(nr) + " floats = " + kib(bytes(1LL * kc * nr)) + " (" +
                          std::to_string(ways_for(bytes(1LL * kc * nr), l1)) + " ways) + A micro-panel " +
                          std::to_string(mr) + " x " + std::to_string(kc) + " = " + kib(bytes(1LL * mr * kc)) + " (" +
                          std::to_string(ways_for(bytes(1LL * mr * kc), l1)) +
                          " ways) <= " + std::to_string(l1.ways - 1) + " of the L1d's " + std::to_string(l1.ways) +
                          " ways of " + kib(way_bytes(l1)) + "\n";
    }
  }
  if (choice.reasoning.empty())
    choice.reasoning += "KC = " + std::to_string(b.kc) + ": the constant (no L1d described)\n";

  const std::size_t a_ways = l2_half;
  if (choice.reasoning.find("MC = ") == std::string::npos && a_ways >= 1) {
    const std::size_t a_bytes = a_ways * way_bytes(l2);
    const long long rows = static_cast<long long>(a_bytes / bytes(b.kc)) / mr * mr;
    if (rows >= mr) {
      b.mc = static_cast<int>(std::min<long long>(rows, 1 << 16) / mr * mr);
      choice.reasoning += "MC = " + std::to_string(b.mc) + ": packed A block " + std::to_string(b.mc) + " x " +
                          std::to_string(b.kc) + " floats = " + kib(bytes(1LL * b.mc * b.kc)) + " in " +
                          std::to_string(a_ways) + " of the L2's " + std::to_string(l2.ways) + " ways (" +
                          kib(a_bytes) + ", half less one)\n";
    }
  }
  if (choice.reasoning.find("MC = ") == std::string::npos)
    choice.reasoning += "MC = " + std::to_string(b.mc) + ": the constant (no usable L2 described)\n";

  const CacheLevel& l3 = caches.l3;
  if (l3.known()) {
    const int sharing = std::max(1, l3.shared_by);
    const std::size_t share = l3.bytes / static_cast<std::size_t>(sharing);
    const long long cols = static_cast<long long>(share / 2 / bytes(b.kc)) / nr * nr;
    if (cols >= nr) {
      b.nc = static_cast<int>(std::min<long long>(cols, 1LL * (kMaxNc / nr) * nr));
      choice.reasoning += "NC = " + std::to_string(b.nc) + ": packed B block " + std::to_string(b.kc) + " x " +
                          std::to_string(b.nc) + " floats = " + kib(bytes(1LL * b.kc * b.nc)) + ", within half of " +
                          kib(share) + " (the L3's " + kib(l3.bytes) + " over the " + std::to_string(sharing) +
                          " logical CPUs sharing it)" + (cols > kMaxNc ? ", capped" : "") + "\n";
    }
  }
  if (choice.reasoning.find("NC = ") == std::string::npos)
    choice.reasoning += "NC = " + std::to_string(b.nc) + ": the constant (no L3 described)\n";
  b.mc = std::max(mr, b.mc / mr * mr);
  b.nc = std::max(nr, b.nc / nr * nr);
  return choice;
}

// ---- the limits, and GEMMLAB_BLOCKING ----------------------------------------------

namespace {

const char* const kVariable = "GEMMLAB_BLOCKING";
const char* const kTuningVariable = "GEMMLAB_TUNING_FILE";
constexpr int kLimitKc = 16384, kLimitMc = 65536, kLimitNc = 1 << 20;
constexpr long long kLimitBlockFloats = 1LL << 28;  // a packed block of at most 1 GiB

int limit_of(std::string_view key) { return key == "kc" ? kLimitKc : key == "mc" ? kLimitMc : kLimitNc; }

// The block size `value` spells for `key` ("kc", "mc" or "nc"): decimal
// digits only, within the key's limit. 0, with what is wrong in `problem`,
// for anything else.
int read_block_size(std::string_view key, std::string_view value, std::string& problem) {
  long long n = 0;
  const auto [ptr, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || error != std::errc() || ptr != value.data() + value.size() || value[0] == '-' ||
      value[0] == '+') {
    problem = std::string(key) + " = " + quoted(value) + " is not a decimal number";
    return 0;
  }
  const int limit = limit_of(key);
  if (n < 1 || n > limit) {
    problem = std::string(key) + " = " + std::string(value) + " is outside 1.." + std::to_string(limit);
    return 0;
  }
  return static_cast<int>(n);
}

// Sizes of 0 are not given and count as nothing.
std::string block_floats_problem(long long kc, long long mc, long long nc) {
  if (kc * nc > kLimitBlockFloats || kc * mc > kLimitBlockFloats)
    return "a packed block of kc x nc or mc x kc floats over 1 GiB";
  return {};
}

[[noreturn]] void refuse(std::string_view text, const std::string& what) {
  throw std::invalid_argument(setting_text(kVariable, text) + ": " + what +
                              " (the form: model or constants, and/or kc=N,mc=N,nc=N, each at most once, separated by "
                              "commas, e.g. kc=256,mc=96 or constants)");
}

}  // namespace

std::string block_sizes_problem(const Blocking& b) {
  for (const auto& [key, value] : {std::pair{"kc", b.kc}, {"mc", b.mc}, {"nc", b.nc}})
    if (value < 1 || value > limit_of(key))
      return std::string(key) + " = " + std::to_string(value) + " is outside 1.." + std::to_string(limit_of(key));
  return block_floats_problem(b.kc, b.mc, b.nc);
}

BlockingOverride parse_blocking_override(std::string_view text) {
  BlockingOverride o;
  std::size_t start = 0;
  for (int entry = 1;; ++entry) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (item.empty()) refuse(text, "entry " + std::to_string(entry) + " is empty");
    if (item == "model" || item == "constants") {
      if (o.model || o.constants) refuse(text, "model and constants: give one of them, once");
      (item == "model" ? o.model : o.constants) = true;
      if (end == text.size()) break;
      start = end + 1;
      continue;
    }
    if (eq == std::string_view::npos)
      refuse(text, "unknown entry " + quoted(item) + " (model, constants, kc=, mc=, nc=)");
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    int* field = key == "kc" ? &o.kc : key == "mc" ? &o.mc : key == "nc" ? &o.nc : nullptr;
    if (field == nullptr) refuse(text, "unknown entry " + quoted(item) + " (model, constants, kc=, mc=, nc=)");
    if (*field != 0) refuse(text, std::string(key) + " is given twice");
    std::string problem;
    *field = read_block_size(key, value, problem);
    if (*field == 0) refuse(text, problem);
    if (end == text.size()) break;
    start = end + 1;
  }
  const std::string too_large = block_floats_problem(o.kc, o.mc, o.nc);
  if (!too_large.empty()) refuse(text, too_large);
  return o;
}

Blocking apply_override(Blocking b, const BlockingOverride& o, int mr, int nr) {
  if (o.kc != 0) b.kc = o.kc;
  if (o.mc != 0) b.mc = (o.mc + mr - 1) / mr * mr;
  if (o.nc != 0) b.nc = (o.nc + nr - 1) / nr * nr;
  return b;
}

// ---- tuning files -------------------------------------------------------------------

namespace {

constexpr std::size_t kShownLineBytes = 80;  // of a line quoted in a message

// A line as a message shows it: quoted, its first kShownLineBytes bytes.
std::string shown(std::string_view line) {
  return quoted(line.substr(0, kShownLineBytes)) + (line.size() > kShownLineBytes ? "..." : "");
}

[[noreturn]] void refuse_line(std::string_view source, int number, std::string_view line, const std::string& what) {
  throw std::invalid_argument(std::string(source) + ", line " + std::to_string(number) + ": " + what +
                              " (the line: " + shown(line) + ")");
}

bool separator(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && separator(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !separator(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::string micro_kernel_names(std::span<const MicroKernel* const> known) {
  std::string names;
  for (const MicroKernel* mk : known) names.append(names.empty() ? "" : ", ").append(mk->name);
  return names.empty() ? "none" : names;
}

// The index of the first byte that is neither printable ASCII nor a tab.
std::size_t first_unprintable(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 || byte > 0x7e) && byte != '\t') return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<TuningEntry> parse_tuning_file(std::string_view text, std::string_view source,
                                           std::span<const MicroKernel* const> known) {
  std::vector<TuningEntry> entries;
  int number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxTuningLineBytes)
      refuse_line(source, number, line, "longer than " + std::to_string(kMaxTuningLineBytes) + " bytes");
    if (const std::size_t bad = first_unprintable(line); bad != std::string_view::npos)
      refuse_line(source, number, line,
                  "byte " + quoted(line.substr(bad, 1)) + " at column " + std::to_string(bad + 1) +
                      " is not printable ASCII or a tab");
    const std::vector<std::string_view> words = words_of(line);
    if (words.empty() || words[0][0] == '#') continue;  // a blank line or a comment
    if (words[0] != "micro-kernel")
      refuse_line(source, number, line,
                  "expected 'micro-kernel NAME kc=N mc=N nc=N' or a # comment, found " + quoted(words[0]));
    if (words.size() < 2) refuse_line(source, number, line, "the micro-kernel's name is missing");
    const auto named =
        std::find_if(known.begin(), known.end(), [&](const MicroKernel* mk) { return words[1] == mk->name; });
    if (named == known.end())
      refuse_line(source, number, line,
                  "unknown micro-kernel " + quoted(words[1]) +
                      " (this build's float micro-kernels: " + micro_kernel_names(known) + ")");
    for (const TuningEntry& e : entries)
      if (e.micro == *named)
        refuse_line(
            source, number, line,
            "micro-kernel " + quoted(words[1]) + " is given twice (also on line " + std::to_string(e.line) + ")");
    TuningEntry entry{*named, {}, number};
    Blocking& b = entry.blocking;
    for (std::size_t w = 2; w < words.size(); ++w) {
      const std::size_t eq = words[w].find('=');
      const std::string_view key = words[w].substr(0, eq);
      int* field = eq == std::string_view::npos ? nullptr
                   : key == "kc"                ? &b.kc
                   : key == "mc"                ? &b.mc
                   : key == "nc"                ? &b.nc
                                                : nullptr;
      if (field == nullptr)
        refuse_line(source, number, line, "unknown field " + quoted(words[w]) + " (the fields: kc=N, mc=N, nc=N)");
      if (*field != 0) refuse_line(source, number, line, std::string(key) + " is given twice");
      std::string problem;
      *field = read_block_size(key, words[w].substr(eq + 1), problem);
      if (*field == 0) refuse_line(source, number, line, problem);
    }
    for (const auto& [key, value] : {std::pair{"kc", b.kc}, {"mc", b.mc}, {"nc", b.nc}})
      if (value == 0)
        refuse_line(source, number, line, std::string(key) + "= is missing (a line gives kc=, mc= and nc=)");
    if (const std::string too_large = block_floats_problem(b.kc, b.mc, b.nc); !too_large.empty())
      refuse_line(source, number, line, too_large);
    entries.push_back(entry);
  }
  return entries;
}

std::string read_tuning_file(const std::string& path, std::string_view source) {
  const auto fail = [&](const std::string& what) {
    return std::invalid_argument(std::string(source) + ": cannot read it: " + what);
  };
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) throw fail(errno != 0 ? std::strerror(errno) : "fopen failed");
  std::string text;
  char chunk[4096];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
    text.append(chunk, got);
    if (text.size() > kMaxTuningFileBytes)
      throw fail("it is larger than " + std::to_string(kMaxTuningFileBytes >> 20) +
                 " MiB (a tuning file has one short line per micro-kernel)");
  }
  if (std::ferror(file.get()) != 0) throw fail(errno != 0 ? std::strerror(errno) : "a read failed");
  return text;
}

namespace {

struct Decided {
  const MicroKernel* micro;
  Blocking blocking;
  std::string explanation;
};
struct Decisions {
  std::vector<Decided> rows;
  std::string error;  // GEMMLAB_BLOCKING's or GEMMLAB_TUNING_FILE's, when one is invalid
};

std::string sizes_text(const Blocking& b) {
  return "KC " + std::to_string(b.kc) + ", MC " + std::to_string(b.mc) + ", NC " + std::to_string(b.nc);
}

Decisions decide() {
  Decisions d;
  BlockingOverride o;
  const char* text = std::getenv(kVariable);
  const bool overridden = text != nullptr && *text != '\0';
  std::vector<TuningEntry> tuned;
  std::string tuning_source;  // GEMMLAB_TUNING_FILE='path', when it is set
  try {
    if (overridden) o = parse_blocking_override(text);
    const char* path = std::getenv(kTuningVariable);
    if (path != nullptr && *path != '\0') {
      tuning_source = setting_text(kTuningVariable, path);
      tuned = parse_tuning_file(read_tuning_file(path, tuning_source), tuning_source, micro_kernels());
    }
  } catch (const std::invalid_argument& e) {
    d.error = e.what();
    return d;
  }
  const CacheInfo& caches = cpu_features().caches;
  for (const MicroKernel* mk : micro_kernels()) {
    const BlockingChoice model = model_blocking(mk->mr, mk->nr, caches, mk->blocking, mk->streams_panels_from_l2);
    const Blocking& c = mk->blocking;
    std::string reasoning;  // the model's lines, indented under its heading
    for (std::size_t start = 0, end = 0; start < model.reasoning.size(); start = end + 1) {
      end = model.reasoning.find('\n', start);
      reasoning += "  " + model.reasoning.substr(start, end - start) + "\n";
    }
    // What the override applies to: the tuning file's line for mk, else the
    // model's choice when asked for, else the constants.
    const auto line = std::find_if(tuned.begin(), tuned.end(), [&](const TuningEntry& e) { return e.micro == mk; });
    const bool from_file = line != tuned.end(), from_model = !from_file && !o.constants;
    Blocking base = from_model ? model.blocking : c;
    if (from_file)
      base = apply_override(c, {.mc = line->blocking.mc, .kc = line->blocking.kc, .nc = line->blocking.nc}, mk->mr,
                            mk->nr);
    Decided row{mk, apply_override(base, o, mk->mr, mk->nr),
                "constants: " + sizes_text(c) + (from_file || from_model ? "" : " (in use)") +
                    "\nthe model, from the caches (" +
                    (caches.source.empty() ? std::string("none described") : caches.source) + ")" +
                    (from_model ? " (in use)" : "") + ":\n" + reasoning};
    if (from_file) {
      row.explanation += tuning_source + ", line " + std::to_string(line->line) + ": " + sizes_text(base) + " (in use";
      if (base.mc != line->blocking.mc)
        row.explanation += "; the file's MC " + std::to_string(line->blocking.mc) +
                           " rounded up to a multiple of MR = " + std::to_string(mk->mr);
      if (base.nc != line->blocking.nc)
        row.explanation += "; the file's NC " + std::to_string(line->blocking.nc) +
                           " rounded up to a multiple of NR = " + std::to_string(mk->nr);
      row.explanation += ")\n";
    }
    if (overridden) {
      const Blocking& b = row.blocking;
      row.explanation += std::string(kVariable) + "=" + text + " sets " + sizes_text(b) +
                         " (MC, NC rounded up to MR = " + std::to_string(mk->mr) + ", NR = " + std::to_string(mk->nr) +
                         ")\n";
    }
    d.rows.push_back(std::move(row));
  }
  return d;
}

const Decisions& decisions() {
  static const Decisions d = decide();
  if (!d.error.empty()) throw std::invalid_argument(d.error);
  return d;
}

}  // namespace

const Blocking& blocking_for(const MicroKernel& mk) {
  for (const Decided& row : decisions().rows)
    if (row.micro == &mk) return row.blocking;
  return mk.blocking;
}

std::string blocking_explanation(const MicroKernel& mk) {
  for (const Decided& row : decisions().rows)
    if (row.micro == &mk) return row.explanation;
  return "the micro-kernel's own constants\n";
}

void check_blocking_setting() { static_cast<void>(decisions()); }

}  // namespace gemmlab::detail

namespace gemmlab {

namespace {
BlockSizes sizes_of(const detail::Blocking& b) { return {.kc = b.kc, .mc = b.mc, .nc = b.nc}; }
}  // namespace

std::string blocking_report(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k, detail::ElementType::f32);
  if (!r.runnable || r.micro == nullptr) return {};
  const detail::Blocking& b = detail::blocking_for(*r.micro);
  // The crossovers are measured constants (the files that define them say
  // where), not derived from the caches; shown so a reader sees every
  // threshold a call of this kernel meets.
  const auto cube = [](double v) { return std::to_string(static_cast<long long>(std::llround(std::cbrt(v)))) + "^3"; };
  std::string crossovers = "crossovers (measured constants): threads from 2 x " +
                           cube(detail::packed_min_parallel_flops / 2) + " flops on the packed path";
  if (const detail::SmallPath* small = r.descriptor->small; small != nullptr) {
    const detail::SmallCrossover& x = small->crossover;
    crossovers += "; the unpacked small path for M*N*K <= " + cube(x.max_cube_volume) +
                  " with K <= " + std::to_string(x.max_cube_k) + ", M or N <= " + std::to_string(x.max_skinny_side) +
                  " with K <= " + std::to_string(x.max_skinny_k) + ", or K <= " + std::to_string(x.max_shallow_k) +
                  " with K*N <= " + std::to_string(x.max_shallow_kn) + ", threaded from 2 x " +
                  cube(small->min_parallel_flops / 2) + " flops";
  }
  return "micro-kernel " + std::string(r.micro->name) + " (" + std::to_string(r.micro->mr) + " x " +
         std::to_string(r.micro->nr) + "): runs with " + detail::sizes_text(b) + "\n" +
         detail::blocking_explanation(*r.micro) + crossovers + "\n";
}

KernelBlocking kernel_blocking(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k, detail::ElementType::f32);
  if (!r.runnable || r.micro == nullptr) return {};
  const detail::MicroKernel& mk = *r.micro;
  KernelBlocking out;
  out.micro_kernel = mk.name;
  out.mr = mk.mr;
  out.nr = mk.nr;
  out.constants = sizes_of(mk.blocking);
  out.model = sizes_of(
      detail::model_blocking(mk.mr, mk.nr, cpu_features().caches, mk.blocking, mk.streams_panels_from_l2).blocking);
  out.in_use = sizes_of(detail::blocking_for(mk));
  return out;
}

std::string tuning_file_text(std::span<const TunedBlocks> entries, std::string_view comment) {
  const auto refuse_entry = [](std::size_t i, const std::string& what) {
    return std::invalid_argument("tuning_file_text: entry " + std::to_string(i + 1) + ": " + what);
  };
  const std::span<const detail::MicroKernel* const> known = detail::micro_kernels();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const TunedBlocks& e = entries[i];
    if (std::none_of(known.begin(), known.end(),
                     [&](const detail::MicroKernel* mk) { return e.micro_kernel == mk->name; }))
      throw refuse_entry(i, "unknown micro-kernel " + detail::quoted(e.micro_kernel) +
                                " (this build's float micro-kernels: " + detail::micro_kernel_names(known) + ")");
    const std::string problem = detail::block_sizes_problem({.mc = e.blocks.mc, .kc = e.blocks.kc, .nc = e.blocks.nc});
    if (!problem.empty()) throw refuse_entry(i, problem);
    for (std::size_t j = 0; j < i; ++j)
      if (entries[j].micro_kernel == e.micro_kernel)
        throw refuse_entry(i, "micro-kernel " + detail::quoted(e.micro_kernel) + " is given twice (also entry " +
                                  std::to_string(j + 1) + ")");
  }
  for (std::size_t i = 0; i < comment.size(); ++i)
    if (comment[i] != '\n' && detail::first_unprintable(comment.substr(i, 1)) == 0)
      throw std::invalid_argument("tuning_file_text: the comment's byte " + detail::quoted(comment.substr(i, 1)) +
                                  " is not printable ASCII or a tab");
  std::string text =
      "# gemmlab tuning file (GEMMLAB_TUNING_FILE): one line per micro-kernel,\n"
      "#   micro-kernel NAME kc=N mc=N nc=N\n"
      "# '#' starts a comment line; the format: docs/05-packing.md, \"Block sizes from the caches\".\n";
  for (std::size_t start = 0; start < comment.size();) {
    std::size_t end = comment.find('\n', start);
    if (end == std::string_view::npos) end = comment.size();
    const std::string_view line = comment.substr(start, end - start);
    text.append(line.empty() ? "#" : "# ").append(line).append("\n");
    start = end + 1;
  }
  for (const TunedBlocks& e : entries)
    text += "micro-kernel " + e.micro_kernel + " kc=" + std::to_string(e.blocks.kc) +
            " mc=" + std::to_string(e.blocks.mc) + " nc=" + std::to_string(e.blocks.nc) + "\n";
  // The reader has the last word: what it would refuse is never returned
  // (a comment line too long, for one).
  static_cast<void>(detail::parse_tuning_file(text, "tuning_file_text: the text it made", known));
  return text;
}

}  // namespace gemmlab
