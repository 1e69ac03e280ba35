// The history import run in the background for the HQ administrator's API (POST /api/v1/imports):
// the uploaded file is kept on disk under <media_dir>/imports/<tenant>/, one worker thread runs
// the imports one after another through app::import_cases, and the job's progress, counts and
// refusal report can be read while it runs and after. The request that starts one returns at once.
//
// Jobs live in memory: after a restart their status is gone, but nothing they wrote is, and the
// same file sent again finishes the job without duplicates (the import is idempotent).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/case_import.hpp"

namespace civicloop::app {

struct ImportJob {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t user_id = 0;
  std::string state = "queued";  // queued, running, done, failed
  std::string file_name;
  ImportFormat format = ImportFormat::kCsv;
  ImportCounts counts;
  std::optional<Error> error;  // failed: what was wrong with the file
  Millis created_at = 0;
  std::optional<Millis> finished_at;
};

class ImportJobs {
 public:
  // reason_text: the zh-CN text of a refusal for the report (the error catalogue).
  ImportJobs(Context& ctx, CaseConfigCache& config,
             std::function<std::string(const Error&)> reason_text);
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Checks the permission (cases.import), the file name (.csv or .xlsx) and the mapping (its
  // category codes against the tenant's) at once, then queues the import. "import.busy" when
  // several are already waiting.
  Expected<ImportJob> start(const access::Actor& actor, const std::string& file_name,
                            const std::string& bytes, std::string_view mapping_json);
  Expected<ImportJob> get(const access::Actor& actor, std::int64_t id);
  // The refusal report so far (the header alone before any refusal).
  Expected<std::string> refused_csv(const access::Actor& actor, std::int64_t id);
  // Waits until no job is queued or running (tests).
  void wait_idle();

 private:
  void work();
  std::filesystem::path dir(std::int64_t tenant) const;

  Context& ctx_;
  CaseConfigCache& config_;
  std::function<std::string(const Error&)> reason_text_;
  std::mutex mutex_;
  std::condition_variable changed_;
  struct Queued {
    std::int64_t id;
    access::Actor actor;
    ImportInput input;
  };
  std::deque<Queued> queue_;
  std::map<std::int64_t, ImportJob> jobs_;
  std::int64_t next_id_ = 1;
  bool running_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace civicloop::app
