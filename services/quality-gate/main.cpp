#include "common/service/runtime.hpp"
#include "services/quality-gate/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::quality_gate::application>("quality-gate", argc, argv);
}
