// Rendering in two passes, as the notice does (reports/pdf_kit.hpp): lay out with Pango and
// record each page's drawing, then replay onto the PDF surface with the page numbers. Photos are
// embedded as the JPEG bytes themselves (cairo's JPEG MIME data on a surface of the photo's
// size), never decoded here: a 20-photo bulletin costs the bytes of 20 thumbnails.
#include "reports/bulletin_pdf.hpp"

#include <cairo-pdf.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "reports/pdf_kit.hpp"

namespace civicloop::reports {
namespace {

using namespace pdf;  // NOLINT: the shared document pieces

// GB/T 9704-2012: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
constexpr Page kPage{.page_w = 210 * kMm,
                     .page_h = 297 * kMm,
                     .margin_top = 37 * kMm,
                     .margin_bottom = 297 * kMm - 37 * kMm - 225 * kMm,
                     .margin_left = 28 * kMm,
                     .margin_right = 210 * kMm - 28 * kMm - 156 * kMm};

// Sizes (号 in points): 二号 22 title, 三号 16 body and headings, 四号 14 page numbers and imprint.
constexpr double kTitleSize = 22;
constexpr double kBodySize = 16;
constexpr double kPageNoSize = 14;
constexpr double kTableSize = 10.5;  // 五号: a ranking of twenty units fits the width
constexpr double kCaptionSize = 12;  // 小四
constexpr double kMarkSize = 30;     // the issuing-office mark, shrunk to fit one line
// 22 lines in 225 mm: 29 pt a line for 16 pt text. Noto CJK's line is 1.448 em high.
constexpr double kBodyLineSpacing = (225 * kMm / 22) / (kBodySize * 1.448);

// Three faces: the song face for the body and numbers, its bold for the mark and the title
// (小标宋 is a bold song face), the sans face for level-1 headings and table headers (黑体).
constexpr const char* kSerif = "Noto Serif CJK SC";
constexpr const char* kSans = "Noto Sans CJK SC";

void check(cairo_status_t s, const char* what) { pdf::check(s, "render_bulletin_pdf", what); }

struct MimeBytes {
  std::string bytes;
};
void free_mime(void* p) { delete static_cast<MimeBytes*>(p); }

// An image surface of the photo's size carrying the JPEG as MIME data: the PDF surface embeds the
// bytes as they are (DCTDecode). Null when there are no bytes or no size.
std::shared_ptr<cairo_surface_t> jpeg_surface(const BulletinPhoto& p) {
  if (p.jpeg.empty() || p.width <= 0 || p.height <= 0 || p.width > 8192 || p.height > 8192) {
    return nullptr;
  }
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, p.width, p.height);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return nullptr;
  }
  auto* data = new MimeBytes{p.jpeg};
  const auto st = cairo_surface_set_mime_data(
      s, CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(data->bytes.data()),
      data->bytes.size(), free_mime, data);
  if (st != CAIRO_STATUS_SUCCESS) {
    delete data;
    cairo_surface_destroy(s);
    return nullptr;
  }
  return {s, cairo_surface_destroy};
}

class Writer {
 public:
  Writer(PangoContext* pc, const BulletinDoc& doc) : pc_(pc), doc_(doc), c_(kPage) {}

  Composer& composer() { return c_; }
  double em() const { return kBodySize; }

  Text body_text(const std::string& s, PangoAlignment align = PANGO_ALIGN_LEFT,
                 double indent = 2 * kBodySize) {
    return make_text(
        pc_, s, Font{kSerif, kBodySize},
        {.width = c_.width(), .align = align, .indent = indent, .line_spacing = kBodyLineSpacing});
  }

