#include "common/service/runtime.hpp"
#include "services/enrich/application.hpp"

int main(int argc, char** argv) {
  return freshet::service::run_service<freshet::enrich::application>("enrich", argc, argv);
}
