#include "common/service/runtime.hpp"
#include "services/query/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::query::application>("query", argc, argv);
}
