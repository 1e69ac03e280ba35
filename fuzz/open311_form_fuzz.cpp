// Fuzzes what an Open311 POST carries before any use case sees it (api/open311_form.hpp) and the
// pure rules after it (domain/open311.hpp). The first byte picks the mode,
//   'm' a multipart/form-data body with the boundary "b"; 'd' a W3C date-time;
//   anything else: a form-encoded body,
// and the rest of the input is the body (or the text). The fields then run through the suffix
// reader, the date-time reader (whose output must read back to the same instant) and the
// attribute checks against a fixed definition. Besides "no crash, no sanitizer report", it checks
// that a file part's bytes lie inside the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/open311_form.hpp"
#include "domain/open311.hpp"

namespace {

namespace api = civicloop::api;
namespace open311 = civicloop::open311;

std::vector<open311::Attribute> definition() {
  open311::Attribute kind;
  kind.code = "kind";
  kind.datatype = open311::Datatype::kSingleValueList;
  kind.required = true;
  kind.values = {{"roof", "roof"}, {"yard", "yard"}};
  open311::Attribute many;
  many.code = "many";
  many.datatype = open311::Datatype::kMultiValueList;
  many.order = 2;
  many.values = {{"a", "a"}};
  open311::Attribute n;
  n.code = "n";
  n.datatype = open311::Datatype::kNumber;
  n.order = 3;
  open311::Attribute t;
  t.code = "t";
  t.datatype = open311::Datatype::kDatetime;
  t.order = 4;
  return {kind, many, n, t};
}

void check_date(std::string_view text) {
  auto t = open311::parse_datetime(text);
  // Years before 0001 print with a sign in some offsets; they are not dates anyone sends.
  if (!t || *t < -62135596800000LL + 86'400'000) return;
  for (int offset : {0, 480, -300}) {
    const auto back = open311::parse_datetime(open311::format_datetime(*t, offset));
    // Fractions of a second are not printed.
    if (!back || *back != *t - ((*t % 1000) + 1000) % 1000) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char mode = static_cast<char>(data[0]);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 'd') {
    check_date(rest);
    return 0;
  }
  auto form = mode == 'm' ? api::parse_multipart(rest, "multipart/form-data; boundary=b")
                          : api::parse_urlencoded(rest);
  if (!form) return 0;
  for (const auto& f : form->files) {
    if (f.size() > rest.size()) std::abort();
  }
  open311::Answers answers;
  for (const auto& [name, value] : form->fields) {
    (void)open311::parse_resource(name);
    check_date(value);
    if (name.rfind("attribute[", 0) == 0 && name.size() > 11) {
      answers[name.substr(10, name.find(']') - 10)].push_back(value);
    }
  }
  (void)open311::check_answers(definition(), answers);
  return 0;
}
