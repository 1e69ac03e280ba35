#include "app/config_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <map>
#include <set>

#include "app/auth_service.hpp"
#include "domain/net.hpp"
#include "domain/text.hpp"
#include "storage/case_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {
void record(storage::Connection& c, const access::Actor& actor, Millis now, std::string type,
            std::int64_t id, std::string action, std::optional<std::string> before,
            std::optional<std::string> after) {
  auto ev = make_event(actor, now, std::move(type), id, std::move(action), std::move(before),
                       std::move(after));
  storage::LedgerRepo(c, actor.tenant_id).append(ev);
}

std::string category_text(const storage::Category& c) {
  json::object o{{"code", c.code},
                 {"name", c.name},
                 {"notice_kind", c.notice_kind},
                 {"limit", c.limit ? json::value(std::to_string(c.limit->amount) + " " +
                                                 std::string(calendar::to_string(c.limit->unit)))
                                   : json::value(nullptr)},
                 {"responsible_unit_id", c.responsible_unit_id ? json::value(*c.responsible_unit_id)
                                                               : json::value(nullptr)},
                 {"active", c.active}};
  return json::serialize(o);
}

json::value limit_json(const calendar::TimeLimit& l) {
  return json::object{{"amount", l.amount}, {"unit", calendar::to_string(l.unit)}};
}

// Every value, in a fixed order: the ledger's before and after, and the revision's input.
std::string workflow_text(const storage::WorkflowSettings& w) {
  json::array ladder;
  for (const int p : w.escalation_percents) ladder.push_back(p);
  json::object o{{"acknowledge_limit", limit_json(w.acknowledge_limit)},
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
                 {"recurrence_days", w.recurrence_days}};
  return json::serialize(o);
}

WorkflowView workflow_view(const storage::WorkflowSettings& w) {
  return {w, sha256_hex(workflow_text(w)).substr(0, 16)};
}

bool is_localhost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string h(host);
  for (auto& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return h == "localhost" || h.ends_with(".localhost");  // RFC 6761: always loopback
}

// The check made when a robot is configured: it refuses at once what is known without DNS, plain
// http and an internal IP literal (or localhost), unless webhook_allow allows it, with the same
// rules as delivery (net::scheme_refusal, net::address_refusal). A host name is resolved and
// checked only at delivery (http/webhook.hpp), every time: what a name resolves to can change
// after the robot is saved.
Status check_webhook_url(const std::string& url, const std::string& allow_text) {
  namespace urls = boost::urls;
  const auto bad_url = make_error("webhook.bad_url", "url");
  if (url.size() > 2048) return bad_url;
  auto parsed = urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority()) return bad_url;
  const urls::url_view& u = *parsed;
  const bool tls = u.scheme_id() == urls::scheme::https;
  if (!tls && u.scheme_id() != urls::scheme::http) return bad_url;
  std::string host;
  std::optional<net::Address> literal;
  switch (u.host_type()) {
    case urls::host_type::name:
      host = u.host_name();
      break;
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      host = u.host_address();
      literal = net::parse_address(host);
      if (!literal) return bad_url;
      break;
    default:
      return bad_url;
  }
  if (host.empty()) return bad_url;
  // serve checks the setting at start; one that does not parse allows nothing, as at delivery.
  const auto allow = net::AllowList::parse(allow_text).value_or(net::AllowList{});
  auto refused = [&](std::string_view reason) {
    return make_error("webhook.url_refused", "url")
        .with("reason", std::string(reason))
        .with("host", host);
  };
  if (literal) {
    if (net::address_refusal(*literal, host, allow)) {
      return refused(net::to_string(net::classify(*literal)));
    }
  } else if (is_localhost(host) && !allow.allows_host(host) &&
             !allow.allows(*net::parse_address("127.0.0.1")) &&
             !allow.allows(*net::parse_address("::1"))) {
    return refused(net::to_string(net::AddressClass::kLoopback));
  }
  if (net::scheme_refusal(tls, host, allow)) return refused("plain_http");
  return Ok{};
}
}  // namespace

