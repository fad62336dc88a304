#include "common/service/runtime.hpp"
#include "services/registry/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::registry::application>("registry", argc, argv);
}
