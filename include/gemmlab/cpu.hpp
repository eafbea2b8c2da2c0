// gemmlab/cpu.hpp — what the CPU reports, read once at run time.
//
// The library never assumes an instruction set it was not told about: each
// ISA-specific kernel is compiled in its own file with its own flags, and
// is called only when these flags say the CPU (and the OS, which must save
// the wider registers) supports it.
//
// For teaching and testing, GEMMLAB_DISABLE_ISA hides features, so a reader
// can watch `simd` fall back on their own machine: a comma-separated list of
// entries, each exactly one of avx512, avx2, fma, neon, avx512bf16, amx
// (lower case, no spaces, no empty entry), e.g. GEMMLAB_DISABLE_ISA=avx512,avx2.
// Hiding avx512 also hides avx512bf16 (an extension of it). Unset or empty
// hides nothing. Any other value is an error (see cpu_features()).
#pragma once

#include <cstddef>
#include <string>

namespace gemmlab {

// One level of the data-cache hierarchy, as the CPU (or the OS) describes it
// for one core. 0 in a field: not reported.
struct CacheLevel {
  std::size_t bytes = 0;  // capacity
  int ways = 0;           // associativity (a fully associative cache: its lines)
  int line_bytes = 0;     // 64 on every x86-64 and most ARM64 cores
  int sets = 0;           // bytes / (ways * line_bytes)
  int shared_by = 0;      // logical CPUs that share it (1: private to one)
  bool known() const { return bytes > 0 && ways > 0 && line_bytes > 0 && sets > 0; }
};

// The caches the blocking model reads (src/gemm/blocking.cpp).
struct CacheInfo {
  CacheLevel l1d, l2, l3;
  // Where the description came from: "CPUID leaf 4" (Intel), "CPUID leaf
  // 0x8000001D" (AMD), "sysfs" (Linux, any architecture), or empty when
  // nothing described them (the model then keeps each kernel's constants).
  std::string source;
};

struct CpuFeatures {
  std::string arch;   // "x86_64", "aarch64" or "other"
  std::string brand;  // e.g. "Intel(R) Xeon(R) Processor"; may be empty
  bool sse2 = false;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512vl = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512bf16 = false;  // AVX512_BF16: vdpbf16ps, vcvtne2ps2bf16
  // AMX: the CPU has the tile unit and its bf16 multiply (CPUID), the OS
  // saves the tile registers (XCR0 bits 17 and 18), and the OS gave this
  // process permission to use them (Linux: arch_prctl ARCH_REQ_XCOMP_PERM).
  // All three must hold (amx_usable()); amx_why_not says which did not.
  bool amx_tile = false;
  bool amx_bf16 = false;
  std::string amx_why_not;  // empty when the OS checks passed too
  bool neon = false;
  int logical_cores = 1;
  std::string disabled;  // the value of GEMMLAB_DISABLE_ISA (valid, so every entry was hidden), or empty
  CacheInfo caches;      // read with the features (src/core/caches.cpp)

  // The AVX-512 subset gemmlab's *avx512* files are compiled for
  // (-mavx512f -mavx512vl -mavx512bw -mavx512dq, as on every Intel core
  // since Skylake-SP and AMD since Zen 4): the compiler may use any of the
  // four there, so the kernels need all four, not AVX-512F alone (Xeon Phi
  // has F without VL/BW/DQ).
  bool avx512_f_vl_bw_dq() const { return avx512f && avx512vl && avx512bw && avx512dq; }

  // The CPU has AMX-TILE and AMX-BF16, and the OS saves and permits the tiles.
  bool amx_usable() const { return amx_tile && amx_bf16 && amx_why_not.empty(); }

  // "avx2 fma avx512f ..." — the flags that are set.
  std::string summary() const;
};

// Detected on first use, then cached (thread-safe); GEMMLAB_DISABLE_ISA is
// read then, once. If it is invalid, this throws std::invalid_argument naming
// the variable, its value, the bad entry and the valid ones, on that call
// and every later one (as do every sgemm call and check_settings(), see
// gemmlab/gemm.hpp).
const CpuFeatures& cpu_features();

}  // namespace gemmlab
