// The GEMM sweep: for each shape, fresh random inputs and a reference; for
// each thread count and kernel, one checked call, then the timing.
#include "gemm_bench.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gemmlab/bf16.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/sbgemm.hpp"

namespace gemmlab::bench {

double PeakTable::gflops(const std::string& isa, int threads) const {
  const PeakResult* one_thread = nullptr;
  const PeakResult* n_threads = nullptr;
  for (const PeakResult& r : results_)
    if (r.isa == isa) {
      if (r.threads == 1) one_thread = &r;
      if (r.threads == threads) n_threads = &r;
    }
  if (n_threads == nullptr) return 0;
  if (one_thread == nullptr) return n_threads->gflops_best;  // (--threads without 1: nothing better to go on)
  return std::min(n_threads->gflops_best, threads * one_thread->gflops_median);
}

double PeakTable::machine_gflops(int threads) const {
  double best = 0;
  for (const PeakResult& r : results_)
    if (r.threads == threads) best = std::max(best, gflops(r.isa, threads));
  return best;
}

bool kernel_is_threaded(Kernel k) { return kernel_threaded(k); }

bool is_bf16(Kernel k) { return k != Kernel::simd && kernel_computes(k, Precision::bf16); }

std::vector<bool> input_forms(Kernel k) {
  return is_bf16(k) ? std::vector<bool>{false, true} : std::vector<bool>{false};
}

std::string input_suffix(Kernel k, bool f32_inputs) { return is_bf16(k) && f32_inputs ? " f32in" : ""; }

namespace {

using index = std::ptrdiff_t;

// One element of C computed in double: the exact value (to about K * 2^-53
// relative) and sum_p |A(i,p)||B(p,j)|, which scales the error bound.
struct ExactElement {
  int i = 0, j = 0;
  double exact = 0, abs_sum = 0;
};

// The inputs of one shape and what a kernel's result is checked against.
struct Problem {
  Shape shape;
  Matrix A, B, C;
  // Every shape: a sample of elements computed in double.
  std::vector<ExactElement> sampled;
  // Shapes small enough for the naive kernel: its whole result, and every
  // element's abs_sum, so a kernel is compared with naive everywhere.
  bool has_naive_reference = false;
  Matrix naive_C;
  std::vector<double> abs_sum;  // m x n, row-major
  // For bf16 kernels: A and B rounded to bf16 (same shapes and leading
  // dimensions), and the sampled elements computed in double from them.
  std::vector<bf16> A16, B16;
  std::vector<ExactElement> sampled16;
};

std::vector<bf16> rounded(const Matrix& x) {
  std::vector<bf16> out(static_cast<std::size_t>(x.rows()) * x.ld());
  to_bf16(std::span<const float>(x.data(), out.size()), out);
  return out;
}

// The bf16 side of a problem, made once per shape when a bf16 kernel runs.
void add_bf16_reference(Problem& p) {
  if (!p.sampled16.empty()) return;
  p.A16 = rounded(p.A);
  p.B16 = rounded(p.B);
  for (const ExactElement& e : p.sampled) {
    ExactElement r{e.i, e.j, 0, 0};
    for (int q = 0; q < p.shape.k; ++q) {
      const double prod = double(to_float(p.A16[static_cast<std::size_t>(e.i) * p.A.ld() + q])) *
                          double(to_float(p.B16[static_cast<std::size_t>(q) * p.B.ld() + e.j]));
      r.exact += prod;
      r.abs_sum += std::fabs(prod);
    }
    p.sampled16.push_back(r);
  }
}

ExactElement exact_element(const Problem& p, int i, int j) {
  ExactElement e{i, j, 0, 0};
  for (int q = 0; q < p.shape.k; ++q) {
    const double prod = double(p.A(i, q)) * double(p.B(q, j));
    e.exact += prod;
    e.abs_sum += std::fabs(prod);
  }
  return e;
}

// The bound for a float result against the double value: gemm_error_bound
// (numerics.hpp), plus the double loop's own rounding, 2^29 times smaller.
double bound_against_exact(int K, double abs_sum) {
  return gemm_error_bound(K, abs_sum) + 2.0 * (K + 2) * 0x1.0p-53 * abs_sum;
}

Problem make_problem(const Shape& shape, std::uint64_t seed, bool with_naive) {
  Problem p;
  p.shape = shape;
  SplitMix64 rng(seed);
  // Signed inputs in [-1, 1): sums cancel as in real data; zeros would let
  // a kernel that skips work (or reads nothing) look correct and fast.
  p.A = random_uniform(shape.m, shape.k, rng);
  p.B = random_uniform(shape.k, shape.n, rng);
  p.C = Matrix(shape.m, shape.n);

  // The sample: the four corners (edge tiles are where kernels go wrong)
  // and 124 random elements.
  const int corners[4][2] = {{0, 0}, {0, shape.n - 1}, {shape.m - 1, 0}, {shape.m - 1, shape.n - 1}};
  for (const auto& c : corners) p.sampled.push_back(exact_element(p, c[0], c[1]));
  for (int s = 0; s < 124; ++s)
    p.sampled.push_back(exact_element(p, static_cast<int>(rng.next() % static_cast<std::uint64_t>(shape.m)),
                                      static_cast<int>(rng.next() % static_cast<std::uint64_t>(shape.n))));

  if (with_naive) {
    p.has_naive_reference = true;
    p.naive_C = Matrix(shape.m, shape.n);
    const int saved_threads = num_threads();
    set_num_threads(1);
    sgemm(Kernel::naive, shape.m, shape.n, shape.k, 1.0f, p.A.data(), p.A.ld(), p.B.data(), p.B.ld(), 0.0f,
          p.naive_C.data(), p.naive_C.ld());
    set_num_threads(saved_threads);
    // abs_sum(i, j) for every element, in the cache-friendly i-p-j order.
    p.abs_sum.assign(static_cast<std::size_t>(shape.m) * shape.n, 0.0);
    for (int i = 0; i < shape.m; ++i)
      for (int q = 0; q < shape.k; ++q) {
        const double a = std::fabs(double(p.A(i, q)));
        double* row = p.abs_sum.data() + static_cast<index>(i) * shape.n;
        for (int j = 0; j < shape.n; ++j) row[j] += a * std::fabs(double(p.B(q, j)));
      }
  }
  return p;
}

struct CheckResult {
  bool passed = true;
  double worst_ratio = 0;
  std::string method;
  std::string first_failure;
};

void record(CheckResult& r, int i, int j, double got, double want, double bound) {
  const double err = std::fabs(got - want);
  if (!(err <= bound)) {  // also catches NaN
    if (r.passed) {
      r.first_failure.append("C(").append(std::to_string(i)).append(",").append(std::to_string(j));
      r.first_failure.append(") = ").append(std::to_string(got)).append(" but the reference is ");
      r.first_failure.append(std::to_string(want)).append(" (bound ").append(std::to_string(bound)).append(")");
    }
    r.passed = false;
  } else if (bound > 0) {
    r.worst_ratio = std::max(r.worst_ratio, err / bound);
  }
}

// Checks the kernel's result in p.C. A bf16 kernel is checked against the
// exact product of the bf16-rounded inputs, with the float bound: its
// products are exact and only its sums round (gemmlab/numerics.hpp), for
// bf16 and float inputs alike (the latter are rounded while packing).
CheckResult check_result(const Problem& p, Kernel kernel) {
  CheckResult r;
  const int K = p.shape.k;
  if (is_bf16(kernel)) {
    for (int i = 0; i < p.shape.m && r.passed; ++i)
      for (int j = 0; j < p.shape.n; ++j)
        if (!std::isfinite(p.C(i, j))) {
          record(r, i, j, p.C(i, j), 0.0, 0.0);
          break;
        }
    r.method = "double-bf16";
    for (const ExactElement& e : p.sampled16)
      record(r, e.i, e.j, p.C(e.i, e.j), e.exact, bound_against_exact(K, e.abs_sum));
    return r;
  }
  // Every element must be finite: C was filled with NaN before the call, so
  // an element the kernel did not write (or a beta == 0 read of C) shows here.
  for (int i = 0; i < p.shape.m && r.passed; ++i)
    for (int j = 0; j < p.shape.n; ++j)
      if (!std::isfinite(p.C(i, j))) {
        record(r, i, j, p.C(i, j), 0.0, 0.0);
        break;
      }
  if (p.has_naive_reference && resolve_kernel(kernel) != Kernel::naive) {
    // Two float results, each within the bound of the exact value: they
    // differ by at most twice the bound.
    r.method = "naive";
    for (int i = 0; i < p.shape.m; ++i)
      for (int j = 0; j < p.shape.n; ++j)
        record(r, i, j, p.C(i, j), p.naive_C(i, j),
               2.0 * gemm_error_bound(K, p.abs_sum[static_cast<std::size_t>(i) * p.shape.n + j]));
  } else {
    r.method = "double";
    for (const ExactElement& e : p.sampled)
      record(r, e.i, e.j, p.C(e.i, e.j), e.exact, bound_against_exact(K, e.abs_sum));
  }
  return r;
}

void call_kernel(Kernel kernel, bool f32_inputs, Problem& p) {
  const Shape& s = p.shape;
  if (!is_bf16(kernel))
    sgemm(kernel, s.m, s.n, s.k, 1.0f, p.A.data(), p.A.ld(), p.B.data(), p.B.ld(), 0.0f, p.C.data(), p.C.ld());
  else if (f32_inputs)
    sbgemm(kernel, s.m, s.n, s.k, 1.0f, p.A.data(), p.A.ld(), p.B.data(), p.B.ld(), 0.0f, p.C.data(), p.C.ld());
  else
    sbgemm(kernel, s.m, s.n, s.k, 1.0f, p.A16.data(), p.A.ld(), p.B16.data(), p.B.ld(), 0.0f, p.C.data(), p.C.ld());
}

Matrix transpose_of(const Matrix& x) {
  Matrix t(x.cols(), x.rows());
  for (int i = 0; i < x.rows(); ++i)
    for (int j = 0; j < x.cols(); ++j) t(j, i) = x(i, j);
  return t;
}

// The problem's operands as a caller using `v` stores them. A row-major
// Matrix read column-major is its transpose, so each stored operand is the
// logical one or its transpose: op(X) as stored row-major is X when the
// layout's "natural" reading (row-major, not transposed; or column-major,
// transposed) applies, else X^T.
struct StoredOperands {
  Matrix A, B, C;
  std::vector<bf16> A16, B16;  // A and B rounded, for bf16 kernels
};
StoredOperands store_for(const Problem& p, const GemmVariant& v) {
  const bool col = v.layout == Layout::col_major;
  const bool a_as_is = (v.trans_a == Transpose::no_trans) != col;
  const bool b_as_is = (v.trans_b == Transpose::no_trans) != col;
  return {a_as_is ? p.A : transpose_of(p.A),
          b_as_is ? p.B : transpose_of(p.B),
          col ? Matrix(p.shape.n, p.shape.m) : Matrix(p.shape.m, p.shape.n),
          {},
          {}};
}

void call_variant(Kernel kernel, bool f32_inputs, const GemmVariant& v, const Shape& s, StoredOperands& st) {
  if (!is_bf16(kernel))
    sgemm(kernel, v.layout, v.trans_a, v.trans_b, s.m, s.n, s.k, 1.0f, st.A.data(), st.A.ld(), st.B.data(), st.B.ld(),
          0.0f, st.C.data(), st.C.ld());
  else if (f32_inputs)
    sbgemm(kernel, v.layout, v.trans_a, v.trans_b, s.m, s.n, s.k, 1.0f, st.A.data(), st.A.ld(), st.B.data(), st.B.ld(),
           0.0f, st.C.data(), st.C.ld());
  else
    sbgemm(kernel, v.layout, v.trans_a, v.trans_b, s.m, s.n, s.k, 1.0f, st.A16.data(), st.A.ld(), st.B16.data(),
           st.B.ld(), 0.0f, st.C.data(), st.C.ld());
}

std::string describe(const Shape& s) {
  std::string out = std::to_string(s.m);
  out.append("x").append(std::to_string(s.n)).append("x").append(std::to_string(s.k));
  return out;
}

}  // namespace

std::vector<GemmRow> run_gemm_sweep(const Options& options, Progress& progress) {
  std::vector<GemmRow> rows;
  const double naive_limit = std::pow(double(options.naive_max), 3);
  // The speed last measured for each (kernel, threads), to project the time
  // of one call at the next size and skip sizes that would take too long.
  struct LastSpeed {
    Kernel kernel;
    int threads;
    double gflops;
  };
  std::vector<LastSpeed> last;
  const auto last_gflops = [&](Kernel k, int t) -> double* {
    for (LastSpeed& l : last)
      if (l.kernel == k && l.threads == t) return &l.gflops;
    last.push_back({k, t, 0});
    return &last.back().gflops;
  };

  std::uint64_t seed = 2026;
  for (const Shape& shape : options.shapes) {
    const double volume = double(shape.m) * shape.n * shape.k;
    Problem problem = make_problem(shape, seed++, volume <= naive_limit);

    for (int threads : options.threads) {
      set_num_threads(threads);
      for (Kernel kernel : options.kernels)
        for (const GemmVariant& variant : options.variants)
          for (const bool f32_inputs : input_forms(kernel)) {
            if (is_bf16(kernel)) add_bf16_reference(problem);
            GemmRow row;
            row.kernel = kernel;
            row.variant = variant;
            row.f32_inputs = f32_inputs;
            row.name = std::string(kernel_name(kernel)) + input_suffix(kernel, f32_inputs);
            if (!variant.is_default()) row.name.append(" ").append(variant.name());
            row.threads = threads;
            row.shape = shape;
            row.peak_isa = peak_isa_for(kernel);
            {
              std::string what("gemm ");
              what.append(row.name)
                  .append(" threads=")
                  .append(std::to_string(threads))
                  .append(" ")
                  .append(describe(shape));
              progress.step(what);
            }

            double* speed = last_gflops(kernel, threads);  // (any variant: the projection is rough anyway)
            const bool naive_step = kernel == Kernel::naive || kernel == Kernel::bf16_naive;
            if (!kernel_is_threaded(kernel) && threads > 1) {
              row.skipped = true;
              row.skip_reason = "single-threaded kernel";
            } else if (naive_step && volume > naive_limit) {
              row.skipped = true;
              row.skip_reason = "larger than --naive-max";
            } else if (*speed > 0 && shape.flops() / (*speed * 1e9) > options.max_call_seconds) {
              row.skipped = true;
              row.skip_reason = "one call projected to take more than --max-call seconds";
            }
            if (row.skipped) {
              rows.push_back(row);
              continue;
            }

            // 1. One call on a NaN-filled C, checked before anything is timed.
            //    Other variants compute into their stored C, which is then
            //    read back into problem.C for the same check.
            StoredOperands stored;
            if (!variant.is_default()) {
              stored = store_for(problem, variant);
              if (is_bf16(kernel)) {
                stored.A16 = rounded(stored.A);
                stored.B16 = rounded(stored.B);
              }
            }
            const auto timed_call = [&] {
              if (variant.is_default())
                call_kernel(kernel, f32_inputs, problem);
              else
                call_variant(kernel, f32_inputs, variant, shape, stored);
            };
            problem.C.fill(std::numeric_limits<float>::quiet_NaN());
            stored.C.fill(std::numeric_limits<float>::quiet_NaN());
            timed_call();
            if (!variant.is_default()) {
              const bool col = variant.layout == Layout::col_major;
              for (int i = 0; i < shape.m; ++i)
                for (int j = 0; j < shape.n; ++j) problem.C(i, j) = col ? stored.C(j, i) : stored.C(i, j);
            }
            const CheckResult check = check_result(problem, kernel);
            row.check_passed = check.passed;
            row.check_method = check.method;
            row.worst_error_ratio = check.worst_ratio;
            row.check_failure = check.first_failure;
            if (!check.passed) {  // a wrong result has no speed worth reporting
              rows.push_back(row);
              continue;
            }

            // 2. The timing.
            row.timing = measure(timed_call, options.measure);
            row.gflops = shape.flops() / row.timing.median_seconds * 1e-9;
            row.gflops_min = shape.flops() / row.timing.max_seconds * 1e-9;
            row.gflops_max = shape.flops() / row.timing.min_seconds * 1e-9;
            *speed = row.gflops;
            rows.push_back(row);
          }
    }
  }
  set_num_threads(1);
  return rows;
}

void fill_peak_columns(std::vector<GemmRow>& rows, const PeakTable& peaks) {
  for (GemmRow& row : rows) {
    row.peak_gflops = peaks.gflops(row.peak_isa, row.threads);
    const double machine = peaks.machine_gflops(row.threads);
    if (row.skipped || !row.check_passed) continue;
    if (row.peak_gflops > 0) row.pct_peak = 100.0 * row.gflops / row.peak_gflops;
    if (machine > 0) row.pct_machine = 100.0 * row.gflops / machine;
  }
}

void run_gemm_loop(Kernel kernel, const Shape& shape, int threads, std::int64_t calls) {
  set_num_threads(threads);
  SplitMix64 rng(2026);
  const Matrix A = random_uniform(shape.m, shape.k, rng);
  const Matrix B = random_uniform(shape.k, shape.n, rng);
  Matrix C(shape.m, shape.n);
  for (std::int64_t c = 0; c < calls; ++c)
    if (is_bf16(kernel))
      sbgemm(kernel, shape.m, shape.n, shape.k, 1.0f, A.data(), A.ld(), B.data(), B.ld(), 0.0f, C.data(), C.ld());
    else
      sgemm(kernel, shape.m, shape.n, shape.k, 1.0f, A.data(), A.ld(), B.data(), B.ld(), 0.0f, C.data(), C.ld());
}

}  // namespace gemmlab::bench
