#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/parquet/metadata.hpp"

/// Page compression: UNCOMPRESSED, SNAPPY (raw block format), GZIP (zlib, gzip framing), ZSTD.
/// libsnappy, libzstd and zlib statuses become `freshet::error` here and nowhere else.
namespace freshet::parquet {

[[nodiscard]] bool codec_supported(compression_codec c);

/// Appends the compressed form of `in` to `out`. `level` is used by ZSTD and GZIP (0 = library default).
[[nodiscard]] status compress(compression_codec c, std::string_view in, std::string& out, int level = 0);

/// Compresses pages with one long-lived ZSTD context. `ZSTD_compress` creates, initialises and frees a
/// context (hundreds of KiB of tables) on every call; a writer compresses hundreds of pages, so its
/// column writers share one of these. The bytes produced are the same as `compress`'s. Single-threaded;
/// owned by `writer`.
class compressor {
 public:
  compressor();
  ~compressor();
  compressor(const compressor&) = delete;
  compressor& operator=(const compressor&) = delete;

  /// As the free `compress`.
  [[nodiscard]] status compress(compression_codec c, std::string_view in, std::string& out, int level = 0);

 private:
  struct zstd_context;
  std::unique_ptr<zstd_context> zstd_;
};

/// Decompresses `in`, which must expand to exactly `expected_size` bytes (the page header's claim,
/// already checked against the reader's limits); anything else is `errc::malformed`.
[[nodiscard]] result<std::string> decompress(compression_codec c, std::string_view in, size_t expected_size);

} // namespace freshet::parquet
