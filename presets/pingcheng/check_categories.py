#!/usr/bin/env python3
"""Validate presets/pingcheng/categories.json and routing.json (standard library only).

categories.json is the two-level problem taxonomy (大类/小类): the urban-management event and
component classes of the digital city-management standards plus a 创文 class "文明创建专项", each
minor class with its filing and closing conditions, notice kind, time limit, default responsible
unit, supervising group, clean-up drive (六大整治) and search keywords. routing.json holds the
ordered default routing rules (first match wins).

Checks: both files parse, are UTF-8 and 2-space indented; codes are unique and every minor code
starts with its class code; the reference's event minor classes are all present; every problem the
source article names is found by a category name or keyword and tied to its drive; drives, units and
supervision groups exist in preset.json or demo.json; time limits and hour windows are sane; no
routing rule is unreachable and the last one matches everything; and, simulated at a point inside
every demo grid, every category routes to an existing unit, by day to a unit of its
responsible_kind (and its responsible_unit, when given). Prints "categories ok" and "routing ok";
exits 1 on any error.

Usage: python3 presets/pingcheng/check_categories.py
"""

import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
PATHS = {name: os.path.join(HERE, name)
         for name in ("categories.json", "routing.json", "preset.json", "demo.json")}

CATEGORIES_FORMAT = "civicloop-categories/1"
ROUTING_FORMAT = "civicloop-routing/1"

# The six clean-up drives (六大整治) of the source article, in its order, with its wording.
DRIVES = {
    "sanitation": "清理环境卫生，城市面貌大整治",
    "road_traffic": "治理道路交通，城市秩序大整治",
    "shop_signs": "规范商铺牌匾，城市门面大整治",
    "illegal_structures": "清理违章建筑，城市环境大整治",
    "pets": "规范宠物管理，城市文明大整治",
    "accessibility": "保障残疾人权益，无障碍通道大整治",
}

# Classes: (kind, standard major-class number) -> name. Components take file codes 11-15 so that
# codes stay unique across the file (the standard numbers both kinds 01-05; kind disambiguates).
STANDARD_CLASSES = {
    ("event", "01"): "市容环境", ("event", "02"): "宣传广告", ("event", "03"): "施工管理",
    ("event", "04"): "突发事件", ("event", "05"): "街面秩序",
    ("component", "01"): "公用设施", ("component", "02"): "道路交通", ("component", "03"): "市容环境部件",
    ("component", "04"): "园林绿化", ("component", "05"): "房屋土地",
}
CHUANGWEN_CLASS = "文明创建专项"

# Event minor classes listed in the reference (cn-urban-management.md §1.3.3, CJ/T 214 style).
REFERENCE_EVENT_MINORS = {
    "市容环境": ["私搭乱建", "暴露垃圾", "积存垃圾渣土", "道路不洁", "水域不洁", "绿地脏乱", "废弃车辆",
             "废弃家具设施", "非装饰性树挂", "道路破损", "河堤破损", "道路撒遗", "建筑物外立面不洁",
             "水域秩序问题", "焚烧树叶/垃圾", "油烟污染", "动物尸体清理", "私自饲养家禽家畜"],
    "宣传广告": ["非法小广告", "违章张贴悬挂广告牌匾", "占道广告牌", "街头散发广告", "广告招牌破损"],
    "施工管理": ["施工扰民", "工地扬尘", "施工废弃料", "施工占道", "无证掘路"],
    "突发事件": ["路面塌陷", "自来水管破裂", "燃气管道破裂", "下水道堵塞或破损", "热力管道破裂", "道路积水",
             "道路积雪结冰", "架空线缆损坏", "群发性事件"],
    "街面秩序": ["无照经营游商", "流浪乞讨", "占道废品收购", "店外经营", "机动车乱停放", "非机动车乱停放",
             "乱堆物堆料", "商业噪音", "黑车拉客", "露天烧烤", "沿街晾挂", "非法出版物销售", "空调室外机低挂"],
}

