// `gemmlab rnn`: the seed's RNN with one or every kernel, or an RNN with your
// own weights and inputs read from numpy-style text files.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "cli/cli.hpp"
#include "gemmlab/matrix_io.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/rnn.hpp"

namespace gemmlab::cli {
namespace {

const char* const rnn_usage =
    "usage: gemmlab rnn [--kernel NAME|all] [--precision f32|bf16]\n"
    "       gemmlab rnn --wx FILE --wy FILE [--b FILE]... [--h0 FILE] --x FILE [--x FILE]...\n"
    "                   [--layout gemmlab|torch] [--activation tanh|relu] [--kernel NAME|all]\n"
    "                   [--precision f32|bf16]\n"
    "\n"
    "Without files: runs the seed's RNN (5 tanh neurons, 3 inputs, batch 4, two\n"
    "steps, Wx and Wy drawn from N(0,1) by SplitMix64(42) + Box-Muller, b = 0),\n"
    "prints Y0 and Y1 computed with the first kernel, then each kernel's largest\n"
    "difference from the naive kernel and the rounding-error bound.\n"
    "\n"
    "With files: runs h_t = act(x_t·Wx + h_{t-1}·Wy + b) over every --x in order\n"
    "and prints, for each kernel and step t = 0, 1, ..., a line `# kernel=NAME step=t`\n"
    "and the B x H matrix h_t, 9 significant digits (numpy.loadtxt reads it back;\n"
    "the last step is the final state).\n"
    "\n"
    "  --wx FILE           gemmlab layout: Wx, I x H (Keras `kernel`); torch: weight_ih_l0, H x I\n"
    "  --wy FILE           gemmlab layout: Wy, H x H (Keras `recurrent_kernel`); torch: weight_hh_l0\n"
    "  --b FILE            a bias of H values (a row or a column); give it twice to add two\n"
    "                      biases (torch's bias_ih_l0 and bias_hh_l0). Default: no bias\n"
    "  --h0 FILE           the initial state, B x H. Default: zeros\n"
    "  --x FILE            one time step's input, B x I; repeat for each step, in order\n"
    "  --layout L          gemmlab (default) or torch\n"
    "  --activation A      tanh (default) or relu\n"
    "  --kernel NAME|all   a kernel (the list below), a comma-separated list, or all\n"
    "                      (default: all for the seed, simd with files)\n"
    "  --precision P       f32 (default): float GEMMs, and `all` means the float kernels;\n"
    "                      bf16: Wx, Wy, x_t and h_{t-1} rounded to bf16 for the GEMMs (sums,\n"
    "                      bias and activation in float), and `all` means the bf16 kernels.\n"
    "                      For the seed, bf16 kernels are compared with float naive under\n"
    "                      their own bound (the rounding of the inputs added)\n"
    "\n"
    "Files are text as numpy.savetxt writes them: one row a line, values separated by\n"
    "spaces, tabs or commas (a comma always separates: 1,5 is two values), `#` comments;\n"
    "nan and inf are refused; at most 1 GiB a file.\n"
    "\n"
    "Every input is read and checked, and every kernel run, before anything is printed.\n"
    "A pre-activation x·Wx + h·Wy + b whose terms could overflow a float (|terms|\n"
    "summed beyond 3.4e38) is an error naming the kernel, step, row and neuron, since\n"
    "its float result may be inf or nan, or a tanh saturated by an overflowed sum.\n"
    "Exit status: 0 ok; 1 bad data (file, value, shape, overflow), out of memory, or\n"
    "output that could not be written (then stderr says why); 2 bad usage.\n";

// ---- the seed ------------------------------------------------------------------

// numpy's style for a 2-D array: "[[a b c]\n [d e f]]", one instance a row.
std::string numpy_style(const Matrix& m) {
  std::ostringstream out;
  out << '[';
  for (int i = 0; i < m.rows(); ++i) {
    out << (i == 0 ? "[" : " [");
    for (int j = 0; j < m.cols(); ++j) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "% .8f", static_cast<double>(m(i, j)));
      out << (j == 0 ? "" : " ") << cell;
    }
    out << (i + 1 == m.rows() ? "]]" : "]\n");
  }
  if (!out) throw std::bad_alloc();  // a string stream fails only when its buffer cannot grow
  return out.str();
}

double max_abs_difference(const Matrix& a, const Matrix& b) {
  double worst = 0.0;
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j) worst = std::max(worst, std::fabs(double(a(i, j)) - double(b(i, j))));
  return worst;
}

