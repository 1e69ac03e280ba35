#!/usr/bin/env python3
"""Generate presets/pingcheng/demo.json: demo units, schematic demo geometry and demo staff.

The real outline of Pingcheng District is in preset.json (the HQ's boundary, copied from public
data by import_outline.py), but the boundaries of its subdistricts, communities, villages and
grids are not public, so this script draws *schematic demo geometry* that tiles the real outline:
the 18 real subdistricts as 4 rows of 4-5 rectangles over the outline's bounding box (古城街道
at the district centre, the four outer subdistricts with villages on the eastern and
south-eastern edge), each clipped against the outline; each subdistrict cut into bands for its
communities and villages, and each of those into its 2 grids, clipped the same way, so that
children lie exactly inside their parents, siblings never overlap, and together they cover the
district. Cut lines give siblings equal areas. None of it is a real boundary, and none of the
community, village, grid, company or person names is real.

The subdistricts themselves (codes and names) are read from preset.json, which holds the
real facts. Everything written to demo.json is demo data (loaded with is_demo = true):

  units        district departments; per subdistrict an enforcement team, 3 communities
               (plus 2 villages for the 4 outer subdistricts), 2 grids per community or
               village, 1 property-management company per community
  boundaries   GeoJSON Polygons for every subdistrict, community, village and grid
  people, memberships, liaisons, users
               demo staff tied to those units (they depend on the generated units, so they
               are regenerated together)

The output is deterministic: running the script twice gives the same bytes. Clipping runs in
exact rational arithmetic and coordinates are rounded to 6 decimals last, so neighbours share
exact values on their common edges.

Usage: python3 presets/pingcheng/gen_demo_geometry.py [--check]
  --check  do not write; exit 1 if demo.json differs from what would be generated.
Standard library only.
"""

import json
import math
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
PRESET_PATH = os.path.join(HERE, "preset.json")
DEMO_PATH = os.path.join(HERE, "demo.json")

FORMAT = "civicloop-preset/1"
DEMO_PASSWORD = "Demo@2026"

NDIGITS = 6

# Schematic layout of the 18 subdistricts: rows north -> south, columns west -> east. Each row
# holds a share of the district's area in proportion to its number of subdistricts; each
# subdistrict an equal share of its row. Loosely inspired by the old city (古城 with 武定 north,
# 永泰 south, 清远 west, 御河 east; the four outer subdistricts on the eastern and south-eastern
# edge); it is NOT a map.
LAYOUT = [
    ["140213062", "140213059", "140213054", "140213064"],
    ["140213061", "140213063", "140213056", "140213052", "140213065"],
    ["140213055", "140213051", "140213057", "140213058", "140213066"],
    ["140213067", "140213053", "140213050", "140213060"],
]

# The four outer subdistricts that also have villages (马军营, 白登山, 文瀛湖, 水泊寺).
OUTER = {"140213060", "140213064", "140213065", "140213066"}

COMMUNITY_SUFFIXES = [("北", "North"), ("中", "Central"), ("南", "South")]
VILLAGE_SUFFIXES = [("前", "Qian"), ("后", "Hou")]
GRIDS_PER_AREA = 2

DEPARTMENTS = [
    ("区城市管理局", "District Urban Management Bureau", "区城市管理局局长",
     "负责市容环境卫生、占道经营、户外广告和违法建设等城市管理工作，配合市容市貌整治。"),
    ("区市场监督管理局", "District Market Regulation Administration", "区市场监督管理局局长",
     "负责市场主体经营行为监管，配合规范商铺经营、集贸市场和食品安全相关创建任务。"),
    ("区住房和城乡建设局", "District Housing and Urban-Rural Development Bureau", "区住房和城乡建设局局长",
     "负责老旧小区改造、物业管理行业指导和建筑工地监管相关创建任务。"),
    ("区教育局", "District Education Bureau", "区教育局局长",
     "负责文明校园创建、未成年人思想道德建设和校园周边环境治理中的教育系统任务。"),
    ("区卫生健康局", "District Health Bureau", "区卫生健康局局长",
     "负责公共卫生服务、健康教育和医疗机构文明服务相关创建任务。"),
    ("区文化和旅游局", "District Culture and Tourism Bureau", "区文化和旅游局局长",
     "负责文旅融合、公共文化服务和旅游服务行业文明提升相关创建任务。"),
    ("区民政局", "District Civil Affairs Bureau", "区民政局局长",
     "负责社区建设、养老和社会救助服务等相关创建任务。"),
    ("区委宣传部（区文明办）", "Publicity Department of the District Party Committee (District Civilization Office)", "区委宣传部常务副部长、区文明办主任",
     "负责创城宣传氛围营造、公益广告、新时代文明实践和文明评选相关工作。"),
]

