#include "common/window/emission.hpp"

namespace freshet::window {

const char* to_string(emission_kind k) {
  switch (k) {
    case emission_kind::early: return "early";
    case emission_kind::final: return "final";
    case emission_kind::late: return "late";
  }
  return "unknown";
}

const char* to_string(late_reason r) {
  switch (r) {
    case late_reason::beyond_allowed_lateness: return "beyond_allowed_lateness";
  }
  return "unknown";
}

} // namespace freshet::window
