// The clock and bandwidth probes (machine_model.hpp).
#include "machine_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <memory>
#include <new>
#include <utility>

#include "bandwidth_loops.hpp"
#include "gemmlab/cpu.hpp"
#include "peak_loops.hpp"

namespace gemmlab::bench {

std::uint64_t read_loop_baseline(const std::uint64_t* data, std::size_t bytes, std::int64_t passes) {
  // Eight words per step: the compiler turns them into four 16-byte loads
  // with four accumulators (with fewer, the loop's own instructions, not the
  // loads, were the limit).
  std::uint64_t x[8] = {};
  const std::size_t words = bytes / 8;
  for (std::int64_t pass = 0; pass < passes; ++pass)
    for (std::size_t i = 0; i < words; i += 8)
      for (std::size_t j = 0; j < 8; ++j) x[j] ^= data[i + j];
  return x[0] ^ x[1] ^ x[2] ^ x[3] ^ x[4] ^ x[5] ^ x[6] ^ x[7];
}

namespace {

// Additions per round of the clock probe's chain.
constexpr int chain_length = 100;

// `rounds` rounds of `chain_length` additions, each depending on the one
// before: a chain takes one cycle per addition, whatever the core's width.
// Written in assembly, because a compiler folds a chain of C++ additions
// into one; the loop's own counter is a second, independent chain that the
// core runs beside it. Returns false where there is no such probe.
// Register + register, not register + constant: Intel's Golden Cove cores
// (Sapphire and Emerald Rapids) fold additions of small constants at
// register renaming, so a chain of `add $1` ran several additions a cycle
// and read a 12.4 GHz clock on a core near 2.9 GHz (docs/performance-model.md).
// The addend is known only at run time, so neither the compiler nor the
// renamer can treat it as a constant.
bool run_add_chain(std::int64_t rounds, std::uint64_t& sink) {
  std::uint64_t x = sink;
  const std::uint64_t step = sink | 1;  // odd, and known only at run time
#if defined(__x86_64__)
  for (std::int64_t r = 0; r < rounds; ++r) asm volatile(".rept 100\n\taddq %1, %0\n\t.endr" : "+r"(x) : "r"(step));
#elif defined(__aarch64__)
  for (std::int64_t r = 0; r < rounds; ++r) asm volatile(".rept 100\n\tadd %0, %0, %1\n\t.endr" : "+r"(x) : "r"(step));
#else
  (void)step;
  (void)rounds;
  return false;
#endif
  sink = x;
  return true;
}

// The least thread CPU time of `samples` runs of `call`. CPU time, not wall
// time: on a shared machine the scheduler may take the core away in the
// middle of a run, and those milliseconds are not cycles of this thread.
// The least, because nothing makes a chain of dependent instructions run
// faster than one per latency, only slower (an interrupt, a migration).
template <class Call>
double least_cpu_seconds(Call&& call, int samples) {
  double least = 1e300;
  for (int s = 0; s < samples; ++s) {
    timespec start{}, end{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    call();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
    least = std::min(least, static_cast<double>(end.tv_sec - start.tv_sec) +
                                1e-9 * static_cast<double>(end.tv_nsec - start.tv_nsec));
  }
  return least;
}

// Each sample of the chains runs this long, so that the CPU clock's
// resolution (a microsecond or better) is far below a part in a thousand.
constexpr double chain_sample_seconds = 0.01;

double measure_clock_ghz(const MeasureConfig& config) {
  std::uint64_t sink = 0;
  if (!run_add_chain(1, sink)) return 0;
  std::int64_t rounds = 1000;
  while (least_cpu_seconds([&] { run_add_chain(rounds, sink); }, 1) < chain_sample_seconds) rounds *= 2;
  const double seconds = least_cpu_seconds([&] { run_add_chain(rounds, sink); }, std::max(config.samples, 5));
  return static_cast<double>(rounds) * chain_length / seconds * 1e-9;
}

// The FMA latency: one chain of dependent FMAs of the widest ISA.
void measure_fma_latency(const MeasureConfig& config, MachineModel& model) {
  const CpuFeatures& cpu = cpu_features();
  (void)cpu;
  float (*loop)(std::int64_t, float, float) = nullptr;
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
  if (loop == nullptr && cpu.avx512_f_vl_bw_dq()) {
    loop = latency_loop_avx512;
    model.fma_isa = "avx512";
  }
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
  if (loop == nullptr && cpu.avx2 && cpu.fma) {
    loop = latency_loop_avx2;
    model.fma_isa = "avx2";
  }
#endif
#if defined(GEMMLAB_BENCH_HAVE_NEON)
  if (loop == nullptr && cpu.neon) {
    loop = latency_loop_neon;
    model.fma_isa = "neon";
  }
#endif
  if (loop == nullptr || model.clock_ghz <= 0) return;
  std::int64_t fmas = 10000;
  volatile float sink = 0;
  while (least_cpu_seconds([&] { sink = loop(fmas, 0.999f, 0.001f); }, 1) < chain_sample_seconds) fmas *= 2;
  const double seconds = least_cpu_seconds([&] { sink = loop(fmas, 0.999f, 0.001f); }, std::max(config.samples, 5));
  model.fma_latency_cycles = seconds * model.clock_ghz * 1e9 / static_cast<double>(fmas);
}

using ReadLoop = std::uint64_t (*)(const std::uint64_t*, std::size_t, std::int64_t);

// Every load width this CPU and binary have, widest first.
std::vector<std::pair<std::string, ReadLoop>> read_loops() {
  const CpuFeatures& cpu = cpu_features();
  (void)cpu;
  std::vector<std::pair<std::string, ReadLoop>> loops;
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
  if (cpu.avx512_f_vl_bw_dq()) loops.emplace_back("avx512", read_loop_avx512);
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
  if (cpu.avx2) loops.emplace_back("avx2", read_loop_avx2);
#endif
  loops.emplace_back("baseline", read_loop_baseline);
  return loops;
}

// A 64-byte-aligned buffer of `bytes` bytes, every page written once (so
// that no page fault falls in a timed pass).
struct AlignedBuffer {
  explicit AlignedBuffer(std::size_t bytes)
      : words(static_cast<std::uint64_t*>(::operator new (bytes, std::align_val_t{64}))) {
    for (std::size_t i = 0; i < bytes / 8; ++i) words[i] = i * 0x9E3779B97F4A7C15ull;
  }
  ~AlignedBuffer() { ::operator delete (words, std::align_val_t{64}); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&&) = delete;
  AlignedBuffer& operator=(AlignedBuffer&&) = delete;
  std::uint64_t* words;
};

volatile std::uint64_t read_sink;  // what the loops fold, so their loads stay

}  // namespace

std::vector<BandwidthLevel> bandwidth_levels(std::size_t l1_bytes, std::size_t l2_bytes, std::size_t l3_bytes) {
  constexpr std::size_t MiB = std::size_t{1} << 20;
  std::vector<BandwidthLevel> levels;
  // Half a level, rounded down to the loops' 512-byte step.
  const auto half = [](std::size_t bytes) { return bytes / 2 / 512 * 512; };
  if (l1_bytes >= 1024) levels.push_back({"L1", half(l1_bytes)});
  if (l2_bytes > l1_bytes && l2_bytes >= 1024) levels.push_back({"L2", half(l2_bytes)});
  if (l3_bytes > l2_bytes && l3_bytes >= 1024) levels.push_back({"L3", half(l3_bytes)});
  const std::size_t largest_cache = std::max({l1_bytes, l2_bytes, l3_bytes});
  levels.push_back({"memory", std::clamp(4 * largest_cache, 256 * MiB, 1024 * MiB)});
  return levels;
}

ImpliedPeak implied_peak(double gflops_one_thread, double flops_per_multiply_add, double clock_ghz) {
  ImpliedPeak p;
  if (clock_ghz <= 0 || flops_per_multiply_add <= 0) return p;
  p.flops_per_cycle = gflops_one_thread / clock_ghz;
  p.units = p.flops_per_cycle / flops_per_multiply_add;
  p.whole_units = std::max(1.0, std::round(p.units));
  p.gflops = p.whole_units * flops_per_multiply_add * clock_ghz;
  return p;
}

int machine_model_steps() {
  const CacheInfo& caches = cpu_features().caches;
  const std::size_t levels = bandwidth_levels(caches.l1d.bytes, caches.l2.bytes, caches.l3.bytes).size();
  return 2 + static_cast<int>(levels * read_loops().size());
}

MachineModel measure_machine_model(const MeasureConfig& config, const std::function<void(const std::string&)>& step) {
  MachineModel model;
  step("clock");
  model.clock_ghz = measure_clock_ghz(config);
  step("FMA latency");
  measure_fma_latency(config, model);

  // Each level with each load width: a core issues a fixed number of loads
  // per cycle, so from L1 and L2 narrower loads deliver proportionally fewer
  // bytes, and a kernel's roof is that of the loads it issues.
  const CacheInfo& caches = cpu_features().caches;
  const std::vector<std::pair<std::string, ReadLoop>> loops = read_loops();
  for (const BandwidthLevel& level : bandwidth_levels(caches.l1d.bytes, caches.l2.bytes, caches.l3.bytes)) {
    AlignedBuffer buffer(level.bytes);
    // Each call reads at least 1 MiB, so the call itself costs nothing
    // next to the loads even when the buffer is a few KiB of L1.
    const std::int64_t passes = std::max<std::int64_t>(1, static_cast<std::int64_t>((1u << 20) / level.bytes));
    for (const auto& [loads, loop] : loops) {
      step("bandwidth " + level.level + " " + loads);
      const Timing t = measure([&, loop = loop] { read_sink = loop(buffer.words, level.bytes, passes); }, config);
      BandwidthResult r;
      r.level = level.level;
      r.bytes = level.bytes;
      r.loads = loads;
      r.gbytes_per_second = static_cast<double>(level.bytes) * static_cast<double>(passes) / t.median_seconds * 1e-9;
      r.bytes_per_cycle = model.clock_ghz > 0 ? r.gbytes_per_second / model.clock_ghz : 0;
      model.bandwidth.push_back(r);
    }
  }
  return model;
}

double MachineModel::gbytes_per_second(const std::string& level, const std::string& peak_isa) const {
  // A kernel's bandwidth roof is that of the loads its instructions issue,
  // not the widest the CPU has: a core moves a fixed number of loads per
  // cycle, so 16-byte loads get a quarter of what 64-byte ones get from L1.
  // The peak probe a kernel is compared with names its instructions.
  const bool wide = peak_isa == "avx512" || peak_isa == "avx512bf16" || peak_isa == "amx";
  const std::string loads = wide ? "avx512" : peak_isa == "avx2" ? "avx2" : "baseline";
  for (const BandwidthResult& b : bandwidth)
    if (b.level == level && b.loads == loads) return b.gbytes_per_second;
  return 0;
}

}  // namespace gemmlab::bench
