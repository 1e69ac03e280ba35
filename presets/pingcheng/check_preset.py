#!/usr/bin/env python3
"""Validate presets/pingcheng/preset.json and demo.json (standard library only).

Checks that both files parse, that the real "1+11+7" structure and the 18 subdistricts match
the source article and BRIEF.md, that the demo units, people, memberships, liaisons and users
are consistent with each other and with the preset, that the schematic geometry nests
(the district outline is a simple counter-clockwise ring of about the district's area around its
centre; children lie inside their parent and tile it, the subdistricts tile the outline), and that demo.json is what
gen_demo_geometry.py generates. Prints a summary and "preset ok"; exits 1 on any error.

Usage: python3 presets/pingcheng/check_preset.py
"""

import json
import math
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
PRESET_PATH = os.path.join(HERE, "preset.json")
DEMO_PATH = os.path.join(HERE, "demo.json")

FORMAT = "civicloop-preset/1"

# From the source article (seed/000_728acf232142fcb7.txt), in the article's order.
SUPERVISION_GROUPS = [
    "问卷调查工作指导督导组", "负面清单管理指导督导组", "政务服务指导督导组", "乡村文明建设指导督导组",
    "材料申报指导督导组", "基层创建能力提升指导督导组", "宣传氛围营造及新时代文明实践工作指导督导组",
    "公共卫生服务指导督导组", "服务行业工作提升指导督导组", "公共环境整治指导督导组",
    "未成年人思想道德建设指导督导组",
]
TASK_FORCES = [d + "工作专班" for d in [
    "物业管理", "交通秩序治理", "市容市貌整治", "校园周边环境治理", "建筑工地管理", "站点周边环境整治", "城市用语规范",
]]
# From BRIEF.md (administrative division codes).
SUBDISTRICTS = {
    "140213050": "永泰街道", "140213051": "古城街道", "140213052": "新旺街道", "140213053": "迎宾街道",
    "140213054": "振华街道", "140213055": "清远街道", "140213056": "武定街道", "140213057": "御河街道",
    "140213058": "开源街道", "140213059": "大庆路街道", "140213060": "马军营街道", "140213061": "卧虎湾街道",
    "140213062": "新华街道", "140213063": "鹿苑街道", "140213064": "白登山街道", "140213065": "文瀛湖街道",
    "140213066": "水泊寺街道", "140213067": "小南头街道",
}
OUTER_SUBDISTRICTS = {"140213060", "140213064", "140213065", "140213066"}
AREA_KM2 = 243.7

KINDS = {"hq", "hq_office", "supervision_group", "task_force", "department", "subdistrict",
         "community", "village", "grid", "enforcement_team", "enterprise"}
PRESET_KINDS = {"hq", "hq_office", "supervision_group", "task_force", "subdistrict"}
DEMO_KINDS = KINDS - PRESET_KINDS
HEAD_KINDS = {"hq", "hq_office", "supervision_group", "task_force", "department", "subdistrict",
              "community", "village"}
LIAISON_KINDS = {"subdistrict", "community", "village"}
GEO_KINDS = {"subdistrict", "community", "village", "grid"}
ROLES = {"hq_admin", "hq_staff", "leader", "supervisor", "task_force_member", "unit_operator",
         "grid_worker", "citizen"}
REQUIRED_POSTS = [
    "first_commander", "commander", "deputy_commander", "office_director", "office_staff", "group_leader",
    "deputy_group_leader", "group_member", "task_force_lead", "task_force_member", "liaison_leader",
    "unit_head", "unit_operator", "subdistrict_secretary", "subdistrict_director", "community_secretary",
    "village_secretary", "grid_worker", "road_chief", "enforcement_officer", "property_manager",
    "shop_owner", "courier_volunteer", "evaluator",
]
UNIT_FIELDS = ["code", "parent", "kind", "name", "name_en", "duties", "sort_order"]

errors = []


def err(msg):
    errors.append(msg)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("error: %s: %s" % (os.path.basename(path), e))
        sys.exit(1)


