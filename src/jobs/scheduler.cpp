#include "jobs/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

#include <boost/json.hpp>

#include "app/anchor_digest.hpp"
#include "app/evidence_service.hpp"
#include "storage/notify_repo.hpp"

namespace civicloop::jobs {

namespace json = boost::json;

OutboxStats deliver_outbox(app::Context& ctx, const http::WebhookClientOptions& options,
                           int max_items) {
  OutboxStats stats;
  const Millis now = ctx.clock.now();
  // The destinations the deployment allows besides public https ones, parsed once per pass; the
  // caller's options (a CA for tests, timeouts) are kept, and so is their allow-list when the
  // setting is empty. serve checks the setting at start; a list that still does not parse adds
  // nothing.
  http::WebhookClientOptions call_options = options;
  if (!ctx.settings.webhook_allow.empty()) {
    std::string bad_entry;
    if (auto allow = net::AllowList::parse(ctx.settings.webhook_allow, &bad_entry)) {
      call_options.allow = std::move(*allow);
    } else {
      static std::atomic<bool> logged{false};
      if (!logged.exchange(true)) {
        spdlog::error("webhook_allow ignored: not an address, CIDR block or host name: {}",
                      bad_entry);
      }
    }
  }
  auto due = app::in_tx<std::vector<storage::OutboxItem>>(
      ctx.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::OutboxItem>> {
        return storage::NotifyRepo(c, 0).due(now, max_items);
      });
  if (!due) return stats;
  for (auto item : *due) {
    auto hook = app::in_tx<storage::Webhook>(
        ctx.db, false, [&](storage::Connection& c) -> Expected<storage::Webhook> {
          auto w = storage::NotifyRepo(c, item.tenant_id).find_webhook(item.webhook_id);
          if (!w) return make_error("webhook.not_found");
          return *w;
        });
    http::WebhookResult result;
    if (!hook || !hook->active) {
      result.error = "robot removed or disabled";
    } else {
      boost::system::error_code ec;
      auto msg = json::parse(item.payload, ec);
      http::RobotMessage m;
      if (!ec && msg.is_object()) {
        if (const auto* t = msg.as_object().if_contains("title"); t && t->is_string()) {
          m.title = std::string(t->as_string());
        }
        if (const auto* t = msg.as_object().if_contains("markdown"); t && t->is_string()) {
          m.markdown = std::string(t->as_string());
        }
      }
      const auto flavour = hook->flavour == "wecom"      ? http::RobotFlavour::kWecom
                           : hook->flavour == "dingtalk" ? http::RobotFlavour::kDingtalk
                                                         : http::RobotFlavour::kGeneric;
      std::string url = hook->url;
      if (flavour == http::RobotFlavour::kDingtalk && hook->secret && !hook->secret->empty()) {
        url = http::dingtalk_signed_url(url, *hook->secret, ctx.clock.now());
      }
      result = http::post_json(url, http::robot_payload(flavour, m), call_options);
    }
    ++item.attempts;
    if (result.delivered) {
      item.delivered_at = ctx.clock.now();
      item.last_error.reset();
      ++stats.delivered;
    } else {
      item.last_error =
          result.error.empty() ? "HTTP " + std::to_string(result.status) : result.error;
      auto delay = result.retryable ? http::next_retry_delay_ms(item.attempts) : std::nullopt;
      if (delay) {
        item.next_attempt_at = ctx.clock.now() + *delay;
        ++stats.retried;
      } else {
        item.failed = true;
        ++stats.failed;
        spdlog::warn("robot message {} of tenant {} given up: {}", item.id, item.tenant_id,
                     *item.last_error);
      }
    }
    (void)app::in_tx<Ok>(ctx.db, true, [&](storage::Connection& c) -> Status {
      storage::NotifyRepo(c, item.tenant_id).record_attempt(item);
      return Ok{};
    });
  }
  return stats;
}

Scheduler::Scheduler(app::Context& ctx, SchedulerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      config_(ctx),
      cases_(ctx, config_),
      kpis_(ctx, config_),
      bulletins_(ctx, config_),
      digests_(ctx, config_),
      meetings_(ctx, config_, nullptr) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::run() {
  run_passes();
  // The heads as the server leaves them, so that a restart does not begin unanchored.
  if (options_.anchorer) options_.anchorer->pass(true);
}

void Scheduler::run_passes() {
  Millis next_sweep = 0;
  Millis next_outbox = 0;
  Millis next_orphans = 0;
  Millis next_kpi = 0;
  Millis next_anchor = 0;
  for (;;) {
    const Millis now = ctx_.clock.now();
    try {
      if (now >= next_sweep) {
        // Work through everything due, in batches, before sleeping again.
        for (;;) {
          auto s = cases_.sweep(ctx_.clock.now(), 500);
          if (s.checked > 0) {
            spdlog::info("deadline sweep: {} checked, {} warnings, {} escalations", s.checked,
                         s.warnings, s.escalations);
          }
          if (s.checked < 500) break;
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        // The meetings' action items on the same ladder (reminders, overdue, escalations).
        for (;;) {
          auto m = meetings_.sweep(ctx_.clock.now(), 500);
          if (m.checked > 0) {
            spdlog::info("action item sweep: {} checked, {} reminders, {} escalations", m.checked,
                         m.reminders, m.escalations);
          }
          if (m.checked < 500) break;
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        // The day's anchor digest to the robots, where a tenant turned it on (once a day).
        app::queue_anchor_digests(ctx_, config_, options_.anchorer.get(), ctx_.clock.now());
        // Bulletin drafts whose scheduled moment has come (one per schedule entry and period).
        if (const int made = bulletins_.run_schedule(); made > 0) {
          spdlog::info("bulletins: {} scheduled drafts made", made);
        }
        // Each unit head's daily and weekly digest (工作提示), once per period.
        digests_.run_schedule();
        next_sweep = now + options_.sweep_interval_ms;
      }
      if (now >= next_outbox) {
        deliver_outbox(ctx_, options_.webhook);
        next_outbox = now + options_.outbox_interval_ms;
      }
      if (options_.kpi_interval_ms > 0 && now >= next_kpi) {
        for (const auto& [tenant, r] : kpis_.project_all()) {
          if (r.events > 0) spdlog::debug("kpi projector: {} {} events", tenant, r.events);
        }
        next_kpi = now + options_.kpi_interval_ms;
      }
      if (now >= next_orphans) {
        const auto o = app::sweep_orphan_media(ctx_, options_.orphan_min_age_ms);
        if (o.removed > 0) spdlog::info("media sweep: {} orphan files removed", o.removed);
        next_orphans = now + options_.orphan_interval_ms;
      }
    } catch (const std::exception& e) {
      // The database may be away for a moment; the next pass tries again.
      spdlog::error("scheduled work failed: {}", e.what());
    }
    // Outside the try above: a failing sweep does not hold anchoring up (pass() never throws).
    if (options_.anchorer && now >= next_anchor) {
      options_.anchorer->pass();
      next_anchor = now + options_.anchor_poll_ms;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(1000), [&] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace civicloop::jobs