# Demo names: combinations of common surnames and given names, picked by a fixed
# permutation so that they look varied but are reproducible. None refers to a real person.
SURNAMES = list("王李张刘赵杨郭高武贾田白任孙陈马韩冯梁乔段薛吕侯郝曹崔秦史霍康程宋杜董魏苏闫邢温")
GIVEN_NAMES = [
    "建军", "海燕", "志强", "丽娟", "晓东", "秀英", "国庆", "慧敏", "文斌", "春梅",
    "永刚", "玉兰", "鹏飞", "雪梅", "俊杰", "红霞", "宏伟", "艳芳", "丽华", "淑珍",
    "卫东", "晓燕", "立新", "桂英", "建平", "美玲", "志勇", "翠萍", "宇航", "婷婷",
    "浩然", "佳怡", "子涵", "欣怡", "明辉", "晓峰", "丽萍", "建华", "瑞", "敏",
    "静", "磊", "超", "芳", "强", "军", "洁", "勇", "涛", "燕",
    "文静", "海峰", "亚楠", "国栋", "晓丽", "金凤", "志刚", "秀兰", "利民", "少华",
]

LEADER_TITLES = ["副区长", "区委常委、组织部部长", "副区长", "区委常委、政法委书记", "副区长", "区委常委、统战部部长"]
GROUP_LEADER_TITLES = ["区人大常委会副主任", "区政协副主席", "区政府党组成员"]
TASK_FORCE_LEAD_TITLES = [
    "区住房和城乡建设局副局长", "交警平城大队副大队长", "区城市管理局副局长", "区教育局副局长",
    "区住房和城乡建设局副局长", "区城市管理局副局长", "区委宣传部副部长",
]


# ----------------------------------------------------------------------------------------
# JSON output: 2-space indentation; one line per record, except units (one line per field).

EXPANDED_SECTIONS = {"units", "tenant"}


def _inline(o):
    return json.dumps(o, ensure_ascii=False, separators=(", ", ": "))


def _block(pairs, level, open_, close):
    if not pairs:
        return open_ + close
    pad = "  " * (level + 1)
    return open_ + "\n" + ",\n".join(pad + p for p in pairs) + "\n" + "  " * level + close


def _expanded_dict(d, level):
    return _block([_inline(k) + ": " + _inline(v) for k, v in d.items()], level, "{", "}")


def dumps(obj):
    """Serialise a preset document: valid JSON, UTF-8, 2-space indentation.

    Top-level keys one per line; list sections one record per line; records of the
    sections in EXPANDED_SECTIONS one field per line.
    """
    fields = []
    for key, value in obj.items():
        if isinstance(value, list) and value:
            if key in EXPANDED_SECTIONS:
                items = [_expanded_dict(x, 2) if isinstance(x, dict) else _inline(x) for x in value]
            else:
                items = [_inline(x) for x in value]
            text = _block(items, 1, "[", "]")
        elif isinstance(value, dict) and key in EXPANDED_SECTIONS:
            text = _expanded_dict(value, 1)
        else:
            text = _inline(value)
        fields.append(_inline(key) + ": " + text)
    return _block(fields, 0, "{", "}") + "\n"


# ----------------------------------------------------------------------------------------
# Geometry
#
# The demo areas are pieces of the real district outline (preset.json, the HQ's boundary):
# rectangles over the outline's bounding box, nested (subdistrict ⊃ community or village ⊃
# grid), each clipped against the outline (Sutherland–Hodgman: the outline is the subject, the
# convex rectangle the clip window). Cut lines are placed so that siblings get equal shares of
# their parent's area, so every piece is non-empty. Clipping runs in exact rational arithmetic
# (fractions.Fraction), so the vertex that two neighbours share on a cut line is one number for
# both; rounding to 6 decimals comes last and maps equal points to equal values. Every ring is
# checked to be simple (a rectangle that cuts the outline into two parts would give a ring that
# runs along the cut and back: the layout must avoid that) and counter-clockwise (RFC 7946).

SCALE = 10 ** NDIGITS
LAT, LNG = 1, 0  # index of the coordinate in a (lng, lat) point