Expected<storage::Category> ConfigService::update_category(const access::Actor& actor,
                                                           const storage::Category& in,
                                                           int version) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  if (auto s = text::check("name", in.name, {.min_chars = 1, .max_chars = 60}); !s)
    return s.error();
  if (auto s = text::check("filing_condition", in.filing_condition, {.max_chars = 500}); !s) {
    return s.error();
  }
  if (auto s = text::check("closing_condition", in.closing_condition, {.max_chars = 500}); !s) {
    return s.error();
  }
  if (in.notice_kind != "rectification" && in.notice_kind != "reminder") {
    return make_error("case.bad_notice_kind", "notice_kind");
  }
  if (in.limit && (in.limit->amount < 1 || in.limit->amount > 365)) {
    return make_error("field.out_of_range", "time_limit").with("max", "365");
  }
  const Millis now = ctx_.clock.now();
  auto r = in_tx<storage::Category>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::Category> {
        storage::ConfigRepo repo(c, actor.tenant_id);
        auto cur = repo.find_category(in.code);
        if (!cur) return make_error("case.unknown_category", "code");
        if (cur->version != version) {
          return make_error("conflict.stale_version", "version")
              .with("current", std::to_string(cur->version));
        }
        storage::Category next = in;
        next.parent_code = cur->parent_code;
        next.kind = cur->kind;
        next.sort_order = cur->sort_order;
        if (!repo.update_category(next, version))
          return make_error("conflict.stale_version", "version");
        next.version = version + 1;
        record(c, actor, now, "category", 0, "update", category_text(*cur), category_text(next));
        return next;
      });
  if (r) config_changed();
  return r;
}

Expected<WorkflowView> ConfigService::workflow(const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kCasesRead); !s) return s.error();
  auto cfg = cache_.get(actor.tenant_id);
  if (!cfg) return cfg.error();
  return workflow_view((*cfg)->workflow);
}

Expected<WorkflowView> ConfigService::update_workflow(const access::Actor& actor,
                                                      const storage::WorkflowSettings& next,
                                                      const std::string& revision) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  if (auto s = workflow::check(next); !s) return s.error();
  const Millis now = ctx_.clock.now();
  auto r =
      in_tx<WorkflowView>(ctx_.db, true, [&](storage::Connection& c) -> Expected<WorkflowView> {
        storage::ConfigRepo repo(c, actor.tenant_id);
        const auto cur = repo.workflow().value_or(storage::WorkflowSettings{});
        const auto current = workflow_view(cur);
        if (current.revision != revision) {
          return make_error("conflict.stale_version", "revision").with("current", current.revision);
        }
        if (cur == next) return current;  // nothing changed: no event
        repo.save_workflow(next);
        record(c, actor, now, "workflow", 0, "update", workflow_text(cur), workflow_text(next));
        return workflow_view(next);
      });
  if (r) config_changed();
  return r;
}

Expected<std::vector<routing::Rule>> ConfigService::replace_rules(
    const access::Actor& actor, std::vector<routing::Rule> rules) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  if (rules.size() > 500) return make_error("field.out_of_range", "items").with("max", "500");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (auto s = routing::check_rule(rules[i]); !s) {
      return make_error(s.error().code, "items[" + std::to_string(i) + "]." + s.error().field);
    }
    if (auto s = text::check("name", rules[i].name, {.min_chars = 1, .max_chars = 100}); !s) {
      return make_error(s.error().code, "items[" + std::to_string(i) + "].name");
    }
    rules[i].id = static_cast<std::int64_t>(i + 1);
  }
  const Millis now = ctx_.clock.now();
  auto r = in_tx<std::vector<routing::Rule>>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<std::vector<routing::Rule>> {
        storage::ConfigRepo repo(c, actor.tenant_id);
        storage::OrgRepo org(c, actor.tenant_id);
        for (std::size_t i = 0; i < rules.size(); ++i) {
          for (const auto& id :
               {rules[i].unit_id, rules[i].area_unit_id, rules[i].supervising_group_id}) {
            if (id && !org.find_unit(*id)) {
              return make_error("org.unit_not_found", "items[" + std::to_string(i) + "]");
            }
          }
        }
        const auto before = repo.rules().size();
        repo.replace_rules(rules);
        record(c, actor, now, "routing_rules", 0, "replace",
               "{\"count\":" + std::to_string(before) + "}",
               "{\"count\":" + std::to_string(rules.size()) + "}");
        return repo.rules();
      });
  if (r) config_changed();
  return r;
}

Expected<storage::CalendarConfig> ConfigService::calendar(const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kCasesRead); !s) return s.error();
  return in_tx<storage::CalendarConfig>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<storage::CalendarConfig> {
        auto cal = storage::ConfigRepo(c, actor.tenant_id).calendar();
        if (!cal) return make_error("case.not_configured");
        return *cal;
      });
}

