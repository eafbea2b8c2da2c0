// The text matrix reader and writer (gemmlab/matrix_io.hpp): the format as
// numpy.savetxt writes it, every kind of bad input, and a deterministic fuzz
// of the reader (it must parse or throw matrix_read_error, never crash; the
// suite also runs under ASan + UBSan with `make asan`).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include "gemmlab/matrix_io.hpp"
#include "gemmlab/random.hpp"

namespace gemmlab {
namespace {

// The message of the matrix_read_error that parsing `text` throws.
std::string read_error(std::string_view text, std::string_view source = "m.txt") {
  try {
    parse_matrix(text, source);
  } catch (const matrix_read_error& e) {
    return e.what();
  }
  return "no matrix_read_error";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MatrixRead, NumpySavetxtDefaultFormat) {
  // What numpy.savetxt("m.txt", numpy.array([[1, -2.5, 3e-8], [0.1, 4, -0]])) writes.
  const Matrix m = parse_matrix(
      "1.000000000000000000e+00 -2.500000000000000000e+00 2.999999999999999940e-08\n"
      "1.000000000000000056e-01 4.000000000000000000e+00 -0.000000000000000000e+00\n",
      "m.txt");
  ASSERT_EQ(m.rows(), 2);
  ASSERT_EQ(m.cols(), 3);
  EXPECT_EQ(m(0, 0), 1.0f);
  EXPECT_EQ(m(0, 1), -2.5f);
  EXPECT_EQ(m(0, 2), 3e-8f);
  EXPECT_EQ(m(1, 0), 0.1f);
  EXPECT_EQ(m(1, 1), 4.0f);
  EXPECT_EQ(m(1, 2), 0.0f);
  EXPECT_TRUE(std::signbit(m(1, 2)));
}

TEST(MatrixRead, SeparatorsCommentsBlankLinesAndLineEnds) {
  const Matrix m = parse_matrix(
      "# a header comment\n"
      "\n"
      "1,2, 3  # trailing comment\n"
      "   \t\n"
      "4\t5 ,6\r\n"
      "+7 .5e1 8.\n"
      "# the end, no newline after the last row\n"
      "-1e-2 1E2 0",
      "m.txt");
  ASSERT_EQ(m.rows(), 4);
  ASSERT_EQ(m.cols(), 3);
  const float expected[4][3] = {{1, 2, 3}, {4, 5, 6}, {7, 5, 8}, {-0.01f, 100, 0}};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(m(i, j), expected[i][j]) << i << "," << j;
}

TEST(MatrixRead, ValuesRoundToTheNearestFloatViaDouble) {
  // 0.1 is not a float: the nearest float is what numpy's float32 gives.
  EXPECT_EQ(parse_matrix("0.1", "s")(0, 0), 0.1f);
  // The largest float, and a value just above it that still rounds down to it.
  EXPECT_EQ(parse_matrix("3.4028234663852886e38", "s")(0, 0), std::numeric_limits<float>::max());
  EXPECT_EQ(parse_matrix("3.40282356e38", "s")(0, 0), std::numeric_limits<float>::max());
  // Too small for a float: rounds to zero (or a subnormal), as numpy does.
  EXPECT_EQ(parse_matrix("1e-50", "s")(0, 0), 0.0f);
  EXPECT_EQ(parse_matrix("1e-400", "s")(0, 0), 0.0f);
  EXPECT_EQ(parse_matrix("1e-45", "s")(0, 0), std::numeric_limits<float>::denorm_min());
}

TEST(MatrixRead, AColumnVectorIsNx1) {
  const Matrix m = parse_matrix("1\n2\n3\n", "v.txt");
  EXPECT_EQ(m.rows(), 3);
  EXPECT_EQ(m.cols(), 1);
  const Matrix row = as_row_vector(m, "b");
  EXPECT_EQ(row.rows(), 1);
  EXPECT_EQ(row.cols(), 3);
  EXPECT_EQ(row(0, 2), 3.0f);
  EXPECT_EQ(as_row_vector(parse_matrix("1 2", "r"), "b").cols(), 2);
  try {
    as_row_vector(Matrix(2, 3), "--b b.txt");
    FAIL() << "a 2x3 matrix is not a vector";
  } catch (const shape_error& e) {
    EXPECT_TRUE(contains(e.what(), "--b b.txt is 2x3")) << e.what();
  }
}

TEST(MatrixRead, BadInputNamesSourceLineAndProblem) {
  struct Case {
    const char* text;
    const char* expected;  // a part of the message
  };
  const Case cases[] = {
      {"1 2\n3 abc\n", "m.txt:2: 'abc' is not a number (column 3)"},
      {"1 2 3\n4 5\n", "m.txt:2: ragged rows: this row has 2 values but the first row (line 1) has 3"},
      {"# only a comment\n\n", "m.txt: no numbers in it (an empty matrix)"},
      {"", "m.txt: no numbers in it (an empty matrix)"},
      {"1 1e39\n", "m.txt:1: '1e39' is out of the range of a float"},
      {"-1e400\n", "m.txt:1: '-1e400' is out of the range of a float"},
      {"1 nan\n", "m.txt:1: 'nan' is not a finite number"},
      {"inf 1\n", "m.txt:1: 'inf' is not a finite number"},
      {"1\n-inf\n", "m.txt:2: '-inf' is not a finite number"},
      {"1,,2\n", "m.txt:1: empty value before the comma at column 3"},
      {",1\n", "m.txt:1: empty value before the comma at column 1"},
      {"1,2,\n", "m.txt:1: empty value after the last comma"},
      {"0x1p3\n", "'0x1p3' is not a number"},
      {"1d5\n", "'1d5' is not a number"},
      {"+-1\n", "'+-1' is not a number"},
      {"--1\n", "'--1' is not a number"},
      {"+\n", "'+' is not a number"},
      {"1e\n", "'1e' is not a number"},
      {"1,5;2\n", "'5;2' is not a number"},
      {"1 \x01\xff\n", "'\\x01\\xff' is not a number"},
  };
  for (const Case& c : cases) EXPECT_TRUE(contains(read_error(c.text), c.expected)) << read_error(c.text);
  // The error object carries the source and the line.
  try {
    parse_matrix("1\n\n2 3\n", "x.txt");
    FAIL();
  } catch (const matrix_read_error& e) {
    EXPECT_EQ(e.source(), "x.txt");
    EXPECT_EQ(e.line(), 3);
  }
  // A long token is cut in the message, which stays one line.
  const std::string long_token(1000, 'z');
  const std::string message = read_error("1 " + long_token + "\n");
  EXPECT_LT(message.size(), 120u);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(MatrixRead, FilesThatCannotBeOpenedOrRead) {
  try {
    read_matrix_file("/nonexistent/gemmlab/matrix.txt");
    FAIL();
  } catch (const matrix_read_error& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/gemmlab/matrix.txt: cannot open: No such file or directory"))
        << e.what();
  }
  const std::string dir = std::filesystem::temp_directory_path().string();
  try {
    read_matrix_file(dir);
    FAIL();
  } catch (const matrix_read_error& e) {
    EXPECT_TRUE(contains(e.what(), dir + ": cannot")) << e.what();
  }
}

// matrix_io.hpp: a comma is a separator, never a decimal mark.
TEST(MatrixRead, ACommaBetweenDigitsSeparatesTwoValues) {
  const Matrix one = parse_matrix("1,5\n", "c.txt");
  ASSERT_EQ(one.rows(), 1);
  ASSERT_EQ(one.cols(), 2);
  EXPECT_EQ(one(0, 0), 1.0f);
  EXPECT_EQ(one(0, 1), 5.0f);
  // Decimal-comma text: twice as many columns as were meant.
  const Matrix two = parse_matrix("1,5 2,25\n-0,5 3,0\n", "c.txt");
  ASSERT_EQ(two.rows(), 2);
  ASSERT_EQ(two.cols(), 4);
  const float expected[2][4] = {{1, 5, 2, 25}, {-0.0f, 5, 3, 0}};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(two(i, j), expected[i][j]) << i << "," << j;
  EXPECT_TRUE(std::signbit(two(1, 0)));
}

// A file in a fresh temporary folder, removed with it.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / (std::string("gemmlab-io-") + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / name).string();
    if (!text.empty()) std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  TempFile(TempFile&&) = delete;
  TempFile& operator=(TempFile&&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

std::string file_error(const std::string& path, std::size_t max_bytes = max_matrix_file_bytes) {
  try {
    read_matrix_file(path, max_bytes);
  } catch (const matrix_read_error& e) {
    return e.what();
  }
  return "no matrix_read_error";
}

TEST(MatrixReadFile, NulBytesAreRefusedWhereTheyOccur) {
  const TempFile f("nul.txt", std::string("1 2\n3 4\n5 \0 6\n", 13));
  EXPECT_EQ(file_error(f.path()), f.path() + ": byte 11 is a NUL byte: not a text file");
  // A device that never ends: refused at its first byte, not read until memory runs out.
  if (std::filesystem::exists("/dev/zero")) {
    EXPECT_EQ(file_error("/dev/zero"), "/dev/zero: byte 1 is a NUL byte: not a text file");
  }
}

TEST(MatrixReadFile, AFileLargerThanTheLimitIsRefused) {
  const TempFile f("m.txt", "1 2 3\n4 5 6\n");  // 12 bytes
  EXPECT_EQ(file_error(f.path(), 11), f.path() + ": it is 12 bytes, more than the limit of 11 bytes for a matrix file");
  EXPECT_EQ(read_matrix_file(f.path(), 12).rows(), 2);  // the limit itself is allowed
  EXPECT_EQ(max_matrix_file_bytes, std::size_t{1} << 30);
}

TEST(MatrixReadFile, APipeIsReadUpToTheLimit) {
  // A FIFO has no size to check first: the limit is enforced while reading.
  const TempFile f("fifo", "");
  ASSERT_EQ(::mkfifo(f.path().c_str(), 0600), 0) << std::strerror(errno);
  for (const std::size_t limit : {std::size_t{100}, std::size_t{99}}) {
    std::thread writer([&] {
      std::ofstream out(f.path(), std::ios::binary);  // blocks until the reader opens the FIFO
      for (int i = 0; i < 25; ++i) out << "1 2\n";    // 100 bytes, in one write when closed
    });
    const std::string message = file_error(f.path(), limit);
    writer.join();
    if (limit == 100) {
      EXPECT_EQ(message, "no matrix_read_error");
    } else {
      EXPECT_EQ(message, f.path() + ": it is more than the limit of 99 bytes for a matrix file");
    }
  }
}

TEST(MatrixWrite, NineSignificantDigitsRoundTripEveryFloat) {
  SplitMix64 rng(3);
  Matrix m(7, 5);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) {
      // Values over many binades, both signs, plus the extremes.
      const double magnitude = std::pow(10.0, rng.uniform(-40, 38));
      m(i, j) = static_cast<float>(rng.uniform() < 0.5 ? -magnitude : magnitude);
    }
  m(0, 0) = std::numeric_limits<float>::max();
  m(0, 1) = std::numeric_limits<float>::denorm_min();
  m(0, 2) = -0.0f;
  m(0, 3) = 0.1f;
  std::ostringstream out;
  write_matrix(out, m);
  const Matrix back = parse_matrix(out.str(), "written");
  ASSERT_EQ(back.rows(), 7);
  ASSERT_EQ(back.cols(), 5);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(back(i, j), m(i, j)) << i << "," << j;
  EXPECT_TRUE(std::signbit(back(0, 2)));
  // One row a line, one space between values, "%.9g".
  std::ostringstream small;
  write_matrix(small, Matrix::from_rows({{0.5f, -2}, {1e-3f, 123456789.0f}}));
  EXPECT_EQ(small.str(), "0.5 -2\n0.00100000005 123456792\n");
}

TEST(MatrixWrite, ReadBackFromAFile) {
  const auto path = std::filesystem::temp_directory_path() / "gemmlab_test_matrix_io_roundtrip.txt";
  const Matrix m = Matrix::from_rows({{1.25f, -3}, {7, 0.001f}, {2, 2}});
  {
    std::ofstream f(path);
    write_matrix(f, m);
  }
  const Matrix back = read_matrix_file(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(back.rows(), 3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_EQ(back(i, j), m(i, j));
}

// ---- fuzzing ---------------------------------------------------------------------

// Parses `text`: it must give a non-empty matrix of finite floats, or throw
// matrix_read_error. Anything else (another exception, a crash, a sanitizer
// report) fails. Returns whether it parsed.
bool parses_or_throws_documented_error(const std::string& text, std::size_t case_number) {
  try {
    const Matrix m = parse_matrix(text, "fuzz");
    EXPECT_GT(m.rows(), 0) << "case " << case_number;
    EXPECT_GT(m.cols(), 0) << "case " << case_number;
    for (int i = 0; i < m.rows(); ++i)
      for (int j = 0; j < m.cols(); ++j) EXPECT_TRUE(std::isfinite(m(i, j))) << "case " << case_number;
    return true;
  } catch (const matrix_read_error&) {
    return false;  // documented
  } catch (const std::exception& e) {
    ADD_FAILURE() << "case " << case_number << ": undocumented exception: " << e.what();
    return false;
  }
}

TEST(MatrixReadFuzz, RandomAndMutatedInputsParseOrThrowTheDocumentedError) {
  SplitMix64 rng(20261127);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng.next() % n); };
  const std::string alphabet = "0123456789 \t\n\r,.#eE+-naifNAIF";
  const std::string seeds[] = {
      "1 2 3\n4 5 6\n",          "1.000000000000000000e+00 -2.500000000000000000e+00\n3.0e-8 4\n",
      "# comment\n1,2\n3,4\n",   "0.5\n-0.25\n1e-3\n",
      "1e38 -3.4e38\n1e-45 0\n",
  };
  std::size_t parsed = 0, rejected = 0;
  for (std::size_t n = 0; n < 4000; ++n) {
    std::string text;
    switch (n % 4) {
      case 0: {  // bytes from the format's own alphabet: many near-valid files
        const std::size_t length = pick(200);
        for (std::size_t i = 0; i < length; ++i) text.push_back(alphabet[pick(alphabet.size())]);
        break;
      }
      case 1: {  // binary junk, NUL bytes included
        const std::size_t length = pick(300);
        for (std::size_t i = 0; i < length; ++i) text.push_back(static_cast<char>(rng.next() & 0xff));
        break;
      }
      case 2: {  // a valid file with a few bytes flipped, inserted or deleted
        text = seeds[pick(std::size(seeds))];
        const std::size_t edits = 1 + pick(4);
        for (std::size_t e = 0; e < edits && !text.empty(); ++e) {
          const std::size_t at = pick(text.size());
          switch (pick(3)) {
            case 0:
              text[at] = static_cast<char>(rng.next() & 0xff);
              break;
            case 1:
              text.insert(at, 1, alphabet[pick(alphabet.size())]);
              break;
            default:
              text.erase(at, 1);
              break;
          }
        }
        break;
      }
      default: {  // a grid of numbers of every size, possibly ragged
        const std::size_t rows = 1 + pick(5), cols = 1 + pick(8);
        for (std::size_t i = 0; i < rows; ++i) {
          const std::size_t here = pick(10) == 0 ? cols + 1 : cols;
          for (std::size_t j = 0; j < here; ++j) {
            char cell[64];
            std::snprintf(cell, sizeof cell, "%.*g", int(1 + pick(20)),
                          (rng.uniform() - 0.5) * std::pow(10.0, rng.uniform(-60, 60)));
            text.append(cell).append(pick(2) == 0 ? " " : ",");
          }
          text.push_back('\n');
        }
        break;
      }
    }
    (parses_or_throws_documented_error(text, n) ? parsed : rejected) += 1;
    if (HasFailure()) return;
  }
  // The generator really exercises both outcomes.
  EXPECT_GT(parsed, 200u);
  EXPECT_GT(rejected, 200u);
}

TEST(MatrixReadFuzz, VeryLongLinesAndManyColumns) {
  // 200 000 columns on one line, then the same with a bad value at the end.
  std::string line;
  for (int j = 0; j < 200000; ++j) line.append(j % 2 == 0 ? "1.5 " : "-2e-3\t");
  const Matrix wide = parse_matrix(line + "\n" + line + "\n", "wide");
  EXPECT_EQ(wide.rows(), 2);
  EXPECT_EQ(wide.cols(), 200000);
  EXPECT_TRUE(contains(read_error(line + "x\n", "wide"), "wide:1: 'x' is not a number (column"));
  // One token of a million digits: a valid (huge) number, out of float range.
  const std::string digits(1000000, '9');
  EXPECT_TRUE(contains(read_error(digits), "is out of the range of a float"));
  // A million digits after "0.": tiny, rounds to zero.
  EXPECT_EQ(parse_matrix("0." + std::string(1000000, '0') + "1", "tiny")(0, 0), 0.0f);
  // A million-byte comment and a million blank lines.
  EXPECT_EQ(parse_matrix("#" + std::string(1000000, 'c') + "\n" + std::string(1000000, '\n') + "4\n", "c")(0, 0), 4.0f);
}

}  // namespace
}  // namespace gemmlab
