// The service runtime as a real process (freshet-compaction, which needs no Kafka): gRPC health,
// /metrics, SIGTERM -> exit 0, bad settings -> exit 2, ports in use. One case runs
// freshet-quality-gate, whose stage actor must be stopped even when gRPC cannot start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <gtest/gtest.h>

#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
using namespace std::chrono_literals;

namespace {

const std::string spec_path = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml";

/// GET over a raw socket; "" when nothing answers. The whole response, headers included.
std::string http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string data;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n = 0;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        data.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return data;
}

/// grpc.health.v1.Health/Check for the whole server, the request and response encoded by hand:
/// an empty HealthCheckRequest is zero bytes; the response is field 1 (varint) = status.
/// Returns the status (1 = SERVING), or -1 when the call fails.
int health_check(int port) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub{channel};
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  grpc::ByteBuffer request, response;
  grpc::Slice empty{std::string{}};
  request = grpc::ByteBuffer{&empty, 1};
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions{}, &request, &response,
                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  auto status = done.get_future().get();
  if (!status.ok())
    return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok())
    return -1;
  std::string bytes;
  for (const auto& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (bytes.empty())
    return 0; // proto3: status UNKNOWN (0) is not written
  if (bytes.size() != 2 || bytes[0] != 0x08)
    return -1;
  return bytes[1];
}

class service_runtime_test : public ::testing::Test {
 protected:
  std::vector<int> ports = fs::free_ports(2);
  int grpc_port = ports[0], metrics_port = ports[1];
  std::string dir = fs::stack::work_dir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string lake = dir + "/lake";

  std::vector<std::string> args() const {
    return {"--pipeline.spec=" + spec_path, "--grpc.listen=127.0.0.1:" + std::to_string(grpc_port),
            "--metrics.listen=127.0.0.1:" + std::to_string(metrics_port), "--lake.dir=" + lake};
  }
  std::unique_ptr<fs::child_process> launch(std::vector<std::string> a,
                                            const std::map<std::string, std::string>& env = {}) {
    std::filesystem::create_directories(dir);
    return std::make_unique<fs::child_process>(fs::binary_path("freshet-compaction"), a, dir + "/compaction.log",
                                               env);
  }
  std::string log(const fs::child_process& p) const { return fs::read_file(p.log_file()); }
};

TEST_F(service_runtime_test, serves_health_and_metrics_then_stops_cleanly_on_sigterm) {
  auto proc = launch(args());
  ASSERT_TRUE(fs::eventually([&] { return health_check(grpc_port) == 1; }, 30s)) << log(*proc);
  auto metrics = http_get(metrics_port, "/metrics");
  EXPECT_EQ(metrics.rfind("HTTP/1.1 200", 0), 0u) << metrics;
  EXPECT_NE(metrics.find("freshet_build_info{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("service=\"compaction\""), std::string::npos) << metrics;
  EXPECT_TRUE(std::filesystem::is_directory(lake));
  EXPECT_TRUE(proc->running());

  proc->signal(SIGTERM);
  auto code = proc->wait(30s);
  ASSERT_TRUE(code.has_value()) << "did not stop\n" << log(*proc);
  EXPECT_EQ(*code, 0) << log(*proc);
  EXPECT_NE(log(*proc).find("stopped cleanly"), std::string::npos) << log(*proc);
  EXPECT_EQ(health_check(grpc_port), -1);          // the port is closed
  EXPECT_EQ(http_get(metrics_port, "/metrics"), ""); // and so is the metrics endpoint
}

TEST_F(service_runtime_test, sigint_stops_it_too) {
  auto proc = launch(args());
  ASSERT_TRUE(fs::eventually([&] { return health_check(grpc_port) == 1; }, 30s)) << log(*proc);
  proc->signal(SIGINT);
  auto code = proc->wait(30s);
  ASSERT_TRUE(code.has_value()) << log(*proc);
  EXPECT_EQ(*code, 0) << log(*proc);
}

TEST_F(service_runtime_test, the_instance_id_setting_labels_the_metrics) {
  auto a = args();
  a.push_back("--service.instance=unit-7");
  auto proc = launch(a);
  std::string metrics;
  ASSERT_TRUE(fs::eventually(
    [&] {
      metrics = http_get(metrics_port, "/metrics");
      return metrics.find("freshet_build_info{") != std::string::npos;
    },
    30s))
    << log(*proc);
  EXPECT_NE(metrics.find("instance=\"unit-7\""), std::string::npos) << metrics;
}