Expected<storage::CalendarConfig> ConfigService::save_year(const access::Actor& actor,
                                                           const calendar::YearSchedule& year) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  const Millis now = ctx_.clock.now();
  auto r = in_tx<storage::CalendarConfig>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::CalendarConfig> {
        storage::ConfigRepo repo(c, actor.tenant_id);
        auto cal = repo.calendar();
        if (!cal) return make_error("case.not_configured");
        auto years = cal->years;
        std::erase_if(years, [&](const auto& y) { return y.year == year.year; });
        years.push_back(year);
        // The calendar's own checks (dates in their year, no day both off and on) decide.
        auto check = calendar::WorkCalendar::make(cal->periods, cal->utc_offset_minutes, years);
        if (!check) return check.error();
        repo.save_year(year);
        record(c, actor, now, "calendar", year.year, "save_year", std::nullopt,
               "{\"year\":" + std::to_string(year.year) +
                   ",\"holidays\":" + std::to_string(year.holidays.size()) +
                   ",\"makeup_workdays\":" + std::to_string(year.makeup_workdays.size()) + "}");
        return *repo.calendar();
      });
  if (r) config_changed();
  return r;
}

Expected<std::vector<storage::Webhook>> ConfigService::webhooks(const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  return in_tx<std::vector<storage::Webhook>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::Webhook>> {
        return storage::NotifyRepo(c, actor.tenant_id).webhooks(false);
      });
}

Expected<storage::Webhook> ConfigService::add_webhook(const access::Actor& actor,
                                                      storage::Webhook w) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  if (auto s = text::check("name", w.name, {.min_chars = 1, .max_chars = 60}); !s) return s.error();
  if (w.flavour != "wecom" && w.flavour != "dingtalk" && w.flavour != "generic") {
    return make_error("webhook.bad_flavour", "flavour");
  }
  const auto& locales = supported_locales();
  if (std::find(locales.begin(), locales.end(), w.locale) == locales.end()) {
    return make_error("field.out_of_range", "locale").with("allowed", "zh-CN,en");
  }
  if (w.url.size() > 2048 || (w.url.rfind("https://", 0) != 0 && w.url.rfind("http://", 0) != 0)) {
    return make_error("webhook.bad_url", "url");
  }
  if (auto s = check_webhook_url(w.url, ctx_.settings.webhook_allow); !s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<storage::Webhook>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::Webhook> {
        // A unit's own robot: the unit must exist and serve.
        if (w.unit_id) {
          const auto u = storage::OrgRepo(c, actor.tenant_id).find_unit(*w.unit_id);
          if (!u) return make_error("org.unit_not_found", "unit_id");
          if (u->retired) return make_error("org.unit_retired", "unit_id");
        }
        w.id = storage::next_id(c, actor.tenant_id, "webhooks");
        w.active = true;
        storage::NotifyRepo(c, actor.tenant_id).insert_webhook(w);
        // The URL holds the robot's access token: the ledger keeps only its host.
        const auto host_end = w.url.find('/', w.url.find("//") + 2);
        record(c, actor, now, "webhook", w.id, "create", std::nullopt,
               json::serialize(json::object{
                   {"name", w.name},
                   {"flavour", w.flavour},
                   {"host", w.url.substr(0, host_end)},
                   {"unit_id", w.unit_id ? json::value(*w.unit_id) : json::value(nullptr)}}));
        return w;
      });
}

Status ConfigService::remove_webhook(const access::Actor& actor, std::int64_t id) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s;
  const Millis now = ctx_.clock.now();
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::NotifyRepo repo(c, actor.tenant_id);
    if (!repo.delete_webhook(id)) return make_error("webhook.not_found");
    record(c, actor, now, "webhook", id, "delete", std::nullopt, std::nullopt);
    return Ok{};
  });
}

