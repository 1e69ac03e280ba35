#include "app/evidence_service.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "app/auth_service.hpp"
#include "app/case_service.hpp"
#include "media/image.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

namespace fs = std::filesystem;

namespace {

std::string extension_for(std::string_view content_type) {
  if (content_type == "image/png") return ".png";
  if (content_type == "image/webp") return ".webp";
  return ".jpg";
}

// Writes bytes to path atomically (temporary file, fsync, rename, fsync of the directory), so that
// a file named in a committed row is complete on disk. Content-addressed: an existing file is kept.
bool write_durably(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  if (fs::exists(path, ec)) return true;
  fs::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
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

}  // namespace

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

Expected<storage::Attachment> EvidenceService::upload(const access::Actor& actor,
                                                      std::int64_t case_id,
                                                      const std::string& stage,
                                                      std::string_view bytes) {
  if (stage != "before" && stage != "after" && stage != "on_site") {
    return make_error("case.bad_stage", "stage");
  }
  media::Limits limits;
  limits.max_bytes = ctx_.settings.max_photo_bytes;
  auto inspected = media::inspect(bytes, limits);
  if (const auto* err = std::get_if<media::ImageError>(&inspected)) {
    return make_error(err->code, "file").with("reason", err->reason);
  }
  const auto info = std::get<media::ImageInfo>(inspected);
  auto thumb = media::thumbnail(bytes, 320, limits);
  if (const auto* err = std::get_if<media::ImageError>(&thumb)) {
    return make_error(err->code, "file").with("reason", err->reason);
  }
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const Millis now = ctx_.clock.now();

  // Read the case first: who may add which photo depends on it.
  auto pre =
      in_tx<cases::Record>(ctx_.db, false, [&](storage::Connection& c) -> Expected<cases::Record> {
        auto r = storage::CaseRepo(c, actor.tenant_id).find(case_id);
        if (!r) return make_error("case.not_found");
        if (!CaseService::in_scope(actor, *r)) return make_error("auth.out_of_scope");
        return *r;
      });
  if (!pre) return pre.error();
  if (cases::is_final(pre->state)) return make_error("case.finished");

  const std::string sha = sha256_hex(bytes);
  const auto content_type = std::string(media::to_string(info.type));
  if (!write_durably(media_path(ctx_.settings, actor.tenant_id, sha, extension_for(content_type)),
                     bytes) ||
      !write_durably(media_path(ctx_.settings, actor.tenant_id, sha, ".thumb.jpg"),
                     std::get<std::string>(thumb))) {
    throw storage::StorageError(storage::StorageError::Kind::kUnavailable,
                                "cannot write photo evidence to " + ctx_.settings.media_dir);
  }

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
        a.width = info.width;
        a.height = info.height;
        a.lat = info.lat;
        a.lng = info.lng;
        if (info.taken_at_local) {
          // EXIF time is the camera's local time: read it in the photo's own offset when given,
          // else in the tenant's zone.
          if (auto t = parse_iso_utc(*info.taken_at_local + "Z")) {
            const int offset = info.utc_offset_minutes.value_or(cfg.calendar.utc_offset_minutes());
            a.taken_at = *t - static_cast<Millis>(offset) * 60000;
          }
        }
        std::vector<std::string> flags;
        if (!a.lat) flags.emplace_back("no_gps");
        if (!a.taken_at) flags.emplace_back("no_time");
        if (stage != "before") {
          if (a.lat && r->lat &&
              cases::distance_m(*a.lat, *a.lng, *r->lat, *r->lng) >
                  cfg.workflow.evidence_distance_m) {
            flags.emplace_back("far_from_problem");
          }
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
    return f;
  });
}

}  // namespace civicloop::app