TEST_F(service_runtime_test, environment_settings_are_applied_and_flags_beat_them) {
  auto a = args();
  a.pop_back(); // no --lake.dir flag: it comes from the environment
  auto proc = launch(a, {{"FRESHET_LAKE_DIR", lake + "-from-env"}, {"FRESHET_GRPC_LISTEN", "127.0.0.1:1"}});
  ASSERT_TRUE(fs::eventually([&] { return health_check(grpc_port) == 1; }, 30s)) << log(*proc);
  EXPECT_TRUE(std::filesystem::is_directory(lake + "-from-env"));
  proc->signal(SIGTERM);
  EXPECT_EQ(proc->wait(30s), 0);
}

TEST_F(service_runtime_test, a_second_instance_on_the_same_grpc_port_fails_to_start) {
  auto first = launch(args());
  ASSERT_TRUE(fs::eventually([&] { return health_check(grpc_port) == 1; }, 30s)) << log(*first);
  // Same gRPC port, its own metrics port: it must not quietly share the port (SO_REUSEPORT) and
  // take half of the first instance's calls.
  auto a = args();
  a[2] = "--metrics.listen=127.0.0.1:" + std::to_string(fs::free_ports(1)[0]);
  auto second = std::make_unique<fs::child_process>(fs::binary_path("freshet-compaction"), a, dir + "/second.log");
  auto code = second->wait(30s);
  ASSERT_TRUE(code.has_value()) << "the second instance is serving on a port already in use\n"
                                << fs::read_file(dir + "/second.log");
  EXPECT_EQ(*code, 1) << fs::read_file(dir + "/second.log");
  EXPECT_TRUE(first->running());
}

TEST_F(service_runtime_test, a_service_with_running_actors_still_exits_when_its_grpc_port_is_taken) {
  // A plain listener holds the port. quality-gate has a stage actor wired before gRPC starts: the
  // failed start must stop it (the on_stop hooks), or the actor system waits for it forever.
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(grpc_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(holder, 4), 0);
  std::filesystem::create_directories(dir);
  // The gate wires a stateful stage (the example spec dedupes event ids), which needs its topics.
  auto spec = freshet::config::load_pipeline_spec(spec_path);
  ASSERT_TRUE(spec.ok());
  ASSERT_TRUE(freshet::kafka::create_topics(fs::stack::bootstrap(), spec->topics).ok());
  fs::child_process proc{fs::binary_path("freshet-quality-gate"),
                         {"--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                          "--grpc.listen=127.0.0.1:" + std::to_string(grpc_port), "--metrics.listen=127.0.0.1:0",
                          "--state.dir=" + dir + "/state"},
                         dir + "/quality-gate.log"};
  auto code = proc.wait(60s);
  ::close(holder);
  ASSERT_TRUE(code.has_value()) << "hangs after failing to serve gRPC\n" << fs::read_file(dir + "/quality-gate.log");
  EXPECT_EQ(*code, 1) << fs::read_file(dir + "/quality-gate.log");
}

TEST_F(service_runtime_test, a_metrics_port_in_use_exits_with_code_2) {
  auto first = launch(args());
  ASSERT_TRUE(fs::eventually([&] { return health_check(grpc_port) == 1; }, 30s)) << log(*first);
  auto a = args();
  a[1] = "--grpc.listen=127.0.0.1:" + std::to_string(fs::free_ports(1)[0]);
  auto second = std::make_unique<fs::child_process>(fs::binary_path("freshet-compaction"), a, dir + "/second.log");
  EXPECT_EQ(second->wait(30s), 2) << fs::read_file(dir + "/second.log");
}

TEST_F(service_runtime_test, an_unknown_flag_exits_with_code_2) {
  auto a = args();
  a.push_back("--no.such.setting=1");
  auto proc = launch(a);
  auto code = proc->wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2) << log(*proc);
  EXPECT_NE(log(*proc).find("no.such.setting"), std::string::npos) << log(*proc);
}

TEST_F(service_runtime_test, a_positional_argument_exits_with_code_2) {
  auto a = args();
  a.push_back("stray");
  auto proc = launch(a);
  EXPECT_EQ(proc->wait(30s), 2) << log(*proc);
}

TEST_F(service_runtime_test, a_missing_pipeline_spec_exits_with_code_2) {
  auto a = args();
  a[0] = "--pipeline.spec=" + dir + "/missing.yaml";
  auto proc = launch(a);
  EXPECT_EQ(proc->wait(30s), 2) << log(*proc);
}

TEST_F(service_runtime_test, a_wiring_failure_exits_with_code_2) {
  // lake.dir below a regular file cannot be created.
  fs::write_file(dir + "/a-file", "x");
  auto a = args();
  a.back() = "--lake.dir=" + dir + "/a-file/lake";
  auto proc = launch(a);
  auto code = proc->wait(30s);
  ASSERT_TRUE(code.has_value()) << log(*proc);
  EXPECT_EQ(*code, 2) << log(*proc);
  EXPECT_NE(log(*proc).find("lake.dir"), std::string::npos) << log(*proc);
}

} // namespace
