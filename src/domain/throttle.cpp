#include "domain/throttle.hpp"

#include <algorithm>

namespace civicloop::throttle {

Millis delay_after(const Policy& p, int failures) {
  const int over = failures - p.delay_from;
  if (over < 0) return 0;
  Millis d = p.first_delay;
  for (int i = 0; i < over && d < p.max_delay; ++i) d *= 2;
  return std::min(d, p.max_delay);
}

bool is_stale(const Policy& p, const Counter& c, Millis now) {
  return c.failures == 0 || (now - c.last_failure > p.window && now >= c.blocked_until);
}

Counter after_failure(const Policy& p, Counter c, Millis now) {
  if (is_stale(p, c, now)) c = Counter{};
  ++c.failures;
  c.last_failure = now;
  c.blocked_until = std::max(c.blocked_until, now + delay_after(p, c.failures));
  return c;
}

}  // namespace civicloop::throttle
