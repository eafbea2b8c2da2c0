#include "report.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "chart_style.hpp"

namespace gemmlab::bench {
namespace {

std::string shape_text(const Shape& s) {
  std::string t = std::to_string(s.m);
  t.append("x").append(std::to_string(s.n)).append("x").append(std::to_string(s.k));
  return t;
}

std::ofstream open_for_writing(const std::filesystem::path& path) {
  std::ofstream f(path);
  if (!f) {
    std::string m("cannot write '");
    m.append(path.string()).append("'");
    throw std::runtime_error(m);
  }
  return f;
}

void finish_file(std::ofstream& f, const std::filesystem::path& path) {
  f.flush();
  if (!f) {
    std::string m("error while writing '");
    m.append(path.string()).append("'");
    throw std::runtime_error(m);
  }
}

}  // namespace

const GemmRow* find_gemm_row(const std::vector<GemmRow>& rows, Kernel k, const GemmVariant& v, bool f32_inputs,
                             int threads, const Shape& s) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const GemmRow& r) {
    return r.kernel == k && r.variant.name() == v.name() && r.f32_inputs == f32_inputs && r.threads == threads &&
           r.shape.m == s.m && r.shape.n == s.n && r.shape.k == s.k && r.shape.role == s.role;
  });
  return it == rows.end() ? nullptr : &*it;
}

std::string gemm_cell(const GemmRow* row) {
  if (row == nullptr || row->skipped) return "-";
  if (!row->check_passed) return "WRONG RESULT";
  std::string cell = gflops_text(row->gflops);
  if (row->peak_gflops > 0) cell.append(" (").append(fixed(row->pct_peak, 0)).append("%)");
  return cell;
}

void print_peaks(std::FILE* out, const PeakTable& peaks) {
  std::fprintf(out, "Peak (FMA-throughput probe, samples before and after the sweep), GFLOP/s:\n");
  std::fprintf(out, "  %-10s %-11s%8s %8s  %s\n", "ISA", "threads", "best", "median", "% of peak is against");
  for (const PeakResult& p : peaks.results())
    std::fprintf(out, "  %-10s %2d thread%s  %8.1f %8.1f  %8.1f\n", p.isa.c_str(), p.threads,
                 p.threads == 1 ? " " : "s", p.gflops_best, p.gflops_median, peaks.gflops(p.isa, p.threads));
  std::fprintf(out,
               "  (threads x the 1-thread median, at most the best sample on that many threads: medians against "
               "medians; see docs/benchmarking.md)\n");
  // N threads can always do what one does: a smaller N-thread peak means the
  // other cores were busy with other work while it was measured.
  for (const PeakResult& p : peaks.results())
    if (p.threads > 1 && p.gflops_best < 1.5 * peaks.gflops(p.isa, 1) && peaks.gflops(p.isa, 1) > 0)
      std::fprintf(out,
                   "  note: %s on %d threads is under 1.5x its 1-thread peak: the machine was busy, its %% of peak "
                   "figures are overstated\n",
                   p.isa.c_str(), p.threads);
  std::fprintf(out, "\n");
}

void print_machine_model(std::FILE* out, const MachineModel& model, std::span<const PeakProbe> probes,
                         const PeakTable& peaks) {
  if (model.clock_ghz > 0)
    std::fprintf(out, "Clock: %.2f GHz (a chain of dependent integer additions, one per cycle)\n", model.clock_ghz);
  if (model.fma_latency_cycles > 0)
    std::fprintf(out, "FMA latency: %.1f cycles (%s, one chain of dependent FMAs)\n", model.fma_latency_cycles,
                 model.fma_isa.c_str());
  bool header = false;
  for (const PeakResult& p : peaks.results()) {
    const auto probe = std::find_if(probes.begin(), probes.end(), [&](const PeakProbe& q) { return q.isa == p.isa; });
    if (p.threads != 1 || probe == probes.end()) continue;
    const ImpliedPeak implied = implied_peak(p.gflops_median, probe->flops_per_multiply_add, model.clock_ghz);
    if (implied.gflops <= 0) continue;
    if (!header)
      std::fprintf(out, "Peak against the clock, 1 thread: flops per cycle, multiply-add units, theoretical peak\n");
    header = true;
    std::fprintf(out,
                 "  %-10s %8.1f GFLOP/s = %6.1f flops/cycle = %4.2f units;  %.0f x %.0f x %.2f GHz = %.1f GFLOP/s\n",
                 p.isa.c_str(), p.gflops_median, implied.flops_per_cycle, implied.units, implied.whole_units,
                 probe->flops_per_multiply_add, model.clock_ghz, implied.gflops);
  }
  std::fprintf(out, "Read bandwidth, 1 thread (median):\n  %-7s %10s  %-9s %9s %12s\n", "level", "buffer", "loads",
               "GB/s", "bytes/cycle");
  for (const BandwidthResult& b : model.bandwidth)
    std::fprintf(out, "  %-7s %7zu KiB  %-9s %9.1f %12s\n", b.level.c_str(), b.bytes >> 10, b.loads.c_str(),
                 b.gbytes_per_second, b.bytes_per_cycle > 0 ? fixed(b.bytes_per_cycle, 1).c_str() : "-");
  std::fprintf(out, "\n");
}

