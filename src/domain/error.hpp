// Expected outcomes as values. A use case that can fail because of what a user did (bad input, not
// found, not allowed, wrong state) returns Expected<T>; the error carries a stable code such as
// "org.move_cycle" that src/http/errors.cpp turns into a status and a localised message.
// Exceptions are kept for what breaks the operation (storage::StorageError); asserts for bugs.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace civicloop {

struct Error {
  std::string code;   // stable identifier, "<area>.<what>"
  std::string field;  // the input field at fault, "" when none
  // Extra facts for the message and the client ("max" -> "100", "allowed" -> "a,b").
  std::vector<std::pair<std::string, std::string>> details;

  Error with(std::string key, std::string value) && {
    details.emplace_back(std::move(key), std::move(value));
    return std::move(*this);
  }
};

inline Error make_error(std::string code, std::string field = {}) {
  return Error{std::move(code), std::move(field), {}};
}

struct Ok {};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

using Status = Expected<Ok>;

}  // namespace civicloop
