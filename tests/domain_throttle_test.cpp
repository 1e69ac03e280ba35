#include "domain/throttle.hpp"

#include <gtest/gtest.h>

namespace civicloop::throttle {
namespace {

TEST(Throttle, WaitsStartAtTheConfiguredFailureAndDoubleUpToTheCeiling) {
  const Policy p{5, 2000, 60000, 900000};
  EXPECT_EQ(delay_after(p, 1), 0);
  EXPECT_EQ(delay_after(p, 4), 0);
  EXPECT_EQ(delay_after(p, 5), 2000);
  EXPECT_EQ(delay_after(p, 6), 4000);
  EXPECT_EQ(delay_after(p, 9), 32000);
  EXPECT_EQ(delay_after(p, 10), 60000);
  EXPECT_EQ(delay_after(p, 1000000), 60000);
}

TEST(Throttle, AFailureAfterTheWindowStartsAFreshRun) {
  const Policy p{2, 1000, 60000, 10000};
  Counter c;
  c = after_failure(p, c, 0);
  c = after_failure(p, c, 100);
  EXPECT_EQ(c.failures, 2);
  EXPECT_EQ(c.blocked_until, 1100);
  EXPECT_FALSE(is_stale(p, c, 5000));
  c = after_failure(p, c, 20000);  // 19.9 s later: the old run is forgotten
  EXPECT_EQ(c.failures, 1);
  EXPECT_LE(c.blocked_until, 20000);  // not blocked
  EXPECT_TRUE(is_stale(p, Counter{}, 0));
}

TEST(Throttle, TheSignInPoliciesKeepTheOwnerOutForAMinuteAtMost) {
  const SignInPolicies s;
  EXPECT_LE(delay_after(s.account, 10000), 60000);
  EXPECT_GT(s.account.delay_from, s.pair.delay_from);
  EXPECT_GT(s.address.delay_from, s.account.delay_from);
}

}  // namespace
}  // namespace civicloop::throttle
