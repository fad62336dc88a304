#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "common/avro/errc.hpp"
#include "common/avro/schema.hpp"

namespace freshet::avro::test {

inline schema must_parse(const std::string& text) {
  auto s = schema::parse(text);
  if (!s.ok()) {
    ADD_FAILURE() << "schema did not parse: " << s.err().message << "\n" << text;
    return *schema::parse("\"null\"");
  }
  return *s;
}

inline std::string example_schema(const std::string& name) {
  std::ifstream in{std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas/" + name + ".avsc"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

inline std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string{h.substr(i, 2)}, nullptr, 16)));
  return out;
}

} // namespace freshet::avro::test
