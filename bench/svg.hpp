// bench/svg.hpp — a small SVG writer: just the shapes a line chart needs.
//
// Coordinates are SVG user units (pixels), y growing downward. Text is
// escaped (& < > " ') so a CPU name cannot break the file.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace gemmlab::bench {

struct Point {
  double x = 0, y = 0;
};

struct Stroke {
  std::string colour = "#000";
  double width = 1;
  std::string dash;  // SVG stroke-dasharray, e.g. "6 4"; empty = solid
};

enum class Anchor { start, middle, end };

struct TextStyle {
  double size = 12;
  std::string colour = "#222";
  Anchor anchor = Anchor::start;
  bool bold = false;
  double rotate = 0;  // degrees, about the text's anchor point
};

class Svg {
 public:
  Svg(double width, double height);

  void line(Point from, Point to, const Stroke& stroke);
  void polyline(std::span<const Point> points, const Stroke& stroke);
  void rect(double x, double y, double width, double height, const std::string& fill, const Stroke* stroke = nullptr);
  void circle(Point centre, double radius, const std::string& fill, const Stroke* stroke = nullptr);
  // A marker of one of several shapes (0 circle, 1 square, 2 triangle, 3 diamond).
  void marker(Point centre, int shape, double size, const std::string& fill);
  void text(Point at, std::string_view content, const TextStyle& style);

  // The complete document.
  std::string str() const;
  // Writes str() to `path`; throws std::runtime_error naming the file on failure.
  void save(const std::string& path) const;

 private:
  double width_, height_;
  std::string body_;
};

// "&amp;" etc.: text safe inside an SVG element or attribute.
std::string xml_escape(std::string_view text);

}  // namespace gemmlab::bench