// A first-order bound on the error of one pre-activation as rnn_cell computes
// it: P = X·Wx (a GEMM with K = I), then P += Yprev·Wy (K = H, beta = 1, so
// |P| joins the second GEMM's absolute sum), then P + b (one rounding).
// x_sum = sum |x||Wx|, h_sum = sum |y_prev||Wy| (0 at the first step).
double preactivation_bound(int inputs, int hidden, double x_sum, double h_sum, double bias) {
  const double projection = gemm_error_bound(inputs, x_sum);
  const double recurrent = h_sum > 0.0 ? gemm_error_bound(hidden, h_sum + x_sum + projection) : 0.0;
  return projection + recurrent + unit_roundoff * (x_sum + h_sum + std::fabs(bias) + projection + recurrent);
}

// A bound on |Y_kernel - Y_exact| for the seed's two steps, where the
// GEMMs' inputs are first rounded with relative error at most v (v = 0 for
// float; v = 2^-8 for bf16, which rounds Wx, Wy, X and Y0). Step 0: the
// pre-activation bound through tanh (1-Lipschitz) plus tanh's own error.
// Step 1: the same, plus the error carried in from Y0 through |Wy|. The
// rounding of the inputs adds (2v + v^2) of each absolute sum (each product
// has two rounded factors, gemmlab/numerics.hpp), and makes each absolute
// sum up to (1 + v)^2 larger; the kernel's Y0 is within err0 of the exact
// one, so |Y0| + err0 bounds what it multiplies.
double seed_error_bound_one(const SeedExample& s, const TwoStepOutput& y, double v) {
  const int batch = s.X0.rows(), hidden = s.Wx.cols(), inputs = s.Wx.rows();
  const double rounding = 2.0 * v + v * v, grow = (1.0 + v) * (1.0 + v);
  std::vector<double> err0(static_cast<std::size_t>(batch) * hidden);
  double worst = 0.0;
  for (int i = 0; i < batch; ++i)
    for (int j = 0; j < hidden; ++j) {
      double x_sum = 0.0;
      for (int p = 0; p < inputs; ++p) x_sum += std::fabs(s.X0(i, p) * double(s.Wx(p, j)));
      err0[i * hidden + j] =
          preactivation_bound(inputs, hidden, grow * x_sum, 0.0, s.b(0, j)) + rounding * x_sum + tanh_max_abs_error;
      worst = std::max(worst, err0[i * hidden + j]);
    }
  for (int i = 0; i < batch; ++i)
    for (int j = 0; j < hidden; ++j) {
      double x_sum = 0.0, h_sum = 0.0, carried = 0.0;
      for (int p = 0; p < inputs; ++p) x_sum += std::fabs(s.X1(i, p) * double(s.Wx(p, j)));
      for (int p = 0; p < hidden; ++p) {
        const double y0 = std::fabs(double(y.Y0(i, p))) + (v > 0 ? err0[i * hidden + p] : 0.0);
        h_sum += y0 * std::fabs(s.Wy(p, j));
        carried += err0[i * hidden + p] * std::fabs(s.Wy(p, j));
      }
      worst = std::max(worst, preactivation_bound(inputs, hidden, grow * x_sum, grow * h_sum, s.b(0, j)) +
                                  rounding * (x_sum + h_sum) + carried + tanh_max_abs_error);
    }
  return worst;
}

// Two kernels may each be off by their bound in opposite directions: a
// kernel of `precision` agrees with float naive to within the sum of both.
double seed_error_bound(const SeedExample& s, const TwoStepOutput& y, Precision precision) {
  const double v = precision == Precision::bf16 ? bf16_unit_roundoff : 0.0;
  return seed_error_bound_one(s, y, v) + seed_error_bound_one(s, y, 0.0);
}

// The seed's two steps with a bf16 kernel: RnnForward on the stacked X0, X1.
TwoStepOutput seed_forward_bf16(Kernel k, const SeedExample& s) {
  Matrix x_all(2 * s.X0.rows(), s.X0.cols());
  copy(s.X0, x_all.block(0, 0, s.X0.rows(), s.X0.cols()));
  copy(s.X1, x_all.block(s.X0.rows(), 0, s.X1.rows(), s.X1.cols()));
  RnnForward forward(k, weights_from_gemmlab(s.Wx, s.Wy, s.b), Activation::tanh, s.X0.rows(), 2, Precision::bf16);
  forward.run(x_all);
  TwoStepOutput y{Matrix(s.X0.rows(), s.Wx.cols()), Matrix(s.X0.rows(), s.Wx.cols())};
  copy(forward.output(0), y.Y0);
  copy(forward.output(1), y.Y1);
  return y;
}