  void header() {
    const std::string mark = clean(doc_.issuer_mark, false);
    if (!mark.empty()) {
      // Shrunk to fit one line, letter spacing included.
      auto mark_text = [&](double size, double width) {
        return make_text(pc_, mark, Font{kSerif, size, true},
                         {.width = width,
                          .align = PANGO_ALIGN_CENTER,
                          .color = kRed,
                          .letter_spacing = size * 0.05});
      };
      double size = kMarkSize;
      const Text probe = mark_text(size, -1);
      if (probe.width > c_.width() * 0.98) {
        size = std::max(size * c_.width() * 0.98 / probe.width, size * 0.5);
      }
      const Text t = mark_text(size, c_.width());
      c_.flow(t, c_.left());
    }
    // Two blank lines, the number, 4 mm, the red separator.
    c_.skip(2 * 0.5 * em());
    const std::string number = clean(doc_.number, false);
    if (!number.empty()) c_.flow(body_text(number, PANGO_ALIGN_CENTER, 0), c_.left());
    c_.skip(4 * kMm);
    c_.add(rule_op(c_.left(), c_.y(), c_.right(), 1.5, kRed));
    c_.skip(1.5);
    // Two blank lines under the separator, the title.
    c_.skip(2 * em() * 0.9);
    const std::string title = clean(doc_.title, true);
    if (!title.empty()) {
      const Text t =
          make_text(pc_, title, Font{kSerif, kTitleSize, true},
                    {.width = c_.width() * 0.9, .align = PANGO_ALIGN_CENTER, .line_spacing = 1.15});
      c_.flow(t, c_.left() + c_.width() * 0.05);
    }
    // One blank line, the addressees flush left.
    c_.skip(em() * 1.2);
    const std::string to = clean(doc_.addressees, false);
    if (!to.empty()) c_.flow(body_text(to, PANGO_ALIGN_LEFT, 0), c_.left());
  }

  void paragraphs(const std::string& text) {
    const std::string t = clean(text, true);
    if (t.empty()) return;
    c_.flow(body_text(t), c_.left());
  }

  void heading(const std::string& s, bool level1) {
    const std::string h = clean(s, false);
    if (h.empty()) return;
    const Font f = level1 ? Font{kSans, kBodySize} : Font{kSerif, kBodySize, true};
    const Text t =
        make_text(pc_, h, f,
                  {.width = c_.width(), .indent = 2 * kBodySize, .line_spacing = kBodyLineSpacing});
    // Keep a heading with at least two lines of what follows.
    if (!c_.fits(t.height + 2 * kBodySize * 1.5) && !c_.at_page_top()) c_.new_page();
    c_.flow(t, c_.left());
  }

