// The pieces every civicloop PDF shares (the notice, the bulletin, later the minutes and the
// inspection report): text clean-up, Pango text laid out in lines, drawing operations recorded per
// page, the page composer that flows lines and breaks pages, rules, the seal mark, and writing the
// PDF into a string. Cairo + Pango with the Noto CJK fonts (fonts-noto-cjk).
//
// Thread-safety: free functions and values; a Composer belongs to one rendering on one thread.
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace civicloop::reports::pdf {

constexpr double kMm = 72.0 / 25.4;  // Cairo's PDF unit is the point
constexpr double kEps = 0.01;

// Two faces for forms: body text in Noto Serif CJK SC regular (the 宋体/仿宋 of 公文), everything
// bold (red issuer line, title, labels, table header, seal mark) in Noto Sans CJK SC bold (黑体).
// Cairo 1.16 embeds a subset of each face used, and with the CJK fonts' subroutines that costs
// ~21 ms and ~80 KB per face per document, so a document uses as few faces as it can.
constexpr const char* kBodyFamily = "Noto Serif CJK SC";
constexpr const char* kTitleFamily = "Noto Sans CJK SC";

struct Rgb {
  double r = 0, g = 0, b = 0, a = 1;
};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kRed{0.85, 0.0, 0.0};  // 公文 red for the issuer line, the rule and the seal mark
constexpr Rgb kGrey{0.35, 0.35, 0.35};
constexpr Rgb kHeaderFill{0.92, 0.92, 0.92};

// Valid UTF-8 without control characters (line breaks kept when `keep_newlines`, tabs become
// spaces): what Pango is given must be valid, and stray controls render as boxes.
std::string clean(std::string_view in, bool keep_newlines);

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct FontDescFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using FontDescPtr = std::unique_ptr<PangoFontDescription, FontDescFree>;
struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDestroy {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

struct Font {
  const char* family;
  double size;  // points
  bool bold = false;
};

FontDescPtr font_desc(const Font& f);
double from_units(int u);

// One line of a laid-out text, in the text's own coordinates (points).
struct LineBox {
  PangoLayoutLine* line;
  double x, top, bottom, baseline;
};

// A laid-out piece of text: the layout (kept alive by the drawing operations) and its lines.
struct Text {
  std::shared_ptr<PangoLayout> layout;
  std::vector<LineBox> lines;
  double width = 0;   // logical width of the widest line
  double height = 0;  // logical height of all lines
  Rgb color = kBlack;
};

struct TextOpts {
  double width = -1;  // wrap width in points; <= 0: no wrapping
  PangoAlignment align = PANGO_ALIGN_LEFT;
  double indent = 0;  // first-line indent of each paragraph (首行缩进)
  Rgb color = kBlack;
  std::size_t label_bytes = 0;  // this many leading bytes in the label font (bold 黑体)
  const Font* label_font = nullptr;
  double letter_spacing = 0;  // points
  double line_spacing = 0;    // factor of the font's height (Pango 1.44+); 0: the font's own
};

Text make_text(PangoContext* ctx, const std::string& s, const Font& font, const TextOpts& o = {});

using Op = std::function<void(cairo_t*)>;

void set_color(cairo_t* cr, const Rgb& c);
Op line_op(const Text& t, const LineBox& lb, double x, double top);
Op rule_op(double x0, double y, double x1, double width, Rgb color);

// The seal mark: a red ring, the issuer's name along the upper arc and a five-pointed star in the
// middle. It is a plain visual mark in the shape of an office seal, NOT a seal: it carries no
// signature and proves nothing; the authority of a document is its number in the ledger. The text
// is drawn as outlines, so it stays out of the PDF's text (copying and search see the sign-off
// lines).
void draw_seal(cairo_t* cr, PangoContext* ctx, double cx, double cy, double radius,
               const std::string& issuer);

// The page and its margins, in points.
struct Page {
  double page_w, page_h;
  double margin_top, margin_bottom, margin_left, margin_right;
};

// ---- the page composer ----

// Places content from top to bottom, starting a new page when the next line does not fit, and
// records the drawing operations of each page.
class Composer {
 public:
  explicit Composer(const Page& g) : g_(g), y_(g.margin_top) { pages_.emplace_back(); }

  double left() const { return g_.margin_left; }
  double right() const { return g_.page_w - g_.margin_right; }
  double width() const { return right() - left(); }
  double top() const { return g_.margin_top; }
  double bottom() const { return g_.page_h - g_.margin_bottom; }
  double y() const { return y_; }
  void skip(double dy) { y_ = std::min(y_ + dy, bottom()); }
  void set_y(double y) { y_ = y; }
  bool fits(double h) const { return y_ + h <= bottom() + kEps; }
  bool at_page_top() const { return y_ <= top() + kEps; }

  void add(Op op) { pages_.back().push_back(std::move(op)); }
  void new_page() {
    pages_.emplace_back();
    y_ = top();
  }

  // Places the text whole at (x, y), without breaking it.
  void place(const Text& t, double x, double y) {
    const double origin = t.lines.empty() ? 0 : t.lines.front().top;
    for (const LineBox& lb : t.lines) add(line_op(t, lb, x, y + (lb.top - origin)));
  }

  // Flows the text line by line from the current position, breaking pages between lines.
  void flow(const Text& t, double x) {
    if (t.lines.empty()) return;
    double origin = y_;
    double offset = t.lines.front().top;
    for (const LineBox& lb : t.lines) {
      double line_top = origin + (lb.top - offset);
      if (line_top + (lb.bottom - lb.top) > bottom() + kEps && line_top > top() + kEps) {
        new_page();
        origin = y_;
        offset = lb.top;
        line_top = origin;
      }
      add(line_op(t, lb, x, line_top));
      y_ = line_top + (lb.bottom - lb.top);
    }
  }

  std::vector<std::vector<Op>>& pages() { return pages_; }

 private:
  Page g_;
  double y_;
  std::vector<std::vector<Op>> pages_;
};

// Cairo's write function appending to a std::string (the closure).
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length);
// The first `name` in a template replaced by value (the caller's wording carries the placeholders).
std::string fill(std::string tmpl, std::string_view name, const std::string& value);
// Throws std::runtime_error "who: what: cairo's reason" unless s is CAIRO_STATUS_SUCCESS.
void check(cairo_status_t s, const char* who, const char* what);

}  // namespace civicloop::reports::pdf
