// How a case, its photos and its notice look in an API answer, for any API that shows them (the
// JSON API today, Open311 next): the staff view, the reporter's public view (an allow-list, so a
// new internal field stays hidden) and the case view with its history. Pure rendering of values
// the use cases returned; no rule and no database here.
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "app/case_config.hpp"
#include "app/case_service.hpp"
#include "domain/case_record.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::api {

namespace json = boost::json;

// {"id", "name"} of a unit, null for none.
json::value unit_ref(const app::TenantCaseConfig& cfg, const std::optional<std::int64_t>& id);
// The whole case, as staff in scope read it.
json::object case_json(const app::TenantCaseConfig& cfg, const cases::Record& r, Millis now);
// The case as its reporter sees it: the same shape, with everything internal to the office and
// the units left empty.
json::object public_case_json(const app::TenantCaseConfig& cfg, const cases::Record& r, Millis now);
// The case as this actor may read it: the whole record for staff in scope, the public view for
// its reporter.
json::object case_for(const access::Actor& actor, const app::TenantCaseConfig& cfg,
                      const cases::Record& r, Millis now);
// A possible duplicate in the answer to a report: id, number, title, state, place, time and
// distance; the whole case is one click away (GET /cases/{id}).
json::object near_case_json(const storage::CaseRepo::Near& n);
// A photo; `r` (the photo's case) adds its distance from the problem.
json::object attachment_json(const storage::Attachment& a, const cases::Record* r);
json::object notice_json(const app::TenantCaseConfig& cfg, const storage::Notice& n, Millis now);
// What an action needs (its note rule, the photo first, the body fields it must and may carry),
// as GET /case-actions and the case view's `actions` show it.
json::object action_needs_json(cases::Action a);
// GET /cases/{id} and the answer of every action: the case, its history, photos, what the actor
// may do next and its notice.
json::object case_view_json(const app::TenantCaseConfig& cfg, const app::CaseView& v, Millis now);

}  // namespace civicloop::api
