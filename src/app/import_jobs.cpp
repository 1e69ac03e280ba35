#include "app/import_jobs.hpp"

#include <fstream>

namespace civicloop::app {

namespace {
constexpr std::size_t kMaxQueued = 4;
}  // namespace

ImportJobs::ImportJobs(Context& ctx, CaseConfigCache& config,
                       std::function<std::string(const Error&)> reason_text)
    : ctx_(ctx), config_(config), reason_text_(std::move(reason_text)) {
  worker_ = std::thread([this] { work(); });
}

ImportJobs::~ImportJobs() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

std::filesystem::path ImportJobs::dir(std::int64_t tenant) const {
  return std::filesystem::path(ctx_.settings.media_dir) / "imports" / std::to_string(tenant);
}

Expected<ImportJob> ImportJobs::start(const access::Actor& actor, const std::string& file_name,
                                      const std::string& bytes, std::string_view mapping_json) {
  if (auto s = access::require(actor, access::Permission::kCasesImport); !s) return s.error();
  const auto format = import_format_of(file_name);
  if (!format) return make_error("import.unsupported_format", "file_name");
  auto mapping = parse_import_mapping(mapping_json);
  if (!mapping) return mapping.error();
  auto cfg = config_.get(actor.tenant_id);
  if (!cfg) return cfg.error();
  if (auto s = check_import_categories(**cfg, *mapping); !s) return s.error();
  std::unique_lock lock(mutex_);
  if (queue_.size() >= kMaxQueued) return make_error("import.busy");
  ImportJob job;
  job.id = next_id_++;
  job.tenant_id = actor.tenant_id;
  job.user_id = actor.user_id;
  job.file_name = std::filesystem::path(file_name).filename().string();
  job.format = *format;
  job.created_at = ctx_.clock.now();
  const auto d = dir(actor.tenant_id);
  std::filesystem::create_directories(d);
  const auto path =
      d / (std::to_string(job.id) + (*format == ImportFormat::kXlsx ? ".xlsx" : ".csv"));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return make_error("import.unreadable");
  }
  jobs_[job.id] = job;
  queue_.push_back({job.id, actor, ImportInput{path.string(), *format, std::move(*mapping)}});
  lock.unlock();
  changed_.notify_all();
  return job;
}

Expected<ImportJob> ImportJobs::get(const access::Actor& actor, std::int64_t id) {
  if (auto s = access::require(actor, access::Permission::kCasesImport); !s) return s.error();
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.tenant_id != actor.tenant_id) {
    return make_error("import.not_found");
  }
  return it->second;
}

Expected<std::string> ImportJobs::refused_csv(const access::Actor& actor, std::int64_t id) {
  auto job = get(actor, id);
  if (!job) return job.error();
  std::ifstream in(dir(actor.tenant_id) / (std::to_string(id) + ".refused.csv"), std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (out.empty()) out = "\xEF\xBB\xBFrow,original_no,reason_code,reason\r\n";
  return out;
}

void ImportJobs::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !running_; });
}

void ImportJobs::work() {
  for (;;) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto q = std::move(queue_.front());
    queue_.pop_front();
    running_ = true;
    jobs_[q.id].state = "running";
    lock.unlock();

    const auto report_path = dir(q.actor.tenant_id) / (std::to_string(q.id) + ".refused.csv");
    RefusedReport report(report_path.string(), reason_text_);
    ImportSink sink;
    sink.refused = [&](const RefusedRow& r) { report.add(r); };
    sink.progress = [&](const ImportCounts& c) {
      std::lock_guard g(mutex_);
      jobs_[q.id].counts = c;
    };
    ImportCounts counts;
    std::optional<Error> error;
    try {
      auto done = import_cases(ctx_, config_, q.actor, q.input, sink, counts);
      if (!done) error = done.error();
    } catch (const std::exception& e) {
      error = make_error("unavailable");
    }
    report.close();
    std::error_code ec;
    std::filesystem::remove(q.input.path, ec);

    lock.lock();
    auto& job = jobs_[q.id];
    job.counts = counts;
    job.error = error;
    job.state = error ? "failed" : "done";
    job.finished_at = ctx_.clock.now();
    running_ = false;
    lock.unlock();
    changed_.notify_all();
  }
}

}  // namespace civicloop::app
