// Open311 GeoReport v2 (docs/open311.md): the rules of the façade that are not wire format. Which
// resource and format a path segment names, the W3C date-times of the specification (a zone is
// mandatory), how a case's state reads as the standard open/closed and the extended status of the
// mySociety extension, the service attributes a request must answer, and the per-key request
// window. Pure: no SQL, no JSON, no socket.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/case.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"
#include "domain/throttle.hpp"

namespace civicloop::open311 {

// The format is chosen by the path's suffix, never by Accept (specification 1.1).
enum class Format { kJson, kXml };

struct Resource {
  std::string name;  // "requests", "0101", "2026000123", a token ...
  Format format = Format::kXml;
};

// "requests.json" → {"requests", kJson}. "open311.bad_format" (field: the suffix) when the suffix
// is neither json nor xml, or missing; the name is not checked here.
Expected<Resource> parse_resource(std::string_view segment);

// A W3C-DTF date-time with its zone: "2026-11-30T09:30:00+08:00", "2026-11-30T01:30:00Z",
// fractions of a second allowed; a date alone ("2026-11-30") is read as midnight UTC. nullopt for
// anything else (no zone, a month 13, trailing text).
std::optional<Millis> parse_datetime(std::string_view text);
// "2026-11-30T09:30:00+08:00": the instant in a zone given as minutes east of UTC, always with
// the offset (checklist item 3).
std::string format_datetime(Millis at, int utc_offset_minutes);

// open | closed: every final state (closed, voided, duplicate) reads closed, every other open.
std::string_view status_of(cases::State state);
// The extended status of the mySociety extension (UPPER case, as in POST servicerequestupdates;
// lower-cased in GET): FOR_TRIAGE, OPEN, IN_PROGRESS, FIXED, CLOSED, DUPLICATE, NO_FURTHER_ACTION.
std::string_view extended_status_of(cases::State state);

// A service definition's attribute (specification 1.4). Wording (description, value names) comes
// from the preset in the asked locale.
enum class Datatype { kString, kNumber, kDatetime, kText, kSingleValueList, kMultiValueList };
std::string_view to_string(Datatype d);
std::optional<Datatype> parse_datatype(std::string_view s);

struct AttributeValue {
  std::string key;
  std::string name;
};

struct Attribute {
  bool variable = true;
  std::string code;
  Datatype datatype = Datatype::kString;
  bool required = false;
  std::string datatype_description;
  int order = 1;
  std::string description;
  std::vector<AttributeValue> values;
};

// The answers of a request: attribute[CODE]=v (one value) or attribute[CODE][]=v (several).
using Answers = std::map<std::string, std::vector<std::string>, std::less<>>;

// Checks a request's answers against its service's attributes, field "attribute[CODE]":
// open311.attribute_required (a required variable attribute without a value),
// open311.attribute_value (a list value that is not one of the keys, several values for a
// single-value attribute, a number or date-time that does not parse, a string over 4,000
// characters), open311.attribute_unknown (an answer to no variable attribute of the service).
Status check_answers(const std::vector<Attribute>& attributes, const Answers& answers);
// Whether the attributes are fit to publish: codes unique and non-empty, orders positive and
// unique, list types with at least one value. The field names the first bad attribute.
Status check_definition(const std::vector<Attribute>& attributes);

// The per-key request window: at most per_minute requests in each minute since the window
// opened. Uses the counter of the throttle module (failures = requests in the window,
// last_failure = the window's start, blocked_until = when the window ends once full).
// True (and the counter advanced) when the request is admitted; false when the key must wait
// until counter.blocked_until. per_minute <= 0: no limit.
bool admit(throttle::Counter& counter, Millis now, int per_minute);

// The default window of GET requests and the longest one (specification 1.7).
inline constexpr Millis kMaxWindow = 90LL * 86'400'000;
inline constexpr int kMaxRequests = 1000;

}  // namespace civicloop::open311
