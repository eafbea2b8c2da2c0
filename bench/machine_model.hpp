// bench/machine_model.hpp — the numbers a performance model needs, measured:
// the core's clock, and how many bytes per second each level of the memory
// hierarchy delivers to one core.
//
// With the peak probes (peak.hpp) they give the roofline (roofline.hpp): a
// kernel that does F flops per byte it loads and stores cannot run faster
// than min(peak, F x bandwidth of the level its data comes from).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "measure.hpp"

namespace gemmlab::bench {

// One bandwidth probe: reading a buffer of `bytes` over and over, so that it
// is served from `level` (chosen from the caches CPUID or sysfs report).
struct BandwidthResult {
  std::string level;             // "L1", "L2", "L3", "memory"
  std::size_t bytes = 0;         // the buffer read
  std::string loads;             // the loads used: "avx512", "avx2" or "baseline" (plain C++, 16-byte vectors)
  double gbytes_per_second = 0;  // median of the samples
  double bytes_per_cycle = 0;    // at the measured clock (0 when it is unknown)
};

struct MachineModel {
  // A chain of dependent integer additions runs one addition per cycle on
  // every core this project knows, so additions per second of this thread's
  // CPU time (the fastest sample) is the clock. 0 when this architecture has
  // no such probe.
  double clock_ghz = 0;
  // Cycles from one FMA to the next that needs its result, with the widest
  // FMA this CPU has (fma_isa: "avx512", "avx2", "neon"; empty: none). The
  // units stay busy only with latency x units independent chains in flight.
  double fma_latency_cycles = 0;
  std::string fma_isa;
  std::vector<BandwidthResult> bandwidth;  // by level (L1 first), then load width (widest first)

  // The bandwidth of `level` with the loads a kernel compared with the
  // `peak_isa` probe issues (peak.hpp's names); 0 when not measured.
  double gbytes_per_second(const std::string& level, const std::string& peak_isa) const;
};

// What a measured 1-thread peak says with the clock: flops per cycle, the
// multiply-add units that implies (flops per cycle / flops per multiply-add),
// and the theoretical peak of that many whole units at that clock,
// units x flops per multiply-add x GHz. All 0 without a clock.
struct ImpliedPeak {
  double flops_per_cycle = 0;
  double units = 0;        // as measured, e.g. 1.97
  double whole_units = 0;  // rounded, at least 1
  double gflops = 0;       // whole_units x flops_per_multiply_add x clock
};
ImpliedPeak implied_peak(double gflops_one_thread, double flops_per_multiply_add, double clock_ghz);

// Measures the clock and the read bandwidth of each cache level and of
// memory, with each load width this CPU has, `config.samples` samples each
// (median); one thread. `step` gets a short
// description before each probe (for the progress line).
MachineModel measure_machine_model(const MeasureConfig& config, const std::function<void(const std::string&)>& step);

// How many progress steps measure_machine_model takes.
int machine_model_steps();

// The buffer sizes the probes read, one per level the CPU describes, plus
// memory (half of each level, so that the buffer fits beside whatever else
// is cached there; memory: 4 x the L3, at least 256 MiB and at most 1 GiB,
// so that almost nothing of it is still cached when it is read again). A
// level the CPU does not describe (0 bytes) gets no probe.
struct BandwidthLevel {
  std::string level;
  std::size_t bytes = 0;
};
std::vector<BandwidthLevel> bandwidth_levels(std::size_t l1_bytes, std::size_t l2_bytes, std::size_t l3_bytes);

}  // namespace gemmlab::bench
