# Every third-party library the project links, found once and exposed as an imported target.
# Debian ships no CMake config for CAF, librdkafka, hiredis or avro-c: those are found by hand.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)

pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(AVRO REQUIRED IMPORTED_TARGET avro-c)

find_path(CAF_INCLUDE_DIR caf/actor_system.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(caf::core SHARED IMPORTED GLOBAL)
set_target_properties(caf::core PROPERTIES
  IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES Threads::Threads)

# prometheus-cpp's config already imports civetweb::civetweb (its HTTP server); we reuse it.
if(NOT TARGET civetweb::civetweb)
  find_package(civetweb CONFIG REQUIRED)
endif()

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

# Parquet page codecs (common/parquet): Debian ships CMake configs for zstd and Snappy; zlib (GZIP) comes
# with CMake's own FindZLIB.
find_package(zstd CONFIG REQUIRED)
find_package(Snappy CONFIG REQUIRED)
find_package(ZLIB REQUIRED)

# The schema registry client (common/schema) speaks HTTP through libcurl (Debian: libcurl4-openssl-dev).
find_package(CURL REQUIRED)

# jemalloc for the services (freshet_use_jemalloc in freshet_helpers.cmake): e.g. ingest's publisher
# threads allocate every record that librdkafka's threads free, a cross-thread pattern glibc malloc
# serves slowly (bench/ingest/README.md); the aggregate stage spent a third of its CPU in malloc.
find_library(JEMALLOC_LIBRARY jemalloc)
