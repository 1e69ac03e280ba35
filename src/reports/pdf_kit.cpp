#include "reports/pdf_kit.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>

namespace civicloop::reports::pdf {

std::string clean(std::string_view in, bool keep_newlines) {
  std::string no_nul(in);  // NUL is a control too (make_valid would turn it into U+FFFD)
  no_nul.erase(std::remove(no_nul.begin(), no_nul.end(), '\0'), no_nul.end());
  gchar* valid = g_utf8_make_valid(no_nul.data(), static_cast<gssize>(no_nul.size()));
  std::string out;
  out.reserve(no_nul.size());
  for (const gchar* p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    const gchar* next = g_utf8_next_char(p);
    if (c == '\n') {
      out += keep_newlines ? '\n' : ' ';
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029) {
      continue;  // C0/C1 controls, CR, and Unicode line/paragraph separators
    } else {
      out.append(p, next);
    }
  }
  g_free(valid);
  return out;
}

FontDescPtr font_desc(const Font& f) {
  FontDescPtr d(pango_font_description_new());
  pango_font_description_set_family(d.get(), f.family);
  pango_font_description_set_weight(d.get(), f.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute size: device units are points on a PDF surface (a plain size would assume 96 dpi).
  pango_font_description_set_absolute_size(d.get(), f.size * PANGO_SCALE);
  return d;
}

double from_units(int u) { return static_cast<double>(u) / PANGO_SCALE; }

Text make_text(PangoContext* ctx, const std::string& s, const Font& font, const TextOpts& o) {
  Text t;
  t.layout.reset(pango_layout_new(ctx), GObjectUnref{});
  PangoLayout* l = t.layout.get();
  const FontDescPtr desc = font_desc(font);
  pango_layout_set_font_description(l, desc.get());
  pango_layout_set_text(l, s.data(), static_cast<int>(s.size()));
  if (o.width > 0) {
    pango_layout_set_width(l, pango_units_from_double(o.width));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(l, o.align);
  if (o.indent != 0) pango_layout_set_indent(l, pango_units_from_double(o.indent));
  if (o.line_spacing > 0) pango_layout_set_line_spacing(l, static_cast<float>(o.line_spacing));
  if (o.label_bytes > 0 || o.letter_spacing != 0) {
    PangoAttrList* attrs = pango_attr_list_new();
    if (o.label_bytes > 0 && o.label_font != nullptr) {
      const FontDescPtr ld = font_desc(*o.label_font);
      PangoAttribute* a = pango_attr_font_desc_new(ld.get());
      a->start_index = 0;
      a->end_index = static_cast<guint>(o.label_bytes);
      pango_attr_list_insert(attrs, a);
    }
    if (o.letter_spacing != 0) {
      pango_attr_list_insert(
          attrs, pango_attr_letter_spacing_new(static_cast<int>(o.letter_spacing * PANGO_SCALE)));
    }
    pango_layout_set_attributes(l, attrs);
    pango_attr_list_unref(attrs);
  }
  PangoLayoutIter* it = pango_layout_get_iter(l);
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, nullptr, &logical);
    t.lines.push_back({pango_layout_iter_get_line_readonly(it), from_units(logical.x),
                       from_units(logical.y), from_units(logical.y + logical.height),
                       from_units(pango_layout_iter_get_baseline(it))});
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  PangoRectangle logical;
  pango_layout_get_extents(l, nullptr, &logical);
  t.width = from_units(logical.width);
  t.height = from_units(logical.height);
  t.color = o.color;
  return t;
}

// ---- drawing ----

void set_color(cairo_t* cr, const Rgb& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

Op line_op(const Text& t, const LineBox& lb, double x, double top) {
  // pango_cairo_show_layout_line puts the line's left origin at the current point, on the baseline.
  return [layout = t.layout, line = lb.line, color = t.color, x = x + lb.x,
          y = top + (lb.baseline - lb.top)](cairo_t* cr) {
    set_color(cr, color);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout_line(cr, line);
  };
}

Op rule_op(double x0, double y, double x1, double width, Rgb color) {
  return [=](cairo_t* cr) {
    set_color(cr, color);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
  };
}

void draw_seal(cairo_t* cr, PangoContext* ctx, double cx, double cy, double radius,
               const std::string& issuer) {
  cairo_save(cr);
  set_color(cr, Rgb{kRed.r, kRed.g, kRed.b, 0.85});
  const double ring = radius * 0.055;
  cairo_set_line_width(cr, ring);
  cairo_new_path(cr);
  cairo_arc(cr, cx, cy, radius - ring / 2, 0, 2 * G_PI);
  cairo_stroke(cr);

  // Star: outer radius a quarter of the seal, inner radius by the golden ratio, one point up.
  const double outer = radius * 0.27;
  const double inner = outer * 0.382;
  cairo_new_path(cr);
  for (int i = 0; i < 10; ++i) {
    const double a = -G_PI / 2 + i * G_PI / 5;
    const double r = (i % 2 == 0) ? outer : inner;
    if (i == 0) {
      cairo_move_to(cr, cx + r * std::cos(a), cy + r * std::sin(a));
    } else {
      cairo_line_to(cr, cx + r * std::cos(a), cy + r * std::sin(a));
    }
  }
  cairo_close_path(cr);
  cairo_fill(cr);

  // The issuer's characters, spread over the upper arc (wider arc for longer names), upright
  // towards the rim.
  std::vector<std::string> chars;
  for (const char* p = issuer.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
    const char* next = g_utf8_next_char(p);
    if (!g_unichar_isspace(g_utf8_get_char(p))) chars.emplace_back(p, next);
  }
  if (!chars.empty()) {
    const double n = static_cast<double>(chars.size());
    const double span = std::min(4.5 * G_PI / 3, std::max(G_PI / 2, n * G_PI / 12));  // ≤ 270°
    const double text_r = radius * 0.70;
    const double size = std::clamp(text_r * span / n * 0.92, radius * 0.12, radius * 0.28);
    const double path_r = radius - ring - size * 0.62;  // glyph centres just inside the ring
    const FontDescPtr desc = font_desc(Font{kTitleFamily, size, true});
    std::unique_ptr<PangoLayout, GObjectUnref> layout(pango_layout_new(ctx));
    pango_layout_set_font_description(layout.get(), desc.get());
    for (std::size_t i = 0; i < chars.size(); ++i) {
      const double a = -G_PI / 2 - span / 2 + span * (static_cast<double>(i) + 0.5) / n;
      pango_layout_set_text(layout.get(), chars[i].data(), static_cast<int>(chars[i].size()));
      PangoRectangle logical;
      pango_layout_get_extents(layout.get(), nullptr, &logical);
      cairo_save(cr);
      cairo_translate(cr, cx + path_r * std::cos(a), cy + path_r * std::sin(a));
      cairo_rotate(cr, a + G_PI / 2);
      cairo_new_path(cr);
      cairo_move_to(cr, -from_units(logical.width) / 2, -from_units(logical.height) / 2);
      pango_cairo_layout_path(cr, layout.get());
      cairo_fill(cr);
      cairo_restore(cr);
    }
  }
  cairo_restore(cr);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_WRITE_ERROR;  // no exceptions through Cairo's C frames
  }
}

std::string fill(std::string tmpl, std::string_view name, const std::string& value) {
  if (auto at = tmpl.find(name); at != std::string::npos) tmpl.replace(at, name.size(), value);
  return tmpl;
}

void check(cairo_status_t s, const char* who, const char* what) {
  if (s != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string(who) + ": " + what + ": " + cairo_status_to_string(s));
  }
}

}  // namespace civicloop::reports::pdf