void print_gemm_table(std::FILE* out, const std::vector<GemmRow>& rows, const Options& options) {
  for (int threads : options.threads) {
    std::fprintf(out, "GEMM, %d thread%s: GFLOP/s (median) and %% of the peak of the kernel's ISA\n", threads,
                 threads == 1 ? "" : "s");
    std::fprintf(out, "  %-16s", "M x N x K");
    for (Kernel k : options.kernels)
      for (const GemmVariant& v : options.variants)
        for (const bool f32_inputs : input_forms(k)) {
          std::string title = std::string(kernel_name(k)) + input_suffix(k, f32_inputs);
          if (!v.is_default()) title.append(" ").append(v.name());
          std::fprintf(out, " %18s", title.c_str());
        }
    std::fprintf(out, "\n");
    for (const Shape& s : options.shapes) {
      std::fprintf(out, "  %-16s", shape_text(s).c_str());
      for (Kernel k : options.kernels)
        for (const GemmVariant& v : options.variants)
          for (const bool f32_inputs : input_forms(k)) {
            const std::string cell = gemm_cell(find_gemm_row(rows, k, v, f32_inputs, threads, s));
            std::fprintf(out, " %18s", cell.c_str());
          }
      if (!s.role.empty()) std::fprintf(out, "  %s", s.role.c_str());
      std::fprintf(out, "\n");
    }
    std::fprintf(
        out,
        "  (-: not run: the teaching steps naive ... packed are single-threaded, naive stops at --naive-max; see "
        "--max-call)\n");
    // How much of the CPU it asked for the sweep got: the process's CPU time
    // per wall second, over all timed samples, per thread asked for.
    double cpu = 0, wall_threads = 0;
    for (const GemmRow& r : rows)
      if (r.threads == threads && !r.skipped && r.check_passed) {
        const double wall = r.timing.median_seconds * static_cast<double>(r.timing.reps) * r.timing.samples;
        cpu += r.timing.cpu_per_wall * wall;
        wall_threads += wall * threads;
      }
    if (wall_threads > 0)
      std::fprintf(out,
                   "  CPU share: the timed calls got %.0f%% of the CPU time of %d core%s (std::clock); below ~95%%, "
                   "other processes slowed them down\n",
                   100.0 * cpu / wall_threads, threads, threads == 1 ? "" : "s");
    std::fprintf(out, "\n");
  }
}

void print_rnn_table(std::FILE* out, const std::vector<RnnRow>& rows) {
  std::fprintf(out, "RNN forward pass (median, [min, max]); GFLOP/s counts the GEMM work only\n");
  std::fprintf(out, "  %-14s %7s  %-20s %-14s %-34s %9s\n", "kernel", "threads", "case", "timed code",
               "time per forward [min, max]", "GFLOP/s");
  for (const RnnRow& r : rows) {
    if (r.skipped) continue;
    std::string c = "B";
    c.append(std::to_string(r.batch)).append(" I").append(std::to_string(r.inputs)).append(" H");
    c.append(std::to_string(r.neurons)).append(" T").append(std::to_string(r.steps));
    std::string t = "WRONG RESULT", g = "-";
    if (r.check_passed) {
      const bool small = r.timing.median_seconds < 1e-4;  // ns for the seed, ms for the large one
      const double scale = small ? 1e9 : 1e3;
      const int decimals = small ? 0 : 3;
      t = fixed(r.timing.median_seconds * scale, decimals);
      t.append(small ? " ns [" : " ms [").append(fixed(r.timing.min_seconds * scale, decimals)).append(", ");
      t.append(fixed(r.timing.max_seconds * scale, decimals)).append("]");
      g = gflops_text(r.gflops);
    }
    std::string vs_f32;  // bf16 rows: how far from the float RNN
    if (r.check_passed && r.max_diff_vs_f32 >= 0) vs_f32 = "  max |h - h_f32| " + fixed(r.max_diff_vs_f32, 5);
    std::fprintf(out, "  %-14s %7d  %-20s %-14s %-34s %9s%s\n", r.name.c_str(), r.threads, c.c_str(), r.path.c_str(),
                 t.c_str(), g.c_str(), vs_f32.c_str());
  }
  double cpu = 0, wall = 0;  // the 1-thread rows' CPU share, as under the GEMM tables
  for (const RnnRow& r : rows)
    if (r.threads == 1 && !r.skipped && r.check_passed) {
      const double w = r.timing.median_seconds * static_cast<double>(r.timing.reps) * r.timing.samples;
      cpu += r.timing.cpu_per_wall * w;
      wall += w;
    }
  if (wall > 0) std::fprintf(out, "  CPU share of the 1-thread rows: %.0f%% of one core\n", 100.0 * cpu / wall);
  std::fprintf(out, "\n");
}