def _metres_per_degree(lat):
    phi = math.radians(lat)
    m_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    m_lng = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return m_lat, m_lng


def _exact(v):
    """A coordinate with at most 6 decimals as an exact fraction."""
    return Fraction(round(v * SCALE), SCALE)


def _cross(p, q, axis, value):
    """The point where segment p-q meets the line coordinate[axis] == value (exact)."""
    t = (value - p[axis]) / (q[axis] - p[axis])
    other = 1 - axis
    pt = [None, None]
    pt[axis] = value
    pt[other] = p[other] + t * (q[other] - p[other])
    return tuple(pt)


def clip_half(ring, axis, value, keep_below):
    """One Sutherland–Hodgman step: the part of the ring (open, exact points) with
    coordinate[axis] <= value (keep_below) or >= value. Points on the line are kept."""
    def inside(p):
        return p[axis] <= value if keep_below else p[axis] >= value

    out = []
    for i in range(len(ring)):
        p, q = ring[i - 1], ring[i]
        if inside(q):
            if not inside(p):
                out.append(_cross(p, q, axis, value))
            out.append(q)
        elif inside(p):
            out.append(_cross(p, q, axis, value))
    return out


def clip_rect(ring, rect):
    """The ring clipped to the rectangle (w, s, e, n)."""
    w, s, e, n = rect
    for axis, value, below in ((LNG, w, False), (LNG, e, True), (LAT, s, False), (LAT, n, True)):
        ring = clip_half(ring, axis, value, below)
        if not ring:
            return []
    return ring


def area2(ring):
    """Twice the signed area of an open ring (positive: counter-clockwise)."""
    return sum(ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1] for i in range(len(ring)))


def bbox(ring):
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _segments_touch(a, b, c, d):
    """Whether closed segments a-b and c-d share a point (integer coordinates, exact)."""
    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)

    def on(p, q, r):  # r on segment p-q, given collinear
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return ((o1 == 0 and on(a, b, c)) or (o2 == 0 and on(a, b, d))
            or (o3 == 0 and on(c, d, a)) or (o4 == 0 and on(c, d, b)))