# Problems the source article names (seed/000_728acf232142fcb7.txt), each with the drive it belongs
# to (None: the article ties it to no drive). Each must be a category name or keyword, exactly.
ARTICLE_PROBLEMS = [
    ("占道经营", "road_traffic"),         # 商户占道经营
    ("油污排放", "sanitation"),
    ("野广告", "sanitation"),             # 小区野广告 / 乱贴野广告
    ("乱贴野广告", "sanitation"),
    ("私搭乱建", "illegal_structures"),
    ("违章建筑", "illegal_structures"),   # 清理违章建筑
    ("飞线充电", None),
    ("毁绿种菜", "sanitation"),
    ("乱堆乱放", "sanitation"),
    ("乱倒垃圾", "sanitation"),           # dumped rubbish, reported by couriers
    ("公益广告破损", None),               # 脱落、破损、脏污以及内容不严谨、错别字
    ("公益广告错别字", None),
    ("商铺牌匾不规范", "shop_signs"),     # 规范商铺牌匾
    ("门头牌匾不规范", "shop_signs"),
    ("不文明养犬", "pets"),               # 规范宠物管理
    ("无障碍设施被占用", "accessibility"),  # 无障碍通道大整治
    ("无障碍设施损坏", "accessibility"),
    ("门前五包不落实", "sanitation"),     # 严格落实“门前五包”责任制
]

# Time limits taken from the reference's example rows (cn-urban-management.md §1.5); README lists them.
REFERENCE_LIMITS = {
    "0101": (20, "working_days"),   # 私搭乱建: 停工 4 工作时 / 处罚 7 工作日 / 拆除 20 工作日 (北京)
    "0102": (4, "working_hours"),   # 暴露垃圾 4 工作时 (北京)
    "0103": (2, "working_days"),    # 渣土 2 工作日 (北京)
    "0303": (4, "working_hours"),   # 建筑垃圾 4 工作时 (北京)
    "0104": (2, "working_hours"),   # 道路保洁 2 工作时 (北京)
    "0106": (4, "working_hours"),   # 绿地保洁 4 工作时 (北京)
    "1405": (5, "working_days"),    # 绿地养护 5 工作日 (北京)
    "2104": (5, "working_days"),    # 毁绿种菜 -> 绿地恢复, as 绿地养护
    "0105": (15, "working_days"),   # 水域不洁 15 工作日 (济源)
    "0406": (4, "urgent_hours"),    # 路面积水 4 (北京, 工作时; counted here as urgent hours)
}

CLASS_KINDS = {"event", "component"}
NOTICE_KINDS = {"rectification", "reminder"}
TIME_UNITS = {"working_days", "working_hours", "urgent_hours", "calendar_days"}
HOUR_UNITS = {"working_hours", "urgent_hours"}
RESPONSIBLE_KINDS = {"subdistrict", "department", "enterprise", "community", "village", "grid",
                     "enforcement_team"}
GEO_KINDS = {"subdistrict", "community", "village", "grid"}
BY_AREA_KINDS = {"subdistrict", "community", "village", "grid", "enforcement_team", "enterprise"}
ROUTABLE_KINDS = RESPONSIBLE_KINDS | {"hq_office"}
CLASS_FIELDS = ["code", "kind", "standard_code", "name", "name_en", "children"]
CHILD_REQUIRED = ["code", "name", "name_en", "drive", "filing_condition", "closing_condition",
                  "notice_kind", "time_limit", "responsible_kind", "keywords"]
CHILD_OPTIONAL = ["responsible_unit", "supervising_group"]
RULE_FIELDS = ["name", "category", "category_prefix", "area", "area_kind", "hours", "unit",
               "unit_by_area", "supervising_group"]
