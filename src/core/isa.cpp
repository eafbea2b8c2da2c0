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
    case Isa::avx512_bf16:
      return cpu.avx512_f_vl_bw_dq() && cpu.avx512bf16;
    case Isa::amx_bf16:
      return cpu.avx512_f_vl_bw_dq() && cpu.amx_usable();
  }
  return false;
}

std::string isa_why_not(Isa isa) {
  if (isa_supported(isa)) return {};
  const CpuFeatures& cpu = cpu_features();
  const bool hidden = !cpu.disabled.empty();
  if (isa == Isa::amx_bf16 && cpu.avx512_f_vl_bw_dq()) return cpu.amx_why_not;
  return std::string("this CPU lacks ") + std::string(isa_name(isa)) +
         (hidden ? " (or GEMMLAB_DISABLE_ISA=" + cpu.disabled + " hides it)" : "");
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
    case Isa::avx512_bf16:
      return "AVX512-BF16";
    case Isa::amx_bf16:
      return "AMX-BF16";
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
    case Isa::avx512_bf16:
      return "avx512bf16";
    case Isa::amx_bf16:
      return "amx";
  }
  return "scalar";
}

}  // namespace gemmlab::detail
