// The Isa checks (isa.hpp): each instruction set mapped to the CPU features
// that must all be present.
#include "core/isa.hpp"

#include "gemmlab/cpu.hpp"

namespace gemmlab::detail {

bool isa_supported(Isa isa) {
  const CpuFeatures& cpu = cpu_features();
  switch (isa) {
    case Isa::baseline:
      return true;
    case Isa::avx2_fma:
      return cpu.avx2 && cpu.fma;
    case Isa::avx512:
      return cpu.avx512_f_vl_bw_dq();
    case Isa::neon:
      return cpu.neon;
  }
  return false;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::baseline:
      return "baseline";
    case Isa::avx2_fma:
      return "AVX2+FMA";
    case Isa::avx512:
      return "AVX-512";
    case Isa::neon:
      return "NEON";
  }
  return "unknown";
}

std::string_view isa_peak_probe(Isa isa) {
  switch (isa) {
    case Isa::baseline:
#if defined(__aarch64__)
      return "neon";
#elif defined(__x86_64__)
      return "sse2";
#else
      return "scalar";
#endif
    case Isa::avx2_fma:
      return "avx2";
    case Isa::avx512:
      return "avx512";
    case Isa::neon:
      return "neon";
  }
  return "scalar";
}

}  // namespace gemmlab::detail