CONDITIONS = ["category", "category_prefix", "area", "area_kind", "hours"]
DAY, NIGHT = "10:00", "22:00"
SAMPLE_TIMES = ["00:00", "08:29", "08:30", DAY, "17:59", "18:00", NIGHT]
# Worked examples of the default rules on the demo geometry: (category, grid, local time, unit).
EXAMPLES = [
    ("0401", "140213051001-G1", "10:00", "DEPT01"),             # 路面塌陷 by day: city management bureau
    ("0401", "140213051001-G1", "08:29", "140213051-ZF"),       # ... before 08:30: the enforcement team
    ("0401", "140213051001-G1", "22:00", "140213051-ZF"),       # ... at night (window wraps midnight)
    ("0409", "140213051001-G1", "22:00", "140213051"),          # 群发性事件: always the subdistrict
    ("2101", "140213066001-G1", "10:00", "140213066-ZF"),       # 占道经营 in 水泊寺街道: its enforcement team
    ("2101", "140213051001-G1", "10:00", "140213051"),          # ... elsewhere: the subdistrict
    ("2103", "140213062001-G2", "10:00", "140213062001-WY"),    # 飞线充电 in a community: its property company
    ("2103", "140213066201-G1", "10:00", "140213066"),          # ... in a village (no 物业): the subdistrict
    ("2104", "140213062002-G1", "10:00", "140213062002"),       # 毁绿种菜 in a community: the community
    ("0302", "140213060202-G2", "03:00", "DEPT03"),             # 工地扬尘: housing and construction bureau
    ("1118", "140213050003-G1", "22:00", "DEPT01"),             # 路灯 (component): city management bureau
    ("0505", "140213057002-G2", "10:00", "140213057"),          # 机动车乱停放: the subdistrict
]
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

errors = {"categories": [], "routing": []}


def err(section, msg):
    errors[section].append(msg)


def load(name, section):
    path = PATHS[name]
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
        doc = json.loads(text)
    except (OSError, ValueError) as e:
        print("error: %s: %s" % (name, e))
        sys.exit(1)
    if section:
        if "\\u" in text:
            err(section, "%s: write characters as UTF-8, not \\u escapes" % name)
        if not text.endswith("\n") or "\t" in text or "\r" in text:
            err(section, "%s: must use LF line ends, no tabs, and end with a newline" % name)
        for i, line in enumerate(text.split("\n"), 1):
            indent = len(line) - len(line.lstrip(" "))
            if indent % 2:
                err(section, "%s:%d: indentation is not a multiple of 2 spaces" % (name, i))
                break
    return doc


def is_str(v):
    return isinstance(v, str) and v.strip() != ""


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def in_window(window, t):
    a, b, x = minutes(window["from"]), minutes(window["to"]), minutes(t)
    return a <= x < b if a < b else (x >= a or x < b)


def point_in_polygon(lng, lat, poly):
    """Even-odd ray casting on the outer ring of a GeoJSON Polygon."""
    ring = poly["coordinates"][0]
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if x > lng:
                inside = not inside
    return inside


def inner_point(poly):
    """A point well inside the polygon (the demo areas are pieces of the district outline, not
    always convex): on the parallel through the middle of its bounding box, the middle of the
    widest stretch that lies inside."""
    ring = poly["coordinates"][0]
    ys = [p[1] for p in ring]
    lat = (min(ys) + max(ys)) / 2 + 1e-7  # off the 6-decimal vertices
    xs = sorted(x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
                for (x1, y1), (x2, y2) in zip(ring, ring[1:]) if (y1 > lat) != (y2 > lat))
    a, b = max(zip(xs[0::2], xs[1::2]), key=lambda ab: ab[1] - ab[0])
    return (a + b) / 2, lat