TwoStepOutput seed_run(Kernel k, const SeedExample& s, Precision precision) {
  return precision == Precision::bf16 ? seed_forward_bf16(k, s) : seed_forward(k, s);
}

int run_seed(const std::vector<Kernel>& kernels, Precision precision, std::ostream& os) {
  const SeedExample seed = make_seed_example();
  const TwoStepOutput reference = seed_forward(Kernel::naive, seed);
  const TwoStepOutput first = seed_run(kernels.front(), seed, precision);
  const double bound = seed_error_bound(seed, reference, precision);

  std::ostringstream out;  // printed only once everything has succeeded
  out << "# the seed's RNN: 5 tanh neurons, 3 inputs, batch 4, two steps (kernel " << kernel_name(kernels.front())
      << (precision == Precision::bf16 ? ", bf16 GEMM inputs" : "") << ")\n";
  out << "Y0 = tanh(X0·Wx + b)\n" << numpy_style(first.Y0) << "\n\n";
  out << "Y1 = tanh(Y0·Wy + X1·Wx + b)\n" << numpy_style(first.Y1) << "\n\n";
  out << "# every kernel against " << (precision == Precision::bf16 ? "float naive" : "naive")
      << ": largest |Y - Y_naive| over Y0 and Y1 (bound " << bound << ")\n";
  bool all_agree = true;
  for (Kernel k : kernels) {
    const TwoStepOutput y = seed_run(k, seed, precision);
    const double diff = std::max(max_abs_difference(y.Y0, reference.Y0), max_abs_difference(y.Y1, reference.Y1));
    const bool ok = diff <= bound;
    all_agree = all_agree && ok;
    char line[160];
    const Kernel runs = resolve_kernel(k, precision);
    std::string runs_label;  // "(simd-avx512)" when `simd` stands for another kernel
    if (runs != k) runs_label.append("(").append(kernel_name(runs)).append(")");
    std::snprintf(line, sizeof line, "%-*s %-14s max |diff| = %.3g  %s\n", kernel_name_width(),
                  std::string(kernel_name(k)).c_str(), runs_label.c_str(), diff, ok ? "agrees" : "DISAGREES");
    out << line;
  }
  if (!out) throw std::bad_alloc();  // a string stream fails only when its buffer cannot grow
  errno = 0;                         // so that a failed write reports its own reason (require_written)
  os << out.str();
  return all_agree ? 0 : 1;
}

// ---- your own weights and inputs ------------------------------------------------

struct RnnOptions {
  std::optional<std::string> wx, wy, h0, layout, activation, kernel, precision;
  std::vector<std::string> biases, steps;
};

// A file read from the command line, remembered with the option that named it.
struct NamedMatrix {
  Matrix m;
  std::string label;  // e.g. "--wy wy.txt"
};

NamedMatrix load(const std::string& option, const std::string& path) {
  return {read_matrix_file(path), std::string(option).append(" ").append(path)};
}

std::string shape_of(const Matrix& m) { return shape_string(m.rows(), m.cols()); }

[[noreturn]] void shape_problem(const std::string& message) { throw shape_error(std::string("rnn: ").append(message)); }

// A vector of `length` values stored as a column (length x 1) is read as one
// row: numpy.savetxt writes a 1-D array one value per line.
Matrix row_if_column(Matrix m, int length) {
  if (m.cols() == 1 && m.rows() == length && length > 1) return as_row_vector(m, "");
  return m;
}

RnnOptions parse_options(std::span<const std::string> args) {
  RnnOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") throw std::logic_error("help is handled by the caller");
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        throw usage_error(std::string("rnn: ").append(a).append(" needs a value (see gemmlab rnn --help)"));
      return args[++i];
    };
    auto once = [&](std::optional<std::string>& slot) {
      if (slot) throw usage_error(std::string("rnn: ").append(a).append(" given twice"));
      slot = value();
    };
    if (a == "--wx") {
      once(o.wx);
    } else if (a == "--wy") {
      once(o.wy);
    } else if (a == "--h0") {
      once(o.h0);
    } else if (a == "--layout") {
      once(o.layout);
    } else if (a == "--activation") {
      once(o.activation);
    } else if (a == "--kernel") {
      once(o.kernel);
    } else if (a == "--precision") {
      once(o.precision);
    } else if (a == "--b") {
      if (o.biases.size() == 2)
        throw usage_error("rnn: --b given more than twice (one bias, or torch's bias_ih and bias_hh)");
      o.biases.push_back(value());
    } else if (a == "--x") {
      o.steps.push_back(value());
    } else {
      throw usage_error(std::string("rnn: unknown option '").append(a).append("' (see gemmlab rnn --help)"));
    }
  }
  return o;
}

