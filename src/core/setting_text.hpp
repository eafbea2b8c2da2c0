// src/core/setting_text.hpp — internal: an environment variable's value as an
// error message shows it.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace gemmlab::detail {

// 'value', with bytes that are not printable ASCII (and the backslash)
// written as \xNN, so a value holding a newline, a tab or a control character
// still gives a one-line message that shows exactly what was set.
inline std::string quoted(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(byte));
      out += hex;
    }
  }
  out += '\'';
  return out;
}

// NAME='value', as above.
inline std::string setting_text(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + quoted(value);
}

}  // namespace gemmlab::detail
