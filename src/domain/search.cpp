#include "domain/search.hpp"

#include <set>

namespace civicloop::search {

namespace {

// Decodes one UTF-8 code point at s[i]; returns its length (1 for a stray byte).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) n = 1;
  cp = n == 1 ? c : (n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return n;
}

bool is_cjk(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

bool is_word(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

// Full-width Latin letters and digits (ＡＢＣ１２３) read as their ASCII forms.
char32_t fold(char32_t cp) {
  if (cp >= 0xFF10 && cp <= 0xFF19) return cp - 0xFF10 + '0';
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp - 0xFF21 + 'a';
  if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 0xFF41 + 'a';
  if (cp >= 'A' && cp <= 'Z') return cp - 'A' + 'a';
  return cp;
}

struct Runs {
  std::vector<std::vector<std::string>> cjk;  // each run: its characters
  std::vector<std::string> words;
};

Runs split(std::string_view text) {
  Runs r;
  std::vector<std::string> run;
  std::string word;
  auto flush = [&] {
    if (!run.empty()) r.cjk.push_back(std::move(run));
    run.clear();
    if (!word.empty()) r.words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode(text, i, cp);
    cp = fold(cp);
    if (is_cjk(cp)) {
      if (!word.empty()) {
        r.words.push_back(std::move(word));
        word.clear();
      }
      run.emplace_back(text.substr(i, n));
    } else if (is_word(cp)) {
      if (!run.empty()) {
        r.cjk.push_back(std::move(run));
        run.clear();
      }
      word += static_cast<char>(cp);
    } else {
      flush();
    }
    i += n;
  }
  flush();
  return r;
}

}  // namespace

std::string document_terms(std::string_view text) {
  const auto r = split(text);
  std::set<std::string> terms;
  for (const auto& run : r.cjk) {
    for (std::size_t i = 0; i < run.size(); ++i) {
      terms.insert(run[i]);
      if (i + 1 < run.size()) terms.insert(run[i] + run[i + 1]);
    }
  }
  for (const auto& w : r.words) terms.insert(w.substr(0, 64));
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::vector<std::string> query_terms(std::string_view query) {
  const auto r = split(query);
  std::set<std::string> terms;
  for (const auto& run : r.cjk) {
    if (run.size() == 1) {
      terms.insert(run[0]);
    } else {
      for (std::size_t i = 0; i + 1 < run.size(); ++i) terms.insert(run[i] + run[i + 1]);
    }
  }
  for (const auto& w : r.words) terms.insert(w.substr(0, 64));
  return {terms.begin(), terms.end()};
}

}  // namespace civicloop::search
