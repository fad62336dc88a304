// libFuzzer target: common/parquet's reader on arbitrary bytes. Everything must end in a value or an
// error: no crash, no sanitizer report, no allocation beyond the (tightened) reader limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/parquet/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace freshet::parquet;
  reader_options limits;
  limits.max_footer_bytes = 1 << 20;
  limits.max_page_bytes = 16 << 20;
  limits.max_values_per_chunk = 1 << 20;
  limits.max_chunk_memory = 64 << 20;
  auto r = reader::open(memory_view_input(std::string_view(reinterpret_cast<const char*>(data), size)), limits);
  if (!r.ok())
    return 0;
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    (void)r->read_row_group(g);
    for (size_t c = 0; c < r->file_schema().columns().size(); ++c) {
      const auto st = r->statistics(g, c);
      if (st.min)
        (void)st.min->to_string();
    }
  }
  // A projection of the last field takes a different path through the assembler.
  if (!r->file_schema().nodes().empty() && r->num_row_groups() > 0)
    (void)r->read_row_group(0, {r->file_schema().nodes().back().name});
  return 0;
}
