#include "app/backup_manifest.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace civicloop::app {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::size_t kChunk = 1 << 20;

std::string hex_of(const std::array<unsigned char, crypto_hash_sha256_BYTES>& d) {
  std::string hex(64, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, d.data(), d.size());
  return hex;
}

[[noreturn]] void fail(const std::string& what, const fs::path& p) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

// A relative path of plain components: no "..", no root, no empty part.
bool safe_relative(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  for (const auto& part : fs::path(p)) {
    if (part == ".." || part == "." || part.empty()) return false;
  }
  return true;
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Error malformed(std::string reason) {
  return make_error("backup.manifest_malformed").with("reason", std::move(reason));
}

}  // namespace

std::string manifest_to_json(const BackupManifest& m) {
  json::object o;
  o["format"] = kBackupFormat;
  o["version"] = m.version;
  o["civicloop_version"] = m.civicloop_version;
  o["created_at"] = m.created_at;
  o["dialect"] = m.dialect;
  o["schema_migration"] = m.schema_migration;
  o["database"] = m.database;
  o["anchors"] = m.anchors ? json::value(*m.anchors) : json::value(nullptr);
  json::object tables;
  for (const auto& [t, n] : m.tables) tables[t] = n;
  json::object counts;
  counts["tables"] = std::move(tables);
  counts["media_files"] = m.media_files;
  counts["anchors"] = m.anchor_lines;
  o["counts"] = std::move(counts);
  json::array files;
  files.reserve(m.files.size());
  for (const auto& f : m.files) {
    files.push_back(json::object{{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  o["files"] = std::move(files);
  return json::serialize(o) + "\n";
}

Expected<BackupManifest> manifest_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return malformed("not a JSON object");
  const auto& o = v.as_object();
  const auto* format = o.if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != kBackupFormat) {
    return malformed("not a civicloop backup manifest");
  }
  BackupManifest m;
  const auto* version = o.if_contains("version");
  if (version == nullptr || !version->is_int64()) return malformed("no version");
  if (version->as_int64() != kBackupFormatVersion) {
    return make_error("backup.unsupported_version")
        .with("version", std::to_string(version->as_int64()))
        .with("supported", std::to_string(kBackupFormatVersion));
  }
  m.version = static_cast<int>(version->as_int64());
  try {
    m.civicloop_version = std::string(o.at("civicloop_version").as_string());
    m.created_at = o.at("created_at").as_int64();
    m.dialect = std::string(o.at("dialect").as_string());
    m.schema_migration = static_cast<int>(o.at("schema_migration").as_int64());
    m.database = std::string(o.at("database").as_string());
    if (const auto& a = o.at("anchors"); a.is_string()) m.anchors = std::string(a.as_string());
    const auto& counts = o.at("counts").as_object();
    for (const auto& [t, n] : counts.at("tables").as_object()) {
      m.tables[std::string(t)] = n.as_int64();
    }
    m.media_files = counts.at("media_files").as_int64();
    m.anchor_lines = counts.at("anchors").as_int64();
    for (const auto& f : o.at("files").as_array()) {
      const auto& fo = f.as_object();
      BackupFile b{std::string(fo.at("path").as_string()), fo.at("size").as_int64(),
                   std::string(fo.at("sha256").as_string())};
      if (!safe_relative(b.path)) return malformed("unsafe path " + b.path);
      if (!is_hex64(b.sha256) || b.size < 0) return malformed("bad entry for " + b.path);
      m.files.push_back(std::move(b));
    }
  } catch (const std::exception&) {
    return malformed("a field is missing or of the wrong type");
  }
  if (m.dialect != "sqlite" && m.dialect != "postgresql") return malformed("unknown dialect");
  if (!safe_relative(m.database)) return malformed("unsafe database path");
  return m;
}

BackupFile hash_file(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", file);
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<unsigned char> buf(kChunk);
  std::int64_t size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("cannot read", file);
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
    size += n;
  }
  ::close(fd);
  std::array<unsigned char, crypto_hash_sha256_BYTES> d{};
  crypto_hash_sha256_final(&st, d.data());
  return BackupFile{"", size, hex_of(d)};
}

BackupFile copy_and_hash(const fs::path& src, const fs::path& dst, const std::string& rel,
                         bool sync) {
  const int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("cannot open", src);
  const int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (out < 0) {
    ::close(in);
    fail("cannot create", dst);
  }
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<unsigned char> buf(kChunk);
  std::int64_t size = 0;
  for (;;) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(in);
      ::close(out);
      fail("cannot read", src);
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        ::close(in);
        ::close(out);
        fail("cannot write", dst);
      }
      done += w;
    }
    size += n;
  }
  ::close(in);
  if ((sync && ::fsync(out) != 0) || ::close(out) != 0) fail("cannot write", dst);
  std::array<unsigned char, crypto_hash_sha256_BYTES> d{};
  crypto_hash_sha256_final(&st, d.data());
  return BackupFile{rel, size, hex_of(d)};
}

void sync_filesystem(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  const int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) fail("cannot sync", path);
}

Expected<BackupManifest> verify_backup(const fs::path& dir) {
  const auto file = dir / kManifestFile;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return make_error("backup.manifest_missing", dir.string());
  }
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = manifest_from_json(text);
  if (!m) return m.error();
  bool database_listed = false;
  for (const auto& f : m->files) {
    database_listed = database_listed || f.path == m->database;
    const auto p = dir / f.path;
    if (!fs::is_regular_file(p, ec)) return make_error("backup.file_missing", f.path);
    BackupFile got;
    try {
      got = hash_file(p);
    } catch (const std::exception& e) {
      return make_error("backup.file_missing", f.path);
    }
    if (got.size != f.size || got.sha256 != f.sha256) {
      return make_error("backup.file_corrupt", f.path)
          .with("expected", f.sha256)
          .with("found", got.sha256);
    }
  }
  if (!database_listed) return malformed("the database file is not listed");
  return m;
}

}  // namespace civicloop::app
