#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chart_style.hpp"
#include "gemmlab/cpu.hpp"

namespace gemmlab::bench {
namespace {

std::string kib(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

std::string cache_text(const char* name, const CacheLevel& c) {
  if (!c.known()) return std::string(name) + " unknown";
  std::string t(name);
  t.append(" ").append(kib(c.bytes)).append(" ").append(std::to_string(c.ways)).append("-way");
  if (c.shared_by > 1) t.append(" shared by ").append(std::to_string(c.shared_by));
  return t;
}

const PeakProbe* probe_named(std::span<const PeakProbe> probes, const std::string& isa) {
  for (const PeakProbe& p : probes)
    if (p.isa == isa) return &p;
  return nullptr;
}

void machine_section(std::string& md, std::span<const PeakProbe> probes, const PeakTable& peaks,
                     const MachineModel& model) {
  md.append("## The machine model\n\n");
  if (model.clock_ghz > 0)
    md.append("Clock: **")
        .append(fixed(model.clock_ghz, 2))
        .append(" GHz**, from a chain of dependent integer additions (one per cycle).\n\n");
  else
    md.append("Clock: not measured (no clock probe for this architecture).\n\n");
  if (model.fma_latency_cycles > 0)
    md.append("FMA latency: **")
        .append(fixed(model.fma_latency_cycles, 1))
        .append(" cycles** (")
        .append(model.fma_isa)
        .append(", one chain of dependent FMAs): latency x units independent chains keep the units busy.\n\n");
  md.append(
      "| probe (1 thread) | median GFLOP/s | flops per cycle | multiply-add units implied | theoretical peak: "
      "units x flops per multiply-add x GHz |\n|---|---|---|---|---|\n");
  for (const PeakResult& p : peaks.results()) {
    const PeakProbe* probe = probe_named(probes, p.isa);
    if (p.threads != 1 || probe == nullptr) continue;
    const ImpliedPeak implied = implied_peak(p.gflops_median, probe->flops_per_multiply_add, model.clock_ghz);
    md.append("| ").append(p.isa).append(" | ").append(gflops_text(p.gflops_median)).append(" | ");
    if (implied.gflops <= 0) {
      md.append("- | - | - |\n");
      continue;
    }
    md.append(fixed(implied.flops_per_cycle, 1)).append(" | ").append(fixed(implied.units, 2)).append(" | ");
    md.append(fixed(implied.whole_units, 0)).append(" x ").append(fixed(probe->flops_per_multiply_add, 0));
    md.append(" x ").append(fixed(model.clock_ghz, 2)).append(" = ").append(gflops_text(implied.gflops));
    md.append(" |\n");
  }
  md.append("\n| level | buffer | loads | GB/s | bytes per cycle |\n|---|---|---|---|---|\n");
  for (const BandwidthResult& b : model.bandwidth)
    md.append("| ")
        .append(b.level)
        .append(" | ")
        .append(kib(b.bytes))
        .append(" | ")
        .append(b.loads)
        .append(" | ")
        .append(gflops_text(b.gbytes_per_second))
        .append(" | ")
        .append(b.bytes_per_cycle > 0 ? fixed(b.bytes_per_cycle, 1) : std::string("-"))
        .append(" |\n");
  md.append("\n");
}

void gemm_section(std::string& md, const Options& options, const std::vector<GemmRow>& rows) {
  for (int threads : options.threads) {
    md.append("## GEMM, ").append(std::to_string(threads)).append(threads == 1 ? " thread" : " threads");
    md.append("\n\nGFLOP/s (median) and % of the peak of the kernel's ISA on as many threads.\n\n| M x N x K |");
    std::vector<std::string> columns;
    for (Kernel k : options.kernels)
      for (const GemmVariant& v : options.variants)
        for (const bool f32_inputs : input_forms(k)) {
          std::string title = std::string(kernel_name(k)) + input_suffix(k, f32_inputs);
          if (!v.is_default()) title.append(" ").append(v.name());
          columns.push_back(title);
          md.append(" ").append(title).append(" |");
        }
    md.append("\n|---|");
    for (std::size_t c = 0; c < columns.size(); ++c) md.append("---|");
    md.append("\n");
    for (const Shape& s : options.shapes) {
      md.append("| ").append(std::to_string(s.m)).append(" x ").append(std::to_string(s.n)).append(" x ");
      md.append(std::to_string(s.k));
      if (!s.role.empty()) md.append(" (").append(s.role).append(")");
      md.append(" |");
      for (Kernel k : options.kernels)
        for (const GemmVariant& v : options.variants)
          for (const bool f32_inputs : input_forms(k)) {
            const std::string cell = gemm_cell(find_gemm_row(rows, k, v, f32_inputs, threads, s));
            md.append(" ").append(cell).append(" |");
          }
      md.append("\n");
    }
    md.append("\n");
  }
}

void roofline_section(std::string& md, const PeakTable& peaks, const MachineModel& model,
                      const std::vector<RooflinePoint>& points) {
  md.append("## Each kernel against its roofs (1 thread)\n\n");
  md.append(
      "A roof is min(peak of the kernel's ISA, intensity x bandwidth of a level with the kernel's loads); "
      "roofline.svg draws them. The kernel's largest size is the one shown. Every load passes through L1, so "
      "the L1 roof bounds every kernel; the last column is the kernel's GFLOP/s against it.\n\n");
  md.append("| kernel | flops per byte | N | GFLOP/s | ISA peak |");
  const char* const levels[] = {"L1", "L2", "L3", "memory"};
  for (const char* level : levels) md.append(" ").append(level).append(" roof |");
  md.append(" % of L1 roof |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const RooflinePoint& p : points) {
    const std::string isa = std::string(kernel_peak_probe(p.id));
    const double peak = peaks.gflops(isa, 1);
    md.append("| ").append(p.kernel).append(" | ").append(fixed(p.flops_per_byte, 2)).append(" | ");
    md.append(std::to_string(p.n)).append(" | ").append(gflops_text(p.gflops)).append(" | ");
    md.append(peak > 0 ? gflops_text(peak) : std::string("-")).append(" |");
    double l1_roof = 0;
    for (const char* level : levels) {
      const double bw = model.gbytes_per_second(level, isa);
      const double roof = bw > 0 ? std::min(peak > 0 ? peak : 1e300, p.flops_per_byte * bw) : 0;
      if (l1_roof == 0) l1_roof = roof;
      md.append(" ").append(roof > 0 ? gflops_text(roof) : std::string("-")).append(" |");
    }
    md.append(" ").append(l1_roof > 0 ? fixed(100.0 * p.gflops / l1_roof, 0) + "%" : std::string("-")).append(" |\n");
  }
  md.append("\n");
}

void rnn_section(std::string& md, const std::vector<RnnRow>& rows) {
  md.append("## RNN forward pass\n\nMedian time; GFLOP/s counts the GEMM work only.\n\n");
  md.append("| kernel | threads | B I H T | timed code | time | GFLOP/s |\n|---|---|---|---|---|---|\n");
  for (const RnnRow& r : rows) {
    if (r.skipped) continue;
    md.append("| ").append(r.name).append(" | ").append(std::to_string(r.threads)).append(" | ");
    md.append(std::to_string(r.batch)).append(" ").append(std::to_string(r.inputs)).append(" ");
    md.append(std::to_string(r.neurons)).append(" ").append(std::to_string(r.steps)).append(" | ");
    md.append(r.path).append(" | ");
    if (!r.check_passed) {
      md.append("WRONG RESULT | - |\n");
      continue;
    }
    const bool small = r.timing.median_seconds < 1e-4;
    md.append(small ? fixed(r.timing.median_seconds * 1e9, 0) + " ns"
                    : fixed(r.timing.median_seconds * 1e3, 3) + " ms");
    md.append(" | ").append(gflops_text(r.gflops)).append(" |\n");
  }
  md.append("\n");
}

}  // namespace

std::string results_markdown(const RunInfo& info, const Options& options, std::span<const PeakProbe> probes,
                             const PeakTable& peaks, const MachineModel& model, const std::vector<GemmRow>& gemm_rows,
                             const std::vector<RooflinePoint>& points, const std::vector<RnnRow>& rnn_rows) {
  const CpuFeatures& cpu = cpu_features();
  std::string md("# gemmlab-bench results\n\n| | |\n|---|---|\n");
  md.append("| machine | ").append(info.cpu).append(" (").append(cpu.arch).append(", ");
  md.append(std::to_string(cpu.logical_cores)).append(" logical cores) |\n");
  md.append("| CPU features | ").append(info.features).append(" |\n");
  md.append("| caches | ")
      .append(cache_text("L1d", cpu.caches.l1d))
      .append(", ")
      .append(cache_text("L2", cpu.caches.l2))
      .append(", ")
      .append(cache_text("L3", cpu.caches.l3));
  if (!cpu.caches.source.empty()) md.append(" (").append(cpu.caches.source).append(")");
  md.append(" |\n| date | ").append(info.date).append(" |\n");
  md.append("| commit | ")
      .append(info.commit.empty() ? std::string("not given (--commit)") : info.commit)
      .append(" |\n");
  md.append("| command | `").append(info.command_line).append("` |\n");
  md.append("| kernels | ").append(info.kernel_note).append(" |\n\n");
  if (!model.bandwidth.empty() || model.clock_ghz > 0) machine_section(md, probes, peaks, model);
  if (!gemm_rows.empty()) gemm_section(md, options, gemm_rows);
  if (!points.empty()) roofline_section(md, peaks, model, points);
  if (!rnn_rows.empty()) rnn_section(md, rnn_rows);
  return md;
}

}  // namespace gemmlab::bench
