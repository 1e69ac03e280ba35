#include "app/evidence_service.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "app/auth_service.hpp"
#include "app/case_service.hpp"
#include "media/image.hpp"
#include "storage/bulletin_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/meeting_repo.hpp"

namespace civicloop::app {

// How much older than the report a before-photo may be before it is flagged: a day.
constexpr Millis kBeforePhotoMaxAge = 24LL * 3600 * 1000;

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempMarker = ".tmp.";

std::string extension_for(std::string_view content_type) {
  if (content_type == "image/png") return ".png";
  if (content_type == "image/webp") return ".webp";
  return ".jpg";
}

}  // namespace

// Writes bytes to path atomically (temporary file, fsync, rename, fsync of the directory), so that
// a file named in a committed row is complete on disk. Content-addressed: an existing file is kept.
bool write_durably(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  if (fs::exists(path, ec)) return true;
  fs::create_directories(path.parent_path(), ec);
  // A name of its own for every writer: two uploads of the same bytes at once must not write
  // into one temporary file. mkstemp creates it 0600 and exclusively.
  std::string tmp = path.string() + kTempMarker + "XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

fs::path media_path(const Settings& s, std::int64_t tenant, const std::string& sha,
                    const std::string& suffix) {
  return fs::path(s.media_dir) / std::to_string(tenant) / sha.substr(0, 2) / (sha + suffix);
}

std::vector<std::string> split_flags(const std::string& flags) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < flags.size()) {
    auto j = flags.find(',', i);
    if (j == std::string::npos) j = flags.size();
    if (j > i) out.push_back(flags.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

EvidenceService::EvidenceService(Context& ctx, CaseConfigCache& config)
    : ctx_(ctx),
      config_(config),
      pool_(std::make_shared<WorkerPool>(ctx.settings.decode_threads, ctx.settings.decode_queue)) {}

bool EvidenceService::take_budget(std::int64_t user_id, long long pixels, Millis now,
                                  Millis* retry_after) {
  constexpr Millis kMinute = 60000;
  std::lock_guard lock(budget_mutex_);
  if (budgets_.size() > 10000) {
    // Bounded: windows that have ended carry no information.
    std::erase_if(budgets_,
                  [&](const auto& kv) { return now - kv.second.window_start >= kMinute; });
  }
  auto& b = budgets_[user_id];
  if (now - b.window_start >= kMinute) b = Budget{now, 0};
  if (b.pixels + pixels > ctx_.settings.decode_pixels_per_user_minute && b.pixels > 0) {
    *retry_after = b.window_start + kMinute - now;
    return false;
  }
  b.pixels += pixels;
  return true;
}

Expected<storage::Attachment> EvidenceService::upload(const access::Actor& actor,
                                                      std::int64_t case_id,
                                                      const std::string& stage,
                                                      std::string_view bytes) {
  if (stage != "before" && stage != "after" && stage != "on_site") {
    return make_error("case.bad_stage", "stage");
  }
  if (bytes.size() > ctx_.settings.max_photo_bytes) {
    return make_error("media.too_large", "file")
        .with("max", std::to_string(ctx_.settings.max_photo_bytes));
  }
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const Millis now = ctx_.clock.now();

  // The case first: nothing is decoded for a case that does not exist or is not the actor's.
  auto pre =
      in_tx<cases::Record>(ctx_.db, false, [&](storage::Connection& c) -> Expected<cases::Record> {
        auto r = storage::CaseRepo(c, actor.tenant_id).find(case_id);
        if (!r) return make_error("case.not_found");
        if (!CaseService::in_scope(actor, *r)) return make_error("auth.out_of_scope");
        if (cases::is_final(r->state)) return make_error("case.finished");
        // The photo of an action (on_site, after) only from whom may take that action now: a
        // refused action must leave nothing behind on the case.
        if (auto ok = cases::may_add_photo(stage, CaseService::allowed_for(c, actor, *r)); !ok) {
          return ok.error();
        }
        return *r;
      });
  if (!pre) return pre.error();

  auto stored = store_photo(actor, bytes, cfg.calendar.utc_offset_minutes());
  if (!stored) return stored.error();
  const auto& p = *stored;
  const std::string& sha = p.sha256;
  const std::string& content_type = p.content_type;

  return in_tx<storage::Attachment>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::Attachment> {
        storage::CaseRepo repo(c, actor.tenant_id);
        auto r = repo.find(case_id);
        if (!r) return make_error("case.not_found");
        storage::Attachment a;
        a.id = storage::next_id(c, actor.tenant_id, "attachments");
        a.case_id = case_id;
        a.stage = stage;
        a.content_type = content_type;
        a.size = static_cast<std::int64_t>(bytes.size());
        a.sha256 = sha;
        a.width = p.width;
        a.height = p.height;
        a.lat = p.lat;
        a.lng = p.lng;
        a.taken_at = p.taken_at;
        std::vector<std::string> flags;
        if (!a.lat) flags.emplace_back("no_gps");
        if (!a.taken_at) flags.emplace_back("no_time");
        // Every photo is checked against the problem's place; a before-photo also against the
        // time of the report (a picture from days earlier may show another day's problem).
        if (a.lat && r->lat &&
            cases::distance_m(*a.lat, *a.lng, *r->lat, *r->lng) >
                cfg.workflow.evidence_distance_m) {
          flags.emplace_back("far_from_problem");
        }
        if (stage == "before" && a.taken_at && *a.taken_at < r->reported_at - kBeforePhotoMaxAge) {
          flags.emplace_back("taken_before_report");
        }
        if (stage != "before") {
          const auto since =
              r->dispatched_at ? r->dispatched_at : std::optional<Millis>(r->reported_at);
          if (a.taken_at && stage == "after" && since && *a.taken_at < *since) {
            flags.emplace_back("taken_before_dispatch");
          }
        }
        for (const auto& f : flags) a.flags += (a.flags.empty() ? "" : ",") + f;
        if (actor.user_id != 0) a.uploaded_by = actor.user_id;
        a.uploaded_at = now;
        repo.insert_attachment(a);
        auto ev = make_event(actor, now, "case", case_id, "attach", std::nullopt,
                             "{\"attachment\":" + std::to_string(a.id) + ",\"stage\":\"" + stage +
                                 "\",\"sha256\":\"" + sha + "\"}");
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return a;
      });
}

Expected<StoredPhoto> EvidenceService::store_photo(const access::Actor& actor,
                                                   std::string_view bytes, int utc_offset_minutes) {
  if (bytes.size() > ctx_.settings.max_photo_bytes) {
    return make_error("media.too_large", "file")
        .with("max", std::to_string(ctx_.settings.max_photo_bytes));
  }
  const Millis now = ctx_.clock.now();
  // Decoding, off the HTTP threads and bounded: the walk refuses what declares too many pixels or
  // decoded bytes before libvips sees it; each account has a budget of pixels per minute.
  media::Limits limits;
  limits.max_bytes = ctx_.settings.max_photo_bytes;
  auto header = pool_->run([&] { return media::inspect(bytes, limits); });
  if (!header) return make_error("media.busy");
  if (const auto* err = std::get_if<media::ImageError>(&*header)) {
    return make_error(err->code, "file").with("reason", err->reason);
  }
  const auto info = std::get<media::ImageInfo>(*header);
  Millis retry_after = 0;
  if (!take_budget(actor.user_id, static_cast<long long>(info.width) * info.height, now,
                   &retry_after)) {
    return make_error("media.rate_limited", "file")
        .with("retry_after_seconds", std::to_string((retry_after + 999) / 1000));
  }
  auto thumbnail = pool_->run([&] { return media::thumbnail(bytes, 320, limits); });
  if (!thumbnail) return make_error("media.busy");
  if (const auto* err = std::get_if<media::ImageError>(&*thumbnail)) {
    return make_error(err->code, "file").with("reason", err->reason);
  }
  const auto& thumb = *thumbnail;

  const std::string sha = sha256_hex(bytes);
  const auto content_type = std::string(media::to_string(info.type));
  if (!write_durably(media_path(ctx_.settings, actor.tenant_id, sha, extension_for(content_type)),
                     bytes) ||
      !write_durably(media_path(ctx_.settings, actor.tenant_id, sha, ".thumb.jpg"),
                     std::get<std::string>(thumb))) {
    throw storage::StorageError(storage::StorageError::Kind::kUnavailable,
                                "cannot write photo evidence to " + ctx_.settings.media_dir);
  }

  StoredPhoto p;
  p.sha256 = sha;
  p.content_type = content_type;
  p.size = static_cast<std::int64_t>(bytes.size());
  p.width = info.width;
  p.height = info.height;
  p.lat = info.lat;
  p.lng = info.lng;
  if (info.taken_at_local) {
    // EXIF time is the camera's local time: read it in the photo's own offset when given, else
    // in the tenant's zone.
    if (auto t = parse_iso_utc(*info.taken_at_local + "Z")) {
      const int offset = info.utc_offset_minutes.value_or(utc_offset_minutes);
      p.taken_at = *t - static_cast<Millis>(offset) * 60000;
    }
  }
  return p;
}

StoredFile EvidenceService::file_of(std::int64_t tenant, const std::string& sha256,
                                    const std::string& content_type, bool thumbnail) const {
  StoredFile f;
  f.content_type = thumbnail ? "image/jpeg" : content_type;
  f.path = media_path(ctx_.settings, tenant, sha256,
                      thumbnail ? ".thumb.jpg" : extension_for(content_type))
               .string();
  f.etag = "\"" + sha256 + (thumbnail ? "-t" : "") + "\"";
  return f;
}

Expected<StoredFile> EvidenceService::open(const access::Actor& actor, std::int64_t id,
                                           bool thumbnail) {
  return in_tx<StoredFile>(ctx_.db, false, [&](storage::Connection& c) -> Expected<StoredFile> {
    storage::CaseRepo repo(c, actor.tenant_id);
    auto a = repo.find_attachment(id);
    if (!a) return make_error("case.attachment_not_found");
    auto r = repo.find(a->case_id);
    if (!r || !CaseService::in_scope(actor, *r)) return make_error("auth.out_of_scope");
    // A reporter sees his own photos and those that show the result, not the units' others.
    if (CaseService::reporter_only(actor, *r) &&
        !cases::photo_shown_to_reporter(a->stage, a->uploaded_by == actor.user_id)) {
      return make_error("auth.out_of_scope");
    }
    StoredFile f;
    f.content_type = thumbnail ? "image/jpeg" : a->content_type;
    f.path = media_path(ctx_.settings, actor.tenant_id, a->sha256,
                        thumbnail ? ".thumb.jpg" : extension_for(a->content_type))
                 .string();
    f.etag = "\"" + a->sha256 + (thumbnail ? "-t" : "") + "\"";
    return f;
  });
}

OrphanSweep sweep_orphan_media(Context& ctx, Millis min_age) {
  OrphanSweep out;
  std::error_code ec;
  const fs::path root(ctx.settings.media_dir);
  if (!fs::is_directory(root, ec)) return out;
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::milliseconds(min_age);
  for (const auto& tenant_dir : fs::directory_iterator(root, ec)) {
    const auto tenant_name = tenant_dir.path().filename().string();
    if (!tenant_dir.is_directory() || tenant_name.empty() ||
        tenant_name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const std::int64_t tenant = std::stoll(tenant_name);
    for (const auto& entry : fs::recursive_directory_iterator(tenant_dir.path(), ec)) {
      if (!entry.is_regular_file(ec)) continue;
      if (entry.last_write_time(ec) > cutoff) {
        ++out.kept;  // young: its row may still be on its way to a commit
        continue;
      }
      const auto name = entry.path().filename().string();
      bool orphan = name.find(kTempMarker) != std::string::npos;
      if (!orphan) {
        const auto sha = name.substr(0, name.find('.'));
        auto used = in_tx<bool>(ctx.db, false, [&](storage::Connection& c) -> Expected<bool> {
          // Photos of cases and of action items, and the archived PDFs of published bulletins.
          return storage::CaseRepo(c, tenant).attachment_file_in_use(sha) ||
                 storage::BulletinRepo(c, tenant).pdf_in_use(sha) ||
                 storage::MeetingRepo(c, tenant).photo_in_use(sha);
        });
        orphan = used.ok() && !*used;
      }
      if (orphan && fs::remove(entry.path(), ec)) {
        ++out.removed;
      } else {
        ++out.kept;
      }
    }
  }
  return out;
}

}  // namespace civicloop::app