  void table(const BulletinTable& tb) {
    const std::size_t n = tb.header.size();
    if (n == 0) return;
    std::vector<double> shares = tb.shares;
    if (shares.size() != n) shares.assign(n, 1.0 / static_cast<double>(n));
    std::vector<double> xs(n + 1, c_.left());
    for (std::size_t i = 0; i < n; ++i) xs[i + 1] = xs[i] + shares[i] * c_.width();
    xs[n] = c_.right();
    const double pad = kTableSize * 0.35;
    auto row_texts = [&](const std::vector<std::string>& cells, bool head) {
      std::vector<Text> out;
      for (std::size_t i = 0; i < n; ++i) {
        const std::string s = i < cells.size() ? clean(cells[i], false) : std::string();
        out.push_back(
            make_text(pc_, s, head ? Font{kSans, kTableSize} : Font{kSerif, kTableSize},
                      {.width = xs[i + 1] - xs[i] - 2 * pad, .align = PANGO_ALIGN_CENTER}));
      }
      return out;
    };
    auto height_of = [&](const std::vector<Text>& ts) {
      double h = 0;
      for (const auto& t : ts) h = std::max(h, t.height);
      return h + 2 * pad;
    };
    const auto head = row_texts(tb.header, true);
    const double head_h = height_of(head);
    auto put_row = [&](const std::vector<Text>& ts, double h, bool is_head) {
      const double y = c_.y();
      if (is_head) {
        c_.add([x0 = xs.front(), x1 = xs.back(), y, h](cairo_t* cr) {
          set_color(cr, kHeaderFill);
          cairo_rectangle(cr, x0, y, x1 - x0, h);
          cairo_fill(cr);
        });
      }
      for (std::size_t i = 0; i < n; ++i) {
        c_.place(ts[i], xs[i] + pad, y + (h - ts[i].height) / 2);
      }
      c_.add([xs, y, h](cairo_t* cr) {
        set_color(cr, kBlack);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, xs.front(), y, xs.back() - xs.front(), h);
        for (std::size_t i = 1; i + 1 < xs.size(); ++i) {
          cairo_move_to(cr, xs[i], y);
          cairo_line_to(cr, xs[i], y + h);
        }
        cairo_stroke(cr);
      });
      c_.set_y(y + h);
    };
    c_.skip(kBodySize * 0.3);
    if (!c_.fits(head_h * 2) && !c_.at_page_top()) c_.new_page();
    put_row(head, head_h, true);
    for (const auto& r : tb.rows) {
      const auto ts = row_texts(r, false);
      const double h = height_of(ts);
      if (!c_.fits(h)) {
        c_.new_page();
        put_row(head, head_h, true);  // the header again on every page
      }
      put_row(ts, h, false);
    }
    c_.skip(kBodySize * 0.5);
  }

  void typical(const BulletinCase& k) {
    heading(k.heading, false);
    paragraphs(k.text);
    if (k.photos.empty()) return;
    const double gap = 6 * kMm;
    const std::size_t per_row = 2;
    const double box_w = (c_.width() - gap * (per_row - 1)) / per_row;
    const double box_h = 60 * kMm;
    const Font cap{kSerif, kCaptionSize};
    for (std::size_t i = 0; i < k.photos.size(); i += per_row) {
      const double cap_h = kCaptionSize * 1.6;
      if (!c_.fits(box_h + cap_h + 2 * kMm) && !c_.at_page_top()) c_.new_page();
      const double y = c_.y() + 2 * kMm;
      for (std::size_t j = i; j < std::min(i + per_row, k.photos.size()); ++j) {
        const auto& p = k.photos[j];
        const double x = c_.left() + static_cast<double>(j - i) * (box_w + gap);
        if (auto surf = jpeg_surface(p)) {
          const double scale = std::min(box_w / p.width, box_h / p.height);
          const double w = p.width * scale;
          const double h = p.height * scale;
          const double px = x + (box_w - w) / 2;
          const double py = y + (box_h - h) / 2;
          c_.add([surf, px, py, scale](cairo_t* cr) {
            cairo_translate(cr, px, py);
            cairo_scale(cr, scale, scale);
            cairo_set_source_surface(cr, surf.get(), 0, 0);
            cairo_paint(cr);
          });
        } else {
          c_.add([x, y, box_w, box_h](cairo_t* cr) {
            set_color(cr, kGrey);
            cairo_set_line_width(cr, 0.5);
            cairo_rectangle(cr, x, y, box_w, box_h);
            cairo_stroke(cr);
          });
        }
        const Text t = make_text(pc_, clean(p.label, false), cap,
                                 {.width = box_w, .align = PANGO_ALIGN_CENTER});
        c_.place(t, x, y + box_h + 1 * kMm);
      }
      c_.set_y(y + box_h + cap_h + 2 * kMm);
    }
  }

  // The signature and the date: the date right-aligned four characters in from the right edge,
  // the signer centred above it; the seal mark over both when approved.
  void signature() {
    const std::string signer = clean(doc_.signer, false);
    const std::string date = clean(doc_.date, false);
    if (signer.empty() && date.empty()) return;
    const Font f{kSerif, kBodySize};
    const Text d = make_text(pc_, date, f);
    const Text s = make_text(pc_, signer, f);
    const double radius = 21 * kMm;
    const double block = std::max(2 * radius, 2 * em() + s.height + d.height);
    if (!c_.fits(block) && !c_.at_page_top()) c_.new_page();
    const double y0 = c_.y() + 2 * em();
    const double date_right = c_.right() - 4 * kBodySize;
    const double dx = date_right - d.width;
    // A long name stays inside the type area, two characters from its right edge.
    const double centre = std::min(dx + d.width / 2, c_.right() - 2 * kBodySize - s.width / 2);
    c_.place(s, centre - s.width / 2, y0);
    c_.place(d, dx, y0 + s.height);
    if (doc_.seal && !signer.empty()) {
      const double cy = y0 + (s.height + d.height) / 2;
      c_.add([pc = pc_, centre, cy, radius, signer](cairo_t* cr) {
        draw_seal(cr, pc, centre, cy, radius, signer);
      });
    }
    c_.set_y(y0 + s.height + d.height + em());
  }

  // 版记 at the foot of the last page: a thicker line, 抄送, a thin line, printer and date, a
  // thicker line.
  void imprint() {
    const std::string cc = clean(doc_.imprint_cc, false);
    const std::string printer = clean(doc_.imprint_printer, false);
    const std::string date = clean(doc_.imprint_date, false);
    if (cc.empty() && printer.empty() && date.empty()) return;
    const Font f{kSerif, kPageNoSize};
    const Text cct = make_text(pc_, cc, f, {.width = c_.width() - 2 * kPageNoSize});
    const Text pt = make_text(pc_, printer, f);
    const Text dt = make_text(pc_, date, f);
    const double line_h = std::max(pt.height, dt.height) + 2 * kMm;
    const double h = (cc.empty() ? 0 : cct.height + 2 * kMm) + line_h + 2;
    if (!c_.fits(h)) c_.new_page();
    double y = c_.bottom() - h;
    c_.add(rule_op(c_.left(), y, c_.right(), 1.0, kBlack));
    y += 1 * kMm;
    if (!cc.empty()) {
      c_.place(cct, c_.left() + kPageNoSize, y);
      y += cct.height + 1 * kMm;
      c_.add(rule_op(c_.left(), y, c_.right(), 0.5, kBlack));
      y += 1 * kMm;
    }
    c_.place(pt, c_.left() + kPageNoSize, y);
    c_.place(dt, c_.right() - kPageNoSize - dt.width, y);
    y += std::max(pt.height, dt.height) + 1 * kMm;
    c_.add(rule_op(c_.left(), y, c_.right(), 1.0, kBlack));
    c_.set_y(c_.bottom());
  }

 private:
  PangoContext* pc_;
  const BulletinDoc& doc_;
  Composer c_;
};

}  // namespace

