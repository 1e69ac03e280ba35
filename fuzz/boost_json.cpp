// Boost.JSON compiled into the fuzz targets that parse JSON, so that libFuzzer's coverage
// instrumentation sees the parser too (Debian's libboost_json is not instrumented).
#include <boost/json/src.hpp>  // NOLINT(misc-include-cleaner): the library's one-TU build
