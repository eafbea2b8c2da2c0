// gemmlab-bench: how fast each kernel is, against this machine's own peak.
//
//   1. the peak probes (peak.hpp), on 1 and N threads, and the machine model
//      (machine_model.hpp): the clock and each memory level's bandwidth;
//   2. the GEMM sweep (gemm_bench.hpp), each result checked before it is timed;
//   3. the RNN forward pass (rnn_bench.hpp);
//   4. tables on stdout, and with --out: gemm.csv, rnn.csv, peak.csv, info.txt,
//      gemm.svg, roofline.svg (roofline.hpp) and results.md (results.hpp).
// docs/benchmarking.md explains the method.
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi_bench.hpp"
#include "errors.hpp"
#include "gemm_bench.hpp"
#include "gemmlab/cpu.hpp"
#include "machine_model.hpp"
#include "options.hpp"
#include "peak.hpp"
#include "plot.hpp"
#include "report.hpp"
#include "results.hpp"
#include "rnn_bench.hpp"
#include "roofline.hpp"

namespace gemmlab::bench {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &utc);
  return buf;
}

// Writes `text` to `path`, whole: into a temporary file beside it, then
// renamed, so that a failed write never leaves half a file under the name.
void save_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".partial";
  {
    std::ofstream file(temporary, std::ios::binary);
    file << text;
    file.close();
    if (!file) throw std::runtime_error("cannot write '" + temporary.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec)
    throw std::runtime_error("cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + ec.message());
}

// "naive, blocked, simd-avx512 (simd runs simd-avx512 here)"
std::string kernel_note(const Options& o) {
  std::string note;
  for (Kernel k : o.kernels) note.append(note.empty() ? "" : ", ").append(kernel_name(k));
  note.append("; simd runs ").append(kernel_name(resolve_kernel(Kernel::simd))).append(" on this CPU");
  return note;
}

int run(const Options& o) {
  if (o.loop_calls >= 0) {  // an independent timer measures this process
    run_gemm_loop(o.kernels[0], o.shapes[0], o.threads[0], o.loop_calls);
    return 0;
  }
  if (!o.out_dir.empty()) {  // fail now, not after minutes of measuring
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) {
      std::string m("--out: cannot create the folder '");
      m.append(o.out_dir).append("': ").append(ec.message());
      throw std::runtime_error(m);
    }
  }
  const CpuFeatures& cpu = cpu_features();
  RunInfo info{cpu.brand.empty() ? std::string("(unknown CPU)") : cpu.brand,           cpu.summary(),  utc_now(),
               o.command_line.empty() ? std::string("gemmlab-bench") : o.command_line, kernel_note(o), o.commit};
  std::printf("gemmlab-bench  %s\n", info.date.c_str());
  std::printf("cpu:      %s (%s, %d logical cores)\n", info.cpu.c_str(), cpu.arch.c_str(), cpu.logical_cores);
  std::printf("features: %s\n", info.features.c_str());
  std::printf("kernels:  %s\n", info.kernel_note.c_str());
  std::printf("method:   median of %d samples of >= %.0f ms each, after warm-up\n\n", o.measure.samples,
              o.measure.min_sample_seconds * 1e3);
  std::fflush(stdout);

  if (o.run_errors) {  // a measurement of accuracy, not of time
    const std::vector<ErrorRow> rows = run_error_study(o.progress);
    print_error_table(stdout, rows);
    if (!o.out_dir.empty()) {
      write_error_files(o.out_dir, rows, info.cpu + "  ·  " + info.date + "  ·  " + info.command_line);
      std::printf("wrote %s/{errors.csv,errors.svg}\n", o.out_dir.c_str());
    }
    int outside = 0;
    for (const ErrorRow& r : rows) outside += r.max_error > r.bound ? 1 : 0;
    return outside == 0 ? 0 : 1;  // an error above its bound is a wrong result
  }

  const std::vector<PeakProbe> probes = o.run_peak ? available_probes() : std::vector<PeakProbe>{};
  const int probe_runs = o.run_gemm || o.run_rnn ? 2 : 1;  // before and after the sweep
  int total = probe_runs * static_cast<int>(probes.size() * o.threads.size());
  if (o.run_gemm) total += static_cast<int>(o.shapes.size() * o.threads.size() * o.kernels.size());
  if (o.run_rnn) total += rnn_bench_steps(o);
  if (o.run_model) total += machine_model_steps();
  Progress progress(o.progress, total);

  // 1. Peak first, so the reader sees the ceiling before the kernels; and
  //    again at the end, the samples of both runs pooled, so that a busy
  //    moment on a shared machine weighs less (PeakTable::gflops says which
  //    figure the % of peak uses).
  std::vector<PeakResult> peak_results;
  const auto probe_all = [&](const char* when) {
    const std::vector<PeakResult> now = measure_peaks(probes, o.threads, o.peak_measure, [&](const std::string& what) {
      std::string line("peak ");
      line.append(when).append(" ").append(what);
      progress.step(line);
    });
    if (peak_results.empty())
      peak_results = now;
    else
      for (std::size_t i = 0; i < now.size(); ++i) peak_results[i].merge(now[i]);
  };
  probe_all("before");
  const MachineModel model =
      o.run_model ? measure_machine_model(o.measure, [&](const std::string& what) { progress.step("model " + what); })
                  : MachineModel{};

  // 2 and 3.
  std::vector<GemmRow> gemm_rows = o.run_gemm ? run_gemm_sweep(o, progress) : std::vector<GemmRow>{};
  const std::vector<RnnRow> rnn_rows = o.run_rnn ? run_rnn_bench(o, progress) : std::vector<RnnRow>{};
  const std::vector<AbiRow> abi_rows = o.run_gemm ? run_abi_bench(o) : std::vector<AbiRow>{};
  if (o.run_gemm || o.run_rnn) probe_all("after");
  const PeakTable peaks(peak_results);
  fill_peak_columns(gemm_rows, peaks);
  progress.finish();

  // 4. Tables, then files.
  if (o.run_peak) print_peaks(stdout, peaks);
  if (o.run_model) print_machine_model(stdout, model, probes, peaks);
  if (o.run_gemm) print_gemm_table(stdout, gemm_rows, o);
  if (o.run_rnn) print_rnn_table(stdout, rnn_rows);
  if (o.run_gemm) print_abi_table(stdout, abi_rows);
  if (!o.out_dir.empty()) {
    write_csv_files(o.out_dir, info, peaks, gemm_rows, rnn_rows);
    PlotLabels labels;
    labels.title = "gemmlab sgemm on ";
    labels.title.append(info.cpu);
    labels.subtitle = info.date;
    labels.subtitle.append("  ·  ").append(info.command_line);
    save_text(std::filesystem::path(o.out_dir) / "gemm.svg", gemm_plot_svg(gemm_rows, peaks, labels));
    const std::vector<RooflinePoint> points = roofline_points(gemm_rows);
    labels.title = "Roofline of gemmlab's kernels on ";
    labels.title.append(info.cpu);
    save_text(std::filesystem::path(o.out_dir) / "roofline.svg", roofline_svg(peaks, model, points, labels));
    save_text(std::filesystem::path(o.out_dir) / "results.md",
              results_markdown(info, o, probes, peaks, model, gemm_rows, points, rnn_rows));
    std::printf("wrote %s/{gemm.csv,rnn.csv,peak.csv,gemm.svg,roofline.svg,results.md,info.txt}\n", o.out_dir.c_str());
  }

  // A wrong result fails the run (speed never does).
  int failures = 0;
  for (const GemmRow& r : gemm_rows)
    if (!r.skipped && !r.check_passed) {
      std::fprintf(stderr, "gemmlab-bench: %s, %d thread(s), %dx%dx%d: wrong result (%s check): %s\n", r.name.c_str(),
                   r.threads, r.shape.m, r.shape.n, r.shape.k, r.check_method.c_str(), r.check_failure.c_str());
      ++failures;
    }
  for (const RnnRow& r : rnn_rows)
    if (!r.skipped && !r.check_passed) {
      std::fprintf(stderr, "gemmlab-bench: RNN %s, %d thread(s), B%d I%d H%d T%d: wrong result: %s\n", r.name.c_str(),
                   r.threads, r.batch, r.inputs, r.neurons, r.steps, r.check_failure.c_str());
      ++failures;
    }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace gemmlab::bench

int main(int argc, char** argv) {
  using namespace gemmlab::bench;
  const std::vector<std::string> args(argv + 1, argv + argc);
  Options options;
  try {
    options = parse_options(args);
  } catch (const usage_error& e) {
    std::fprintf(stderr, "gemmlab-bench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // e.g. a bad GEMMLAB_NUM_THREADS
    std::fprintf(stderr, "gemmlab-bench: %s\n", e.what());
    return 2;
  }
  if (options.help) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\ngemmlab-bench: %s\n", e.what());
    return 1;
  }
}