void write_csv_files(const std::string& dir, const RunInfo& info, const PeakTable& peaks,
                     const std::vector<GemmRow>& gemm_rows, const std::vector<RnnRow>& rnn_rows) {
  const std::filesystem::path folder(dir);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    std::string m("cannot create the folder '");
    m.append(dir).append("': ").append(ec.message());
    throw std::runtime_error(m);
  }

  {  // gemm.csv: one row per measured (kernel, threads, shape)
    const auto path = folder / "gemm.csv";
    std::ofstream f = open_for_writing(path);
    f << "kernel,threads,m,n,k,gflops,gflops_min,gflops_max,pct_peak,peak_isa,peak_gflops,pct_machine_peak,"
         "ns_per_call,reps,samples,check,max_error_over_bound,cpu_per_wall,role,layout,trans\n";
    for (const GemmRow& r : gemm_rows) {
      if (r.skipped || !r.check_passed) continue;
      f << r.name << ',' << r.threads << ',' << r.shape.m << ',' << r.shape.n << ',' << r.shape.k << ','
        << fixed(r.gflops, 3) << ',' << fixed(r.gflops_min, 3) << ',' << fixed(r.gflops_max, 3) << ','
        << fixed(r.pct_peak, 2) << ',' << r.peak_isa << ',' << fixed(r.peak_gflops, 2) << ',' << fixed(r.pct_machine, 2)
        << ',' << fixed(r.timing.median_seconds * 1e9, 1) << ',' << r.timing.reps << ',' << r.timing.samples << ','
        << r.check_method << ',' << fixed(r.worst_error_ratio, 4) << ',' << fixed(r.timing.cpu_per_wall, 3) << ",\""
        << r.shape.role << "\"," << (r.variant.layout == Layout::row_major ? "row" : "col") << ','
        << r.variant.name().substr(4) << '\n';
    }
    finish_file(f, path);
  }
  {  // rnn.csv
    const auto path = folder / "rnn.csv";
    std::ofstream f = open_for_writing(path);
    f << "kernel,threads,batch,inputs,neurons,steps,ns_per_forward,ns_min,ns_max,gflops,timed_code,reps,samples,"
         "max_error_over_bound,cpu_per_wall,max_diff_vs_f32\n";
    for (const RnnRow& r : rnn_rows) {
      if (r.skipped || !r.check_passed) continue;
      f << r.name << ',' << r.threads << ',' << r.batch << ',' << r.inputs << ',' << r.neurons << ',' << r.steps << ','
        << fixed(r.timing.median_seconds * 1e9, 1) << ',' << fixed(r.timing.min_seconds * 1e9, 1) << ','
        << fixed(r.timing.max_seconds * 1e9, 1) << ',' << fixed(r.gflops, 3) << ',' << r.path << ',' << r.timing.reps
        << ',' << r.timing.samples << ',' << fixed(r.worst_error_ratio, 4) << ',' << fixed(r.timing.cpu_per_wall, 3)
        << ',' << (r.max_diff_vs_f32 >= 0 ? fixed(r.max_diff_vs_f32, 6) : std::string()) << '\n';
    }
    finish_file(f, path);
  }
  {  // peak.csv
    const auto path = folder / "peak.csv";
    std::ofstream f = open_for_writing(path);
    f << "isa,threads,gflops,gflops_median,gflops_min,samples,gflops_compared_with\n";
    for (const PeakResult& p : peaks.results())
      f << p.isa << ',' << p.threads << ',' << fixed(p.gflops_best, 2) << ',' << fixed(p.gflops_median, 2) << ','
        << fixed(p.gflops_min, 2) << ',' << p.sample_gflops.size() << ',' << fixed(peaks.gflops(p.isa, p.threads), 2)
        << '\n';
    finish_file(f, path);
  }
  {  // info.txt: the machine and the run, for the record
    const auto path = folder / "info.txt";
    std::ofstream f = open_for_writing(path);
    f << "cpu: " << info.cpu << "\nfeatures: " << info.features << "\ndate: " << info.date
      << "\ncommand: " << info.command_line << "\nkernels: " << info.kernel_note
      << "\ncommit: " << (info.commit.empty() ? std::string("not given") : info.commit) << '\n';
    finish_file(f, path);
  }
}

}  // namespace gemmlab::bench
