// Request counters and a latency histogram for /metrics (Prometheus text format 0.0.4).
// Lock-free: every request thread updates atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace civicloop::http {

class Metrics {
 public:
  void observe(int status, std::int64_t micros);
  std::string render(std::string_view db_kind) const;
  // Log lines dropped because the log's queue was full (set by serve; rendered when set).
  std::function<std::uint64_t()> log_dropped;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,  0.1,    0.25,  0.5,  1.0};
  std::array<std::atomic<std::uint64_t>, 6> by_class_{};  // 1xx..5xx, other
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_micros_{0};
  std::atomic<std::uint64_t> count_{0};
};

}  // namespace civicloop::http
