// Full-text search over Chinese and Latin text without a Chinese word segmenter: every run of
// CJK characters is indexed as its single characters and its overlapping pairs (bigrams), Latin
// letters and digits as lower-cased words. A query matches when every one of its terms is in the
// document: "垃圾满溢" asks for 垃圾, 圾满 and 满溢. This is how CJK analysers in search engines
// work (Lucene's CJKAnalyzer); it finds any substring of two or more characters and any word.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace civicloop::search {

// The indexable form of a text: its terms, space-separated, each at most once.
std::string document_terms(std::string_view text);
// The terms a query asks for (empty for a query with no letters).
std::vector<std::string> query_terms(std::string_view query);

}  // namespace civicloop::search
