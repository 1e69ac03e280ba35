// Rendering in two passes: lay everything out with Pango first (measuring each line and deciding
// the page breaks), recording the drawing of each page as a list of operations; then, knowing the
// page count for "第 1 页 共 N 页", replay them onto a Cairo PDF surface.
#include "reports/notice_pdf.hpp"

#include "reports/pdf_kit.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace civicloop::reports {
namespace {
using namespace pdf;  // NOLINT: the shared document pieces (reports/pdf_kit.hpp)

// Page geometry and type sizes for one kind of form.
struct Geometry {
  double page_w, page_h;
  double margin_top, margin_bottom, margin_left, margin_right;
  double header_size;  // red issuer line
  double title_size;   // 整改通知单 / 提醒卡
  double body_size;
  double table_size;
  double small_size;  // footer note, page numbers, running header
  double seal_diameter;
  double rule_width;
  bool compact;  // card: number on the title line; requirement, deadline and contact beside the
                 // sign-off instead of above it
};

// Rectification notice: A4 portrait, 公文 margins (left 28 mm, right 26 mm), the classic closing
// with the sign-off below the text and a 42 mm seal mark (about the size of an office seal).
constexpr Geometry kA4Portrait{.page_w = 210 * kMm,
                               .page_h = 297 * kMm,
                               .margin_top = 25 * kMm,
                               .margin_bottom = 22 * kMm,
                               .margin_left = 28 * kMm,
                               .margin_right = 26 * kMm,
                               .header_size = 22,
                               .title_size = 20,
                               .body_size = 12,
                               .table_size = 10,
                               .small_size = 9,
                               .seal_diameter = 42 * kMm,
                               .rule_width = 2.0,
                               .compact = false};
// Reminder card: A5 landscape (half an A4 sheet), smaller type, a 30 mm seal mark beside the
// closing text so that a card of one or two problems stays on one page.
constexpr Geometry kA5Landscape{.page_w = 210 * kMm,
                                .page_h = 148 * kMm,
                                .margin_top = 12 * kMm,
                                .margin_bottom = 12 * kMm,
                                .margin_left = 15 * kMm,
                                .margin_right = 15 * kMm,
                                .header_size = 16,
                                .title_size = 16,
                                .body_size = 10.5,
                                .table_size = 9.5,
                                .small_size = 8,
                                .seal_diameter = 30 * kMm,
                                .rule_width = 1.5,
                                .compact = true};

// ---- the table of problems ----

// Columns fitted to their text between a minimum and a maximum share of the text width; the
// description takes what is left, and never less than kDescriptionMin (the fitted columns give
// back their room above their minimum, in proportion, when they would take more).
struct Column {
  double min_share, max_share;  // of the text width; both 0 for the description
  PangoAlignment align;
};
constexpr std::size_t kDescription = 4;
constexpr double kDescriptionMin = 0.27;
constexpr std::array<Column, 6> kColumns{{
    {0.05, 0.08, PANGO_ALIGN_CENTER},  // index
    {0.12, 0.20, PANGO_ALIGN_CENTER},  // case number
    {0.10, 0.13, PANGO_ALIGN_CENTER},  // category
    {0.16, 0.16, PANGO_ALIGN_LEFT},    // location
    {0, 0, PANGO_ALIGN_LEFT},          // description
    {0.12, 0.19, PANGO_ALIGN_CENTER},  // deadline
}};

class TableWriter {
 public:
  TableWriter(Composer& c, PangoContext* ctx, const Geometry& g, const NoticeLabels& labels,
              const std::vector<std::vector<std::string>>& rows)
      : c_(c), ctx_(ctx), g_(g), labels_(labels) {
    pad_x_ = g.table_size * 0.3;
    pad_y_ = g.table_size * 0.35;
    const Font header_font{kTitleFamily, g.table_size, true};
    const Font body{kBodyFamily, g.table_size};
    // Natural (unwrapped) widths of the headers and the cells, measured with one layout.
    std::array<double, kColumns.size()> natural{}, header_w{};
    std::unique_ptr<PangoLayout, GObjectUnref> measure(pango_layout_new(ctx));
    auto width_of = [&](const std::string& s) {
      pango_layout_set_text(measure.get(), s.data(), static_cast<int>(s.size()));
      PangoRectangle logical;
      pango_layout_get_extents(measure.get(), nullptr, &logical);
      return from_units(logical.width);
    };
    pango_layout_set_font_description(measure.get(), font_desc(header_font).get());
    for (std::size_t i = 0; i < kColumns.size(); ++i) header_w[i] = width_of(labels_.columns[i]);
    pango_layout_set_font_description(measure.get(), font_desc(body).get());
    const double w = c.width();
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (i == kDescription) continue;
      natural[i] = header_w[i];
      for (const auto& row : rows) {
        double cell = width_of(row[i]);
        // A centred value too wide for its column breaks at its spaces (see write()): then its
        // widest part is what the column needs.
        if (kColumns[i].align == PANGO_ALIGN_CENTER &&
            cell + 2 * pad_x_ + 1 > kColumns[i].max_share * w &&
            row[i].find(' ') != std::string::npos) {
          cell = 0;
          std::size_t from = 0;
          while (from <= row[i].size()) {
            const std::size_t to = std::min(row[i].find(' ', from), row[i].size());
            cell = std::max(cell, width_of(row[i].substr(from, to - from)));
            from = to + 1;
          }
        }
        natural[i] = std::max(natural[i], cell);
      }
    }
    double used = 0;
    double slack = 0;                             // room taken above the minimums
    std::array<double, kColumns.size()> min_w{};  // a header never wraps
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (i == kDescription) continue;
      min_w[i] = std::max(kColumns[i].min_share * w, header_w[i] + 2 * pad_x_ + 1);
      col_w_[i] = std::clamp(natural[i] + 2 * pad_x_ + 1, min_w[i],
                             std::max(min_w[i], kColumns[i].max_share * w));
      used += col_w_[i];
      slack += col_w_[i] - min_w[i];
    }
    const double excess = used - (1 - kDescriptionMin) * w;
    if (excess > 0 && slack > 0) {
      const double keep = std::max(0.0, 1 - excess / slack);
      used = 0;
      for (std::size_t i = 0; i < kColumns.size(); ++i) {
        if (i == kDescription) continue;
        col_w_[i] = min_w[i] + (col_w_[i] - min_w[i]) * keep;
        used += col_w_[i];
      }
    }
    col_w_[kDescription] = w - used;
    double x = c.left();
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      col_x_[i] = x;
      x += col_w_[i];
    }
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      header_[i] = make_text(ctx, labels_.columns[i], header_font,
                             {.width = col_w_[i] - 2 * pad_x_, .align = PANGO_ALIGN_CENTER});
      header_h_ = std::max(header_h_, header_[i].height);
    }
    header_h_ += 2 * pad_y_;
  }

  // The header row and one row per item (six cells of text each); no items gives one row
  // reading "（无）".
  void write(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::vector<Text>> cells;
    const Font body{kBodyFamily, g_.table_size};
    for (const auto& row : rows) {
      std::vector<Text> r;
      for (std::size_t i = 0; i < kColumns.size(); ++i) {
        const TextOpts opts{.width = col_w_[i] - 2 * pad_x_, .align = kColumns[i].align};
        Text t = make_text(ctx_, row[i], body, opts);
        // A short centred value that wraps breaks at its spaces rather than where the width ends:
        // "2026年12月3日" over "18:00前", not "2026年12月3日 18:00" over "前".
        if (kColumns[i].align == PANGO_ALIGN_CENTER && t.lines.size() > 1 &&
            row[i].find(' ') != std::string::npos) {
          std::string broken = row[i];
          std::replace(broken.begin(), broken.end(), ' ', '\n');
          t = make_text(ctx_, broken, body, opts);
        }
        r.push_back(std::move(t));
      }
      cells.push_back(std::move(r));
    }
    // Keep the header with the first row, or with its first lines when that row is taller than a
    // page and will be split anyway.
    double first = cells.empty() ? 0 : row_height(cells.front());
    if (first > full_page()) first = 3 * g_.table_size * 1.5 + 2 * pad_y_;
    if (!c_.fits(header_h_ + first) && !c_.at_page_top()) c_.new_page();
    begin_segment();
    if (cells.empty()) {
      const Text none = make_text(ctx_, labels_.none, body,
                                  {.width = c_.width() - 2 * pad_x_, .align = PANGO_ALIGN_CENTER});
      const double h = none.height + 2 * pad_y_;
      c_.place(none, c_.left() + pad_x_, c_.y() + pad_y_);
      add_cell_borders(c_.y(), h, /*merged=*/true);
      c_.skip(h);
    }
    for (const auto& r : cells) write_row(r);
    end_segment();
  }

 private:
  // Room for rows under the header on an empty page.
  double full_page() const { return c_.bottom() - c_.top() - header_h_; }

  double row_height(const std::vector<Text>& r) const {
    double h = 0;
    for (const Text& t : r) h = std::max(h, t.height);
    return h + 2 * pad_y_;
  }

  void begin_segment() {
    seg_top_ = c_.y();
    const double y = c_.y();
    const double l = c_.left();
    const double w = c_.width();
    const double h = header_h_;
    c_.add([=](cairo_t* cr) {
      cairo_set_source_rgb(cr, kHeaderFill.r, kHeaderFill.g, kHeaderFill.b);
      cairo_rectangle(cr, l, y, w, h);
      cairo_fill(cr);
    });
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      c_.place(header_[i], col_x_[i] + pad_x_, y + (h - header_[i].height) / 2);
    }
    add_cell_borders(y, h, false);
    c_.skip(h);
  }

  void end_segment() {
    const double l = c_.left();
    const double w = c_.width();
    const double t = seg_top_;
    const double h = c_.y() - seg_top_;
    c_.add([=](cairo_t* cr) {
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_set_line_width(cr, 1.0);
      cairo_rectangle(cr, l, t, w, h);
      cairo_stroke(cr);
    });
  }

  void next_page() {
    end_segment();
    c_.new_page();
    begin_segment();
  }

  void add_cell_borders(double y, double h, bool merged) {
    std::vector<double> xs;
    if (merged) {
      xs = {c_.left(), c_.right()};
    } else {
      xs.assign(col_x_.begin(), col_x_.end());
      xs.push_back(c_.right());
    }
    const double l = c_.left();
    const double r = c_.right();
    c_.add([xs = std::move(xs), y, h, l, r](cairo_t* cr) {
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_set_line_width(cr, 0.5);
      cairo_move_to(cr, l, y);
      cairo_line_to(cr, r, y);
      cairo_move_to(cr, l, y + h);
      cairo_line_to(cr, r, y + h);
      for (double x : xs) {
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x, y + h);
      }
      cairo_stroke(cr);
    });
  }

  void write_row(const std::vector<Text>& r) {
    const double h = row_height(r);
    if (!c_.fits(h) && h <= full_page() + kEps) next_page();  // move the row whole
    if (c_.fits(h)) {
      // Fits: cells centred vertically, like a form.
      const double y = c_.y();
      for (std::size_t i = 0; i < r.size(); ++i) {
        c_.place(r[i], col_x_[i] + pad_x_, y + (h - r[i].height) / 2);
      }
      add_cell_borders(y, h, false);
      c_.skip(h);
      return;
    }
    // Taller than a page: split the row between lines, cells top-aligned, as many pages as needed.
    std::vector<std::size_t> from(r.size(), 0);
    auto done = [&] {
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (from[i] < r[i].lines.size()) return false;
      }
      return true;
    };
    while (!done()) {
      const double y = c_.y();
      const double avail = c_.bottom() - y - 2 * pad_y_;
      const bool fresh = y <= c_.top() + header_h_ + kEps;  // at the top of a page already
      double used = 0;
      std::vector<std::size_t> to(from);
      for (std::size_t i = 0; i < r.size(); ++i) {
        const auto& lines = r[i].lines;
        if (from[i] >= lines.size()) continue;
        const double origin = lines[from[i]].top;
        while (to[i] < lines.size() && lines[to[i]].bottom - origin <= avail + kEps) ++to[i];
        if (fresh && to[i] == from[i]) ++to[i];  // a line taller than a page: never loop forever
        if (to[i] > from[i]) used = std::max(used, lines[to[i] - 1].bottom - origin);
      }
      if (used <= 0) {  // not even one line fits here
        next_page();
        continue;
      }
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (to[i] == from[i]) continue;
        const double origin = r[i].lines[from[i]].top;
        for (std::size_t k = from[i]; k < to[i]; ++k) {
          const LineBox& lb = r[i].lines[k];
          c_.add(line_op(r[i], lb, col_x_[i] + pad_x_, y + pad_y_ + (lb.top - origin)));
        }
      }
      from = to;
      const double piece = done() ? used + 2 * pad_y_ : c_.bottom() - y;
      add_cell_borders(y, piece, false);
      c_.skip(piece);
      if (!done()) next_page();
    }
  }

  Composer& c_;
  PangoContext* ctx_;
  const Geometry& g_;
  const NoticeLabels& labels_;
  double pad_x_ = 0, pad_y_ = 0;
  std::array<double, kColumns.size()> col_x_{}, col_w_{};
  std::array<Text, kColumns.size()> header_{};
  double header_h_ = 0;
  double seg_top_ = 0;
};