SCALE = 10 ** 6  # coordinates have at most 6 decimals: exact integer micro-degrees
TOLERANCE = 1    # micro-degrees (about 10 cm): how far a rounded vertex may stray from an edge


def micro(poly):
    """The open ring of a checked polygon as integer micro-degrees."""
    return [(round(x * SCALE), round(y * SCALE)) for x, y in poly["coordinates"][0][:-1]]


def area2(ring):
    return sum(ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1] for i in range(len(ring)))


def perimeter(ring):
    return sum(math.dist(ring[i - 1], ring[i]) for i in range(len(ring)))


def ring_bbox(ring):
    return (min(p[0] for p in ring), min(p[1] for p in ring), max(p[0] for p in ring), max(p[1] for p in ring))


def strictly_inside(pt, ring):
    """Even-odd ray casting; points on (or within TOLERANCE of) the boundary count as outside."""
    if near_boundary(pt, ring):
        return False
    x, y = pt
    inside = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i - 1], ring[i]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def near_boundary(pt, ring, tol=TOLERANCE):
    x, y = pt
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i - 1], ring[i]
        dx, dy = x2 - x1, y2 - y1
        t = 0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        if math.hypot(x - (x1 + t * dx), y - (y1 + t * dy)) <= tol:
            return True
    return False


def covered(pt, ring):
    return near_boundary(pt, ring) or strictly_inside(pt, ring)


def check_polygon(code, poly, is_simple):
    """Return the ring in micro-degrees if the polygon is a valid simple closed counter-clockwise
    ring with at most 6 decimals, else None."""
    if not isinstance(poly, dict) or poly.get("type") != "Polygon":
        err("boundary of %s is not a GeoJSON Polygon" % code)
        return None
    coords = poly.get("coordinates")
    if not isinstance(coords, list) or len(coords) != 1 or not isinstance(coords[0], list) or len(coords[0]) < 4:
        err("boundary of %s must have exactly one ring of at least 4 positions" % code)
        return None
    ring = coords[0]
    for p in ring:
        if (not isinstance(p, list) or len(p) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)):
            err("boundary of %s has a bad position %r" % (code, p))
            return None
        if any(round(v, 6) != v for v in p):
            err("boundary of %s has coordinates with more than 6 decimals" % code)
            return None
        if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
            err("boundary of %s is out of range" % code)
            return None
    if ring[0] != ring[-1]:
        err("boundary of %s: ring is not closed" % code)
        return None
    pts = micro(poly)
    if not is_simple(pts):
        err("boundary of %s is not a simple ring (it crosses or touches itself)" % code)
        return None
    if area2(pts) <= 0:
        err("boundary of %s is not counter-clockwise (RFC 7946) or is empty" % code)
        return None
    return pts


def check_tiling(parent, ring, kids, rings, what):
    """The children (codes, rings) lie inside the parent ring and tile it: every vertex of a
    child is covered by the parent, the areas add up, and on a lattice of sample points every
    point inside the parent lies inside exactly one child."""
    for k in kids:
        if not all(covered(p, ring) for p in rings[k]):
            err("boundary of %s is not inside %s" % (k, what))
    total = sum(area2(rings[k]) for k in kids)
    # Rounding moves a vertex by at most half a micro-degree: the areas may differ by that much
    # along every edge.
    slack = sum(perimeter(rings[k]) for k in kids) * TOLERANCE
    if abs(total - area2(ring)) > slack:
        err("the children of %s do not tile it (areas %d vs %d)" % (parent, total, area2(ring)))
    w, s, e, n = ring_bbox(ring)
    steps = 23  # not a divisor of anything the generator uses: samples fall off the cut lines
    for i in range(1, steps):
        for j in range(1, steps):
            pt = (w + (e - w) * i / steps, s + (n - s) * j / steps)
            if not strictly_inside(pt, ring) or any(near_boundary(pt, rings[k]) for k in kids):
                continue
            hits = [k for k in kids if strictly_inside(pt, rings[k])]
            if len(hits) != 1:
                err("inside %s, the point %.6f, %.6f lies in %s"
                    % (what, pt[1] / SCALE, pt[0] / SCALE, hits or "no child area"))
                return


