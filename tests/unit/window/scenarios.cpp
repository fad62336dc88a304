#include "tests/unit/window/scenarios.hpp"

#include <algorithm>
#include <initializer_list>
#include <random>
#include <string>

namespace freshet::window::test {

scenario generate(uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ULL + 17);
  auto pick = [&](std::initializer_list<int64_t> xs) { return *(xs.begin() + rng() % xs.size()); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };

  scenario s;
  switch (seed % 3) {
    case 0: s.window = {window_kind::tumbling, pick({10, 20, 50, 100}), 0, 0, pick({0, 0, 7})}; break;
    case 1: {
      int64_t size = pick({20, 30, 60, 100});
      int64_t hop = std::min(size, pick({5, 10, 15, 20, 25, 50}));
      s.window = {window_kind::hopping, size, hop, 0, pick({0, 0, 3})};
      break;
    }
    default: s.window = {window_kind::session, 0, 0, pick({3, 8, 20, 40}), 0}; break;
  }
  s.lateness = pick({0, 5, 20, 60, 200});
  s.bound = pick({0, 2, 10, 30});
  s.idle_timeout = pick({0, 40, 150});
  s.early_every = pick({0, 0, 10, 45});
  s.filter = chance(0.3);

  const int partitions = static_cast<int>(uniform(1, 4));
  const bool silent_partition = partitions > 1 && chance(0.3); // assigned, never sends
  std::vector<int64_t> clock(partitions + 4);
  for (auto& c : clock)
    c = uniform(0, 40);
  int64_t proc = 0;
  for (int p = 0; p < partitions; ++p)
    s.steps.push_back({test_step::kind::assign, proc, p, {}});

  std::vector<int> active; // partitions sending in the current phase
  int extra = partitions;  // ids of partitions assigned later
  const int n = static_cast<int>(uniform(150, 600));
  for (int i = 0; i < n; ++i) {
    if (i % 60 == 0) { // a new phase: some partitions go quiet, others wake up
      active.clear();
      for (int p = silent_partition ? 1 : 0; p < partitions; ++p)
        if (active.empty() || chance(0.6))
          active.push_back(p);
    }
    proc += uniform(0, 3);
    if (chance(0.03))
      proc += uniform(30, 300); // a stall: partitions may turn idle
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.08) {
      s.steps.push_back({test_step::kind::tick, proc, 0, {}});
      continue;
    }
    if (r < 0.095) { // rebalance: a new partition arrives and takes part from now on
      int p = extra++;
      if (p < static_cast<int>(clock.size())) {
        s.steps.push_back({test_step::kind::assign, proc, p, {}});
        if (chance(0.5))
          active.push_back(p);
        continue;
      }
    }
    if (r < 0.105 && active.size() > 1) { // rebalance: a partition goes away
      int p = active.back();
      active.pop_back();
      s.steps.push_back({test_step::kind::revoke, proc, p, {}});
      continue;
    }
    int p = active[static_cast<size_t>(uniform(0, static_cast<int64_t>(active.size()) - 1))];
    clock[p] += uniform(0, 4);
    int64_t jitter;
    double j = std::uniform_real_distribution<double>(0, 1)(rng);
    if (j < 0.8)
      jitter = uniform(0, s.bound + 3);
    else if (j < 0.95)
      jitter = uniform(0, s.bound + s.lateness + 60);
    else
      jitter = uniform(0, 3 * (s.lateness + 100));
    test_event e;
    e.partition = p;
    e.time = clock[p] - jitter;
    e.page = "p" + std::to_string(uniform(0, 2));
    e.country = "c" + std::to_string(uniform(0, 1));
    if (!chance(0.1))
      e.v = uniform(-20, 60);
    if (!chance(0.1))
      e.r = static_cast<double>(uniform(-40, 40)) * 0.25;
    if (!chance(0.1))
      e.u = "u" + std::to_string(uniform(0, 40));
    s.steps.push_back({test_step::kind::event, proc, 0, std::move(e)});
  }
  s.finish_proc = proc + 1;
  return s;
}

} // namespace freshet::window::test
