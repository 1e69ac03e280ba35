// The bytes of a file under tests/fixtures/ (photos, import files), for any test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace civicloop::test {

// The bytes of tests/fixtures/NAME (empty, with a failure, when it is missing).
inline std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/tests/fixtures/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace civicloop::test
