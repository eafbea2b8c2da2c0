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
// A level the CPU does not describe keeps the micro-kernel's constant.
//
// The model is not yet the default: the driver runs each micro-kernel's
// measured constants unless GEMMLAB_BLOCKING=model asks for the model.
// Why: for the wide 14 x 32 AVX-512 tile the L1 rule gives KC = 224 on a
// 48 KiB L1d, and that measured 1-5% slower than KC = 512, whose panels
// stream from L2 (that kernel's file says why it can afford to); the rule
// has no term yet for a kernel that does not need its B micro-panel in L1.
// For the narrower tiles it gives the constants' KC = 512. The comparison:
// docs/05-packing.md, "Block sizes from the caches".
#include "gemm/blocking.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/setting_text.hpp"
#include "gemm/kernels.hpp"

namespace gemmlab::detail {
namespace {

constexpr int kFloatBytes = 4;
constexpr int kKcStep = 8;
constexpr int kMaxKc = 2048;  // deeper slices only lengthen the packing, nothing in L1 is gained
constexpr int kMaxNc = 16384;

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

BlockingChoice model_blocking(int mr, int nr, const CacheInfo& caches, const Blocking& constants) {
  BlockingChoice choice{constants, {}};
  Blocking& b = choice.blocking;
  const auto bytes = [](long long floats) { return static_cast<std::size_t>(floats) * kFloatBytes; };

  const CacheLevel& l1 = caches.l1d;
  if (l1.known() && l1.ways >= 3) {
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

  const CacheLevel& l2 = caches.l2;
  const std::size_t a_ways = l2.known() ? static_cast<std::size_t>((l2.ways - 1) / 2) : 0;
  if (a_ways >= 1) {
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

// ---- GEMMLAB_BLOCKING -----------------------------------------------------------

namespace {

const char* const kVariable = "GEMMLAB_BLOCKING";
constexpr int kLimitKc = 16384, kLimitMc = 65536, kLimitNc = 1 << 20;
constexpr long long kLimitBlockFloats = 1LL << 28;  // a packed block of at most 1 GiB

[[noreturn]] void refuse(std::string_view text, const std::string& what) {
  throw std::invalid_argument(setting_text(kVariable, text) + ": " + what +
                              " (the form: model and/or kc=N,mc=N,nc=N, each at most once, separated by commas, e.g. "
                              "kc=256,mc=96 or model)");
}

}  // namespace

BlockingOverride parse_blocking_override(std::string_view text) {
  BlockingOverride o;
  std::size_t start = 0;
  for (int entry = 1;; ++entry) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (item.empty()) refuse(text, "entry " + std::to_string(entry) + " is empty");
    if (item == "model") {
      if (o.model) refuse(text, "model is given twice");
      o.model = true;
      if (end == text.size()) break;
      start = end + 1;
      continue;
    }
    if (eq == std::string_view::npos) refuse(text, "unknown entry " + quoted(item) + " (model, kc=, mc=, nc=)");
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    int* field = key == "kc" ? &o.kc : key == "mc" ? &o.mc : key == "nc" ? &o.nc : nullptr;
    if (field == nullptr) refuse(text, "unknown entry " + quoted(item) + " (model, kc=, mc=, nc=)");
    if (*field != 0) refuse(text, std::string(key) + " is given twice");
    const int limit = key == "kc" ? kLimitKc : key == "mc" ? kLimitMc : kLimitNc;
    long long n = 0;
    const auto [ptr, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || error != std::errc() || ptr != value.data() + value.size() || value[0] == '-' ||
        value[0] == '+')
      refuse(text, std::string(key) + " = " + quoted(value) + " is not a decimal number");
    if (n < 1 || n > limit)
      refuse(text, std::string(key) + " = " + std::string(value) + " is outside 1.." + std::to_string(limit));
    *field = static_cast<int>(n);
    if (end == text.size()) break;
    start = end + 1;
  }
  if (1LL * o.kc * o.nc > kLimitBlockFloats || 1LL * o.kc * o.mc > kLimitBlockFloats)
    refuse(text, "a packed block of kc x nc or mc x kc floats over 1 GiB");
  return o;
}

Blocking apply_override(Blocking b, const BlockingOverride& o, int mr, int nr) {
  if (o.kc != 0) b.kc = o.kc;
  if (o.mc != 0) b.mc = (o.mc + mr - 1) / mr * mr;
  if (o.nc != 0) b.nc = (o.nc + nr - 1) / nr * nr;
  return b;
}

namespace {

struct Decided {
  const MicroKernel* micro;
  Blocking blocking;
  std::string explanation;
};
struct Decisions {
  std::vector<Decided> rows;
  std::string error;  // GEMMLAB_BLOCKING's, when it is invalid
};

Decisions decide() {
  Decisions d;
  BlockingOverride o;
  const char* text = std::getenv(kVariable);
  const bool overridden = text != nullptr && *text != '\0';
  if (overridden) {
    try {
      o = parse_blocking_override(text);
    } catch (const std::invalid_argument& e) {
      d.error = e.what();
      return d;
    }
  }
  const CacheInfo& caches = cpu_features().caches;
  for (const MicroKernel* mk : micro_kernels()) {
    const BlockingChoice model = model_blocking(mk->mr, mk->nr, caches, mk->blocking);
    const Blocking& c = mk->blocking;
    std::string reasoning;  // the model's lines, indented under its heading
    for (std::size_t start = 0, end = 0; start < model.reasoning.size(); start = end + 1) {
      end = model.reasoning.find('\n', start);
      reasoning += "  " + model.reasoning.substr(start, end - start) + "\n";
    }
    Decided row{mk, apply_override(o.model ? model.blocking : c, o, mk->mr, mk->nr),
                "constants: KC " + std::to_string(c.kc) + ", MC " + std::to_string(c.mc) + ", NC " +
                    std::to_string(c.nc) + (o.model ? "" : " (in use)") + "\nthe model, from the caches (" +
                    (caches.source.empty() ? std::string("none described") : caches.source) + ")" +
                    (o.model ? " (in use)" : "") + ":\n" + reasoning};
    if (overridden) {
      const Blocking& b = row.blocking;
      row.explanation += std::string(kVariable) + "=" + text + " sets KC " + std::to_string(b.kc) + ", MC " +
                         std::to_string(b.mc) + ", NC " + std::to_string(b.nc) +
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

std::string blocking_report(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k, detail::ElementType::f32);
  if (!r.runnable || r.micro == nullptr) return {};
  const detail::Blocking& b = detail::blocking_for(*r.micro);
  return "micro-kernel " + std::string(r.micro->name) + " (" + std::to_string(r.micro->mr) + " x " +
         std::to_string(r.micro->nr) + "): runs with KC " + std::to_string(b.kc) + ", MC " + std::to_string(b.mc) +
         ", NC " + std::to_string(b.nc) + "\n" + detail::blocking_explanation(*r.micro);
}

}  // namespace gemmlab
