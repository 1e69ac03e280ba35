#include "http/metrics.hpp"

#include <cstdio>

namespace civicloop::http {

void Metrics::observe(int status, std::int64_t micros) {
  const int cls = status / 100;
  by_class_[(cls >= 1 && cls <= 5) ? cls - 1 : 5].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(micros) / 1e6;
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(micros < 0 ? 0 : micros),
                        std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(std::string_view db_kind) const {
  std::string out;
  char line[160];
  out += "# HELP civicloop_http_requests_total HTTP requests answered, by status class.\n";
  out += "# TYPE civicloop_http_requests_total counter\n";
  static const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  for (std::size_t i = 0; i < by_class_.size(); ++i) {
    std::snprintf(line, sizeof line, "civicloop_http_requests_total{class=\"%s\"} %llu\n",
                  kClasses[i], static_cast<unsigned long long>(by_class_[i].load()));
    out += line;
  }
  out += "# HELP civicloop_http_request_duration_seconds Time from request read to response.\n";
  out += "# TYPE civicloop_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i].load();
    std::snprintf(line, sizeof line,
                  "civicloop_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[i],
                  static_cast<unsigned long long>(cumulative));
    out += line;
  }
  cumulative += buckets_[kBuckets.size()].load();
  std::snprintf(line, sizeof line,
                "civicloop_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                static_cast<unsigned long long>(cumulative));
  out += line;
  std::snprintf(line, sizeof line, "civicloop_http_request_duration_seconds_sum %.6f\n",
                static_cast<double>(sum_micros_.load()) / 1e6);
  out += line;
  std::snprintf(line, sizeof line, "civicloop_http_request_duration_seconds_count %llu\n",
                static_cast<unsigned long long>(count_.load()));
  out += line;
  if (log_dropped) {
    out += "# HELP civicloop_log_dropped_total Log lines dropped because the log queue was full.\n";
    out += "# TYPE civicloop_log_dropped_total counter\n";
    std::snprintf(line, sizeof line, "civicloop_log_dropped_total %llu\n",
                  static_cast<unsigned long long>(log_dropped()));
    out += line;
  }
  out += "# HELP civicloop_info Build and storage backend.\n# TYPE civicloop_info gauge\n";
  out += "civicloop_info{db=\"" + std::string(db_kind) + "\"} 1\n";
  return out;
}

}  // namespace civicloop::http