std::string bytes_for(int rows, int cols) {
  return std::to_string(static_cast<unsigned long long>(rows) * static_cast<unsigned long long>(cols) * sizeof(float))
      .append(" bytes");
}

// A rows x cols matrix for `what`; running out of memory says what and how much.
Matrix allocate(int rows, int cols, const std::string& what) {
  try {
    return Matrix(rows, cols);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(std::string("rnn: out of memory: ")
                                 .append(what)
                                 .append(" need ")
                                 .append(bytes_for(rows, cols))
                                 .append(" (")
                                 .append(shape_string(rows, cols))
                                 .append(" floats)"));
  }
}

double max_abs(ConstMatrixView m) {
  double worst = 0.0;
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) {
      const double v = std::fabs(double(m(i, j)));
      if (!(v <= worst)) worst = v;  // a NaN makes the result NaN
    }
  return worst;
}

// The largest column sum of |W|.
double max_abs_column_sum(ConstMatrixView w) {
  double worst = 0.0;
  for (int j = 0; j < w.cols(); ++j) {
    double sum = 0.0;
    for (int i = 0; i < w.rows(); ++i) sum += std::fabs(double(w(i, j)));
    worst = std::max(worst, sum);
  }
  return worst;
}

// Overflow. Each pre-activation x_t·Wx + h_{t-1}·Wy + b is a float sum of
// terms whose magnitudes add up to S = sum |x||Wx| + sum |h||Wy| + |b|. Every
// partial sum, in any order a kernel adds them, is at most S (1 + gamma), so
// with S (1 + gamma) <= FLT_MAX nothing overflows and every output is finite
// and within the error bound. Beyond that a partial sum may be inf: relu
// prints inf, opposite infinities give nan, and tanh turns an overflowed sum
// into ±1 whatever the exact value (3e38 + 3e38 - 3e38 - 3e38 = 0 exactly is
// inf in float). So a possible overflow is an error, reported for the first
// element, in order of step, row and neuron; h_{t-1} is this kernel's own
// output, checked at the step before. The whole-problem bound below is
// cheap; only when it fails is each element checked on its own.
void check_no_overflow(Kernel k, ConstMatrixView x_all, const RnnWeights& w, ConstMatrixView h0,
                       ConstMatrixView outputs, int batch) {
  const int inputs = w.inputs(), hidden = w.hidden(), steps = x_all.rows() / batch;
  const double gamma = 2.0 * (inputs + hidden + 2) * unit_roundoff;
  const double limit = double(std::numeric_limits<float>::max()) / (1.0 + gamma);
  const double h_max = std::max(h0.empty() ? 0.0 : max_abs(h0),
                                steps > 1 ? max_abs(outputs.block(0, 0, (steps - 1) * batch, hidden)) : 0.0);
  const double whole = max_abs(x_all) * max_abs_column_sum(w.Wx) + h_max * max_abs_column_sum(w.Wy) + max_abs(w.b);
  if (whole <= limit) return;
  for (int t = 0; t < steps; ++t)
    for (int i = 0; i < batch; ++i) {
      const int row = t * batch + i;
      const float* x = x_all.row(row);
      const float* h = t > 0 ? outputs.row(row - batch) : (h0.empty() ? nullptr : h0.row(i));
      for (int j = 0; j < hidden; ++j) {
        double sum = std::fabs(double(w.b(0, j)));
        for (int p = 0; p < inputs; ++p) sum += std::fabs(double(x[p]) * w.Wx(p, j));
        if (h != nullptr)
          for (int p = 0; p < hidden; ++p) sum += std::fabs(double(h[p]) * w.Wy(p, j));
        if (sum <= limit) continue;
        char magnitude[32];
        std::snprintf(magnitude, sizeof magnitude, "%.3g", sum);
        throw std::runtime_error(
            std::string("rnn: kernel ")
                .append(kernel_name(k))
                .append(", step ")
                .append(std::to_string(t))
                .append(", row ")
                .append(std::to_string(i))
                .append(", neuron ")
                .append(std::to_string(j))
                .append(": the pre-activation may overflow float: its terms |x·Wx|, |h·Wy|, |b| add "
                        "up to ")
                .append(magnitude)
                .append(", beyond the largest float, 3.4e38"));
      }
    }
}