# ---------------------------------------------------------------------------------------------
def check_categories(doc, units):
    S = "categories"
    if doc.get("format") != CATEGORIES_FORMAT:
        err(S, "format must be %s" % CATEGORIES_FORMAT)
    if set(doc) != {"format", "drives", "classes"}:
        err(S, "top-level keys %s, expected format, drives, classes" % sorted(doc))

    # ---- drives
    drives = doc.get("drives", [])
    codes = [d.get("code") for d in drives]
    if codes != list(DRIVES):
        err(S, "drives must be exactly %s in the article's order; found %s" % (list(DRIVES), codes))
    for d in drives:
        if set(d) != {"code", "name", "short_name", "name_en"}:
            err(S, "drive %s: fields must be code, name, short_name, name_en" % d.get("code"))
        if d.get("code") in DRIVES and d.get("name") != DRIVES[d["code"]]:
            err(S, "drive %s: name must be the article's wording %s" % (d["code"], DRIVES[d["code"]]))
        for f in ("short_name", "name_en"):
            if not is_str(d.get(f)):
                err(S, "drive %s: %s is empty" % (d.get("code"), f))
    drive_set = set(codes)

    # ---- classes and children
    cats = {}            # code -> child (with "_class" and "_kind")
    all_codes = []
    class_names = []
    seen_standard = set()
    has_chuangwen = False
    for cl in doc.get("classes", []):
        code = cl.get("code")
        all_codes.append(code)
        class_names.append(cl.get("name"))
        if list(cl) != CLASS_FIELDS:
            err(S, "class %s: fields must be %s in that order" % (code, ", ".join(CLASS_FIELDS)))
        if not (isinstance(code, str) and re.fullmatch(r"[0-9]{2}", code)):
            err(S, "class code %r must be 2 digits" % code)
            continue
        kind, std, name = cl.get("kind"), cl.get("standard_code"), cl.get("name")
        if kind not in CLASS_KINDS:
            err(S, "class %s: kind must be event or component" % code)
        if not is_str(name) or not is_str(cl.get("name_en")):
            err(S, "class %s: name and name_en are required" % code)
        if name == CHUANGWEN_CLASS:
            has_chuangwen = True
            if kind != "event" or std is not None:
                err(S, "class %s (%s) must be an event class with standard_code null" % (code, name))
        elif (kind, std) in STANDARD_CLASSES:
            if STANDARD_CLASSES[(kind, std)] != name:
                err(S, "class %s: %s class %s must be named %s" % (code, kind, std, STANDARD_CLASSES[(kind, std)]))
            seen_standard.add((kind, std))
            want = std if kind == "event" else "1" + std[1]
            if code != want:
                err(S, "class %s: the %s class with standard code %s must have file code %s" % (code, kind, std, want))
        else:
            err(S, "class %s (%s): not a standard class and not %s" % (code, name, CHUANGWEN_CLASS))
        children = cl.get("children")
        if not isinstance(children, list) or not children:
            err(S, "class %s has no children" % code)
            continue
        if len(children) > 20:
            err(S, "class %s has %d children; keep it under 20" % (code, len(children)))
        for ch in children:
            c = ch.get("code")
            all_codes.append(c)
            if not (isinstance(c, str) and re.fullmatch(r"[0-9]{4}", c)):
                err(S, "class %s: child code %r must be 4 digits" % (code, c))
                continue
            if not c.startswith(code):
                err(S, "child %s does not start with its class code %s" % (c, code))
            cats[c] = dict(ch, _class=code, _kind=kind, _class_name=name)
            check_child(ch, units, drive_set)
    for key, name in STANDARD_CLASSES.items():
        if key not in seen_standard:
            err(S, "standard %s class %s (%s) is missing" % (key[0], key[1], name))
    if not has_chuangwen:
        err(S, "the %s class is missing" % CHUANGWEN_CLASS)
    for c, n in Counter(all_codes).items():
        if n > 1:
            err(S, "code %s is used %d times" % (c, n))
    for c, n in Counter(class_names).items():
        if n > 1:
            err(S, "class name %s is used %d times" % (c, n))

    # ---- names and keywords: each term finds exactly one category
    term_owner = {}
    for c, ch in cats.items():
        for term in [ch.get("name")] + list(ch.get("keywords") or []):
            if not isinstance(term, str):
                continue
            if term in term_owner and term_owner[term] != c:
                err(S, "term %s belongs to both %s and %s" % (term, term_owner[term], c))
            term_owner.setdefault(term, c)

    # ---- the reference's event minor classes
    by_class_name = {}
    for ch in cats.values():
        by_class_name.setdefault((ch["_kind"], ch["_class_name"]), set()).add(ch.get("name"))
    for cname, minors in REFERENCE_EVENT_MINORS.items():
        have = by_class_name.get(("event", cname), set())
        for m in minors:
            if m not in have:
                err(S, "event class %s lacks the reference minor class %s" % (cname, m))
    for (kind, cname), names in by_class_name.items():
        if kind == "component" and len(names) < 3:
            err(S, "component class %s has only %d minor classes" % (cname, len(names)))

    # ---- every article problem is findable and tied to its drive
    for term, drive in ARTICLE_PROBLEMS:
        c = term_owner.get(term)
        if c is None:
            err(S, "article problem %s is not a category name or keyword" % term)
        elif drive is not None and cats[c].get("drive") != drive:
            err(S, "article problem %s (%s) should belong to drive %s, not %s" % (term, c, drive, cats[c].get("drive")))
    for d in DRIVES:
        if not any(ch.get("drive") == d for ch in cats.values()):
            err(S, "drive %s has no category" % d)

    # ---- time limits from the reference
    for c, (amount, unit) in REFERENCE_LIMITS.items():
        tl = cats.get(c, {}).get("time_limit")
        if tl != {"amount": amount, "unit": unit}:
            err(S, "category %s: time limit %r differs from the reference row (%d %s); update README too"
                % (c, tl, amount, unit))
    return cats