def is_simple(ring):
    """Whether an open ring of integer points has no repeated point and no two edges that meet
    other than consecutive edges at their common vertex."""
    n = len(ring)
    if n < 3 or len(set(ring)) != n:
        return False
    edges = [(ring[i], ring[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                # neighbours meet at one vertex; they must not fold back along each other
                a, b = edges[i] if j == i + 1 else edges[j]
                c, d = edges[j] if j == i + 1 else edges[i]
                cross = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0])
                dot = (b[0] - a[0]) * (d[0] - c[0]) + (b[1] - a[1]) * (d[1] - c[1])
                if cross == 0 and dot < 0:
                    return False
                continue
            if _segments_touch(*edges[i], *edges[j]):
                return False
    return True


def round_ring(ring):
    """Exact open ring -> rounded open ring of integer micro-degrees: consecutive repeats and
    back-and-forth spikes removed, starting at the south-west-most point (deterministic)."""
    pts = [(round(p[0] * SCALE), round(p[1] * SCALE)) for p in ring]
    changed = True
    while changed and len(pts) >= 3:
        changed = False
        for i in range(len(pts)):
            a, b, c = pts[i - 1], pts[i], pts[(i + 1) % len(pts)]
            if a == b or a == c:
                del pts[i]
                changed = True
                break
    k = min(range(len(pts)), key=lambda i: (pts[i][1], pts[i][0]))
    return pts[k:] + pts[:k]


def polygon_of(ring, what):
    """GeoJSON Polygon from an exact ring, checked to be simple and counter-clockwise."""
    pts = round_ring(ring)
    if not is_simple(pts):
        raise SystemExit("the demo area of %s is not a simple polygon: change LAYOUT" % what)
    if area2(pts) <= 0:
        raise SystemExit("the demo area of %s is empty or clockwise" % what)
    coords = [[x / SCALE, y / SCALE] for x, y in pts]
    return {"type": "Polygon", "coordinates": [coords + [coords[0]]]}


class Piece:
    """A demo area: its rectangle (exact w, s, e, n) and the outline clipped to it (exact)."""

    def __init__(self, rect, ring):
        self.rect = rect
        self.ring = ring

    def split(self, weights, axis, km_lat, km_lng):
        """Cut the rectangle into len(weights) bands so that each band's piece holds its weight's
        share of this piece's area. axis LAT: bands north -> south; LNG: west -> east; None: across
        the longer side of the piece, or across the shorter one where cutting across the longer
        side would leave a band in two parts (a simple ring is required). The outer bands keep the
        parent's own edges, so the bands tile the parent's rectangle and their pieces tile this
        piece."""
        if axis is not None:
            return self._split(weights, axis)
        x0, y0, x1, y1 = bbox(self.ring)
        longer = LAT if (y1 - y0) * km_lat >= (x1 - x0) * km_lng else LNG
        parts = self._split(weights, longer)
        if all(is_simple(round_ring(p.ring)) for p in parts):
            return parts
        return self._split(weights, LNG if longer == LAT else LAT)

    def _split(self, weights, axis):
        w, s, e, n = self.rect
        x0, y0, x1, y1 = bbox(self.ring)
        total = area2(self.ring)
        lo, hi = (round(y0 * SCALE), round(y1 * SCALE)) if axis == LAT else (round(x0 * SCALE), round(x1 * SCALE))

        def first_part(c):  # the area north of c (LAT) or west of c (LNG)
            part = clip_half(self.ring, axis, Fraction(c, SCALE), keep_below=(axis == LNG))
            return area2(part) if part else 0

        cuts = []
        acc = 0
        for wt in weights[:-1]:
            acc += wt
            target = total * acc / sum(weights)
            a, b = lo, hi
            # first_part grows with c west -> east, shrinks with c south -> north
            while b - a > 1:
                m = (a + b) // 2
                if (first_part(m) < target) == (axis == LNG):
                    a = m
                else:
                    b = m
            c = min((a, b), key=lambda v: (abs(first_part(v) - target), v))
            cuts.append(Fraction(c, SCALE))
        if axis == LAT:
            edges = [n] + cuts + [s]
            rects = [(w, edges[k + 1], e, edges[k]) for k in range(len(weights))]
        else:
            edges = [w] + cuts + [e]
            rects = [(edges[k], s, edges[k + 1], n) for k in range(len(weights))]
        return [Piece(r, clip_rect(self.ring, r)) for r in rects]

    def polygon(self, what):
        return polygon_of(self.ring, what)


def outline_of(preset):
    """The tenant's area: the HQ's boundary in preset.json, as an exact open ring."""
    hq = [u["code"] for u in preset["units"] if u["kind"] == "hq"]
    found = [b["boundary"] for b in preset.get("boundaries", []) if b["unit"] in hq]
    assert len(found) == 1, "preset.json must give the HQ's boundary (the district outline): run import_outline.py"
    ring = [(_exact(x), _exact(y)) for x, y in found[0]["coordinates"][0][:-1]]
    assert area2(ring) > 0, "the district outline must run counter-clockwise"
    return ring


def district_layout(preset, center_lat):
    """Return ({subdistrict code: Piece}, km_per_deg_lat, km_per_deg_lng)."""
    m_lat, m_lng = _metres_per_degree(center_lat)
    km_lat, km_lng = m_lat / 1000.0, m_lng / 1000.0
    outline = outline_of(preset)
    x0, y0, x1, y1 = bbox(outline)
    whole = Piece((x0, y0, x1, y1), outline)
    rows = whole.split([len(r) for r in LAYOUT], LAT, km_lat, km_lng)
    pieces = {}
    for row, piece in zip(LAYOUT, rows):
        for code, p in zip(row, piece.split([1] * len(row), LNG, km_lat, km_lng)):
            pieces[code] = p
    return pieces, km_lat, km_lng


# ----------------------------------------------------------------------------------------
# Demo data

class People:
    def __init__(self):
        self.people = []
        self.memberships = []
        self._n = 0
        self._combos = [s + g for s in SURNAMES for g in GIVEN_NAMES]
        # 1543 is prime and does not divide len(combos) = 2400, so k -> k*1543 mod 2400
        # is a permutation: every demo person gets a different name.
        assert math.gcd(1543, len(self._combos)) == 1

    def add(self, title, unit, post, is_head=False):
        self._n += 1
        key = "p-%03d" % self._n
        name = self._combos[(self._n * 1543 + 17) % len(self._combos)]
        self.people.append({"key": key, "name": name, "title": title, "phone": "1390000%04d" % self._n})
        self.memberships.append({"person": key, "unit": unit, "post": post, "is_head": is_head})
        return key


def build(preset):
    center = preset["tenant"]["center"]
    subdistricts = [u for u in preset["units"] if u["kind"] == "subdistrict"]
    groups = [u for u in preset["units"] if u["kind"] == "supervision_group"]
    task_forces = [u for u in preset["units"] if u["kind"] == "task_force"]
    hq_children = [u for u in preset["units"] if u["parent"] == "HQ"]
    next_sort = max(u["sort_order"] for u in hq_children) + 1

    layout_codes = [c for row in LAYOUT for c in row]
    assert sorted(layout_codes) == sorted(u["code"] for u in subdistricts), "LAYOUT must list every subdistrict once"
    pieces, km_lat, km_lng = district_layout(preset, center["lat"])

    units = []
    boundaries = []
    pp = People()
    liaisons = []

    # --- HQ and office
    pp.add("区委书记", "HQ", "first_commander", True)
    pp.add("区委副书记、区长", "HQ", "commander")
    pp.add("区委副书记", "HQ", "deputy_commander")
    pp.add("区委常委、常务副区长", "HQ", "deputy_commander")
    office_director = pp.add("区创城办主任", "HQ-OFFICE", "office_director", True)
    office_staff = [pp.add("区创城办干部", "HQ-OFFICE", "office_staff") for _ in range(2)]

    # --- supervision groups: a leader and 2 members each
    group_members = {}
    for i, g in enumerate(groups):
        pp.add(GROUP_LEADER_TITLES[i % len(GROUP_LEADER_TITLES)], g["code"], "group_leader", True)
        group_members[g["code"]] = [pp.add("区直单位干部", g["code"], "group_member") for _ in range(2)]

    # --- task forces: a lead and 1 member each
    tf_members = {}
    for i, t in enumerate(task_forces):
        pp.add(TASK_FORCE_LEAD_TITLES[i % len(TASK_FORCE_LEAD_TITLES)], t["code"], "task_force_lead", True)
        tf_members[t["code"]] = pp.add("区直单位干部", t["code"], "task_force_member")

    # --- district leaders who are liaison leaders
    leaders = [pp.add(title, "HQ", "liaison_leader") for title in LEADER_TITLES]

    # --- district departments
    for i, (name, name_en, head_title, duties) in enumerate(DEPARTMENTS, 1):
        code = "DEPT%02d" % i
        units.append({"code": code, "parent": "HQ", "kind": "department", "name": name, "name_en": name_en,
                      "duties": duties, "sort_order": next_sort + i - 1})
        pp.add(head_title, code, "unit_head", True)

    # --- subdistricts and everything below them
    per_leader = -(-len(subdistricts) // len(leaders))
    unit_user_person = None
    grid_user = None
    for si, sd in enumerate(subdistricts):
        code = sd["code"]
        stem = sd["name"][:-len("街道")] if sd["name"].endswith("街道") else sd["name"]
        stem_en = sd["name_en"][:-len(" Subdistrict")] if sd["name_en"].endswith(" Subdistrict") else sd["name_en"]
        piece = pieces[code]
        boundaries.append({"unit": code, "boundary": piece.polygon(code)})
        liaisons.append({"unit": code, "leader": leaders[si // per_leader]})

        secretary = pp.add(sd["name"] + "党工委书记", code, "subdistrict_secretary", True)
        director = pp.add(sd["name"] + "办事处主任", code, "subdistrict_director")
        if si == 0:
            unit_user_person = director

        units.append({"code": code + "-ZF", "parent": code, "kind": "enforcement_team",
                      "name": sd["name"] + "综合行政执法队",
                      "name_en": stem_en + " Subdistrict Comprehensive Administrative Law Enforcement Team",
                      "duties": "在街道统一指挥下，会同路长、网格员巡查辖区，依法整治占道经营、私搭乱建、野广告等问题。",
                      "sort_order": 0})

        areas = [("community", "%03d" % (k + 1), stem + zh + "社区", stem_en + " " + en + " Community")
                 for k, (zh, en) in enumerate(COMMUNITY_SUFFIXES)]
        if code in OUTER:
            areas += [("village", "%03d" % (201 + k), stem + zh + "村", stem_en + " " + en + " Village")
                      for k, (zh, en) in enumerate(VILLAGE_SUFFIXES)]
        area_pieces = piece.split([1] * len(areas), None, km_lat, km_lng)

        for ai, ((kind, suffix, name, name_en), apiece) in enumerate(zip(areas, area_pieces)):
            acode = code + suffix
            if kind == "community":
                duties = "负责本社区创建全国文明城市工作，组织网格员巡查、入户宣讲和问卷调查，督促小区物业解决小区内问题。"
                sec_title, sec_post = name + "党组织书记", "community_secretary"
            else:
                duties = "负责本村文明创建工作，按城乡一体标准开展环境卫生整治、文明宣传和问卷调查。"
                sec_title, sec_post = name + "党支部书记", "village_secretary"
            units.append({"code": acode, "parent": code, "kind": kind, "name": name, "name_en": name_en,
                          "duties": duties, "sort_order": ai + 1})
            boundaries.append({"unit": acode, "boundary": apiece.polygon(acode)})
            pp.add(sec_title, acode, sec_post, True)
            # subdistrict leadership liaison: secretary and director take turns
            liaisons.append({"unit": acode, "leader": secretary if ai % 2 == 0 else director})

            for gi, gpiece in enumerate(apiece.split([1] * GRIDS_PER_AREA, None, km_lat, km_lng), 1):
                gcode = "%s-G%d" % (acode, gi)
                units.append({"code": gcode, "parent": acode, "kind": "grid", "name": "%s第%d网格" % (name, gi),
                              "name_en": "%s, Grid %d" % (name_en, gi),
                              "duties": "网格员日常巡查，发现问题随时上报、与相关部门沟通，做到早发现、早报告、早解决。",
                              "sort_order": gi})
                boundaries.append({"unit": gcode, "boundary": gpiece.polygon(gcode)})
                worker = pp.add(name + "网格员", gcode, "grid_worker")
                if grid_user is None:
                    grid_user = (gcode, worker)

            if kind == "community":
                units.append({"code": acode + "-WY", "parent": acode, "kind": "enterprise",
                              "name": stem + name[len(stem):-len("社区")] + "物业服务有限公司",
                              "name_en": name_en[:-len(" Community")] + " Property Services Co., Ltd.",
                              "duties": "负责所服务小区的物业管理，对小区内的环境卫生、飞线充电、私搭乱建等问题负责整改。",
                              "sort_order": GRIDS_PER_AREA + 1})

    def name_of(key):
        return next(p["name"] for p in pp.people if p["key"] == key)

    users = [
        {"username": "admin", "password": DEMO_PASSWORD, "role": "hq_admin",
         "display_name": name_of(office_director), "unit": None, "person": office_director},
        {"username": "office", "password": DEMO_PASSWORD, "role": "hq_staff",
         "display_name": name_of(office_staff[0]), "unit": "HQ-OFFICE", "person": office_staff[0]},
        {"username": "leader", "password": DEMO_PASSWORD, "role": "leader",
         "display_name": name_of(leaders[0]), "unit": "HQ", "person": leaders[0]},
        {"username": "supervisor", "password": DEMO_PASSWORD, "role": "supervisor",
         "display_name": name_of(group_members["SG10"][0]), "unit": "SG10", "person": group_members["SG10"][0]},
        {"username": "taskforce", "password": DEMO_PASSWORD, "role": "task_force_member",
         "display_name": name_of(tf_members["TF03"]), "unit": "TF03", "person": tf_members["TF03"]},
        {"username": "unit", "password": DEMO_PASSWORD, "role": "unit_operator",
         "display_name": name_of(unit_user_person), "unit": subdistricts[0]["code"], "person": unit_user_person},
        {"username": "grid", "password": DEMO_PASSWORD, "role": "grid_worker",
         "display_name": name_of(grid_user[1]), "unit": grid_user[0], "person": grid_user[1]},
        {"username": "citizen", "password": DEMO_PASSWORD, "role": "citizen",
         "display_name": "演示市民", "unit": None, "person": None},
    ]

    return {
        "format": FORMAT,
        "units": units,
        "boundaries": boundaries,
        "people": pp.people,
        "memberships": pp.memberships,
        "liaisons": liaisons,
        "users": users,
    }


def main(argv):
    with open(PRESET_PATH, encoding="utf-8") as f:
        preset = json.load(f)
    text = dumps(build(preset))
    if "--check" in argv[1:]:
        try:
            with open(DEMO_PATH, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("demo.json is out of date: run python3 presets/pingcheng/gen_demo_geometry.py", file=sys.stderr)
            return 1
        print("demo.json is up to date")
        return 0
    with open(DEMO_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(DEMO_PATH))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