int run_files(const RnnOptions& o, const std::vector<Kernel>& kernels, Precision precision, std::ostream& os) {
  // Usage first (exit 2), before any file is read.
  const std::string layout = o.layout.value_or("gemmlab");
  if (layout != "gemmlab" && layout != "torch")
    throw usage_error("rnn: unknown layout '" + layout + "' (valid: gemmlab, torch)");
  Activation activation = Activation::tanh;
  try {
    activation = activation_from_name(o.activation.value_or("tanh"));
  } catch (const std::invalid_argument& e) {
    throw usage_error(std::string("rnn: --activation: ").append(e.what()));
  }
  if (!o.wx) throw usage_error("rnn: missing --wx FILE (the input weights)");
  if (!o.wy) throw usage_error("rnn: missing --wy FILE (the recurrent weights)");
  if (o.steps.empty()) throw usage_error("rnn: missing --x FILE (one file per time step, in order)");

  // The weights, converted to gemmlab's layout, with shapes checked against each other.
  const bool torch = layout == "torch";
  const NamedMatrix wx = load("--wx", *o.wx), wy = load("--wy", *o.wy);
  const int hidden = torch ? wx.m.rows() : wx.m.cols();
  const int inputs = torch ? wx.m.cols() : wx.m.rows();
  const std::string wx_role = torch ? "weight_ih (H x I)" : "Wx (I x H)";
  if (wy.m.rows() != hidden || wy.m.cols() != hidden)
    shape_problem(std::string(wy.label)
                      .append(" is ")
                      .append(shape_of(wy.m))
                      .append(" but must be ")
                      .append(shape_string(hidden, hidden))
                      .append(" since ")
                      .append(wx.label)
                      .append(", ")
                      .append(wx_role)
                      .append(", is ")
                      .append(shape_of(wx.m)));
  Matrix bias(1, hidden);
  for (const std::string& path : o.biases) {
    const NamedMatrix b = load("--b", path);
    if (!(b.m.rows() == 1 || b.m.cols() == 1) || b.m.rows() * b.m.cols() != hidden)
      shape_problem(std::string(b.label)
                        .append(" is ")
                        .append(shape_of(b.m))
                        .append(" but must hold ")
                        .append(std::to_string(hidden))
                        .append(" values (one row or one column) since ")
                        .append(wx.label)
                        .append(" is ")
                        .append(shape_of(wx.m)));
    const Matrix row = as_row_vector(b.m, b.label);
    for (int j = 0; j < hidden; ++j) bias(0, j) += row(0, j);  // two biases: summed, as torch does
  }
  const RnnWeights weights =
      torch ? weights_from_torch(wx.m, wy.m, bias, ConstMatrixView()) : weights_from_gemmlab(wx.m, wy.m, bias);

  // The inputs: every step B x I, stacked into one (T·B) x I matrix. Each
  // file is checked and copied in as it is read, then released: the inputs
  // are held once, not once per file and once stacked.
  const int steps = static_cast<int>(o.steps.size());
  int batch = 0;
  std::string first_label, first_shape;  // step 0's, for the messages about later steps
  Matrix x_all;
  for (int t = 0; t < steps; ++t) {
    NamedMatrix x = load("--x", o.steps[static_cast<std::size_t>(t)]);
    x.m = row_if_column(std::move(x.m), inputs);
    if (x.m.cols() != inputs)
      shape_problem(std::string(x.label)
                        .append(" is ")
                        .append(shape_of(x.m))
                        .append(" but must have ")
                        .append(std::to_string(inputs))
                        .append(" columns (one per input) since ")
                        .append(wx.label)
                        .append(", ")
                        .append(wx_role)
                        .append(", is ")
                        .append(shape_of(wx.m)));
    if (t == 0) {
      batch = x.m.rows();
      first_label = x.label;
      first_shape = shape_of(x.m);
      if (static_cast<long long>(steps) * batch > 0x7fffffff)
        shape_problem("too many rows in all the --x files together");
      x_all = allocate(steps * batch, inputs, "the inputs of all " + std::to_string(steps) + " steps");
    } else if (x.m.rows() != batch) {
      shape_problem(std::string(x.label)
                        .append(" (step ")
                        .append(std::to_string(t))
                        .append(") is ")
                        .append(shape_of(x.m))
                        .append(" but step 0, ")
                        .append(first_label)
                        .append(", is ")
                        .append(first_shape)
                        .append(": every step must have the same batch"));
    }
    copy(x.m, x_all.block(t * batch, 0, batch, inputs));
  }

  Matrix h0;
  if (o.h0) {
    NamedMatrix h = load("--h0", *o.h0);
    if (batch == 1) h.m = row_if_column(std::move(h.m), hidden);
    if (h.m.rows() != batch || h.m.cols() != hidden)
      shape_problem(std::string(h.label)
                        .append(" is ")
                        .append(shape_of(h.m))
                        .append(" but must be ")
                        .append(shape_string(batch, hidden))
                        .append(" (batch x hidden) since ")
                        .append(first_label)
                        .append(" is ")
                        .append(first_shape)
                        .append(" and ")
                        .append(wx.label)
                        .append(" is ")
                        .append(shape_of(wx.m)));
    h0 = std::move(h.m);
  }

  // Every kernel runs, and its result is checked, before anything is
  // printed: an error in any of them prints nothing. The last kernel's
  // result is printed from its own buffers; the others' are kept as compact
  // copies (no padding) until then.
  std::vector<Matrix> earlier;
  earlier.reserve(kernels.size());
  std::unique_ptr<RnnForward> last;
  for (std::size_t n = 0; n < kernels.size(); ++n) {
    const Kernel k = kernels[n];
    try {
      last.reset();
      last = std::make_unique<RnnForward>(k, weights, activation, batch, steps, precision);
    } catch (const std::bad_alloc&) {
      throw std::runtime_error(std::string("rnn: out of memory: kernel ")
                                   .append(kernel_name(k))
                                   .append(" needs at least ")
                                   .append(bytes_for(steps * batch, hidden))
                                   .append(" for the outputs of ")
                                   .append(std::to_string(steps))
                                   .append(" steps of ")
                                   .append(shape_string(batch, hidden)));
    }
    last->run(x_all, h0);
    check_no_overflow(k, x_all, weights, h0, last->outputs(), batch);
    if (n + 1 < kernels.size()) {
      earlier.push_back(allocate(
          steps * batch, hidden,
          std::string("keeping the outputs of kernel ").append(kernel_name(k)).append(" until every kernel has run")));
      copy(last->outputs(), earlier.back());
    }
  }

  // Printing, one step at a time, stopping at the first failed write.
  for (std::size_t n = 0; n < kernels.size(); ++n) {
    const ConstMatrixView all = n < earlier.size() ? earlier[n].view() : last->outputs();
    for (int t = 0; t < steps; ++t) {
      errno = 0;
      os << "# kernel=" << kernel_name(kernels[n]) << " step=" << t << '\n';
      write_matrix(os, all.block(t * batch, 0, batch, hidden));
      require_written(os);
    }
  }
  return 0;
}

}  // namespace

