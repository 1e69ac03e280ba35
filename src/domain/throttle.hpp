// The sign-in throttle's rule: how long a key (an account, an account seen from one address, an
// address) must wait after its failures. Progressive delays, not a lock: the first failures are
// free, then each further failure doubles the wait up to a ceiling, so a guesser is slowed to a
// crawl while the owner, who knows the password, is kept out for seconds rather than locked out.
// Pure; the counters live in the database (storage::ThrottleRepo) so that every server shares them.
#pragma once

#include <cstdint>

#include "domain/clock.hpp"

namespace civicloop::throttle {

struct Policy {
  int delay_from = 5;             // the failure from which each failure imposes a wait
  Millis first_delay = 2000;      // the wait after that failure
  Millis max_delay = 15 * 60000;  // the ceiling of the doubling
  Millis window = 15 * 60000;     // failures older than this (since the last one) are forgotten
};

// The wait imposed after the n-th failure in a row (n counted from 1): 0 for n < delay_from,
// then first_delay, 2 × first_delay, 4 × … up to max_delay.
Millis delay_after(const Policy& p, int failures);

// A counter as stored.
struct Counter {
  int failures = 0;
  Millis last_failure = 0;
  Millis blocked_until = 0;
};

// The counter after one more failure at now (an old run of failures is forgotten first).
Counter after_failure(const Policy& p, Counter c, Millis now);
// Whether the counter still counts at now; a stale one may be deleted.
bool is_stale(const Policy& p, const Counter& c, Millis now);

// The three policies of the sign-in (docs/security.md "Sign-in throttling").
struct SignInPolicies {
  // One account from one address: the ordinary guesser. 5 failures: 2 s, then 4, 8 … 15 min.
  Policy pair{5, 2000, 15 * 60000, 15 * 60000};
  // One account from anywhere: a guesser with many addresses. Waits start later and stop at a
  // minute, so that nobody can keep the owner out for longer than that at a time.
  Policy account{20, 2000, 60000, 15 * 60000};
  // One address against any account: a whole office may sit behind one address.
  Policy address{50, 2000, 15 * 60000, 15 * 60000};
};

}  // namespace civicloop::throttle
