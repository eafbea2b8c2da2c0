// The peak probes: which ones run here, and timing them on N threads.
#include "peak.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <latch>
#include <thread>

#include "gemmlab/cpu.hpp"
#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

// Multiplier < 1 and the addend keep every chain near 1.0 (see peak_loops.hpp).
// Read through a volatile so the compiler cannot fold them into the loop.
volatile float probe_multiplier = 0.999f;
volatile float probe_addend = 0.001f;

double flops_per_iteration(const PeakProbe& p) { return 2.0 * peak_accumulators * p.lanes; }

// One run: `threads` threads wait at a latch, run `iterations` iterations of
// the loop, and the wall time from release to the last join is returned.
double timed_run(const PeakProbe& p, int threads, std::int64_t iterations) {
  const float m = probe_multiplier, c = probe_addend;
  std::latch start(1);
  std::vector<float> sinks(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      start.wait();
      sinks[static_cast<std::size_t>(t)] = p.loop(iterations, m, c);
    });
  const auto begin = std::chrono::steady_clock::now();
  start.count_down();
  for (auto& w : workers) w.join();
  const double seconds = seconds_since(begin);
  for (float s : sinks)
    if (!std::isfinite(s)) throw std::runtime_error("peak probe " + std::string(p.isa) + " produced a non-finite sum");
  return seconds;
}

}  // namespace

std::vector<PeakProbe> available_probes() {
  const CpuFeatures& cpu = cpu_features();
  std::vector<PeakProbe> probes;
  probes.push_back({"scalar", "float multiply + add, no vectors (plain C++, baseline target)", 1, peak_loop_scalar});
#if defined(__SSE2__)
  probes.push_back({"sse2", "128-bit SSE2 multiply + add (x86-64 baseline vectors, no FMA)", 4, peak_loop_sse2});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
  if (cpu.avx2 && cpu.fma) probes.push_back({"avx2", "256-bit AVX2 FMA", 8, peak_loop_avx2});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
  if (cpu.avx512f) probes.push_back({"avx512", "512-bit AVX-512F FMA", 16, peak_loop_avx512});
#endif
#if defined(GEMMLAB_BENCH_HAVE_NEON)
  if (cpu.neon) probes.push_back({"neon", "128-bit NEON FMA", 4, peak_loop_neon});
#endif
  (void)cpu;
  return probes;
}

PeakResult measure_peak(const PeakProbe& probe, int threads, const MeasureConfig& config) {
  // Calibrate on one thread: enough iterations for one run to last a sample.
  std::int64_t iterations = 1000;
  for (;;) {
    const double t = timed_run(probe, 1, iterations);
    if (t >= config.min_sample_seconds) break;
    const double grow = t > 0 ? 1.2 * config.min_sample_seconds / t : 100.0;
    iterations = static_cast<std::int64_t>(std::ceil(static_cast<double>(iterations) * std::clamp(grow, 2.0, 100.0)));
  }
  std::vector<double> gflops;
  const double flops = flops_per_iteration(probe) * static_cast<double>(iterations) * threads;
  for (int s = 0; s < config.samples; ++s) gflops.push_back(flops / timed_run(probe, threads, iterations) * 1e-9);

  PeakResult r;
  r.isa = std::string(probe.isa);
  r.threads = threads;
  r.merge(PeakResult{r.isa, threads, 0, 0, 0, gflops});
  return r;
}

void PeakResult::merge(const PeakResult& other) {
  sample_gflops.insert(sample_gflops.end(), other.sample_gflops.begin(), other.sample_gflops.end());
  if (sample_gflops.empty()) return;
  gflops_best = *std::max_element(sample_gflops.begin(), sample_gflops.end());
  gflops_min = *std::min_element(sample_gflops.begin(), sample_gflops.end());
  gflops_median = median_of(sample_gflops);
}

std::string peak_isa_for(Kernel k) {
  // A SIMD kernel is compared with the probe of its own instruction set.
  switch (resolve_kernel(k)) {
    case Kernel::simd_avx512:
      return "avx512";
    case Kernel::simd_avx2:
      return "avx2";
    case Kernel::simd_neon:
      return "neon";
    case Kernel::naive:
      // One dot product at a time, summed in order: the compiler cannot
      // vectorise it without reordering the sum, so its ceiling is scalar.
      return "scalar";
    default:
      break;
  }
  // blocked: portable C++ with no intrinsics, and no ISA of its own in the
  // registry. But src/gemm/blocked.cpp compiles the same source twice, for
  // the baseline and with AVX2 + FMA (when the build has AVX2 files:
  // GEMMLAB_HAVE_AVX2), and runs the AVX2 copy when the CPU has AVX2 and FMA.
  // So it is compared with the peak of the instructions it really executes:
  // AVX2 FMA then, else the baseline vectors (SSE2 on x86-64, NEON with FMA
  // on aarch64). If the registry ever names an ISA for it, that wins.
  const std::string_view isa = kernel_isa(k);
  if (isa.find("AVX-512") != std::string_view::npos) return "avx512";
  if (isa.find("AVX2") != std::string_view::npos) return "avx2";
  const std::string& arch = cpu_features().arch;
#if defined(GEMMLAB_HAVE_AVX2)
  const bool blocked_runs_avx2 = cpu_features().avx2 && cpu_features().fma;
#else
  const bool blocked_runs_avx2 = false;
#endif
  if (arch == "x86_64") return blocked_runs_avx2 ? "avx2" : "sse2";
  if (arch == "aarch64") return "neon";
  return "scalar";
}

}  // namespace gemmlab::bench
