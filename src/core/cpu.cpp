// Run-time CPU feature detection.
//
// x86-64: GCC and Clang's __builtin_cpu_supports reads CPUID and also checks
// (through XGETBV) that the OS saves the AVX / AVX-512 register state, so a
// true answer means the instructions can really run. ARM64: Advanced SIMD
// (NEON) is part of every ARMv8-A core, so it is always present.
#include "gemmlab/cpu.hpp"

#include <cstdlib>
#include <cstring>
#include <thread>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace gemmlab {
namespace {

bool listed(const std::string& list, const char* word) {
  // Is `word` one of the comma-separated entries of `list`?
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (list.compare(start, end - start, word) == 0) return true;
    start = end + 1;
  }
  return false;
}

#if defined(__x86_64__) || defined(_M_X64)
std::string x86_brand() {
  unsigned regs[12] = {};
  unsigned max_ext = __get_cpuid_max(0x80000000u, nullptr);
  if (max_ext < 0x80000004u) return {};
  for (unsigned leaf = 0; leaf < 3; ++leaf) {
    unsigned* out = regs + std::size_t{4} * leaf;  // 16 bytes of the name per leaf
    __get_cpuid(0x80000002u + leaf, &out[0], &out[1], &out[2], &out[3]);
  }
  char text[49] = {};
  std::memcpy(text, regs, 48);
  std::string brand(text);
  // Trim the padding spaces some CPUs put around the name.
  const auto first = brand.find_first_not_of(' ');
  const auto last = brand.find_last_not_of(' ');
  return first == std::string::npos ? std::string() : brand.substr(first, last - first + 1);
}
#endif

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(_M_X64)
  f.arch = "x86_64";
  __builtin_cpu_init();
  f.sse2 = __builtin_cpu_supports("sse2");
  f.avx = __builtin_cpu_supports("avx");
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512dq = __builtin_cpu_supports("avx512dq");
  f.brand = x86_brand();
#elif defined(__aarch64__)
  f.arch = "aarch64";
  f.neon = true;
#else
  f.arch = "other";
#endif
  const unsigned cores = std::thread::hardware_concurrency();
  f.logical_cores = cores == 0 ? 1 : static_cast<int>(cores);

  if (const char* hide = std::getenv("GEMMLAB_DISABLE_ISA"); hide != nullptr && *hide != '\0') {
    const std::string list(hide);
    f.disabled = list;
    if (listed(list, "avx512")) f.avx512f = f.avx512vl = f.avx512bw = f.avx512dq = false;
    if (listed(list, "avx2")) f.avx2 = false;
    if (listed(list, "fma")) f.fma = false;
    if (listed(list, "neon")) f.neon = false;
  }
  return f;
}

}  // namespace

std::string CpuFeatures::summary() const {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(sse2, "sse2");
  add(avx, "avx");
  add(avx2, "avx2");
  add(fma, "fma");
  add(avx512f, "avx512f");
  add(avx512vl, "avx512vl");
  add(avx512bw, "avx512bw");
  add(avx512dq, "avx512dq");
  add(neon, "neon");
  return s.empty() ? "(none)" : s;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace gemmlab