def check_child(ch, units, drive_set):
    S = "categories"
    c = ch.get("code")
    keys = list(ch)
    missing = [f for f in CHILD_REQUIRED if f not in ch]
    extra = [f for f in keys if f not in CHILD_REQUIRED + CHILD_OPTIONAL]
    if missing or extra:
        err(S, "category %s: missing %s, unknown %s" % (c, missing, extra))
        return
    for f in ("name", "name_en", "filing_condition", "closing_condition"):
        if not is_str(ch[f]):
            err(S, "category %s: %s is empty" % (c, f))
    for f in ("filing_condition", "closing_condition"):
        v = ch[f]
        if isinstance(v, str) and ("。" in v or "\n" in v or len(v) > 60 or not re.search(r"[\u4e00-\u9fff]", v)):
            err(S, "category %s: %s must be one short Chinese sentence without a full stop" % (c, f))
    if ch["drive"] is not None and ch["drive"] not in drive_set:
        err(S, "category %s: unknown drive %s" % (c, ch["drive"]))
    if ch["notice_kind"] not in NOTICE_KINDS:
        err(S, "category %s: notice_kind must be rectification or reminder" % c)
    tl = ch["time_limit"]
    if not isinstance(tl, dict) or set(tl) != {"amount", "unit"}:
        err(S, "category %s: time_limit must be {amount, unit}" % c)
    else:
        if not is_int(tl["amount"]) or not 1 <= tl["amount"] <= 90:
            err(S, "category %s: time limit amount must be an integer 1-90" % c)
        elif tl["unit"] in HOUR_UNITS and tl["amount"] > 48:
            err(S, "category %s: %d %s is too long; use days" % (c, tl["amount"], tl["unit"]))
        if tl["unit"] not in TIME_UNITS:
            err(S, "category %s: unknown time-limit unit %s" % (c, tl["unit"]))
    rk = ch["responsible_kind"]
    if rk not in RESPONSIBLE_KINDS:
        err(S, "category %s: unknown responsible_kind %s" % (c, rk))
    ru = ch.get("responsible_unit")
    if ru is not None:
        if ru not in units:
            err(S, "category %s: responsible_unit %s does not exist" % (c, ru))
        elif units[ru]["kind"] != rk:
            err(S, "category %s: responsible_unit %s is a %s, not a %s" % (c, ru, units[ru]["kind"], rk))
    elif rk == "department":
        err(S, "category %s: a department responsibility needs a responsible_unit" % c)
    sg = ch.get("supervising_group")
    if sg is not None and (sg not in units or units[sg]["kind"] != "supervision_group"):
        err(S, "category %s: supervising_group %s is not a supervision group" % (c, sg))
    kw = ch["keywords"]
    if not isinstance(kw, list) or not all(is_str(k) for k in kw) or len(set(kw)) != len(kw):
        err(S, "category %s: keywords must be a list of distinct non-empty strings" % c)


