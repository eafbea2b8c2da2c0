// Plain-text matrices: the reader and writer of gemmlab/matrix_io.hpp.
#include "gemmlab/matrix_io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <ostream>
#include <vector>

namespace gemmlab {
namespace {

// Long tokens are cut and unprintable bytes escaped, so that an error
// message about binary junk is still one readable line.
std::string printable(std::string_view token) {
  constexpr std::size_t max_shown = 24;
  std::string out;
  for (std::size_t i = 0; i < token.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out.append(hex);
    }
  }
  if (token.size() > max_shown) out.append("...");
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Parses one token as a float, or explains why it is not one.
// Returns an empty string on success.
std::string parse_value(std::string_view token, float& value) {
  auto not_a_number = [&] { return std::string("'").append(printable(token)).append("' is not a number"); };
  auto too_large = [&] {
    return std::string("'").append(printable(token)).append("' is out of the range of a float (|x| > 3.4e38)");
  };
  std::string_view number = token;
  if (!number.empty() && number.front() == '+') {  // from_chars accepts '-' only
    number.remove_prefix(1);
    if (!number.empty() && (number.front() == '-' || number.front() == '+')) return not_a_number();
  }
  if (number.empty()) return not_a_number();
  double parsed = 0.0;
  const char* last = number.data() + number.size();
  const auto [end, ec] = std::from_chars(number.data(), last, parsed, std::chars_format::general);
  if (end != last || (ec != std::errc() && ec != std::errc::result_out_of_range)) return not_a_number();
  if (ec == std::errc::result_out_of_range) {
    // Too large or too small for a double. Too small is zero in float too: it
    // is too small when its exponent is negative, or, without an exponent,
    // when its integer part is zero ("0.000...01").
    const std::size_t e = number.find_first_of("eE");
    const std::string_view mantissa = number.substr(0, e);
    const bool negative_exponent = e != std::string_view::npos && e + 1 < number.size() && number[e + 1] == '-';
    const bool zero_integer_part = mantissa.find_first_of("123456789") >= mantissa.find('.');
    if (negative_exponent || (e == std::string_view::npos && zero_integer_part)) {
      value = number.front() == '-' ? -0.0f : 0.0f;
      return {};
    }
    return too_large();
  }
  if (std::isnan(parsed) || std::isinf(parsed))  // from_chars reads "nan", "inf", "infinity"
    return std::string("'")
        .append(printable(token))
        .append("' is not a finite number (gemmlab computes with finite values only)");
  // Round to float. Above FLT_MAX, a value rounds down to FLT_MAX only if it
  // is below FLT_MAX + half an ulp (2^128 - 2^103); beyond, it would be inf.
  // (Converting an out-of-range double to float is undefined in C++, so the
  // check comes first.)
  constexpr double float_max = std::numeric_limits<float>::max();
  constexpr double rounds_to_inf = 0x1.0p128 - 0x1.0p103;
  const double magnitude = std::fabs(parsed);
  if (magnitude >= rounds_to_inf) return too_large();
  if (magnitude > float_max) {
    value = parsed < 0 ? -std::numeric_limits<float>::max() : std::numeric_limits<float>::max();
    return {};
  }
  value = static_cast<float>(parsed);
  return {};
}

}  // namespace

matrix_read_error::matrix_read_error(std::string source, int line, const std::string& problem)
    : std::runtime_error(line > 0
                             ? std::string(source).append(":").append(std::to_string(line)).append(": ").append(problem)
                             : std::string(source).append(": ").append(problem)),
      source_(std::move(source)),
      line_(line) {}

namespace {

// What the text holds: rows x columns values, row by row.
struct ParsedValues {
  std::vector<float> values;
  int rows = 0;
  int columns = 0;
};

std::string bytes_text(std::size_t bytes) { return std::to_string(bytes).append(" bytes"); }

// The list of values grows by doubling: appending one more can need room for
// twice as many while the old list is still held.
void append_value(std::vector<float>& values, float value, const std::string& source, int line) {
  try {
    values.push_back(value);
  } catch (const std::bad_alloc&) {
    throw matrix_read_error(source, line,
                            std::string("out of memory: holding its first ")
                                .append(std::to_string(values.size() + 1))
                                .append(" values needs up to ")
                                .append(bytes_text((values.size() + 1) * sizeof(float) * 3)));
  }
}

ParsedValues parse_values(std::string_view text, const std::string& source) {
  std::vector<float> values;
  int columns = 0;         // of the first row; every row must match it
  int first_row_line = 0;  // where that first row was
  long long rows = 0;
  int line_number = 0;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line_number == std::numeric_limits<int>::max()) throw matrix_read_error(source, 0, "too many lines");
    ++line_number;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);