Expected<ConfigService::Inbox> ConfigService::inbox(const access::Actor& actor, bool unread_only,
                                                    int limit, std::optional<std::int64_t> before,
                                                    std::string_view locale) {
  auto cfg = cache_.get(actor.tenant_id);
  auto in = in_tx<Inbox>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Inbox> {
    storage::NotifyRepo repo(c, actor.tenant_id);
    Inbox in;
    in.items = repo.inbox(actor.user_id, unread_only, limit + 1, before);
    if (static_cast<int>(in.items.size()) > limit) {
      in.items.pop_back();
      in.next_cursor = std::to_string(in.items.back().id);
    }
    in.unread = repo.unread_count(actor.user_id);
    return in;
  });
  // Each reader sees a notification in his language: worded again from its template when it
  // has one (older notifications keep the text they were written with).
  if (in && cfg) {
    for (auto& n : in->items) {
      if (!n.message_key) continue;
      const auto args = args_from_json(n.message_args.value_or("{}"));
      n.title = (*cfg)->word(locale, *n.message_key + ".title", args);
      n.body = (*cfg)->word(locale, *n.message_key + ".body", args);
    }
  }
  return in;
}

Status ConfigService::mark_read(const access::Actor& actor, std::optional<std::int64_t> id) {
  const Millis now = ctx_.clock.now();
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::NotifyRepo repo(c, actor.tenant_id);
    if (id) {
      // Someone else's notification is reported as missing.
      if (!repo.mark_read(actor.user_id, *id, now)) {
        auto mine = repo.inbox(actor.user_id, false, 1, *id + 1);
        if (mine.empty() || mine[0].id != *id) return make_error("notification.not_found");
      }
    } else {
      repo.mark_all_read(actor.user_id, now);
    }
    return Ok{};
  });
}

Expected<std::vector<ResponsibilityRow>> ConfigService::responsibility(
    const access::Actor& actor, std::optional<org::Id> unit_id) {
  if (auto s = access::require(actor, access::Permission::kCasesRead); !s) return s.error();
  auto cfgx = cache_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  std::map<org::Id, ResponsibilityRow> rows;
  auto row = [&](org::Id id) -> ResponsibilityRow& {
    auto& r = rows[id];
    r.unit_id = id;
    return r;
  };
  // Units answer for categories by default (the category's unit) or through a routing rule.
  for (const auto& [code, cat] : cfg.categories) {
    if (cat.responsible_unit_id) row(*cat.responsible_unit_id).categories.push_back(code);
  }
  for (const auto& rule : cfg.rules) {
    if (!rule.unit_id) continue;
    for (const auto& [code, cat] : cfg.categories) {
      if (!cat.parent_code) continue;
      if ((rule.category && *rule.category == code) ||
          (rule.category_prefix && code.rfind(*rule.category_prefix, 0) == 0)) {
        auto& cats = row(*rule.unit_id).categories;
        if (std::find(cats.begin(), cats.end(), code) == cats.end()) cats.push_back(code);
      }
    }
  }
  // Places answer for their own territory (subdistricts, communities, villages), and a unit
  // answers for the categories whose responsible kind is its own kind (属地管理: a subdistrict
  // for the street-order problems on its streets).
  std::map<std::string, std::vector<std::string>, std::less<>> by_kind;
  for (const auto& [code, cat] : cfg.categories) {
    if (cat.parent_code && cat.active && cat.responsible_kind && !cat.responsible_unit_id) {
      by_kind[*cat.responsible_kind].push_back(code);
    }
  }
  for (const auto& [id, u] : cfg.units) {
    if (u.retired) continue;
    if (u.kind == org::UnitKind::kSubdistrict || u.kind == org::UnitKind::kCommunity ||
        u.kind == org::UnitKind::kVillage) {
      row(id).areas.push_back(id);
    }
    if (auto it = by_kind.find(org::to_string(u.kind)); it != by_kind.end()) {
      auto& cats = row(id).categories;
      for (const auto& code : it->second) {
        if (std::find(cats.begin(), cats.end(), code) == cats.end()) cats.push_back(code);
      }
    }
  }
  auto counts = in_tx<std::map<org::Id, std::pair<int, int>>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::map<org::Id, std::pair<int, int>>> {
        std::map<org::Id, std::pair<int, int>> out;
        for (const auto& [unit, open, overdue] :
             storage::CaseRepo(c, actor.tenant_id).open_counts_by_unit()) {
          out[unit] = {open, overdue};
        }
        return out;
      });
  if (!counts) return counts.error();
  for (const auto& [unit, n] : *counts) {
    row(unit).open_cases = n.first;
    row(unit).overdue_cases = n.second;
  }
  std::vector<ResponsibilityRow> out;
  for (auto& [id, r] : rows) {
    const auto* u = cfg.unit(id);
    if (u == nullptr || u->retired || !actor.scope.covers(u->path)) continue;
    if (unit_id && id != *unit_id) continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace civicloop::app
