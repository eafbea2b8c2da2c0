#include "chart_style.hpp"

#include <cmath>
#include <cstdio>

namespace gemmlab::bench {

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string gflops_text(double g) { return fixed(g, g < 10 ? 2 : g < 100 ? 1 : 0); }

const char* const palette[] = {"#0072B2", "#D55E00", "#009E73", "#222222", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D1F"};
const std::size_t palette_size = std::size(palette);

std::string lighter(const std::string& colour, double fraction) {
  std::string out("#");
  for (int c = 0; c < 3; ++c) {
    const int value = std::stoi(colour.substr(1 + 2 * static_cast<std::size_t>(c), 2), nullptr, 16);
    const int mixed = static_cast<int>(std::lround(value + (255 - value) * fraction));
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", mixed);
    out.append(hex);
  }
  return out;
}

std::string isa_title(const std::string& isa) {
  if (isa == "avx512") return "AVX-512";
  if (isa == "avx2") return "AVX2";
  if (isa == "sse2") return "SSE2";
  if (isa == "neon") return "NEON";
  if (isa == "scalar") return "scalar";
  if (isa == "avx512bf16") return "AVX512-BF16 vdpbf16ps";
  if (isa == "amx") return "AMX tdpbf16ps";
  return isa;
}

}  // namespace gemmlab::bench
