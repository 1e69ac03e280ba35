// Time comes from an injected Clock so that tests can freeze it. Times are milliseconds since the
// Unix epoch, UTC; they are shown in the tenant's zone only at the edges.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civicloop {

using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis now() const override;
};

// A clock that stands still until told to move. Thread-safe.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Millis at) : at_(at) {}
  Millis now() const override { return at_.load(); }
  void set(Millis at) { at_.store(at); }
  void advance(Millis by) { at_.fetch_add(by); }

 private:
  std::atomic<Millis> at_;
};

// "2026-11-27T21:05:00.123Z" (milliseconds shown only when not zero).
std::string format_iso_utc(Millis at);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when malformed.
std::optional<Millis> parse_iso_utc(std::string_view text);

}  // namespace civicloop
