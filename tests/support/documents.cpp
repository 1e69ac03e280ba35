#include "support/documents.hpp"

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace civicloop::test {

namespace {

// A file in TMPDIR holding bytes, removed when it goes out of scope.
class TempFile {
 public:
  TempFile(const std::string& bytes, const std::string& suffix) {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                        "/civicloop_doc_XXXXXX" + suffix;
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    const int fd = mkstemps(buf.data(), static_cast<int>(suffix.size()));
    if (fd < 0) throw std::runtime_error("mkstemps failed");
    close(fd);
    path_ = buf.data();
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

}  // namespace

namespace {
std::string pdf_text_with(const std::string& pdf_bytes, const std::string& mode) {
  TempFile f(pdf_bytes, ".pdf");
  std::string out;
  for (const char c : run("pdftotext " + mode + " '" + f.path() + "' - 2>/dev/null")) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}
}  // namespace

std::string pdf_text(const std::string& pdf_bytes) { return pdf_text_with(pdf_bytes, "-layout"); }

std::string pdf_reading_text(const std::string& pdf_bytes) {
  return pdf_text_with(pdf_bytes, "-raw");
}

std::string xlsx_text(const std::string& xlsx_bytes) {
  TempFile f(xlsx_bytes, ".xlsx");
  return run("unzip -p '" + f.path() +
             "' 'xl/sharedStrings.xml' 'xl/worksheets/*.xml' 2>/dev/null");
}

}  // namespace civicloop::test
