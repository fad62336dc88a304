#include "common/service/runtime.hpp"
#include "services/aggregate/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::aggregate::application>("aggregate", argc, argv);
}
