// Photo evidence of a case: before (处置前), after (处置后), on-site fix (当场整改). The type is
// checked by content; EXIF GPS and time are kept; a thumbnail is made; an after-photo taken
// farther than the tenant's set distance from the problem, or before the case was dispatched, is
// flagged for the verifier. Bytes live in the media directory, named by their SHA-256, written
// and synced before the row that names them is committed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/worker_pool.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::app {

struct StoredFile {
  std::string content_type;
  std::string path;  // on disk, for the server to stream
  // Files are named by the SHA-256 of their bytes and never change: a strong validator.
  std::string etag;  // quoted, e.g. "\"3f2a…-t\"" for a thumbnail
};

struct OrphanSweep {
  int removed = 0;  // files no committed row names, and temporary files left by a crash
  int kept = 0;
};

// A photo checked and written to the media directory, not yet named by any row: what an upload
// of a case (or a meeting's action item, app/meeting_service.hpp) stores in its own row.
struct StoredPhoto {
  std::string sha256;
  std::string content_type;
  std::int64_t size = 0;
  int width = 0;
  int height = 0;
  std::optional<double> lat;
  std::optional<double> lng;
  std::optional<Millis> taken_at;  // UTC, from the EXIF time in its offset or the tenant's zone
};

class EvidenceService {
 public:
  EvidenceService(Context& ctx, CaseConfigCache& config);

  // In this order: the stage and the size; the case exists and is in the actor's scope and open;
  // an on_site or after photo only from an actor who may take an action that uses it now
  // (case.photo_not_allowed: fix_on_site, rectify; cases::may_add_photo); the actor's decode
  // budget; then the container walk, EXIF and thumbnail on the decode pool (media.busy when it is
  // full, media.rate_limited past the budget); the files are written under a unique temporary name
  // and renamed; the row and the ledger event are committed.
  Expected<storage::Attachment> upload(const access::Actor& actor, std::int64_t case_id,
                                       const std::string& stage, std::string_view bytes);
  // The checks every photo passes, whatever it is evidence of: the size, the container walk, EXIF
  // and thumbnail on the decode pool (media.busy, media.rate_limited past the actor's budget, the
  // media errors), then both files written durably. The caller commits a row that names the file
  // (before the orphan sweep's hour runs out).
  Expected<StoredPhoto> store_photo(const access::Actor& actor, std::string_view bytes,
                                    int utc_offset_minutes);
  // Where a stored photo (or its thumbnail) is, for the server to stream.
  StoredFile file_of(std::int64_t tenant, const std::string& sha256,
                     const std::string& content_type, bool thumbnail) const;
  // The original or the thumbnail, after the same scope check as the case.
  Expected<StoredFile> open(const access::Actor& actor, std::int64_t attachment_id, bool thumbnail);

 private:
  // Counts pixels against the actor's budget for the current minute; false when over it.
  bool take_budget(std::int64_t user_id, long long pixels, Millis now, Millis* retry_after);

  Context& ctx_;
  CaseConfigCache& config_;
  std::shared_ptr<WorkerPool> pool_;
  std::mutex budget_mutex_;
  struct Budget {
    Millis window_start = 0;
    long long pixels = 0;
  };
  std::map<std::int64_t, Budget> budgets_;
};

std::vector<std::string> split_flags(const std::string& flags);

// The media store, shared by photo evidence and archived documents (bulletin PDFs):
// <media_dir>/<tenant>/<sha256 prefix>/<sha256><suffix>. write_durably writes atomically
// (temporary file, fsync, rename, fsync of the directory), keeps an existing file (content
// addressed) and answers false when it cannot write.
std::filesystem::path media_path(const Settings& s, std::int64_t tenant, const std::string& sha,
                                 const std::string& suffix);
bool write_durably(const std::filesystem::path& path, std::string_view bytes);

// Removes media files older than min_age that no attachment row names (a crash between the write
// and the commit, or a refused upload), and temporary files of interrupted writes. Run by the
// scheduler every hour; min_age keeps files whose row is still on its way to a commit.
OrphanSweep sweep_orphan_media(Context& ctx, Millis min_age);

}  // namespace civicloop::app