std::string render_bulletin_pdf(const BulletinDoc& doc) {
  std::string out;
  std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
      cairo_pdf_surface_create_for_stream(append_bytes, &out, kPage.page_w, kPage.page_h));
  check(cairo_surface_status(surface.get()), "creating the PDF surface");
  const std::string title = clean(doc.title, false);
  const std::string number = clean(doc.number, false);
  const std::string meta = title + (number.empty() ? "" : " " + number);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, meta.c_str());
  const std::string author = clean(doc.signer, false);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, author.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "civicloop");
  std::unique_ptr<cairo_t, CairoDestroy> cr(cairo_create(surface.get()));
  check(cairo_status(cr.get()), "creating the Cairo context");
  std::unique_ptr<PangoContext, GObjectUnref> ctx(pango_cairo_create_context(cr.get()));
  PangoContext* pc = ctx.get();

  Writer w(pc, doc);
  w.header();
  for (const auto& s : doc.sections) {
    w.heading(s.heading, true);
    w.paragraphs(s.text);
    for (const auto& t : s.tables) w.table(t);
    for (const auto& k : s.cases) w.typical(k);
  }
  w.signature();
  w.imprint();

  auto& c = w.composer();
  auto& pages = c.pages();
  const std::size_t n = pages.size();
  const std::string mark = clean(doc.draft_mark, false);
  for (std::size_t p = 0; p < n; ++p) {
    std::vector<Op>& ops = pages[p];
    if (!mark.empty()) {
      const Text t =
          make_text(pc, mark, Font{kSans, 72, true}, {.color = Rgb{0.85, 0.85, 0.85, 0.5}});
      const double cx = kPage.page_w / 2;
      const double cy = kPage.page_h / 2;
      ops.insert(ops.begin(), [t, cx, cy](cairo_t* cr) {
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, -G_PI / 6);
        const double origin = t.lines.empty() ? 0 : t.lines.front().top;
        for (const LineBox& lb : t.lines) {
          line_op(t, lb, -t.width / 2, -t.height / 2 + (lb.top - origin))(cr);
        }
      });
    }
    // "— 1 —", 四号, one line (7 mm) under the type area; odd pages right, even pages left, one
    // character in from the edge of the type area.
    const std::string label = fill(doc.page_format, "{page}", std::to_string(p + 1));
    const Text t = make_text(pc, label, Font{kSerif, kPageNoSize});
    const bool odd = (p % 2) == 0;
    const double x = odd ? c.right() - kPageNoSize - t.width : c.left() + kPageNoSize;
    const double y = c.bottom() + 7 * kMm;
    const double origin = t.lines.empty() ? 0 : t.lines.front().top;
    for (const LineBox& lb : t.lines) ops.push_back(line_op(t, lb, x, y + (lb.top - origin)));
    for (const Op& op : ops) {
      cairo_save(cr.get());
      op(cr.get());
      cairo_restore(cr.get());
    }
    cairo_show_page(cr.get());
  }
  check(cairo_status(cr.get()), "drawing");
  cr.reset();
  cairo_surface_finish(surface.get());
  check(cairo_surface_status(surface.get()), "writing the PDF");
  return out;
}

}  // namespace civicloop::reports
