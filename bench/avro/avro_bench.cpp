// JSON -> Avro and Avro -> value throughput on the clickstream example schemas, one core.
// A plain harness: prints a table (and JSON lines with --json); no timing asserts anywhere.

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/schema.hpp"

namespace {

using namespace freshet::avro;

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string random_id(std::mt19937& rng, const char* prefix, int digits) {
  std::string s = prefix;
  for (int i = 0; i < digits; ++i)
    s += static_cast<char>('0' + rng() % 10);
  return s;
}

// ~200-byte events like the load generator's, fields in schema order or shuffled.
std::vector<std::string> events(const std::string& kind, std::size_t n, bool shuffled) {
  std::mt19937 rng{42};
  static const char* cur[] = {"USD", "EUR", "GBP", "JPY"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> f;
    auto ts = std::to_string(1700000000000LL + static_cast<long long>(rng() % 100000000));
    if (kind == "page_view") {
      f = {R"("user_id":")" + random_id(rng, "user-", 8) + "\"", R"("ts":)" + ts,
           R"("url":"https://shop.example.com/products/)" + random_id(rng, "p", 6) + "?ref=home\"",
           rng() % 2 ? R"("referrer":null)" : R"("referrer":"https://www.google.com/search?q=shoes")",
           R"("user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")",
           R"("ip":"203.0.113.)" + std::to_string(rng() % 256) + "\""};
    } else {
      f = {R"("user_id":")" + random_id(rng, "user-", 8) + "\"", R"("ts":)" + ts,
           R"("order_id":")" + random_id(rng, "order-", 12) + "\"",
           R"("amount":)" + std::to_string(rng() % 100000 / 100.0), R"("currency":")" + std::string{cur[rng() % 4]} + "\"",
           R"("items":)" + std::to_string(1 + rng() % 9)};
    }
    if (shuffled)
      std::shuffle(f.begin(), f.end(), rng);
    std::string e = "{";
    for (std::size_t k = 0; k < f.size(); ++k)
      e += (k ? "," : "") + f[k];
    out.push_back(e + "}");
  }
  return out;
}

// This thread's CPU time: "per core" figures that stay honest on a busy shared machine.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class F>
double per_second(std::size_t n_per_round, F&& round) {
  // Warm up, then run rounds for at least ~1 s of CPU time.
  round();
  double start = cpu_seconds();
  std::size_t done = 0;
  double secs = 0;
  do {
    round();
    done += n_per_round;
    secs = cpu_seconds() - start;
  } while (secs < 1.0);
  return static_cast<double>(done) / secs;
}

} // namespace

int main(int argc, char** argv) {
  bool json_out = argc > 1 && std::strcmp(argv[1], "--json") == 0;
  std::string dir = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas/";
  std::printf("events per CPU-second of one thread (JSON -> Avro encode; Avro -> value decode; Avro validate)\n");
  std::printf("%-10s %-9s %10s %14s %14s %12s\n", "schema", "order", "avg bytes", "encode ev/s", "decode ev/s", "check ev/s");
  for (std::string kind : {"page_view", "purchase"}) {
    auto s = schema::parse(read_file(dir + kind + ".avsc"));
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.err().message.c_str());
      return 1;
    }
    for (bool shuffled : {false, true}) {
      auto evs = events(kind, 10000, shuffled);
      std::size_t bytes = 0;
      for (auto& e : evs)
        bytes += e.size();
      json_encoder enc{*s};
      std::string out;
      std::vector<std::string> encoded;
      for (auto& e : evs) {
        std::string one;
        if (!enc.encode(e, one).ok()) {
          std::fprintf(stderr, "bench event rejected: %s\n", e.c_str());
          return 1;
        }
        encoded.push_back(one);
      }
      double enc_rate = per_second(evs.size(), [&] {
        for (auto& e : evs) {
          out.clear();
          (void)enc.encode(e, out);
        }
      });
      decoder dec{*s};
      std::size_t sink = 0;
      double dec_rate = per_second(encoded.size(), [&] {
        for (auto& b : encoded) {
          auto v = dec.decode(b);
          sink += v.ok() ? v->items.size() : 0;
        }
      });
      double chk_rate = per_second(encoded.size(), [&] {
        for (auto& b : encoded)
          sink += dec.check(b).ok();
      });
      std::printf("%-10s %-9s %10.0f %14.0f %14.0f %12.0f\n", kind.c_str(), shuffled ? "shuffled" : "in-order",
                  static_cast<double>(bytes) / static_cast<double>(evs.size()), enc_rate, dec_rate, chk_rate);
      if (json_out)
        std::printf("{\"bench\":\"avro\",\"schema\":\"%s\",\"order\":\"%s\",\"encode_per_s\":%.0f,\"decode_per_s\":%.0f,"
                    "\"check_per_s\":%.0f}\n",
                    kind.c_str(), shuffled ? "shuffled" : "in-order", enc_rate, dec_rate, chk_rate);
      if (sink == 0)
        std::printf(" ");
    }
  }
  return 0;
}
