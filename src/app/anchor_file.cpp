#include "app/anchor_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace civicloop::app {

namespace json = boost::json;

namespace {

constexpr std::int64_t kFormatVersion = 1;

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string system_message(int err) { return std::strerror(err); }

Error file_error(const char* code, const std::string& path, int err) {
  return make_error(code, path).with("reason", system_message(err));
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

std::optional<std::string> text_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int fsync_directory_of(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0) return errno;
  return ::fsync(d.fd) == 0 ? 0 : errno;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The first line of a key file that is neither empty nor a '#' comment, trimmed.
std::string first_value_line(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    const auto line = trim(std::string_view(text).substr(i, j - i));
    i = j + 1;
    if (!line.empty() && line.front() != '#') return std::string(line);
  }
  return "";
}

// Reads a small file from an open descriptor (key files are a line long).
std::optional<std::string> read_small(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      sodium_memzero(buf, sizeof buf);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 4096) break;  // no key file is this long; what follows is not read
  }
  sodium_memzero(buf, sizeof buf);
  return out;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

std::string anchor_to_json(const ledger::Anchor& a) {
  json::object o;
  o["v"] = kFormatVersion;
  o["tenant_id"] = a.tenant_id;
  o["seq"] = a.seq;
  o["head_hash"] = a.head_hash;
  o["at"] = a.at;
  o["key_id"] = a.key_id;
  o["signature"] = a.signature;
  return json::serialize(o);
}

std::optional<ledger::Anchor> anchor_from_json(std::string_view line) {
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto version = int_field(o, "v");
  const auto tenant = int_field(o, "tenant_id");
  const auto seq = int_field(o, "seq");
  const auto at = int_field(o, "at");
  auto head = text_field(o, "head_hash");
  auto key_id = text_field(o, "key_id");
  auto signature = text_field(o, "signature");
  if (version != kFormatVersion || !tenant || !seq || !at || !head || !key_id || !signature) {
    return std::nullopt;
  }
  ledger::Anchor a;
  a.tenant_id = *tenant;
  a.seq = *seq;
  a.at = *at;
  a.head_hash = std::move(*head);
  a.key_id = std::move(*key_id);
  a.signature = std::move(*signature);
  return a;
}

Expected<AnchorFileReport> read_anchor_file(const std::string& path,
                                            const std::function<void(ledger::Anchor)>& fn,
                                            bool missing_ok) {
  AnchorFileReport report;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::error_code ec;
    if (missing_ok && !std::filesystem::exists(path, ec) && !ec) return report;
    return file_error("anchor.file_unreadable", path, err != 0 ? err : ENOENT);
  }
  std::string line;
  while (std::getline(in, line)) {
    ++report.lines;
    // getline stops at EOF without a newline only on the last line: an append that did not finish.
    const bool finished = !in.eof();
    if (trim(line).empty()) continue;
    auto a = anchor_from_json(line);
    if (a) {
      ++report.anchors;
      fn(std::move(*a));
    } else if (finished) {
      report.malformed_lines.push_back(report.lines);
      spdlog::warn("anchor file {}: line {} is not an anchor (a torn write?); skipped", path,
                   report.lines);
    } else {
      report.torn_line = report.lines;
      spdlog::warn("anchor file {}: the last line {} is unfinished (a torn write); skipped", path,
                   report.lines);
    }
  }
  if (in.bad()) return file_error("anchor.file_unreadable", path, errno != 0 ? errno : EIO);
  return report;
}

Status append_anchors(const std::string& path, const std::vector<ledger::Anchor>& anchors) {
  // Read access only to look at the last byte; an append-only (chattr +a) file allows it.
  bool readable = true;
  bool created = false;
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd >= 0) {
      created = true;
    } else if (errno == EEXIST) {
      fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    }
  }
  if (fd < 0 && errno == EACCES) {
    readable = false;
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) return file_error("anchor.file_unwritable", path, errno);
  Fd file(fd);
  std::string data;
  struct stat st {};
  if (readable && ::fstat(fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
      spdlog::warn("anchor file {}: the last line was unfinished (a torn write); ending it", path);
      data += '\n';
    }
  }
  for (const auto& a : anchors) {
    data += anchor_to_json(a);
    data += '\n';
  }
  if (!data.empty() && !write_all(fd, data)) {
    return file_error("anchor.file_unwritable", path, errno);
  }
  if (::fsync(fd) != 0) return file_error("anchor.file_unwritable", path, errno);
  if (created) {
    if (const int err = fsync_directory_of(path); err != 0) {
      return file_error("anchor.file_unwritable", path, err);
    }
  }
  return Ok{};
}

Expected<ledger::SigningKey> load_signing_key(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return file_error("anchor.key_unreadable", path, errno);
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return file_error("anchor.key_unreadable", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return make_error("anchor.key_unreadable", path).with("reason", "not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error("anchor.key_mode", path).with("mode", octal_mode(st.st_mode));
  }
  auto text = read_small(fd.fd);
  if (!text) return file_error("anchor.key_unreadable", path, errno);
  auto value = first_value_line(*text);
  auto key = ledger::SigningKey::from_seed_hex(value);
  sodium_memzero(text->data(), text->size());
  sodium_memzero(value.data(), value.size());
  if (!key) return make_error("anchor.key_malformed", path);
  return std::move(*key);
}

Expected<ledger::SigningKey> create_signing_key(const std::string& path) {
  const std::string pub_path = path + ".pub";
  std::error_code ec;
  if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found &&
      !ec) {
    return make_error("anchor.key_exists", path);
  }
  if (std::filesystem::exists(pub_path, ec)) return make_error("anchor.key_exists", pub_path);
  auto key = ledger::SigningKey::generate();
  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.fd < 0) {
      if (errno == EEXIST) return make_error("anchor.key_exists", path);
      return file_error("anchor.key_unwritable", path, errno);
    }
    auto text = key.seed_hex() + "\n";
    const bool written = ::fchmod(fd.fd, 0600) == 0 && write_all(fd.fd, text);
    sodium_memzero(text.data(), text.size());
    if (!written || ::fsync(fd.fd) != 0) return file_error("anchor.key_unwritable", path, errno);
  }
  {
    Fd fd(::open(pub_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.fd < 0) {
      return file_error("anchor.key_unwritable", pub_path, errno);
    }
    if (!write_all(fd.fd, key.public_key().hex() + "\n") || ::fsync(fd.fd) != 0) {
      return file_error("anchor.key_unwritable", pub_path, errno);
    }
  }
  if (const int err = fsync_directory_of(path); err != 0) {
    return file_error("anchor.key_unwritable", path, err);
  }
  return key;
}

Expected<ledger::PublicKey> load_public_key(const std::string& hex_or_path) {
  if (auto k = ledger::PublicKey::from_hex(trim(hex_or_path))) return *k;
  Fd fd(::open(hex_or_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return file_error("anchor.public_key_unreadable", hex_or_path, errno);
  auto text = read_small(fd.fd);
  if (!text) return file_error("anchor.public_key_unreadable", hex_or_path, errno);
  if (auto k = ledger::PublicKey::from_hex(first_value_line(*text))) return *k;
  return make_error("anchor.public_key_malformed", hex_or_path);
}

}  // namespace civicloop::app
