#include <gtest/gtest.h>

#include "tests/support/stack.hpp"

namespace {

/// Starts the real broker and Redis before the first test and stops them after the last.
class stack_environment : public ::testing::Environment {
 public:
  void SetUp() override { freshet::testing::stack::start(); }
  void TearDown() override { freshet::testing::stack::stop(); }
};

} // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new stack_environment);
  return RUN_ALL_TESTS();
}
