#include "common/base/result.hpp"

namespace freshet {

const char* to_string(error_domain d) {
  switch (d) {
    case error_domain::config: return "config";
    case error_domain::kafka: return "kafka";
    case error_domain::redis: return "redis";
    case error_domain::http: return "http";
    case error_domain::grpc: return "grpc";
    case error_domain::io: return "io";
    case error_domain::decode: return "decode";
    case error_domain::internal: return "internal";
    case error_domain::parquet: return "parquet";
  }
  return "unknown";
}

std::string error::describe() const {
  return std::string{to_string(domain)} + " error " + std::to_string(code) + ": " + message;
}

} // namespace freshet