# ---------------------------------------------------------------------------------------------
class Geo:
    """Which demo unit of a kind contains a point (the demo's schematic boundaries)."""

    def __init__(self, units, boundaries):
        self.units = units
        self.poly = boundaries
        self.by_kind = {}
        for code, u in units.items():
            self.by_kind.setdefault(u["kind"], []).append(code)

    def contains(self, code, pt):
        return code in self.poly and point_in_polygon(pt[0], pt[1], self.poly[code])

    def unit_at(self, kind, pt):
        if kind in GEO_KINDS:
            hits = [c for c in self.by_kind.get(kind, []) if self.contains(c, pt)]
        else:
            parent_kind = "subdistrict" if kind == "enforcement_team" else "community"
            parent = self.unit_at(parent_kind, pt)
            hits = [c for c in self.by_kind.get(kind, []) if parent and self.units[c]["parent"] == parent]
        if len(hits) > 1:
            err("routing", "%d units of kind %s at %s: %s" % (len(hits), kind, pt, hits))
        return hits[0] if hits else None


def rule_matches(rule, cat, pt, t, geo):
    if rule.get("category") is not None and cat != rule["category"]:
        return False
    if rule.get("category_prefix") is not None and not cat.startswith(rule["category_prefix"]):
        return False
    if rule.get("area") is not None and not geo.contains(rule["area"], pt):
        return False
    if rule.get("area_kind") is not None and geo.unit_at(rule["area_kind"], pt) is None:
        return False
    if rule.get("hours") is not None and not in_window(rule["hours"], t):
        return False
    return True


def route(rules, cat, pt, t, geo):
    """First matching rule whose target resolves at the point: (rule index, unit) or (None, None)."""
    for i, rule in enumerate(rules):
        if not rule_matches(rule, cat, pt, t, geo):
            continue
        unit = rule["unit"] if rule.get("unit") else geo.unit_at(rule["unit_by_area"], pt)
        if unit is not None:
            return i, unit
    return None, None


def covers(a, b):
    """True if every category rule b can match is also matched by rule a's category filter."""
    ca, pa = a.get("category"), a.get("category_prefix")
    cb, pb = b.get("category"), b.get("category_prefix")
    if ca is not None:
        return cb == ca
    if pa is not None:
        return (cb is not None and cb.startswith(pa)) or (pb is not None and pb.startswith(pa))
    return True


