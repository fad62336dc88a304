#include "tests/support/files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace freshet::testing {

std::string write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path{path}.parent_path());
  std::ofstream{path} << text;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace freshet::testing
