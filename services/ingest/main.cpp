#include "common/service/runtime.hpp"
#include "services/ingest/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::ingest::application>("ingest", argc, argv);
}