    // Split into values: blanks separate, and at most one comma between two values.
    long long count = 0;
    bool comma_pending = false;  // a comma seen since the last value
    std::size_t i = 0;
    while (true) {
      while (i < line.size() && is_blank(line[i])) ++i;
      if (i == line.size()) break;
      if (line[i] == ',') {
        if (comma_pending || count == 0)
          throw matrix_read_error(source, line_number,
                                  std::string("empty value before the comma at column ").append(std::to_string(i + 1)));
        comma_pending = true;
        ++i;
        continue;
      }
      const std::size_t token_start = i;
      while (i < line.size() && !is_blank(line[i]) && line[i] != ',') ++i;
      const std::string_view token = line.substr(token_start, i - token_start);
      float value = 0.0f;
      const std::string problem = parse_value(token, value);
      if (!problem.empty())
        throw matrix_read_error(
            source, line_number,
            std::string(problem).append(" (column ").append(std::to_string(token_start + 1)).append(")"));
      append_value(values, value, source, line_number);
      ++count;
      comma_pending = false;
    }
    if (comma_pending) throw matrix_read_error(source, line_number, "empty value after the last comma");
    if (count == 0) continue;  // blank or comment-only line
    if (count > std::numeric_limits<int>::max())
      throw matrix_read_error(source, line_number, "too many values on one line");
    if (rows == 0) {
      columns = static_cast<int>(count);
      first_row_line = line_number;
    } else if (count != columns) {
      throw matrix_read_error(source, line_number,
                              std::string("ragged rows: this row has ")
                                  .append(std::to_string(count))
                                  .append(" values but the first row (line ")
                                  .append(std::to_string(first_row_line))
                                  .append(") has ")
                                  .append(std::to_string(columns)));
    }
    ++rows;
    if (rows * columns > std::numeric_limits<int>::max())
      throw matrix_read_error(source, line_number, "too many values for one matrix");
  }
  if (rows == 0) throw matrix_read_error(source, 0, "no numbers in it (an empty matrix)");
  return {std::move(values), static_cast<int>(rows), columns};
}

// The matrix of parsed values, which are released as soon as it is filled.
Matrix to_matrix(ParsedValues parsed, const std::string& source) {
  Matrix m;
  try {
    m = Matrix(parsed.rows, parsed.columns);
  } catch (const std::bad_alloc&) {
    throw matrix_read_error(source, 0,
                            std::string("out of memory: its ")
                                .append(shape_string(parsed.rows, parsed.columns))
                                .append(" matrix needs ")
                                .append(bytes_text(static_cast<std::size_t>(parsed.rows) *
                                                   static_cast<std::size_t>(parsed.columns) * sizeof(float)))
                                .append(" on top of the ")
                                .append(bytes_text(parsed.values.size() * sizeof(float)))
                                .append(" of values read"));
  }
  for (int r = 0; r < m.rows(); ++r)
    for (int c = 0; c < parsed.columns; ++c) m(r, c) = parsed.values[static_cast<std::size_t>(r) * parsed.columns + c];
  return m;
}

}  // namespace

