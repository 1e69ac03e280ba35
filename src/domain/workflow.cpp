#include "domain/workflow.hpp"

#include <cstdio>

#include "domain/text.hpp"

namespace civicloop::workflow {

namespace {

Status in_range(std::string_view field, int value, int min, int max) {
  if (value < min || value > max) {
    return make_error("field.out_of_range", std::string(field))
        .with("min", std::to_string(min))
        .with("max", std::to_string(max));
  }
  return Ok{};
}

bool has_seq(std::string_view fmt) {
  for (const std::string_view key : {"{seq}", "{seq:04}", "{seq:06}"}) {
    if (fmt.find(key) != std::string_view::npos) return true;
  }
  return false;
}

Status check_format(std::string_view field, const std::string& fmt) {
  if (auto s =
          text::check(field, fmt, {.min_chars = 1, .max_chars = Bounds::kNumberFormatMaxChars});
      !s) {
    return s;
  }
  // Sequence numbers restart every year, so a number is unique only with both.
  if (fmt.find("{year}") == std::string::npos || !has_seq(fmt)) {
    return make_error("workflow.bad_number_format", std::string(field))
        .with("placeholders", "{year} + {seq} | {seq:04} | {seq:06}");
  }
  return Ok{};
}

}  // namespace

Status check(const Settings& s) {
  if (auto r = in_range("acknowledge_limit", s.acknowledge_limit.amount, Bounds::kLimitMin,
                        Bounds::kLimitMax);
      !r) {
    return r;
  }
  if (auto r =
          in_range("verify_limit", s.verify_limit.amount, Bounds::kLimitMin, Bounds::kLimitMax);
      !r) {
    return r;
  }
  const auto& ladder = s.escalation_percents;
  bool ladder_ok = !ladder.empty() && ladder.size() <= Bounds::kLadderMaxSteps;
  for (std::size_t i = 0; ladder_ok && i < ladder.size(); ++i) {
    ladder_ok = ladder[i] >= Bounds::kPercentMin && ladder[i] <= Bounds::kPercentMax &&
                (i == 0 || ladder[i] > ladder[i - 1]);
  }
  if (!ladder_ok) {
    return make_error("workflow.bad_escalation", "escalation_percents")
        .with("min", std::to_string(Bounds::kPercentMin))
        .with("max", std::to_string(Bounds::kPercentMax))
        .with("steps", std::to_string(Bounds::kLadderMaxSteps));
  }
  if (auto r = in_range("duplicate_radius_m", s.duplicate_radius_m, Bounds::kDuplicateRadiusMin,
                        Bounds::kDuplicateRadiusMax);
      !r) {
    return r;
  }
  if (auto r = in_range("evidence_distance_m", s.evidence_distance_m, Bounds::kEvidenceDistanceMin,
                        Bounds::kEvidenceDistanceMax);
      !r) {
    return r;
  }
  if (auto r = in_range("recurrence_days", s.recurrence_days, Bounds::kRecurrenceDaysMin,
                        Bounds::kRecurrenceDaysMax);
      !r) {
    return r;
  }
  if (auto r = check_format("rectification_number_format", s.rectification_number_format); !r) {
    return r;
  }
  if (auto r = check_format("reminder_number_format", s.reminder_number_format); !r) return r;
  if (format_number(s.rectification_number_format, 2026, 1) ==
      format_number(s.reminder_number_format, 2026, 1)) {
    return make_error("workflow.same_number_format", "reminder_number_format");
  }
  if (auto r = text::check("issuer", s.issuer, {.max_chars = Bounds::kIssuerMaxChars}); !r)
    return r;
  if (s.outside_area_policy != "refuse" && s.outside_area_policy != "flag") {
    return make_error("workflow.bad_outside_area_policy", "outside_area_policy")
        .with("allowed", "refuse,flag");
  }
  return Ok{};
}

std::string format_number(std::string fmt, int year, int seq) {
  auto replace = [&](std::string_view key, const std::string& value) {
    for (auto pos = fmt.find(key); pos != std::string::npos;
         pos = fmt.find(key, pos + value.size())) {
      fmt.replace(pos, key.size(), value);
    }
  };
  char buf[16];
  replace("{year}", std::to_string(year));
  std::snprintf(buf, sizeof buf, "%04d", seq);
  replace("{seq:04}", buf);
  std::snprintf(buf, sizeof buf, "%06d", seq);
  replace("{seq:06}", buf);
  replace("{seq}", std::to_string(seq));
  return fmt;
}

}  // namespace civicloop::workflow