def check_routing(doc, units, cats, geo):
    S = "routing"
    if doc.get("format") != ROUTING_FORMAT:
        err(S, "format must be %s" % ROUTING_FORMAT)
    if set(doc) != {"format", "rules"}:
        err(S, "top-level keys %s, expected format, rules" % sorted(doc))
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules:
        err(S, "rules must be a non-empty list")
        return []
    if not 8 <= len(rules) <= 15:
        err(S, "%d rules; keep 8-15" % len(rules))
    names = [r.get("name") for r in rules]
    for n, k in Counter(names).items():
        if k > 1:
            err(S, "rule name %s is duplicated" % n)
    valid = True
    for i, r in enumerate(rules):
        where = "rule %d (%s)" % (i + 1, r.get("name"))
        extra = [k for k in r if k not in RULE_FIELDS]
        if extra:
            err(S, "%s: unknown fields %s" % (where, extra))
        if not is_str(r.get("name")):
            err(S, "%s: name is empty" % where)
        cat, prefix = r.get("category"), r.get("category_prefix")
        if cat is not None and prefix is not None:
            err(S, "%s: give category or category_prefix, not both" % where)
        if cat is not None and cat not in cats:
            err(S, "%s: category %s does not exist" % (where, cat))
            valid = False
        if prefix is not None:
            if not (isinstance(prefix, str) and re.fullmatch(r"[0-9]{1,3}", prefix)):
                err(S, "%s: category_prefix must be 1-3 digits" % where)
                valid = False
            elif not any(c.startswith(prefix) for c in cats):
                err(S, "%s: category_prefix %s matches no category" % (where, prefix))
        area = r.get("area")
        if area is not None and (area not in units or area not in geo.poly):
            err(S, "%s: area %s is not a unit with a boundary" % (where, area))
            valid = False
        if r.get("area_kind") is not None and r["area_kind"] not in GEO_KINDS:
            err(S, "%s: area_kind must be one of %s" % (where, sorted(GEO_KINDS)))
            valid = False
        hours = r.get("hours")
        if hours is not None:
            if (not isinstance(hours, dict) or set(hours) != {"from", "to"}
                    or not all(isinstance(hours[k], str) and HHMM.match(hours[k]) for k in ("from", "to"))):
                err(S, "%s: hours must be {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}" % where)
                valid = False
            elif hours["from"] == hours["to"]:
                err(S, "%s: hours window is empty (from == to)" % where)
                valid = False
        unit, by_area = r.get("unit"), r.get("unit_by_area")
        if (unit is None) == (by_area is None):
            err(S, "%s: give exactly one of unit and unit_by_area" % where)
            valid = False
        if unit is not None and (unit not in units or units[unit]["kind"] not in ROUTABLE_KINDS):
            err(S, "%s: unit %s is not an existing responsible unit" % (where, unit))
            valid = False
        if by_area is not None and by_area not in BY_AREA_KINDS:
            err(S, "%s: unit_by_area must be one of %s" % (where, sorted(BY_AREA_KINDS)))
            valid = False
        if by_area == "enterprise" and r.get("area_kind") != "community":
            err(S, "%s: unit_by_area enterprise (the community's property company) needs area_kind community" % where)
        sg = r.get("supervising_group")
        if sg is not None:
            if sg not in units or units[sg]["kind"] != "supervision_group":
                err(S, "%s: supervising_group %s is not a supervision group" % (where, sg))
            for c, ch in cats.items():
                if ((cat is None or c == cat) and (prefix is None or c.startswith(prefix))
                        and ch.get("supervising_group") not in (None, sg)):
                    err(S, "%s: supervising_group %s conflicts with %s's %s" % (where, sg, c, ch["supervising_group"]))
        # unreachable: an earlier unconditional rule already takes all of this rule's categories
        for j, earlier in enumerate(rules[:i]):
            if all(earlier.get(k) is None for k in ("area", "area_kind", "hours")) and covers(earlier, r):
                if earlier.get("unit") is not None or earlier.get("unit_by_area") == "subdistrict":
                    err(S, "%s is unreachable: rule %d (%s) always matches first" % (where, j + 1, earlier.get("name")))
                    break
    last = rules[-1]
    if any(last.get(k) is not None for k in CONDITIONS):
        err(S, "the last rule must match everything (no category, prefix, area, area_kind or hours)")
    if not (last.get("unit") is not None or last.get("unit_by_area") == "subdistrict"):
        err(S, "the last rule must route to a fixed unit or to the subdistrict, which always resolves")
    if not valid:
        return rules

    # ---- simulate at a point inside every demo grid (each fault reported once per category)
    grids = sorted(c for c, u in units.items() if u["kind"] == "grid" and c in geo.poly)
    if not grids:
        err(S, "demo.json has no grid boundaries to simulate with")
    used = Counter()
    reported = set()

    def once(key, msg):
        if key not in reported:
            reported.add(key)
            err(S, msg)

    plain = [r for r in rules if r.get("area") is None]  # without the area-specific exceptions
    for g in grids:
        pt = inner_point(geo.poly[g])
        in_community = geo.unit_at("community", pt) is not None
        for c, ch in sorted(cats.items()):
            for t in SAMPLE_TIMES:
                i, unit = route(rules, c, pt, t, geo)
                if unit is None:
                    once((c, "none"), "category %s at grid %s, %s: no rule routes it" % (c, g, t))
                    continue
                used[i] += 1
                if unit not in units:
                    once((c, "unknown"), "category %s at grid %s: routed to unknown unit %s" % (c, g, unit))
            if not in_community:
                continue
            # By day in a community, routing agrees with the category's default responsibility.
            _, unit = route(plain, c, pt, DAY, geo)
            if unit is None:
                continue
            if units[unit]["kind"] != ch["responsible_kind"]:
                once((c, "kind"), "category %s at grid %s by day goes to %s (%s), but its responsible_kind is %s"
                     % (c, g, unit, units[unit]["kind"], ch["responsible_kind"]))
            elif ch.get("responsible_unit") and unit != ch["responsible_unit"]:
                once((c, "unit"), "category %s by day goes to %s, but its responsible_unit is %s"
                     % (c, unit, ch["responsible_unit"]))
    for cat, grid, t, want in EXAMPLES:
        if cat not in cats or grid not in geo.poly:
            err(S, "example %s at %s: category or grid missing" % (cat, grid))
            continue
        _, unit = route(rules, cat, inner_point(geo.poly[grid]), t, geo)
        if unit != want:
            err(S, "example: %s at grid %s, %s should go to %s, not %s" % (cat, grid, t, want, unit))
    for i, r in enumerate(rules):
        if grids and used[i] == 0:
            err(S, "rule %d (%s) never decides a route at any demo grid" % (i + 1, r.get("name")))
    return rules