// ---- the document ----

void check(cairo_status_t s, const char* what) { pdf::check(s, "render_notice_pdf", what); }

}  // namespace

std::string render_notice_pdf(const NoticeDoc& doc) {
  const bool reminder = doc.kind == NoticeDoc::Kind::kReminder;
  const Geometry& g = reminder ? kA5Landscape : kA4Portrait;

  const NoticeLabels& words = doc.labels;
  const std::string title = clean(doc.title, false);
  const std::string intro = clean(doc.intro, true);
  const std::string number = clean(doc.number, false);
  const std::string issuer = clean(doc.issuer, false);
  const std::string recipient = clean(doc.recipient, false);
  const std::string requirement = clean(doc.requirement, true);
  const std::string deadline = clean(doc.deadline, true);
  const std::string contact = clean(doc.contact, true);
  const std::string issued_on = clean(doc.issued_on, false);
  const std::string footer_note = clean(doc.footer_note, true);

  std::string out;
  std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
      cairo_pdf_surface_create_for_stream(append_bytes, &out, g.page_w, g.page_h));
  check(cairo_surface_status(surface.get()), "creating the PDF surface");
  const std::string pdf_title = title + (number.empty() ? "" : " " + number);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, pdf_title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, issuer.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "civicloop");
  std::unique_ptr<cairo_t, CairoDestroy> cr(cairo_create(surface.get()));
  check(cairo_status(cr.get()), "creating the Cairo context");
  std::unique_ptr<PangoContext, GObjectUnref> ctx(pango_cairo_create_context(cr.get()));
  PangoContext* pc = ctx.get();

  Composer c(
      Page{g.page_w, g.page_h, g.margin_top, g.margin_bottom, g.margin_left, g.margin_right});
  const Font body{kBodyFamily, g.body_size};
  const Font label{kTitleFamily, g.body_size, true};
  const double em = g.body_size;

  // 红头: the issuer in red, shrunk to fit one line when long, then the red rule.
  {
    const Font base{kTitleFamily, g.header_size, true};
    double size = g.header_size;
    const Text probe = make_text(pc, issuer, base);
    if (probe.width > c.width()) size = std::max(size * c.width() / probe.width, size * 0.6);
    const Text head = make_text(pc, issuer, Font{kTitleFamily, size, true},
                                {.width = c.width(), .align = PANGO_ALIGN_CENTER, .color = kRed});
    if (!issuer.empty()) c.flow(head, c.left());
    c.skip(em * 0.4);
    c.add(rule_op(c.left(), c.y(), c.right(), g.rule_width, kRed));
    c.skip(g.rule_width + em * 1.0);
  }
  // Title, centred and spaced; the number right-aligned under it (on a card, on the title's line
  // when there is room, baselines aligned).
  {
    const std::size_t n = static_cast<std::size_t>(g_utf8_strlen(title.c_str(), -1));
    const Text t = make_text(pc, title, Font{kTitleFamily, g.title_size, true},
                             {.width = c.width(),
                              .align = PANGO_ALIGN_CENTER,
                              .letter_spacing = n <= 6 ? g.title_size * 0.3 : 0});
    const Text num = make_text(pc, number, body, {.width = c.width(), .align = PANGO_ALIGN_RIGHT});
    const Text bare = make_text(pc, number, body);
    const bool beside = g.compact && t.lines.size() == 1 && num.lines.size() == 1 &&
                        bare.width + em < (c.width() - t.width) / 2;
    const double title_top = c.y();
    c.flow(t, c.left());
    if (beside) {
      const LineBox& tl = t.lines.front();
      const LineBox& nl = num.lines.front();
      c.place(num, c.left(), title_top + (tl.baseline - tl.top) - (nl.baseline - nl.top));
    } else if (!number.empty()) {
      c.skip(em * 0.3);
      c.flow(num, c.left());
    }
    c.skip(em * (g.compact ? 0.4 : 0.6));
  }
  // Salutation and intro.
  if (!recipient.empty()) {
    c.flow(
        make_text(pc, fill(words.salutation, "{recipient}", recipient), body, {.width = c.width()}),
        c.left());
  }
  if (!intro.empty()) {
    c.flow(make_text(pc, intro, body, {.width = c.width(), .indent = 2 * em}), c.left());
  }
  c.skip(em * 0.6);

  // The table.
  {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(doc.items.size());
    for (std::size_t i = 0; i < doc.items.size(); ++i) {
      const NoticeItem& it = doc.items[i];
      rows.push_back({std::to_string(i + 1), clean(it.case_no, false), clean(it.category, false),
                      clean(it.address, true), clean(it.description, true),
                      clean(it.deadline, true)});
    }
    TableWriter(c, pc, g, doc.labels, rows).write(rows);
  }
  c.skip(em * 0.8);

  // "整改要求：..." and the like: label in bold 黑体, paragraphs indented two characters.
  auto labelled = [&](const std::string& name, const std::string& value, double width) {
    const std::string s = name + words.label_separator + value;
    return make_text(pc, s, body,
                     {.width = width,
                      .indent = 2 * em,
                      .label_bytes = name.size() + words.label_separator.size(),
                      .label_font = &label});
  };
  // The closing is kept together on one page: deadline, contact, sign-off with the seal mark, note.
  // The sign-off lines sit in the lower half of the seal mark, as a seal is pressed on the issuer
  // and the date (居中下压发文机关署名和成文日期).
  const double radius = g.seal_diameter / 2;
  const double drop = radius * 0.3;  // sign-off lines' centre below the seal's centre
  // A very long issuer wraps in the sign-off, centred, within 60% of the width.
  Text signer = make_text(pc, issuer, body);
  if (signer.width > c.width() * 0.6) {
    signer = make_text(pc, issuer, body, {.width = c.width() * 0.6, .align = PANGO_ALIGN_CENTER});
    signer.width = c.width() * 0.6;
  }
  const Text date = make_text(pc, issued_on, body);
  const double sign_w = std::max({signer.width, date.width});
  const double sign_h = signer.height + date.height;
  const Font small{kBodyFamily, g.small_size};
  const std::string note_text =
      footer_note.empty() ? std::string() : fill(words.note, "{note}", footer_note);
  // No issuer, no seal mark (it reads the issuer); neither issuer nor date, no sign-off at all.
  const bool has_signoff = !issuer.empty() || !issued_on.empty();
  auto add_seal = [&](double cx, double cy) {
    if (issuer.empty()) return;
    c.add([pc, cx, cy, radius, issuer](cairo_t* cr) { draw_seal(cr, pc, cx, cy, radius, issuer); });
  };
  // The classic closing (A4): the requirement flows across the page, then deadline, contact,
  // sign-off and note are kept together.
  auto classic_closing = [&](bool with_requirement) {
    if (with_requirement && !requirement.empty()) {
      c.flow(labelled(words.requirement, requirement, c.width()), c.left());
      c.skip(em * 0.3);
    }
    std::vector<Text> lines;
    if (!deadline.empty()) lines.push_back(labelled(words.deadline, deadline, c.width()));
    if (!contact.empty()) lines.push_back(labelled(words.contact, contact, c.width()));
    Text note;
    if (!note_text.empty()) {
      note = make_text(pc, note_text, small, {.width = c.width(), .indent = 2 * g.small_size});
    }
    double h = 0;
    for (const Text& t : lines) h += t.height;
    // 落款: the seal mark must not cover the text above it (上不压正文), so the sign-off starts far
    // enough down for the seal's upper part, and never closer than two blank lines (空二行).
    const double sign_gap =
        has_signoff ? std::max(radius + drop - sign_h / 2 + em * 0.5, 2 * em * 1.45) : 0;
    const double sign_block = has_signoff ? std::max(sign_h, sign_h / 2 - drop + radius) : 0;
    const double close_h =
        h + sign_gap + sign_block + (note_text.empty() ? 0 : em * 0.8 + note.height);
    if (!c.fits(close_h) && !c.at_page_top()) c.new_page();
    for (const Text& t : lines) c.flow(t, c.left());
    if (has_signoff) {
      c.skip(sign_gap);
      if (!c.fits(sign_block)) c.new_page();  // only when the closing is longer than a page
      // The sign-off sits four characters in from the right margin (右空四字), the issuer
      // centred over the date.
      const double block_left = c.right() - 2 * em - sign_w;
      const double y0 = c.y();
      c.place(signer, block_left + (sign_w - signer.width) / 2, y0);
      c.place(date, block_left + (sign_w - date.width) / 2, y0 + signer.height);
      add_seal(block_left + sign_w / 2, y0 + sign_h / 2 - drop);
      c.skip(sign_block);
    }
    if (!note_text.empty()) {
      c.skip(em * 0.8);
      c.flow(note, c.left());
    }
  };

  if (!g.compact) {
    classic_closing(true);
  } else {
    // Card: requirement, deadline, contact and note on the left, the sign-off and seal mark on the
    // right. A requirement too long for the left column flows across the page first; a closing
    // taller than a page falls back to the classic one.
    const double right_w = std::max(sign_w, g.seal_diameter) + em;
    const double left_w = c.width() - right_w - em;
    const double seal_block = g.seal_diameter + em * 0.5;
    auto left_lines = [&](bool with_requirement) {
      std::vector<Text> lines;
      if (with_requirement && !requirement.empty()) {
        lines.push_back(labelled(words.requirement, requirement, left_w));
      }
      if (!deadline.empty()) lines.push_back(labelled(words.deadline, deadline, left_w));
      if (!contact.empty()) lines.push_back(labelled(words.contact, contact, left_w));
      if (!note_text.empty()) {
        lines.push_back(
            make_text(pc, note_text, small, {.width = left_w, .indent = 2 * g.small_size}));
      }
      return lines;
    };
    auto height_of = [](const std::vector<Text>& lines) {
      double h = 0;
      for (const Text& t : lines) h += t.height;
      return h;
    };
    std::vector<Text> lines = left_lines(true);
    if (!requirement.empty() && height_of(lines) > seal_block) {
      c.flow(labelled(words.requirement, requirement, c.width()), c.left());
      c.skip(em * 0.3);
      lines = left_lines(false);
    }
    const double close_h = std::max(height_of(lines), has_signoff ? seal_block : 0.0);
    if (close_h > c.bottom() - c.top()) {
      classic_closing(false);
    } else {
      if (!c.fits(close_h) && !c.at_page_top()) c.new_page();
      const double y0 = c.y();
      double y = y0;
      for (const Text& t : lines) {
        c.place(t, c.left(), y);
        y += t.height;
      }
      if (has_signoff) {
        const double cy = y0 + close_h - radius - em * 0.25;
        const double block_left = c.right() - right_w + (right_w - sign_w) / 2;
        const double lines_top = cy + drop - sign_h / 2;
        c.place(signer, block_left + (sign_w - signer.width) / 2, lines_top);
        c.place(date, block_left + (sign_w - date.width) / 2, lines_top + signer.height);
        add_seal(block_left + sign_w / 2, cy);
      }
      c.set_y(y0 + close_h);
    }
  }

  // Replay, adding the page furniture now that the page count is known: page numbers when there
  // is more than one page, and the title and number at the top of continuation pages.
  auto& pages = c.pages();
  const std::size_t n = pages.size();
  const std::string running =
      number.empty() ? title : fill(fill(words.running_head, "{title}", title), "{number}", number);
  auto place_on = [](std::vector<Op>& page, const Text& t, double x, double y) {
    const double origin = t.lines.empty() ? 0 : t.lines.front().top;
    for (const LineBox& lb : t.lines) page.push_back(line_op(t, lb, x, y + (lb.top - origin)));
  };
  for (std::size_t p = 0; p < n; ++p) {
    if (n > 1) {
      const std::string label =
          fill(fill(words.page, "{pages}", std::to_string(n)), "{page}", std::to_string(p + 1));
      const Text t = make_text(pc, label, small, {.width = c.width(), .align = PANGO_ALIGN_CENTER});
      // In the margins, a third of the way from the text towards the edge.
      place_on(pages[p], t, c.left(), c.bottom() + (g.margin_bottom - t.height) * 0.35);
      if (p > 0) {
        const Text head = make_text(
            pc, running, small, {.width = c.width(), .align = PANGO_ALIGN_RIGHT, .color = kGrey});
        place_on(pages[p], head, c.left(),
                 c.top() - head.height - (g.margin_top - head.height) * 0.35);
      }
    }
    for (const Op& op : pages[p]) {
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
