// Scheduled work inside the server: the deadline sweep (warnings, overdue, escalations) of the
// cases and of the meetings' action items, and after it the daily anchor digest
// (app/anchor_digest.hpp) and the scheduled bulletin drafts (the preset's bulletins.json
// "schedule": e.g. Monday 08:00 drafts the week before, once per period) and the units' digests
// (app/digest_service.hpp), the delivery of robot
// messages from the outbox and, when configured, the ledger anchors. One
// background thread; every pass is idempotent and all its state is in the database (the anchors'
// in their file), so a restart loses nothing and repeats nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "app/anchor_service.hpp"
#include "app/bulletin_service.hpp"
#include "app/case_config.hpp"
#include "app/case_service.hpp"
#include "app/context.hpp"
#include "app/digest_service.hpp"
#include "app/kpi_service.hpp"
#include "app/meeting_service.hpp"
#include "http/webhook.hpp"

namespace civicloop::jobs {

struct SchedulerOptions {
  int sweep_interval_ms = 30000;
  int outbox_interval_ms = 10000;
  int orphan_interval_ms = 3600000;  // media files no row names
  // The KPI projector: the case events since the watermark into the counters; 0: off.
  int kpi_interval_ms = 10000;
  Millis orphan_min_age_ms = 3600000;
  // Ledger anchors: none when null. A pass every anchor_poll_ms picks up close-outs promptly; the
  // Anchorer's own interval decides the rest. A last, forced pass runs when the scheduler stops.
  std::shared_ptr<app::Anchorer> anchorer;
  int anchor_poll_ms = 30000;
  http::WebhookClientOptions webhook;
};

struct OutboxStats {
  int delivered = 0;
  int retried = 0;
  int failed = 0;
};

// Posts the due outbox messages to their robots; records each attempt. Callable from tests.
OutboxStats deliver_outbox(app::Context& ctx, const http::WebhookClientOptions& options,
                           int max_items = 50);

class Scheduler {
 public:
  Scheduler(app::Context& ctx, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  void stop();

 private:
  void run();
  void run_passes();
  app::Context& ctx_;
  SchedulerOptions options_;
  app::CaseConfigCache config_;
  app::CaseService cases_;
  app::KpiService kpis_;
  app::BulletinService bulletins_;
  app::DigestService digests_;    // the units' daily and weekly digests
  app::MeetingService meetings_;  // the action items' sweep
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace civicloop::jobs