Matrix parse_matrix(std::string_view text, std::string_view source_view) {
  const std::string source(source_view);
  return to_matrix(parse_values(text, source), source);
}

Matrix read_matrix_file(const std::string& path, std::size_t max_bytes) {
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  auto too_large = [&](const std::string& how_large) {
    return matrix_read_error(
        path, 0,
        std::string(how_large).append(" the limit of ").append(bytes_text(max_bytes)).append(" for a matrix file"));
  };
  errno = 0;
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    throw matrix_read_error(path, 0, std::string("cannot open: ").append(std::strerror(errno != 0 ? errno : ENOENT)));
  // A regular file's size is known: refuse a file over the limit before
  // reading any of it, and hold one buffer of exactly its size. Anything
  // else (a pipe, a device) is read until it ends or passes the limit.
  std::error_code size_error;
  const bool regular = std::filesystem::is_regular_file(path, size_error);
  const std::uintmax_t size = regular ? std::filesystem::file_size(path, size_error) : 0;
  if (regular && !size_error && size > max_bytes)
    throw too_large(std::string("it is ").append(bytes_text(static_cast<std::size_t>(size))).append(", more than"));
  std::string text;
  std::size_t wanted = 0;  // the allocation being attempted, for the message if it fails
  try {
    if (regular && !size_error) {
      wanted = static_cast<std::size_t>(size);
      text.reserve(wanted);
    }
    char buffer[1 << 16];
    while (true) {
      const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
      // A NUL byte never occurs in text: binary data (or /dev/zero) is
      // refused at once instead of being read up to the limit.
      if (const void* nul = std::memchr(buffer, '\0', n); nul != nullptr) {
        const std::size_t at = text.size() + static_cast<std::size_t>(static_cast<const char*>(nul) - buffer);
        throw matrix_read_error(
            path, 0, std::string("byte ").append(std::to_string(at + 1)).append(" is a NUL byte: not a text file"));
      }
      if (n > max_bytes - text.size()) throw too_large("it is more than");
      if (text.size() + n > text.capacity()) wanted = std::max(text.size() + n, 2 * text.capacity());
      text.append(buffer, n);
      if (n < sizeof buffer) break;
    }
  } catch (const std::bad_alloc&) {
    throw matrix_read_error(
        path, 0, std::string("out of memory: reading its text needs ").append(bytes_text(wanted)).append(" at once"));
  }
  if (std::ferror(file.get()))  // e.g. a directory: fopen succeeds, reading fails with EISDIR
    throw matrix_read_error(path, 0, std::string("cannot read: ").append(std::strerror(errno != 0 ? errno : EIO)));
  ParsedValues parsed = parse_values(text, path);
  std::string().swap(text);  // the text is not needed once parsed: release it before the matrix is allocated
  return to_matrix(std::move(parsed), path);
}

void write_matrix(std::ostream& out, ConstMatrixView m) {
  std::string line;
  for (int i = 0; i < m.rows(); ++i) {
    line.clear();
    for (int j = 0; j < m.cols(); ++j) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%.9g", static_cast<double>(m(i, j)));
      if (j > 0) line.push_back(' ');
      line.append(cell);
    }
    line.push_back('\n');
    out << line;
    if (!out) return;  // a failed write (a full disk): the rest would be lost too
  }
}

Matrix as_row_vector(ConstMatrixView m, std::string_view what) {
  if (m.rows() == 1) {
    Matrix row(1, m.cols());
    copy(m, row);
    return row;
  }
  if (m.cols() == 1) {
    Matrix row(1, m.rows());
    for (int i = 0; i < m.rows(); ++i) row(0, i) = m(i, 0);
    return row;
  }
  throw shape_error(std::string(what)
                        .append(" is ")
                        .append(shape_string(m.rows(), m.cols()))
                        .append(" but must be a vector (one row or one column)"));
}

}  // namespace gemmlab
