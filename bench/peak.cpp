// The peak probes: which ones run here, and timing them on N threads.
#include "peak.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <latch>
#include <span>
#include <thread>

#include "gemmlab/cpu.hpp"
#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

// Multiplier < 1 and the addend keep every chain near 1.0 (see peak_loops.hpp).
// Read through a volatile so the compiler cannot fold them into the loop.
volatile float probe_multiplier = 0.999f;
volatile float probe_addend = 0.001f;

// The FMA loops: one multiply-add per chain and lane per iteration.
constexpr double fma_flops(int lanes) { return 2.0 * peak_accumulators * lanes; }

// One run: `threads` threads each run `iterations` iterations of the loop,
// and the time from the first start to the last finish is returned. The
// threads first wait for each other at a latch, and each reads the clock
// itself: a thread that the scheduler is slow to start (on a busy machine,
// milliseconds) delays the start, it is not counted as compute time.
double timed_run(const PeakProbe& p, int threads, std::int64_t iterations) {
  using clock = std::chrono::steady_clock;
  const float m = probe_multiplier, c = probe_addend;
  std::latch all_running(threads);
  std::vector<float> sinks(static_cast<std::size_t>(threads));
  std::vector<clock::time_point> starts(static_cast<std::size_t>(threads)), ends(starts.size());
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      const auto i = static_cast<std::size_t>(t);
      all_running.arrive_and_wait();
      starts[i] = clock::now();
      sinks[i] = p.loop(iterations, m, c);
      ends[i] = clock::now();
    });
  for (auto& w : workers) w.join();
  for (float s : sinks)
    if (!std::isfinite(s)) throw std::runtime_error("peak probe " + std::string(p.isa) + " produced a non-finite sum");
  const auto first_start = *std::min_element(starts.begin(), starts.end());
  const auto last_end = *std::max_element(ends.begin(), ends.end());
  return std::chrono::duration<double>(last_end - first_start).count();
}

// Iterations for one run of `p` to last at least `seconds` on one core,
// timed on the calling thread (no thread start-up in the measurement).
std::int64_t calibrate(const PeakProbe& p, double seconds) {
  std::int64_t iterations = 1000;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    volatile float sink = p.loop(iterations, probe_multiplier, probe_addend);
    (void)sink;
    const double t = seconds_since(start);
    if (t >= seconds) return iterations;
    const double grow = t > 0 ? 1.2 * seconds / t : 100.0;
    iterations = static_cast<std::int64_t>(std::ceil(static_cast<double>(iterations) * std::clamp(grow, 2.0, 100.0)));
  }
}

}  // namespace

std::vector<PeakProbe> available_probes() {
  const CpuFeatures& cpu = cpu_features();
  std::vector<PeakProbe> probes;
  probes.push_back(
      {"scalar", "float multiply + add, no vectors (plain C++, baseline target)", fma_flops(1), 2, peak_loop_scalar});
#if defined(__SSE2__)
  probes.push_back(
      {"sse2", "128-bit SSE2 multiply + add (x86-64 baseline vectors, no FMA)", fma_flops(4), 8, peak_loop_sse2});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
  if (cpu.avx2 && cpu.fma) probes.push_back({"avx2", "256-bit AVX2 FMA", fma_flops(8), 16, peak_loop_avx2});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
  if (cpu.avx512_f_vl_bw_dq())
    probes.push_back({"avx512", "512-bit AVX-512F FMA", fma_flops(16), 32, peak_loop_avx512});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512BF16)
  // vdpbf16ps: 16 float lanes, each two bf16 products and their sum: 64 flops.
  if (cpu.avx512_f_vl_bw_dq() && cpu.avx512bf16)
    probes.push_back({"avx512bf16", "512-bit AVX512-BF16 vdpbf16ps (bf16 pairs into float)", peak_bf16_chains * 64.0,
                      64, peak_loop_avx512bf16});
#endif
#if defined(GEMMLAB_BENCH_HAVE_AMX)
  // tdpbf16ps: 16 x 16 float results, each 32 bf16 products and their sum.
  if (cpu.avx512_f_vl_bw_dq() && cpu.amx_usable())
    probes.push_back({"amx", "AMX tdpbf16ps on 16 x 16 float tiles (registers only)",
                      peak_amx_tiles * 16.0 * 16.0 * 32.0 * 2.0, 16.0 * 16.0 * 32.0 * 2.0, peak_loop_amx});
#endif
#if defined(GEMMLAB_BENCH_HAVE_NEON)
  if (cpu.neon) probes.push_back({"neon", "128-bit NEON FMA", fma_flops(4), 8, peak_loop_neon});
#endif
  (void)cpu;
  return probes;
}

std::vector<PeakResult> measure_peaks(std::span<const PeakProbe> probes, std::span<const int> thread_counts,
                                      const MeasureConfig& config,
                                      const std::function<void(const std::string&)>& step) {
  struct Config {
    const PeakProbe* probe;
    int threads;
    std::int64_t iterations;
  };
  std::vector<Config> configs;
  for (int threads : thread_counts)
    for (const PeakProbe& probe : probes) {
      std::string what(probe.isa);
      what.append(" threads=").append(std::to_string(threads));
      step(what);
      const std::int64_t iterations = calibrate(probe, config.min_sample_seconds);
      configs.push_back({&probe, threads, iterations});
    }

  // Round-robin: one sample of every configuration per round, so each one's
  // samples are spread over the whole probing time, not one short window in
  // which another process may happen to hold the core.
  std::vector<std::vector<double>> gflops(configs.size());
  for (int round = 0; round < config.samples; ++round)
    for (std::size_t c = 0; c < configs.size(); ++c) {
      const Config& cfg = configs[c];
      const double flops = cfg.probe->flops_per_iteration * static_cast<double>(cfg.iterations) * cfg.threads;
      gflops[c].push_back(flops / timed_run(*cfg.probe, cfg.threads, cfg.iterations) * 1e-9);
    }

  std::vector<PeakResult> results;
  for (std::size_t c = 0; c < configs.size(); ++c) {
    PeakResult r;
    r.isa = std::string(configs[c].probe->isa);
    r.threads = configs[c].threads;
    r.merge(PeakResult{r.isa, r.threads, 0, 0, 0, gflops[c]});
    results.push_back(r);
  }
  return results;
}

void PeakResult::merge(const PeakResult& other) {
  sample_gflops.insert(sample_gflops.end(), other.sample_gflops.begin(), other.sample_gflops.end());
  if (sample_gflops.empty()) return;
  gflops_best = *std::max_element(sample_gflops.begin(), sample_gflops.end());
  gflops_min = *std::min_element(sample_gflops.begin(), sample_gflops.end());
  gflops_median = median_of(sample_gflops);
}

std::string peak_isa_for(Kernel k) {
  // The kernel table knows which instructions each kernel really executes
  // (blocked, for one, runs an AVX2 copy of its micro-kernel where it can).
  return std::string(kernel_peak_probe(k));
}

}  // namespace gemmlab::bench
