// One pass: each block is laid out with Pango and drawn at once; a line or a table row that does
// not fit in the type area starts a new page (a table's header is drawn again there). Page numbers
// need no total ("— 2 —"), so nothing is laid out twice.
#include "reports/official_doc.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <new>
#include <numeric>
#include <stdexcept>
#include <string_view>

namespace civicloop::reports {
namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageW = 210 * kMm;
constexpr double kPageH = 297 * kMm;
constexpr double kTop = 37 * kMm;
constexpr double kLeft = 28 * kMm;
constexpr double kWidth = 156 * kMm;
constexpr double kBottom = kTop + 225 * kMm;

constexpr const char* kSerif = "Noto Serif CJK SC";
constexpr const char* kSans = "Noto Sans CJK SC";

constexpr double kMarkSize = 26;    // 一号: the issuing office's mark
constexpr double kTitleSize = 22;   // 二号
constexpr double kBodySize = 16;    // 三号
constexpr double kTableSize = 12;   // 小四: tables keep five columns legible in 156 mm
constexpr double kPageNoSize = 14;  // 四号

struct Rgb {
  double r, g, b;
};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kRed{0.8, 0, 0};

std::string clean(std::string_view in, bool keep_newlines) {
  std::string no_nul(in);
  no_nul.erase(std::remove(no_nul.begin(), no_nul.end(), '\0'), no_nul.end());
  gchar* valid = g_utf8_make_valid(no_nul.data(), static_cast<gssize>(no_nul.size()));
  std::string out;
  for (const gchar* p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    const gchar* next = g_utf8_next_char(p);
    if (c == '\n') {
      out += keep_newlines ? '\n' : ' ';
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029) {
      continue;
    } else {
      out.append(p, next);
    }
  }
  g_free(valid);
  return out;
}

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;

LayoutPtr make_layout(PangoContext* ctx, const std::string& text, const char* family, double size,
                      bool bold, double width, PangoAlignment align, double indent) {
  LayoutPtr l(pango_layout_new(ctx));
  PangoFontDescription* d = pango_font_description_new();
  pango_font_description_set_family(d, family);
  pango_font_description_set_weight(d, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
  pango_layout_set_font_description(l.get(), d);
  pango_font_description_free(d);
  pango_layout_set_text(l.get(), text.data(), static_cast<int>(text.size()));
  pango_layout_set_width(l.get(), pango_units_from_double(width));
  pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(l.get(), align);
  if (indent != 0) pango_layout_set_indent(l.get(), pango_units_from_double(indent));
  return l;
}

double height_of(PangoLayout* l) {
  PangoRectangle logical;
  pango_layout_get_extents(l, nullptr, &logical);
  return static_cast<double>(logical.height) / PANGO_SCALE;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

class Writer {
 public:
  Writer(cairo_t* cr, PangoContext* pc, std::string page_words)
      : cr_(cr), pc_(pc), page_words_(std::move(page_words)) {}

  double y() const { return y_; }
  void space(double h) { y_ += h; }

  // Draws a laid-out text line by line from y, breaking pages between lines.
  void text(PangoLayout* l, double x, Rgb color) {
    PangoLayoutIter* it = pango_layout_get_iter(l);
    double shift = 0;  // the layout's y where the current page's part starts
    bool first = true;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double top = static_cast<double>(logical.y) / PANGO_SCALE;
      const double bottom = static_cast<double>(logical.y + logical.height) / PANGO_SCALE;
      if (first) {
        shift = top - y_;
        first = false;
      }
      if (bottom - shift > kBottom) {
        new_page();
        shift = top - y_;
      }
      const double baseline = static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
      cairo_set_source_rgb(cr_, color.r, color.g, color.b);
      cairo_move_to(cr_, x + static_cast<double>(logical.x) / PANGO_SCALE, baseline - shift);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      y_ = bottom - shift;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void rule(double width, Rgb color) {
    cairo_set_source_rgb(cr_, color.r, color.g, color.b);
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, kLeft, y_);
    cairo_line_to(cr_, kLeft + kWidth, y_);
    cairo_stroke(cr_);
  }

  void table(const DocTable& t) {
    const std::size_t n = t.header.size();
    if (n == 0) return;
    std::vector<double> w = t.widths;
    w.resize(n, 1.0);
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    for (auto& x : w) x = x / total * kWidth;
    const double pad = 1.5 * kMm;
    auto draw_row = [&](const std::vector<DocTable::Cell>& cells, bool head) {
      std::vector<LayoutPtr> ls;
      double h = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::string s = i < cells.size() ? clean(cells[i].text, true) : std::string();
        ls.push_back(make_layout(pc_, s, head ? kSans : kSerif, kTableSize, head, w[i] - 2 * pad,
                                 head ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT, 0));
        h = std::max(h, height_of(ls.back().get()));
      }
      h += 2 * pad;
      if (y_ + h > kBottom && y_ > kTop + 1) {
        new_page();
        if (!head) draw_header();
      }
      double x = kLeft;
      for (std::size_t i = 0; i < n; ++i) {
        cairo_set_source_rgb(cr_, 0, 0, 0);
        cairo_set_line_width(cr_, 0.6);
        cairo_rectangle(cr_, x, y_, w[i], h);
        cairo_stroke(cr_);
        const Rgb c = i < cells.size() && cells[i].red ? kRed : kBlack;
        cairo_set_source_rgb(cr_, c.r, c.g, c.b);
        cairo_move_to(cr_, x + pad, y_ + pad);
        pango_cairo_show_layout(cr_, ls[i].get());
        x += w[i];
      }
      y_ += h;
    };
    std::vector<DocTable::Cell> head;
    for (const auto& h : t.header) head.push_back({h, false});
    draw_header = [&, head] { draw_row(head, true); };
    draw_header();
    if (t.rows.empty()) {
      std::vector<DocTable::Cell> none(n);
      none[0].text = t.none;
      draw_row(none, false);
    }
    for (const auto& r : t.rows) draw_row(r, false);
    draw_header = [] {};
  }

  void new_page() {
    finish_page();
    cairo_show_page(cr_);
    ++page_;
    y_ = kTop;
  }

  void finish_page() {
    std::string words = page_words_;
    if (auto at = words.find("{page}"); at != std::string::npos) {
      words.replace(at, 6, std::to_string(page_));
    }
    auto l =
        make_layout(pc_, clean(words, false), kSerif, kPageNoSize, false, kWidth - kPageNoSize * 2,
                    page_ % 2 == 1 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, 0);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_move_to(cr_, kLeft + kPageNoSize, kBottom + 7 * kMm);
    pango_cairo_show_layout(cr_, l.get());
  }

  PangoContext* pc() const { return pc_; }

 private:
  cairo_t* cr_;
  PangoContext* pc_;
  std::string page_words_;
  double y_ = kTop;
  int page_ = 1;
  std::function<void()> draw_header = [] {};
};

}  // namespace

std::string render_official_pdf(const OfficialDoc& doc) {
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(append_bytes, &out, kPageW, kPageH);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    throw std::runtime_error("render_official_pdf: cannot create the PDF surface");
  }
  const std::string title = clean(doc.title, false);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "civicloop");
  cairo_t* cr = cairo_create(surface);
  PangoContext* pc = pango_cairo_create_context(cr);
  {
    Writer w(cr, pc, doc.page);
    // 版头: the mark in red, the number two lines under it, the red separator 4 mm under that.
    auto mark = make_layout(pc, clean(doc.issuer, false), kSerif, kMarkSize, true, kWidth,
                            PANGO_ALIGN_CENTER, 0);
    w.text(mark.get(), kLeft, kRed);
    if (!doc.number.empty()) {
      w.space(kBodySize);
      auto num = make_layout(pc, clean(doc.number, false), kSerif, kBodySize, false, kWidth,
                             PANGO_ALIGN_CENTER, 0);
      w.text(num.get(), kLeft, kBlack);
    }
    w.space(4 * kMm);
    w.rule(2.0, kRed);
    // The title two lines under the separator.
    w.space(kBodySize * 2);
    auto t = make_layout(pc, title, kSerif, kTitleSize, true, kWidth, PANGO_ALIGN_CENTER, 0);
    w.text(t.get(), kLeft, kBlack);
    w.space(kBodySize);
    for (const auto& b : doc.blocks) {
      switch (b.kind) {
        case DocBlock::Kind::kHeading: {
          w.space(kBodySize * 0.4);
          auto l = make_layout(pc, clean(b.text, false), kSans, kBodySize, false, kWidth,
                               PANGO_ALIGN_LEFT, kBodySize * 2);
          w.text(l.get(), kLeft, kBlack);
          break;
        }
        case DocBlock::Kind::kParagraph: {
          auto l = make_layout(pc, clean(b.text, true), kSerif, kBodySize, false, kWidth,
                               PANGO_ALIGN_LEFT, kBodySize * 2);
          w.text(l.get(), kLeft, kBlack);
          break;
        }
        case DocBlock::Kind::kLine: {
          auto l = make_layout(pc, clean(b.text, true), kSerif, kBodySize, false, kWidth,
                               PANGO_ALIGN_LEFT, 0);
          w.text(l.get(), kLeft, kBlack);
          break;
        }
        case DocBlock::Kind::kTable:
          w.space(kBodySize * 0.4);
          w.table(b.table);
          w.space(kBodySize * 0.4);
          break;
      }
    }
    // 署名 and 成文日期: the date four characters in from the right, the name centred above it.
    w.space(kBodySize * 2);
    const double date_right = kLeft + kWidth - 4 * kBodySize;
    auto date = make_layout(pc, clean(doc.date, false), kSerif, kBodySize, false, kWidth,
                            PANGO_ALIGN_LEFT, 0);
    PangoRectangle dr;
    pango_layout_get_extents(date.get(), nullptr, &dr);
    const double date_w = static_cast<double>(dr.width) / PANGO_SCALE;
    auto sig = make_layout(pc, clean(doc.signature, false), kSerif, kBodySize, false, kWidth,
                           PANGO_ALIGN_LEFT, 0);
    PangoRectangle sr;
    pango_layout_get_extents(sig.get(), nullptr, &sr);
    const double sig_w = static_cast<double>(sr.width) / PANGO_SCALE;
    const double date_x = date_right - date_w;
    const double sig_x = std::max(kLeft, date_x + date_w / 2 - sig_w / 2);
    if (w.y() + kBodySize * 3 > kBottom) w.new_page();
    w.text(sig.get(), sig_x, kBlack);
    w.text(date.get(), date_x, kBlack);
    w.finish_page();
  }
  cairo_show_page(cr);
  g_object_unref(pc);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const auto status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string("render_official_pdf: ") + cairo_status_to_string(status));
  }
  return out;
}

}  // namespace civicloop::reports
