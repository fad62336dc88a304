#include "common/service/runtime.hpp"
#include "services/compaction/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::compaction::application>("compaction", argc, argv);
}
