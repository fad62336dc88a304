#include "common/parquet/codec.hpp"

#include <algorithm>

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

error codec_error(const char* what) { return make_parquet_error(errc::malformed, what); }

status gzip_compress(std::string_view in, std::string& out, int level) {
  z_stream z{};
  if (deflateInit2(&z, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return make_parquet_error(errc::invalid_argument, "gzip: deflateInit2 failed");
  const size_t start = out.size();
  out.resize(start + deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data() + start);
  z.avail_out = static_cast<uInt>(out.size() - start);
  const int rc = deflate(&z, Z_FINISH);
  const size_t produced = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    return make_parquet_error(errc::invalid_argument, "gzip: deflate failed");
  out.resize(start + produced);
  return {};
}

result<std::string> gzip_decompress(std::string_view in, size_t expected) {
  std::string out(expected, '\0');
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) // gzip or zlib framing
    return codec_error("gzip: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = Z_OK;
  // Concatenated gzip members are legal; keep inflating while input and room remain.
  while (true) {
    rc = inflate(&z, Z_FINISH);
    if (rc == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0) {
      if (inflateReset(&z) != Z_OK)
        break;
      continue;
    }
    break;
  }
  const size_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != expected)
    return codec_error("gzip: page does not decompress to its declared size");
  return out;
}

} // namespace

bool codec_supported(compression_codec c) {
  return c == compression_codec::uncompressed || c == compression_codec::snappy || c == compression_codec::gzip ||
         c == compression_codec::zstd;
}

namespace {

/// Grows `out` by `n` bytes for a codec to write into. The new bytes are overwritten right away, but
/// `resize` zero-fills them first; growing geometrically keeps repeated appends linear.
char* grow_for(std::string& out, size_t n) {
  const size_t start = out.size();
  if (out.capacity() < start + n)
    out.reserve(std::max(start + n, out.capacity() * 2));
  out.resize(start + n);
  return out.data() + start;
}

status zstd_result(size_t n) {
  if (ZSTD_isError(n))
    return make_parquet_error(errc::invalid_argument, std::string{"zstd: "} + ZSTD_getErrorName(n));
  return {};
}

} // namespace

struct compressor::zstd_context {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~zstd_context() { ZSTD_freeCCtx(cctx); }
};

compressor::compressor() = default;
compressor::~compressor() = default;

status compressor::compress(compression_codec c, std::string_view in, std::string& out, int level) {
  if (c != compression_codec::zstd)
    return parquet::compress(c, in, out, level);
  if (!zstd_)
    zstd_ = std::make_unique<zstd_context>();
  if (!zstd_->cctx)
    return make_parquet_error(errc::invalid_argument, "zstd: cannot create a compression context");
  const size_t start = out.size();
  const size_t bound = ZSTD_compressBound(in.size());
  char* dst = grow_for(out, bound);
  const size_t n = ZSTD_compressCCtx(zstd_->cctx, dst, bound, in.data(), in.size(), level == 0 ? 1 : level);
  FRESHET_TRY(zstd_result(n));
  out.resize(start + n);
  return {};
}

status compress(compression_codec c, std::string_view in, std::string& out, int level) {
  switch (c) {
    case compression_codec::uncompressed: out.append(in); return {};
    case compression_codec::snappy: {
      const size_t start = out.size();
      out.resize(start + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out.data() + start, &n);
      out.resize(start + n);
      return {};
    }
    case compression_codec::zstd: {
      const size_t start = out.size();
      out.resize(start + ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out.data() + start, out.size() - start, in.data(), in.size(), level == 0 ? 1 : level);
      if (ZSTD_isError(n))
        return make_parquet_error(errc::invalid_argument, std::string{"zstd: "} + ZSTD_getErrorName(n));
      out.resize(start + n);
      return {};
    }
    case compression_codec::gzip: return gzip_compress(in, out, level);
    default: return make_parquet_error(errc::unsupported, "compression codec not supported for writing");
  }
}

result<std::string> decompress(compression_codec c, std::string_view in, size_t expected_size) {
  switch (c) {
    case compression_codec::uncompressed:
      if (in.size() != expected_size)
        return codec_error("uncompressed page size differs from its header");
      return std::string(in);
    case compression_codec::snappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != expected_size)
        return codec_error("snappy: page does not decompress to its declared size");
      std::string out(n, '\0');
      if (!snappy::RawUncompress(in.data(), in.size(), out.data()))
        return codec_error("snappy: corrupt page");
      return out;
    }
    case compression_codec::zstd: {
      std::string out(expected_size, '\0');
      const size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != expected_size)
        return codec_error("zstd: page does not decompress to its declared size");
      return out;
    }
    case compression_codec::gzip: return gzip_decompress(in, expected_size);
    default: return make_parquet_error(errc::unsupported, "compression codec not supported: " + std::to_string(static_cast<int>(c)));
  }
}

} // namespace freshet::parquet
