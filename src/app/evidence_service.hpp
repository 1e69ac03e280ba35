// Photo evidence of a case: before (处置前), after (处置后), on-site fix (当场整改). The type is
// checked by content; EXIF GPS and time are kept; a thumbnail is made; an after-photo taken
// farther than the tenant's set distance from the problem, or before the case was dispatched, is
// flagged for the verifier. Bytes live in the media directory, named by their SHA-256, written
// and synced before the row that names them is committed.
#pragma once

#include <optional>
#include <string>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::app {

struct StoredFile {
  std::string content_type;
  std::string path;  // on disk, for the server to stream
};

class EvidenceService {
 public:
  EvidenceService(Context& ctx, CaseConfigCache& config) : ctx_(ctx), config_(config) {}

  Expected<storage::Attachment> upload(const access::Actor& actor, std::int64_t case_id,
                                       const std::string& stage, std::string_view bytes);
  // The original or the thumbnail, after the same scope check as the case.
  Expected<StoredFile> open(const access::Actor& actor, std::int64_t attachment_id, bool thumbnail);

 private:
  Context& ctx_;
  CaseConfigCache& config_;
};

std::vector<std::string> split_flags(const std::string& flags);

}  // namespace civicloop::app
