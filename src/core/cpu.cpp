// Run-time CPU feature detection.
//
// x86-64: GCC and Clang's __builtin_cpu_supports reads CPUID and also checks
// (through XGETBV) that the OS saves the AVX / AVX-512 register state, so a
// true answer means the instructions can really run. ARM64: Advanced SIMD
// (NEON) is part of every ARMv8-A core, so it is always present.
//
// AVX512_BF16 and AMX are read from CPUID directly (leaf 7), because the
// compilers' __builtin_cpu_supports does not know them in every version we
// build with. AMX needs two more answers from the OS (amx_state below).
#include "gemmlab/cpu.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "core/caches.hpp"
#include "core/setting_text.hpp"

namespace gemmlab {
namespace {

// ---- GEMMLAB_DISABLE_ISA -----------------------------------------------------
//
// The rule: entries separated by commas, each exactly one of these names
// (lower case, no spaces, none empty); an unset or empty variable hides
// nothing. Any other entry is an error listing the valid names, not
// ignored: a misspelt entry would hide nothing while the user, and
// `gemmlab kernels`, believed it had. An entry for another architecture
// (neon on x86-64, avx512 on ARM64) is valid and hides what is not there.
const char* const kDisableVariable = "GEMMLAB_DISABLE_ISA";
constexpr std::array<std::string_view, 6> kHideable = {"avx512", "avx2", "fma", "neon", "avx512bf16", "amx"};

std::string valid_entries() {
  std::string out;
  for (const std::string_view name : kHideable) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Which of kHideable `list` names (hidden[i] for kHideable[i]); throws
// std::invalid_argument for an entry off the list.
std::array<bool, kHideable.size()> parse_hidden(std::string_view list) {
  std::array<bool, kHideable.size()> hidden{};
  std::size_t start = 0;
  for (int entry = 1;; ++entry) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view name = list.substr(start, end - start);
    const auto* found = std::find(kHideable.begin(), kHideable.end(), name);
    if (found == kHideable.end()) {
      const std::string what =
          name.empty() ? "entry " + std::to_string(entry) + " is empty" : "unknown entry " + detail::quoted(name);
      throw std::invalid_argument(detail::setting_text(kDisableVariable, list) + ": " + what +
                                  " (valid entries: " + valid_entries() + "; separate them with commas, no spaces)");
    }
    hidden[static_cast<std::size_t>(found - kHideable.begin())] = true;
    if (end == list.size()) return hidden;
    start = end + 1;
  }
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

#if defined(__x86_64__) || defined(_M_X64)
// CPUID leaf 7, sub-leaf `sub`: {eax, ebx, ecx, edx}, zeros when the CPU has no leaf 7.
std::array<unsigned, 4> cpuid_leaf7(unsigned sub) {
  std::array<unsigned, 4> r{};
  if (__get_cpuid_max(0, nullptr) >= 7) __cpuid_count(7, sub, r[0], r[1], r[2], r[3]);
  return r;
}

// XCR0, the register state the OS saves on a context switch (XGETBV with
// ECX = 0), or 0 when the OS has not enabled XGETBV (CPUID.1:ECX.OSXSAVE).
// Inline assembly, so that this file needs no -mxsave.
unsigned long long xcr0() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0 || (ecx & (1u << 27)) == 0) return 0;
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

// Whether this process may use the AMX tiles, and if not, why. The tile
// data is 8 KiB of register state, so Linux (5.16 and later) does not give
// it to every process: a process asks once, with arch_prctl, and the answer
// holds for all its threads. Without that permission the first tile
// instruction kills the program with SIGILL even though CPUID and XCR0 say
// yes; so the permission is part of "the CPU and the OS support it".
// It is asked when the features are first read (the library's first call),
// on AMX machines only. One consequence for a program, as with any AMX
// user: its signal frames grow by the tile state, so an alternate signal
// stack (sigaltstack) must be large enough for them.
std::string amx_state(const CpuFeatures& f) {
  if (!f.amx_tile || !f.amx_bf16) return "the CPU has no AMX-TILE and AMX-BF16 (CPUID leaf 7)";
  constexpr unsigned long long tile_config = 1ull << 17, tile_data = 1ull << 18;
  if ((xcr0() & (tile_config | tile_data)) != (tile_config | tile_data))
    return "the OS does not save the tile registers (XCR0 bits 17 and 18 clear)";
#if defined(__linux__)
  constexpr long request_permission = 0x1023;  // ARCH_REQ_XCOMP_PERM (asm/prctl.h, Linux 5.16)
  constexpr long xfeature_tile_data = 18;      // XFEATURE_XTILEDATA
  if (syscall(SYS_arch_prctl, request_permission, xfeature_tile_data) != 0)
    return "the OS refused this process the tile registers (arch_prctl ARCH_REQ_XCOMP_PERM failed)";
  return {};
#else
  return "asking the OS for the tile registers is only written for Linux";
#endif
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
  const std::array<unsigned, 4> leaf7 = cpuid_leaf7(0), leaf7_1 = cpuid_leaf7(1);
  // AVX512_BF16 is CPUID.(7,1):EAX bit 5; its zmm state is AVX-512's, which
  // __builtin_cpu_supports("avx512f") has already checked in XCR0.
  f.avx512bf16 = f.avx512f && (leaf7_1[0] & (1u << 5)) != 0;
  f.amx_bf16 = (leaf7[3] & (1u << 22)) != 0;  // CPUID.(7,0):EDX bit 22
  f.amx_tile = (leaf7[3] & (1u << 24)) != 0;  // CPUID.(7,0):EDX bit 24
  f.brand = x86_brand();
#elif defined(__aarch64__)
  f.arch = "aarch64";
  f.neon = true;
#else
  f.arch = "other";
#endif
  const unsigned cores = std::thread::hardware_concurrency();
  f.logical_cores = cores == 0 ? 1 : static_cast<int>(cores);
  f.caches = detail::detect_caches();

  bool amx_hidden = false;
  if (const char* hide = std::getenv(kDisableVariable); hide != nullptr && *hide != '\0') {
    const auto hidden = parse_hidden(hide);  // in the order of kHideable
    f.disabled = hide;
    if (hidden[0]) f.avx512f = f.avx512vl = f.avx512bw = f.avx512dq = f.avx512bf16 = false;
    if (hidden[1]) f.avx2 = false;
    if (hidden[2]) f.fma = false;
    if (hidden[3]) f.neon = false;
    if (hidden[4]) f.avx512bf16 = false;
    amx_hidden = hidden[5];
  }
  if (amx_hidden) {
    f.amx_tile = f.amx_bf16 = false;
    f.amx_why_not = "hidden by GEMMLAB_DISABLE_ISA";  // and never asked of the OS
  } else {
#if defined(__x86_64__) || defined(_M_X64)
    f.amx_why_not = amx_state(f);
#else
    f.amx_why_not = "AMX is an x86-64 extension";
#endif
  }
  return f;
}

// The features, or why GEMMLAB_DISABLE_ISA was refused. Kept either way, so
// the variable is read once and a bad value gives every caller the same error.
struct Detected {
  CpuFeatures features;
  std::string error;
};

Detected detect_once() {
  Detected d;
  try {
    d.features = detect();
  } catch (const std::invalid_argument& e) {
    d.error = e.what();
  }
  return d;
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
  add(avx512bf16, "avx512bf16");
  add(amx_tile, "amx_tile");
  add(amx_bf16, "amx_bf16");
  add(neon, "neon");
  return s.empty() ? "(none)" : s;
}

const CpuFeatures& cpu_features() {
  static const Detected detected = detect_once();
  if (!detected.error.empty()) throw std::invalid_argument(detected.error);
  return detected.features;
}

}  // namespace gemmlab
