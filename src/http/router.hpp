// Maps method + path pattern ("/api/v1/org/units/{id}") to a handler. Patterns are matched
// segment by segment; "{name}" captures one segment into Request::path_params. Built once at
// start-up, then read concurrently by all request threads (no locking needed).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace civicloop::http {

class Router {
 public:
  using Fn = std::function<Response(Request&)>;

  void add(std::string method, std::string pattern, Fn fn);

  enum class Match { kFound, kNoPath, kNoMethod };
  // Finds the handler; fills req.path_params. allowed gets the methods of the path on kNoMethod.
  Match find(Request& req, const Fn** fn, std::string* allowed) const;

  struct Route {
    std::string method;
    std::string pattern;
  };
  std::vector<Route> routes() const;

 private:
  struct Entry {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Fn fn;
  };
  std::vector<Entry> entries_;
};

}  // namespace civicloop::http