def main():
    preset = load(PRESET_PATH)
    demo = load(DEMO_PATH)

    # ---- top level
    for name, doc in (("preset.json", preset), ("demo.json", demo)):
        if doc.get("format") != FORMAT:
            err("%s: format must be %s" % (name, FORMAT))
    want_preset = {"format", "tenant", "posts", "units", "boundaries", "people", "memberships", "liaisons"}
    want_demo = {"format", "units", "boundaries", "people", "memberships", "liaisons", "users"}
    if set(preset) != want_preset:
        err("preset.json: top-level keys %s, expected %s" % (sorted(preset), sorted(want_preset)))
    if set(demo) != want_demo:
        err("demo.json: top-level keys %s, expected %s" % (sorted(demo), sorted(want_demo)))
    for key in ("people", "memberships", "liaisons"):
        if preset.get(key) != []:
            err("preset.json: %s must be empty (people are demo data)" % key)

    tenant = preset.get("tenant", {})
    expect_tenant = {"code": "pingcheng", "name": "大同市平城区", "admin_code": "140213", "timezone": "Asia/Shanghai"}
    for k, v in expect_tenant.items():
        if tenant.get(k) != v:
            err("tenant.%s must be %r" % (k, v))
    if not tenant.get("name_en"):
        err("tenant.name_en is missing")
    center = tenant.get("center", {})
    if not (isinstance(center.get("lat"), (int, float)) and isinstance(center.get("lng"), (int, float))):
        err("tenant.center must have numeric lat and lng")
        center = {"lat": 40.08, "lng": 113.28}

    # ---- posts
    posts = preset.get("posts", [])
    post_codes = [p.get("code") for p in posts]
    for c, n in Counter(post_codes).items():
        if n > 1:
            err("post code %s is duplicated" % c)
    for p in posts:
        if not p.get("code") or not p.get("name") or not p.get("name_en"):
            err("post %r needs code, name and name_en" % p)
    for c in REQUIRED_POSTS:
        if c not in post_codes:
            err("post %s is missing" % c)
    post_set = set(post_codes)

    # ---- units (preset first, then demo: parents must come before children)
    units = {}
    order = []
    for source, doc, allowed in (("preset.json", preset, PRESET_KINDS), ("demo.json", demo, DEMO_KINDS)):
        for u in doc.get("units", []):
            code = u.get("code")
            missing = [f for f in UNIT_FIELDS if f not in u]
            if missing:
                err("%s: unit %r lacks %s" % (source, code, ", ".join(missing)))
                continue
            if not isinstance(code, str) or not code:
                err("%s: unit with empty code" % source)
                continue
            if code in units:
                err("unit code %s is duplicated" % code)
                continue
            if u["kind"] not in KINDS:
                err("unit %s has unknown kind %s" % (code, u["kind"]))
            elif u["kind"] not in allowed:
                err("%s: unit %s of kind %s does not belong in this file" % (source, code, u["kind"]))
            if u["parent"] is None:
                if u["kind"] != "hq":
                    err("unit %s has no parent but is not the hq" % code)
            elif u["parent"] not in units:
                err("unit %s: parent %s does not exist or does not precede it" % (code, u["parent"]))
            for f in ("name", "name_en", "duties"):
                if not isinstance(u[f], str) or not u[f].strip():
                    err("unit %s: %s is empty" % (code, f))
            if not isinstance(u["sort_order"], int) or isinstance(u["sort_order"], bool):
                err("unit %s: sort_order must be an integer" % code)
            units[code] = dict(u, _source=source)
            order.append(code)

    by_kind = defaultdict(list)
    children = defaultdict(list)
    for code in order:
        u = units[code]
        by_kind[u["kind"]].append(u)
        if u["parent"] is not None:
            children[u["parent"]].append(code)

    roots = [c for c in order if units[c]["parent"] is None]
    if roots != ["HQ"]:
        err("there must be exactly one root unit, HQ (found %s)" % roots)
    offices = by_kind["hq_office"]
    if len(offices) != 1 or offices[0]["code"] != "HQ-OFFICE" or offices[0]["parent"] != "HQ":
        err("there must be exactly one hq_office, HQ-OFFICE under HQ")

    groups = by_kind["supervision_group"]
    if [g["name"] for g in groups] != SUPERVISION_GROUPS:
        err("supervision groups must be exactly the article's 11, in order; found %s" % [g["name"] for g in groups])
    if [g["code"] for g in groups] != ["SG%02d" % i for i in range(1, 12)]:
        err("supervision group codes must be SG01..SG11")
    task_forces = by_kind["task_force"]
    if [t["name"] for t in task_forces] != TASK_FORCES:
        err("task forces must be exactly the article's 7, in order; found %s" % [t["name"] for t in task_forces])
    if [t["code"] for t in task_forces] != ["TF%02d" % i for i in range(1, 8)]:
        err("task force codes must be TF01..TF07")
    for u in groups + task_forces:
        if u["parent"] != "HQ":
            err("unit %s must be directly under HQ" % u["code"])

    subdistricts = by_kind["subdistrict"]
    found = {u["code"]: u["name"] for u in subdistricts}
    if found != SUBDISTRICTS:
        err("subdistricts must be the 18 of BRIEF.md with their codes; differences: %s"
            % sorted(set(found.items()) ^ set(SUBDISTRICTS.items())))
    for u in subdistricts:
        if u["parent"] != "HQ":
            err("subdistrict %s must be directly under HQ" % u["code"])

    # ---- demo structure
    for u in by_kind["department"]:
        if u["parent"] != "HQ" or not re.fullmatch(r"DEPT\d{2}", u["code"]):
            err("department %s must be under HQ with a code DEPTnn" % u["code"])
    for sd in subdistricts:
        kids = [units[c] for c in children[sd["code"]]]
        comms = [k for k in kids if k["kind"] == "community"]
        vills = [k for k in kids if k["kind"] == "village"]
        teams = [k for k in kids if k["kind"] == "enforcement_team"]
        if len(comms) != 3:
            err("subdistrict %s has %d communities, expected 3" % (sd["code"], len(comms)))
        want_v = 2 if sd["code"] in OUTER_SUBDISTRICTS else 0
        if len(vills) != want_v:
            err("subdistrict %s has %d villages, expected %d" % (sd["code"], len(vills), want_v))
        if len(teams) != 1 or teams[0]["code"] != sd["code"] + "-ZF" or teams[0]["name"] != sd["name"] + "综合行政执法队":
            err("subdistrict %s needs one enforcement team %s-ZF" % (sd["code"], sd["code"]))
        for k in comms + vills:
            if not re.fullmatch(re.escape(sd["code"]) + r"\d{3}", k["code"]):
                err("%s %s: code must be its subdistrict code + 3 digits" % (k["kind"], k["code"]))
    for u in by_kind["community"] + by_kind["village"]:
        if units.get(u["parent"], {}).get("kind") != "subdistrict":
            err("%s %s must be under a subdistrict" % (u["kind"], u["code"]))
        grids = [units[c] for c in children[u["code"]] if units[c]["kind"] == "grid"]
        if [g["code"] for g in grids] != [u["code"] + "-G1", u["code"] + "-G2"]:
            err("%s %s must have grids -G1 and -G2" % (u["kind"], u["code"]))
        for i, g in enumerate(grids, 1):
            if g["name"] != "%s第%d网格" % (u["name"], i):
                err("grid %s should be named %s第%d网格" % (g["code"], u["name"], i))
        firms = [units[c] for c in children[u["code"]] if units[c]["kind"] == "enterprise"]
        want_f = 1 if u["kind"] == "community" else 0
        if len(firms) != want_f or (firms and (firms[0]["code"] != u["code"] + "-WY"
                                                or not firms[0]["name"].endswith("物业服务有限公司"))):
            err("%s %s must have %d property company %s-WY" % (u["kind"], u["code"], want_f, u["code"]))
    for u in by_kind["grid"]:
        if units.get(u["parent"], {}).get("kind") not in ("community", "village"):
            err("grid %s must be under a community or village" % u["code"])
        if children[u["code"]]:
            err("grid %s must not have children" % u["code"])

    # ---- people
    people = {}
    for p in demo.get("people", []):
        key = p.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"p-\d{3,}", key):
            err("person key %r must look like p-001" % key)
            continue
        if key in people:
            err("person key %s is duplicated" % key)
            continue
        if not p.get("name") or not p.get("title"):
            err("person %s needs name and title" % key)
        if not re.fullmatch(r"1\d{10}", str(p.get("phone", ""))):
            err("person %s has a bad phone %r" % (key, p.get("phone")))
        people[key] = p

    # ---- memberships
    seen = set()
    heads = Counter()
    member_units = defaultdict(set)      # person -> units
    unit_posts = defaultdict(list)       # unit -> [(person, post)]
    for m in demo.get("memberships", []):
        person, unit, post = m.get("person"), m.get("unit"), m.get("post")
        if person not in people:
            err("membership refers to unknown person %s" % person)
        if unit not in units:
            err("membership refers to unknown unit %s" % unit)
        if post not in post_set:
            err("membership refers to unknown post %s" % post)
        if not isinstance(m.get("is_head"), bool):
            err("membership %s/%s: is_head must be true or false" % (person, unit))
        if (person, unit, post) in seen:
            err("membership %s/%s/%s is duplicated" % (person, unit, post))
        seen.add((person, unit, post))
        if m.get("is_head") is True:
            heads[unit] += 1
        member_units[person].add(unit)
        unit_posts[unit].append((person, post))
    for key in people:
        if not member_units[key]:
            err("person %s has no membership" % key)
    for code in order:
        n = heads[code]
        if units[code]["kind"] in HEAD_KINDS and n != 1:
            err("unit %s (%s) has %d heads, expected exactly 1" % (code, units[code]["kind"], n))
        elif n > 1:
            err("unit %s has %d heads" % (code, n))

    def holders(unit, post):
        return [p for p, q in unit_posts[unit] if q == post]

    hq_head = [p for p, q in unit_posts["HQ"] if q == "first_commander"]
    if len(hq_head) != 1 or len(holders("HQ", "commander")) != 1:
        err("HQ needs one first_commander and one commander")
    elif people.get(hq_head[0], {}).get("title") != "区委书记":
        err("the first commander's title must be 区委书记")
    if len(holders("HQ", "deputy_commander")) < 2:
        err("HQ needs 2 deputy commanders")
    if len(holders("HQ-OFFICE", "office_director")) != 1 or len(holders("HQ-OFFICE", "office_staff")) < 2:
        err("HQ-OFFICE needs an office director and 2 office staff")
    for g in groups:
        if len(holders(g["code"], "group_leader")) != 1 or len(holders(g["code"], "group_member")) < 2:
            err("group %s needs a leader and 2 members" % g["code"])
    for t in task_forces:
        if len(holders(t["code"], "task_force_lead")) != 1 or len(holders(t["code"], "task_force_member")) < 1:
            err("task force %s needs a lead and a member" % t["code"])
    district_leaders = set(holders("HQ", "liaison_leader"))
    if len(district_leaders) != 6:
        err("HQ needs 6 district leaders with post liaison_leader, found %d" % len(district_leaders))
    for sd in subdistricts:
        if len(holders(sd["code"], "subdistrict_secretary")) != 1 or len(holders(sd["code"], "subdistrict_director")) != 1:
            err("subdistrict %s needs a secretary and a director" % sd["code"])
    for u in by_kind["community"] + by_kind["village"]:
        post = "community_secretary" if u["kind"] == "community" else "village_secretary"
        if len(holders(u["code"], post)) != 1:
            err("%s %s needs a %s" % (u["kind"], u["code"], post))
    for u in by_kind["grid"]:
        if len(holders(u["code"], "grid_worker")) != 1:
            err("grid %s needs one grid worker" % u["code"])
    for u in by_kind["department"]:
        if len(holders(u["code"], "unit_head")) != 1:
            err("department %s needs a head" % u["code"])

    # ---- liaisons
    liaison_count = Counter()
    leader_load = Counter()
    for l in demo.get("liaisons", []):
        unit, leader = l.get("unit"), l.get("leader")
        if unit not in units:
            err("liaison refers to unknown unit %s" % unit)
            continue
        if leader not in people:
            err("liaison for %s refers to unknown person %s" % (unit, leader))
            continue
        liaison_count[unit] += 1
        kind = units[unit]["kind"]
        if kind == "subdistrict":
            if leader not in district_leaders:
                err("liaison leader of subdistrict %s must be one of the district liaison leaders" % unit)
            leader_load[leader] += 1
        elif kind in ("community", "village"):
            parent = units[unit]["parent"]
            if parent not in member_units[leader]:
                err("liaison leader %s of %s is not a member of its subdistrict %s" % (leader, unit, parent))
    for code in order:
        if units[code]["kind"] in LIAISON_KINDS and liaison_count[code] != 1:
            err("unit %s has %d liaisons, expected exactly 1" % (code, liaison_count[code]))
    for leader in district_leaders:
        if leader_load[leader] != 3:
            err("district leader %s liaises with %d subdistricts, expected 3" % (leader, leader_load[leader]))

    # ---- users
    users = demo.get("users", [])
    names = [u.get("username") for u in users]
    expected_users = ["admin", "office", "leader", "supervisor", "taskforce", "unit", "grid", "citizen"]
    if sorted(names) != sorted(expected_users):
        err("users must be exactly %s; found %s" % (expected_users, names))
    ubn = {u.get("username"): u for u in users}
    for u in users:
        if u.get("password") != "Demo@2026":
            err("user %s: demo password must be Demo@2026" % u.get("username"))
        if u.get("role") not in ROLES:
            err("user %s: unknown role %s" % (u.get("username"), u.get("role")))
        if u.get("unit") is not None and u.get("unit") not in units:
            err("user %s: unknown unit %s" % (u.get("username"), u.get("unit")))
        if u.get("person") is not None and u.get("person") not in people:
            err("user %s: unknown person %s" % (u.get("username"), u.get("person")))
        if not u.get("display_name"):
            err("user %s: display_name is empty" % u.get("username"))
        if u.get("person") is not None and u.get("unit") is not None and u["unit"] not in member_units[u["person"]]:
            err("user %s: person %s is not a member of unit %s" % (u.get("username"), u["person"], u["unit"]))

    def expect_user(name, role, unit, person_ok, what):
        u = ubn.get(name)
        if u is None:
            return
        if u.get("role") != role or u.get("unit") != unit:
            err("user %s must have role %s and unit %s" % (name, role, unit))
        if not person_ok(u.get("person")):
            err("user %s: person must be %s" % (name, what))

    first_community = next((c for c in children.get("140213050", []) if units[c]["kind"] == "community"), None)
    first_grid = first_community + "-G1" if first_community else None
    expect_user("admin", "hq_admin", None, lambda p: p in holders("HQ-OFFICE", "office_director"), "the office director")
    expect_user("office", "hq_staff", "HQ-OFFICE", lambda p: p in holders("HQ-OFFICE", "office_staff"), "an office staff")
    expect_user("leader", "leader", "HQ", lambda p: p in district_leaders, "one of the 6 district leaders")
    expect_user("supervisor", "supervisor", "SG10", lambda p: p in holders("SG10", "group_member"), "a member of SG10")
    expect_user("taskforce", "task_force_member", "TF03", lambda p: p in holders("TF03", "task_force_member"),
                "a member of TF03")
    expect_user("unit", "unit_operator", "140213050", lambda p: p in holders("140213050", "subdistrict_director"),
                "the director of 永泰街道")
    expect_user("grid", "grid_worker", first_grid, lambda p: p in holders(first_grid, "grid_worker"),
                "the worker of the first grid of 永泰街道's first community")
    expect_user("citizen", "citizen", None, lambda p: p is None, "null")

    # ---- boundaries: the district outline (preset.json, the HQ's), the demo areas (demo.json)
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True  # keep the preset directory free of __pycache__
    try:
        import gen_demo_geometry
    except ImportError as e:
        err("cannot import gen_demo_geometry: %s" % e)
        gen_demo_geometry = None
    is_simple = gen_demo_geometry.is_simple if gen_demo_geometry else (lambda ring: True)

    rings = {}
    outline = None
    pb = preset.get("boundaries", [])
    if [b.get("unit") for b in pb] != ["HQ"]:
        err("preset.json: boundaries must hold exactly the HQ's outline (the district), found %s"
            % [b.get("unit") for b in pb])
    else:
        outline = check_polygon("HQ", pb[0].get("boundary"), is_simple)
    if outline:
        rings["HQ"] = outline
        km_lat = 111.132954 - 0.559822 * math.cos(math.radians(2 * center["lat"]))
        km_lng = 111.41284 * math.cos(math.radians(center["lat"]))
        km2 = area2(outline) / 2 / SCALE / SCALE * km_lat * km_lng
        if abs(km2 - AREA_KM2) / AREA_KM2 > 0.02:
            err("the district outline covers %.1f km², expected about %.1f" % (km2, AREA_KM2))
        if not strictly_inside((round(center["lng"] * SCALE), round(center["lat"] * SCALE)), outline):
            err("the district centre is outside the district outline")

    for b in demo.get("boundaries", []):
        code = b.get("unit")
        if code not in units:
            err("boundary for unknown unit %s" % code)
            continue
        if units[code]["kind"] not in GEO_KINDS:
            err("boundary for %s of kind %s is not expected" % (code, units[code]["kind"]))
        if code in rings:
            err("unit %s has more than one boundary" % code)
            continue
        ring = check_polygon(code, b.get("boundary"), is_simple)
        if ring:
            rings[code] = ring
    for code in order:
        if units[code]["kind"] in GEO_KINDS and code not in rings:
            err("unit %s (%s) has no boundary" % (code, units[code]["kind"]))

    kids_of = defaultdict(list)
    for code in rings:
        if units[code]["parent"] is not None:
            kids_of[units[code]["parent"]].append(code)
    for parent, kids in sorted(kids_of.items()):
        if parent in rings:
            check_tiling(parent, rings[parent], kids, rings, "its parent %s" % parent)
    if outline and all(u["code"] in rings for u in subdistricts):
        check_tiling("HQ", outline, [u["code"] for u in subdistricts], rings, "the district outline")
    gucheng = rings.get("140213051")
    if gucheng and not strictly_inside((round(center["lng"] * SCALE), round(center["lat"] * SCALE)), gucheng):
        err("古城街道 should hold the district centre")

    # ---- demo.json must be what the generator produces
    if gen_demo_geometry:
        with open(DEMO_PATH, encoding="utf-8") as f:
            if f.read() != gen_demo_geometry.dumps(gen_demo_geometry.build(preset)):
                err("demo.json differs from the output of gen_demo_geometry.py (rerun it)")

    # ---- report
    kinds = Counter(units[c]["kind"] for c in order)
    print("units: %d (%s)" % (len(order), ", ".join("%s %d" % (k, kinds[k]) for k in sorted(kinds))))
    print("posts: %d, people: %d, memberships: %d, liaisons: %d, users: %d, boundaries: %d"
          % (len(posts), len(people), len(demo.get("memberships", [])), len(demo.get("liaisons", [])),
             len(users), len(demo.get("boundaries", []))))
    if errors:
        for e in errors:
            print("error: " + e)
        print("%d error(s)" % len(errors))
        return 1
    print("preset ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