# ---------------------------------------------------------------------------------------------
def main():
    preset = load("preset.json", None)
    demo = load("demo.json", None)
    categories = load("categories.json", "categories")
    routing = load("routing.json", "routing")
    units = {u["code"]: u for doc in (preset, demo) for u in doc.get("units", [])}
    boundaries = {b["unit"]: b["boundary"] for b in demo.get("boundaries", [])}
    geo = Geo(units, boundaries)

    cats = check_categories(categories, units)
    rules = check_routing(routing, units, cats, geo)

    classes = categories.get("classes", [])
    kinds = Counter(ch["_kind"] for ch in cats.values())
    print("classes: %d (event %d, component %d); minor classes: %d (event %d, component %d)"
          % (len(classes), sum(1 for c in classes if c.get("kind") == "event"),
             sum(1 for c in classes if c.get("kind") == "component"), len(cats), kinds["event"], kinds["component"]))
    print("drives: %s" % ", ".join("%s %d" % (d, sum(1 for ch in cats.values() if ch.get("drive") == d))
                                   for d in DRIVES))
    print("notices: %s; responsible: %s" % (
        ", ".join("%s %d" % kv for kv in sorted(Counter(ch.get("notice_kind") for ch in cats.values()).items())),
        ", ".join("%s %d" % kv for kv in sorted(Counter(ch.get("responsible_kind") for ch in cats.values()).items()))))
    print("routing rules: %d" % len(rules))
    failed = 0
    for section in ("categories", "routing"):
        for e in errors[section]:
            print("error: " + e)
        failed += len(errors[section])
    if not errors["categories"]:
        print("categories ok")
    if not errors["routing"]:
        print("routing ok")
    if failed:
        print("%d error(s)" % failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
