#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/ (parse_target/ is older and written by hand).

Run from anywhere: python3 fuzz/make_seeds.py
Seeds are small, real-looking inputs: the field names the handlers read, Chinese text, the CSV
the people export writes, GeoJSON of the Pingcheng district, EXIF blocks cut from the photo
fixtures and a few built here. The first byte of a json_body seed picks the handler
(fuzz/json_body_fuzz.cpp). Files named found_* are inputs that found something (the regression
tests in tests/fuzz_regression_test.cpp name them); they are kept as they are, not written here.
"""
import json
import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dumps(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


SQUARE = [[113.29, 40.08], [113.31, 40.08], [113.31, 40.1], [113.29, 40.1], [113.29, 40.08]]

# ---- json_body ----
write("json_body", "unit_create", "u" + dumps({
    "parent_id": 3, "kind": "community", "name": " 新华街社区 ", "code": "PC-XHJ-01",
    "name_en": "Xinhuajie Community", "duties": "负责辖区创城日常巡查\n门前三包", "sort_order": 2,
    "boundary": {"type": "Polygon", "coordinates": [SQUARE]}}))
write("json_body", "unit_create_hq", "u" + dumps({"kind": "hq", "name": "平城区创建全国文明城市指挥部"}))
write("json_body", "unit_patch", "U" + dumps({
    "name": "新华街社区居委会", "name_en": None, "code": "PC-XHJ-01", "sort_order": -5,
    "boundary": None, "version": 4}))
write("json_body", "person_create", "p" + dumps({"name": "李建国", "phone": "+86 352-1234567", "title": "网格长"}))
write("json_body", "person_patch", "P" + dumps({"name": "王 芳", "phone": None, "title": "社区书记", "version": 1}))
write("json_body", "case_report", "c" + dumps({
    "category": "road.occupy", "title": "占道经营", "description": "早市摊位占用人行道，行人只能走机动车道。",
    "address": "平城区新建南路与永泰街交叉口", "lat": 40.0763, "lng": 113.3001, "source": "citizen_app"}))
write("json_body", "case_report_address", "c" + dumps({"category": "sanitation.litter", "address": "御河东路 88 号"}))
write("json_body", "generic", "g" + dumps({
    "username": "zhangwei", "password": "Demo@2026", "remember": True, "unit_id": 12,
    "totp": None, "roles": ["grid_worker"], "big": 18446744073709551615, "neg": -9223372036854775808,
    "ratio": 0.5, "备注": "中文键"}))
write("json_body", "generic_nested", "g" + '{"a":{"b":[1,2,{"c":null}]},"d":"\\u4e2d\\u6587","e":1e400}')
write("json_body", "text_plain", "t" + dumps({"name": "x"}))
write("json_body", "query", "q/api/v1/org/units/17?unit_id=5&include_retired=true&limit=200&cursor=12.34")
write("json_body", "query_bad", "q/api/v1/cases/0?limit=0&unit_id=%E4%B8%AD&include_retired=maybe")
write("json_body", "not_object", "u[1,2,3]")
write("json_body", "empty", "p")

# ---- csv_import ----
BOM = "\ufeff"
write("csv_import", "export_zh", BOM + "编号,姓名,职务,电话,任职\r\n"
      "17,李建国,网格长,13800000001,PC-XHJ-01:grid_lead:head\r\n"
      "18,王芳,社区书记,0352-1234567,PC-XHJ:secretary:head; PC-HQ:member\r\n")
write("csv_import", "new_en", "name,title,phone,memberships\n"
      "赵敏,网格员,,PC-XHJ-01:grid_worker\n"
      "\"钱, 多多\",\"志愿者\n（周末）\",+86 139 0000 0002,\n")
write("csv_import", "reordered", "任职 ,  姓名,编号\n"
      "PC-A:member;;PC-B:leader:head,　孙立　,\n"
      ",周一,abc\n")
write("csv_import", "bad_membership", "姓名,任职\n吴二,PC-A\n郑三,PC-A:x:deputy\n")
write("csv_import", "quotes", "姓名,职务\n\"He said \"\"hi\"\"\",\"=SUM(A1)\"\n-5,@cmd\n")
write("csv_import", "unterminated", "姓名\n\"未闭合\n")
write("csv_import", "bad_quote", "姓名\n张\"三\"\n")
write("csv_import", "no_name_column", "编号,职务\n1,组长\n")
write("csv_import", "blank_lines", "\n\n姓名\r\r\n王五\r\n\r\n")

# ---- geojson ----
write("geojson", "square", dumps({"type": "Polygon", "coordinates": [SQUARE]}))
write("geojson", "ints_and_exp", '{"coordinates":[[[113,40],[114,40],[114,41],[1.13E2,4.1e1],[113,40]]],"type":"Polygon"}')
write("geojson", "pingcheng", dumps({"type": "Polygon", "coordinates": [[
    [113.2601, 40.0652], [113.3348, 40.0631], [113.3412, 40.1108], [113.3025, 40.1233],
    [113.2577, 40.1014], [113.2601, 40.0652]]]}))
write("geojson", "not_closed", dumps({"type": "Polygon", "coordinates": [SQUARE[:-1]]}))
write("geojson", "three_points", dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}))
write("geojson", "with_hole", dumps({"type": "Polygon", "coordinates": [SQUARE, SQUARE]}))
write("geojson", "out_of_range", dumps({"type": "Polygon", "coordinates": [[[181, 0], [0, 91], [0, 0], [181, 0]]]}))
write("geojson", "point", dumps({"type": "Point", "coordinates": [113.3, 40.09]}))
write("geojson", "feature", dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}))
write("geojson", "degenerate", dumps({"type": "Polygon", "coordinates": [[[113.3, 40.1]] * 4]}))
write("geojson", "bowtie", dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}))

# ---- exif ----
def le16(v): return struct.pack("<H", v)
def le32(v): return struct.pack("<I", v)


def tiff_le(ifd0, exif=None, gps=None):
    """A little-endian TIFF: IFD0 (+ Exif and GPS sub-IFDs). Entries: (tag, type, count, bytes)."""
    size = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 10: 8}
    ifds = [list(ifd0)]
    if exif is not None:
        ifds[0].append((0x8769, 4, 1, None))
        ifds.append(list(exif))
    if gps is not None:
        ifds[0].append((0x8825, 4, 1, None))
        ifds.append(list(gps))

    def block(entries):
        extra = sum(len(e[3]) for e in entries if e[3] is not None and len(e[3]) > 4)
        return 2 + 12 * len(entries) + 4 + extra

    offsets, at = [], 8
    for ifd in ifds:
        offsets.append(at)
        at += block(ifd)
    out = b"II*\x00" + le32(8)
    sub = {0x8769: offsets[1] if exif is not None else 0,
           0x8825: offsets[-1] if gps is not None else 0}
    for n, ifd in enumerate(ifds):
        ifd = sorted(ifd, key=lambda e: e[0])
        data_at = offsets[n] + 2 + 12 * len(ifd) + 4
        head, tail = le16(len(ifd)), b""
        for tag, typ, count, value in ifd:
            if value is None:
                value = le32(sub[tag])
            head += le16(tag) + le16(typ) + le32(count)
            if len(value) <= 4:
                head += value.ljust(4, b"\x00")
            else:
                head += le32(data_at + len(tail))
                tail += value
        out += head + le32(0) + tail
    return out


def rationals(*pairs): return b"".join(le32(a) + le32(b) for a, b in pairs)
def ascii(s): return s.encode() + b"\x00"


write("exif", "gps_time_offset", tiff_le(
    [(0x0112, 3, 1, le16(1)), (0x0132, 2, 20, ascii("2026:11:27 10:20:00"))],
    exif=[(0x9003, 2, 20, ascii("2026:11:27 10:15:00")), (0x9011, 2, 7, ascii("+08:00"))],
    gps=[(1, 2, 2, ascii("N")), (2, 5, 3, rationals((40, 1), (4, 1), (48, 1))),
         (3, 2, 2, ascii("E")), (4, 5, 3, rationals((113, 1), (16, 1), (4800, 100)))]))
write("exif", "south_west_void", tiff_le(
    [], gps=[(1, 2, 2, ascii("s")), (2, 5, 1, rationals((3375, 100))), (3, 2, 2, ascii("W")),
             (4, 5, 2, rationals((70, 1), (3960, 100))), (9, 2, 2, ascii("V"))]))
write("exif", "rotated_digitized", tiff_le(
    [(0x0112, 3, 1, le16(6))],
    exif=[(0x9004, 7, 19, b"2024-02-29T23:59:59"), (0x9012, 2, 7, ascii("-03:30"))]))
write("exif", "blank_date_zero_gps", tiff_le(
    [(0x0132, 2, 20, ascii("    :  :     :  :  "))],
    gps=[(1, 2, 2, ascii("N")), (2, 5, 3, rationals((0, 1), (0, 1), (0, 1))),
         (3, 2, 2, ascii("E")), (4, 5, 3, rationals((0, 1), (0, 0), (0, 1)))]))
# Big-endian, with the "Exif\0\0" prefix a JPEG APP1 has, an IFD pointing outside the data.
write("exif", "big_endian_prefixed", b"Exif\x00\x00MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 2)
      + struct.pack(">HHII", 0x0112, 3, 1, 8 << 16) + struct.pack(">HHII", 0x8825, 4, 1, 0xFFFFFF00)
      + struct.pack(">I", 0))


def app1_tiff(jpeg):
    """The TIFF data of the first APP1 Exif segment of a JPEG file."""
    i = 2
    while i + 4 <= len(jpeg):
        marker, length = jpeg[i + 1], struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        payload = jpeg[i + 4:i + 2 + length]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            return payload[6:]
        i += 2 + length
    return None


FIXTURES = os.path.join(ROOT, "..", "..", "tests", "fixtures")
for name in ("district_gps.jpg", "rotated6.jpg"):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        write("exif", "fixture_" + name.split(".")[0], app1_tiff(f.read()))

# ---- image_inspect: the photo fixtures themselves ----
for name in sorted(os.listdir(FIXTURES)):
    if name.endswith((".jpg", ".png", ".webp")):
        os.makedirs(os.path.join(ROOT, "image_inspect"), exist_ok=True)
        shutil.copyfile(os.path.join(FIXTURES, name), os.path.join(ROOT, "image_inspect", name))
