// GET and PUT /api/v1/workflow: the tenant's workflow settings (流程设置) with the bounds the
// settings page shows beside each field. A change names the revision it was made from.
#include "api/common.hpp"
#include "app/config_service.hpp"

namespace civicloop::api {

namespace {

json::value limit_json(const calendar::TimeLimit& l) {
  return json::object{{"amount", l.amount}, {"unit", calendar::to_string(l.unit)}};
}

json::object workflow_json(const app::WorkflowView& v) {
  using B = workflow::Bounds;
  const auto& w = v.settings;
  json::array ladder;
  for (const int p : w.escalation_percents) ladder.push_back(p);
  auto range = [](int min, int max) { return json::object{{"min", min}, {"max", max}}; };
  return json::object{
      {"acknowledge_limit", limit_json(w.acknowledge_limit)},
      {"verify_limit", limit_json(w.verify_limit)},
      {"escalation_percents", std::move(ladder)},
      {"duplicate_radius_m", w.duplicate_radius_m},
      {"evidence_distance_m", w.evidence_distance_m},
      {"rectification_number_format", w.rectification_number_format},
      {"reminder_number_format", w.reminder_number_format},
      {"issuer", w.issuer},
      {"reporter_sees_notice", w.reporter_sees_notice},
      {"outside_area_policy", w.outside_area_policy},
      {"anchor_digest", w.anchor_digest},
      {"recurrence_days", w.recurrence_days},
      {"revision", v.revision},
      {"bounds",
       json::object{
           {"limit", range(B::kLimitMin, B::kLimitMax)},
           {"escalation_percent", range(B::kPercentMin, B::kPercentMax)},
           {"escalation_steps", static_cast<std::int64_t>(B::kLadderMaxSteps)},
           {"duplicate_radius_m", range(B::kDuplicateRadiusMin, B::kDuplicateRadiusMax)},
           {"evidence_distance_m", range(B::kEvidenceDistanceMin, B::kEvidenceDistanceMax)},
           {"recurrence_days", range(B::kRecurrenceDaysMin, B::kRecurrenceDaysMax)},
           {"number_format_max_chars", static_cast<std::int64_t>(B::kNumberFormatMaxChars)},
           {"issuer_max_chars", static_cast<std::int64_t>(B::kIssuerMaxChars)}}}};
}

// {"amount": N, "unit": "working_hours" | …}; the error names the field.
Expected<calendar::TimeLimit> limit_of(Body& body, std::string_view key) {
  const auto* v = body.raw(key);
  if (v == nullptr || v->is_null()) return make_error("field.required", std::string(key));
  if (!v->is_object()) return make_error("request.invalid_type", std::string(key));
  Body lb(v->as_object());
  const auto amount = lb.req_int32("amount");
  const auto unit_text = lb.req_str("unit");
  if (auto s = lb.finish(); !s) {
    return make_error(s.error().code, std::string(key) + "." + s.error().field);
  }
  const auto unit = calendar::parse_limit_unit(unit_text);
  if (!unit) return make_error("case.bad_limit_unit", std::string(key) + ".unit");
  return calendar::TimeLimit{amount, *unit};
}

Expected<std::vector<int>> ladder_of(Body& body) {
  const auto* v = body.raw("escalation_percents");
  if (v == nullptr || v->is_null()) return make_error("field.required", "escalation_percents");
  if (!v->is_array()) return make_error("request.invalid_type", "escalation_percents");
  std::vector<int> out;
  for (const auto& p : v->as_array()) {
    if (!p.is_int64() || p.as_int64() < 0 || p.as_int64() > 100000) {
      return make_error("workflow.bad_escalation", "escalation_percents");
    }
    out.push_back(static_cast<int>(p.as_int64()));
  }
  return out;
}

}  // namespace

void add_workflow_routes(Api& api) {
  auto config = std::make_shared<app::ConfigService>(api.ctx, api.case_config);

  api.router.add("GET", "/api/v1/workflow",
                 authed(api, [config](http::Request& req, const app::Principal& who) {
                   auto v = config->workflow(who.actor);
                   if (!v) return fail(v.error(), req);
                   return json_response(workflow_json(*v));
                 }));

  api.router.add("PUT", "/api/v1/workflow",
                 authed(api, [config](http::Request& req, const app::Principal& who) {
                   auto body = parse_body(req);
                   if (!body) return fail(body.error(), req);
                   storage::WorkflowSettings w;
                   auto ack = limit_of(*body, "acknowledge_limit");
                   if (!ack) return fail(ack.error(), req);
                   auto verify = limit_of(*body, "verify_limit");
                   if (!verify) return fail(verify.error(), req);
                   auto ladder = ladder_of(*body);
                   if (!ladder) return fail(ladder.error(), req);
                   w.acknowledge_limit = *ack;
                   w.verify_limit = *verify;
                   w.escalation_percents = std::move(*ladder);
                   w.duplicate_radius_m = body->req_int32("duplicate_radius_m");
                   w.evidence_distance_m = body->req_int32("evidence_distance_m");
                   w.recurrence_days = body->req_int32("recurrence_days");
                   w.rectification_number_format = body->req_str("rectification_number_format");
                   w.reminder_number_format = body->req_str("reminder_number_format");
                   w.issuer = body->str("issuer").value_or("");
                   const auto sees = body->boolean("reporter_sees_notice");
                   const auto digest = body->boolean("anchor_digest");
                   w.outside_area_policy = body->req_str("outside_area_policy");
                   const auto revision = body->req_str("revision");
                   body->raw("bounds");  // what GET answered may be sent back whole
                   if (auto s = body->finish(); !s) return fail(s.error(), req);
                   if (!sees)
                     return fail(make_error("field.required", "reporter_sees_notice"), req);
                   w.reporter_sees_notice = *sees;
                   if (!digest) return fail(make_error("field.required", "anchor_digest"), req);
                   w.anchor_digest = *digest;
                   auto v = config->update_workflow(who.actor, w, revision);
                   if (!v) return fail(v.error(), req);
                   return json_response(workflow_json(*v));
                 }));
}

}  // namespace civicloop::api