int run_rnn(std::span<const std::string> args, std::ostream& os) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      os << rnn_usage << "\nkernels (`gemmlab kernels` says which run here):";
      for (Kernel k : all_kernels()) os << ' ' << kernel_name(k);
      os << "\nwith --precision bf16:";
      for (Kernel k : all_kernels(Precision::bf16)) os << ' ' << kernel_name(k);
      os << '\n';
      return 0;
    }
  const RnnOptions o = parse_options(args);
  const bool files = o.wx || o.wy || o.h0 || !o.biases.empty() || !o.steps.empty();
  if (!files && (o.layout || o.activation))
    throw usage_error(
        "rnn: --layout and --activation need your own files (--wx, --wy, --x); the seed is gemmlab, tanh");
  Precision precision = Precision::f32;
  if (o.precision) {
    if (*o.precision != "f32" && *o.precision != "bf16")
      throw usage_error("rnn: --precision: '" + *o.precision + "' is not f32 or bf16");
    precision = precision_from_name(*o.precision);
  }
  const std::vector<Kernel> kernels = parse_kernel_list(o.kernel.value_or(files ? "simd" : "all"), precision);
  return files ? run_files(o, kernels, precision, os) : run_seed(kernels, precision, os);
}

}  // namespace gemmlab::cli
