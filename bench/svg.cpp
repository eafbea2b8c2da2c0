#include "svg.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace gemmlab::bench {
namespace {

// A coordinate with two decimals: enough for a screen, short in the file.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string stroke_attributes(const Stroke& s) {
  std::string out(" stroke=\"");
  out.append(xml_escape(s.colour)).append("\" stroke-width=\"").append(num(s.width)).append("\"");
  if (!s.dash.empty()) out.append(" stroke-dasharray=\"").append(xml_escape(s.dash)).append("\"");
  return out;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&apos;");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Svg::Svg(double width, double height) : width_(width), height_(height) {}

void Svg::line(Point from, Point to, const Stroke& stroke) {
  body_.append("<line x1=\"").append(num(from.x)).append("\" y1=\"").append(num(from.y));
  body_.append("\" x2=\"").append(num(to.x)).append("\" y2=\"").append(num(to.y)).append("\"");
  body_.append(stroke_attributes(stroke)).append("/>\n");
}

void Svg::polyline(std::span<const Point> points, const Stroke& stroke) {
  body_.append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
  for (const Point& p : points) body_.append(num(p.x)).append(",").append(num(p.y)).append(" ");
  body_.append("\"").append(stroke_attributes(stroke)).append("/>\n");
}

void Svg::rect(double x, double y, double width, double height, const std::string& fill, const Stroke* stroke) {
  body_.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(num(width));
  body_.append("\" height=\"").append(num(height)).append("\" fill=\"").append(xml_escape(fill)).append("\"");
  if (stroke != nullptr) body_.append(stroke_attributes(*stroke));
  body_.append("/>\n");
}

void Svg::circle(Point centre, double radius, const std::string& fill, const Stroke* stroke) {
  body_.append("<circle cx=\"").append(num(centre.x)).append("\" cy=\"").append(num(centre.y));
  body_.append("\" r=\"").append(num(radius)).append("\" fill=\"").append(xml_escape(fill)).append("\"");
  if (stroke != nullptr) body_.append(stroke_attributes(*stroke));
  body_.append("/>\n");
}

void Svg::marker(Point c, int shape, double size, const std::string& fill) {
  const double h = size / 2;
  switch (shape % 4) {
    case 0:
      circle(c, h, fill);
      break;
    case 1:
      rect(c.x - h * 0.9, c.y - h * 0.9, size * 0.9, size * 0.9, fill);
      break;
    default: {
      const bool triangle = shape % 4 == 2;
      body_.append("<polygon fill=\"").append(xml_escape(fill)).append("\" points=\"");
      const Point pts[4] = {{c.x, c.y - h * 1.15},
                            {c.x + h * 1.1, c.y + (triangle ? h * 0.85 : 0)},
                            {triangle ? c.x - h * 1.1 : c.x, c.y + (triangle ? h * 0.85 : h * 1.15)},
                            {c.x - h * 1.1, c.y}};
      for (int i = 0; i < (triangle ? 3 : 4); ++i)
        body_.append(num(pts[i].x)).append(",").append(num(pts[i].y)).append(" ");
      body_.append("\"/>\n");
    }
  }
}

void Svg::text(Point at, std::string_view content, const TextStyle& style) {
  const char* anchor = style.anchor == Anchor::start ? "start" : style.anchor == Anchor::middle ? "middle" : "end";
  body_.append("<text x=\"").append(num(at.x)).append("\" y=\"").append(num(at.y)).append("\" font-size=\"");
  body_.append(num(style.size)).append("\" fill=\"").append(xml_escape(style.colour));
  body_.append("\" text-anchor=\"").append(anchor).append("\"");
  if (style.bold) body_.append(" font-weight=\"bold\"");
  if (style.rotate != 0)
    body_.append(" transform=\"rotate(")
        .append(num(style.rotate))
        .append(" ")
        .append(num(at.x))
        .append(" ")
        .append(num(at.y))
        .append(")\"");
  body_.append(">").append(xml_escape(content)).append("</text>\n");
}

std::string Svg::str() const {
  std::string out("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(width_)).append("\" height=\"");
  out.append(num(height_)).append("\" viewBox=\"0 0 ").append(num(width_)).append(" ").append(num(height_));
  out.append("\" font-family=\"Helvetica, Arial, sans-serif\">\n");
  out.append(body_);
  out.append("</svg>\n");
  return out;
}

void Svg::save(const std::string& path) const {
  std::ofstream file(path, std::ios::binary);
  if (file) file << str();
  if (!file) {
    std::string m("cannot write the SVG file '");
    m.append(path).append("'");
    throw std::runtime_error(m);
  }
}

}  // namespace gemmlab::bench
