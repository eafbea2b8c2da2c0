// bench/measure.hpp — how one benchmark point is timed.
//
// The method (docs/benchmarking.md explains why):
//   1. Warm-up and calibration in one: run batches of calls, growing the batch
//      until one batch lasts at least `min_sample_seconds`. This warms caches,
//      page tables, the thread pool and the CPU's clock, and finds how many
//      calls (`reps`) make one sample long enough to time with steady_clock
//      (a 4x4x4 sgemm is tens of nanoseconds; the clock's resolution and its
//      own cost are far larger than that, so single calls cannot be timed).
//   2. `samples` timed batches of `reps` calls each.
//   3. Report the median time per call, and the min and max. The median
//      ignores the few samples a shared machine disturbs (another process, an
//      interrupt, a frequency change) without hiding them: min and max show
//      the spread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <vector>

namespace gemmlab::bench {

struct MeasureConfig {
  double min_sample_seconds = 0.025;  // one timed batch lasts at least this long
  int samples = 7;                    // timed batches after calibration
};

struct Timing {
  double median_seconds = 0;  // per call
  double min_seconds = 0;
  double max_seconds = 0;
  std::int64_t reps = 0;  // calls per sample
  int samples = 0;
  // Process CPU time (all threads, std::clock) per wall-clock second over the
  // samples. A single-threaded kernel that had its core to itself shows 1.0;
  // 0.5 means another process held the core half the time, and the wall-clock
  // figures are that much lower than the kernel's own speed.
  double cpu_per_wall = 0;
};

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The median of a non-empty list (the mean of the two middle values for an
// even count).
inline double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Times `call` (a callable taking no arguments) by the method above.
template <class Call>
Timing measure(Call&& call, const MeasureConfig& config) {
  using clock = std::chrono::steady_clock;
  const auto time_batch = [&](std::int64_t reps) {
    const auto start = clock::now();
    for (std::int64_t r = 0; r < reps; ++r) call();
    return seconds_since(start);
  };

  // 1. Warm-up and calibration: grow the batch until it lasts long enough.
  std::int64_t reps = 1;
  for (;;) {
    const double t = time_batch(reps);
    if (t >= config.min_sample_seconds) break;
    // Aim 20% past the target, grow at least 2x and at most 100x per round.
    const double wanted = t > 0 ? 1.2 * config.min_sample_seconds / t : 100.0;
    reps = static_cast<std::int64_t>(std::ceil(static_cast<double>(reps) * std::clamp(wanted, 2.0, 100.0)));
  }

  // 2. The timed samples.
  std::vector<double> per_call;
  per_call.reserve(static_cast<std::size_t>(config.samples));
  const std::clock_t cpu_start = std::clock();
  double wall = 0;
  for (int s = 0; s < config.samples; ++s) {
    const double t = time_batch(reps);
    wall += t;
    per_call.push_back(t / static_cast<double>(reps));
  }
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  // 3. Median, min and max.
  Timing t;
  t.median_seconds = median_of(per_call);
  t.min_seconds = *std::min_element(per_call.begin(), per_call.end());
  t.max_seconds = *std::max_element(per_call.begin(), per_call.end());
  t.reps = reps;
  t.samples = config.samples;
  t.cpu_per_wall = wall > 0 ? cpu / wall : 0;
  return t;
}

}  // namespace gemmlab::bench
