#!/usr/bin/env python3
"""Validate presets/pingcheng/calendar.json (standard library only).

Checks the format tag, the fixed UTC offset, the working periods (HH:MM, sorted, not
overlapping, within the day), and for each year: every date exists and belongs to its year,
no date is listed twice, no holiday is also a make-up working day, every make-up working day is
a Saturday or a Sunday, and the days match the State Council schedule as restated in
/work/shared/reference/holidays-cn.md (written below as ranges, independently of the JSON).
Prints a summary and "calendar ok"; exits 1 on any error.

Usage: python3 presets/pingcheng/check_calendar.py [path/to/calendar.json]
"""

import datetime as dt
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CALENDAR_PATH = os.path.join(HERE, "calendar.json")

FORMAT = "civicloop-calendar/1"
TOP_KEYS = {"format", "note", "utc_offset_minutes", "periods", "years"}
YEAR_KEYS = {"year", "source", "holidays", "makeup_workdays"}

# (first day, last day) of each holiday, and the make-up working days, per year.
EXPECTED = {
    2025: {
        "holidays": [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"),
                     ("2025-04-04", "2025-04-06"), ("2025-05-01", "2025-05-05"),
                     ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
        "makeup_workdays": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
        "counts": (28, 5, 248),  # holidays, make-up days, working days
    },
    2026: {
        "holidays": [("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"),
                     ("2026-04-04", "2026-04-06"), ("2026-05-01", "2026-05-05"),
                     ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
                     ("2026-10-01", "2026-10-07")],
        "makeup_workdays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                            "2026-10-10"],
        "counts": (33, 6, 248),
    },
}

errors = []


def error(message):
    errors.append(message)


def parse_date(text, where):
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        error(f"{where}: {text!r} is not YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        error(f"{where}: {text} does not exist")
        return None


def parse_minute(text, where):
    m = re.fullmatch(r"(\d{2}):(\d{2})", text) if isinstance(text, str) else None
    if not m or int(m.group(2)) > 59 or int(m.group(1)) * 60 + int(m.group(2)) > 24 * 60:
        error(f"{where}: {text!r} is not HH:MM within the day")
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def expand(ranges):
    out = set()
    for first, last in ranges:
        d, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while d <= end:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else CALENDAR_PATH
    with open(path, encoding="utf-8") as f:
        cal = json.load(f)

    if set(cal) != TOP_KEYS:
        error(f"top-level keys {sorted(cal)} != {sorted(TOP_KEYS)}")
    if cal.get("format") != FORMAT:
        error(f"format is {cal.get('format')!r}, expected {FORMAT!r}")
    note = cal.get("note", "")
    if "assumption" not in note or "2027" not in note:
        error("note must say the periods are an assumption and that 2027 must be entered")
    offset = cal.get("utc_offset_minutes")
    if offset != 480:
        error(f"utc_offset_minutes is {offset!r}; Pingcheng (Asia/Shanghai) is +480")

    periods = cal.get("periods") or []
    if not periods:
        error("no working periods")
    previous_end = 0
    day_minutes = 0
    for i, p in enumerate(periods):
        start = parse_minute(p.get("start"), f"periods[{i}].start")
        end = parse_minute(p.get("end"), f"periods[{i}].end")
        if start is None or end is None:
            continue
        if start >= end:
            error(f"periods[{i}]: start {p['start']} is not before end {p['end']}")
        if start < previous_end:
            error(f"periods[{i}]: not sorted or overlaps the period before")
        previous_end = end
        day_minutes += end - start

    seen_years = []
    for y in cal.get("years", []):
        year = y.get("year")
        where = f"years[{year}]"
        if set(y) - YEAR_KEYS or not {"year", "holidays", "makeup_workdays"} <= set(y):
            error(f"{where}: keys {sorted(y)}")
        if year in seen_years:
            error(f"{where}: listed twice")
        if seen_years and year is not None and year < seen_years[-1]:
            error(f"{where}: years not in ascending order")
        seen_years.append(year)
        days = {}
        for kind in ("holidays", "makeup_workdays"):
            texts = y.get(kind, [])
            if texts != sorted(texts):
                error(f"{where}.{kind}: not in ascending order")
            if len(set(texts)) != len(texts):
                error(f"{where}.{kind}: a date is listed twice")
            parsed = set()
            for t in texts:
                d = parse_date(t, f"{where}.{kind}")
                if d is None:
                    continue
                if d.year != year:
                    error(f"{where}.{kind}: {t} is not in {year}")
                parsed.add(d)
            days[kind] = parsed
        holidays, makeups = days["holidays"], days["makeup_workdays"]
        for d in sorted(holidays & makeups):
            error(f"{where}: {d} is both a holiday and a make-up working day")
        for d in sorted(makeups):
            if d.weekday() < 5:
                error(f"{where}: make-up working day {d} is a {d.strftime('%A')}, not a weekend day")
        expected = EXPECTED.get(year)
        if expected is None:
            error(f"{where}: no published schedule known to this checker; add it to EXPECTED")
            continue
        want_h = expand(expected["holidays"])
        want_m = {dt.date.fromisoformat(t) for t in expected["makeup_workdays"]}
        for d in sorted(want_h - holidays):
            error(f"{where}: holiday {d} missing")
        for d in sorted(holidays - want_h):
            error(f"{where}: {d} is not a published holiday")
        for d in sorted(want_m - makeups):
            error(f"{where}: make-up working day {d} missing")
        for d in sorted(makeups - want_m):
            error(f"{where}: {d} is not a published make-up working day")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        working = 0
        d = first
        while d <= last:
            working += d in makeups or (d.weekday() < 5 and d not in holidays)
            d += dt.timedelta(days=1)
        got = (len(holidays), len(makeups), working)
        if got != expected["counts"]:
            error(f"{where}: counts (holidays, make-up days, working days) {got} != "
                  f"{expected['counts']}")
        print(f"{year}: {len(holidays)} holidays, {len(makeups)} make-up working days, "
              f"{working} working days of {day_minutes} min")

    if sorted(seen_years) != sorted(EXPECTED):
        error(f"years {seen_years} != {sorted(EXPECTED)}")

    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        return 1
    print("calendar ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
