#!/usr/bin/env python3
"""Checks the preset's message templates (messages/LOCALE.json) against each other and the code.

- zh-CN and en have the same keys, no empty text, and the same {placeholders} for each key;
- every key the C++ code asks for exists: literal keys ("xlsx.cases.sheet"), and the families it
  builds ("state." + a state name, "notify." + KEY + ".title", "xlsx.notices." + a column), expanded
  from the names the code itself lists (src/domain/case.cpp, src/domain/calendar.cpp and the
  calls in src/).
Standard library only; run from this directory (ctest "preset" does). Exit 1 on any finding.
"""
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"
LOCALES = ("zh-CN", "en")
PREFIXES = ("notify", "robot", "state", "source", "xlsx", "pdf", "date", "common", "notice",
            "minutes", "limit_unit", "extension_decision", "bulletin", "digest", "open311")

problems = []


def load(locale):
    doc = json.loads((HERE / "messages" / f"{locale}.json").read_text(encoding="utf-8"))
    if doc.get("format") != "civicloop-messages/1" or doc.get("locale") != locale:
        problems.append(f"{locale}.json: format or locale is wrong")
    return doc["messages"]


msgs = {loc: load(loc) for loc in LOCALES}
zh, en = msgs["zh-CN"], msgs["en"]
for k in sorted(set(zh) ^ set(en)):
    problems.append(f"{k}: only in {'zh-CN' if k in zh else 'en'}")
placeholder = re.compile(r"\{([a-z_0-9]+)\}")
# Keys whose code gives several spellings of one value, of which each locale takes what it needs.
ALTERNATIVES = {"date.long": {"year", "month", "day", "mm", "dd"}}
# The digests (src/app/digest_service.cpp) give every template the same arguments, dates in
# several spellings ("from", "from_month" …): each locale takes what it needs.
_digest_code = (SRC / "app" / "digest_service.cpp").read_text(encoding="utf-8")
DIGEST_ARGS = set(re.findall(r'a\.emplace_back\("([a-z_]+)@?"', _digest_code))
for _p in re.findall(r'add_date\(a, "([a-z_]+)"', _digest_code):
    DIGEST_ARGS |= {_p, _p + "_year", _p + "_month", _p + "_day"}
DIGEST_KINDS = re.findall(r'"(daily|weekly)"', (SRC / "domain" / "digest.cpp").read_text(encoding="utf-8"))
for _k in sorted(set(DIGEST_KINDS)):
    for _t in (f"robot.digest_{_k}.title", f"robot.digest_{_k}.markdown",
               f"notify.digest_{_k}.title", f"notify.digest_{_k}.body"):
        ALTERNATIVES[_t] = DIGEST_ARGS
for _k in re.findall(r'RankWording::k\w+: return "([a-z_]+)"', (SRC / "domain" / "digest.cpp").read_text(encoding="utf-8")):
    ALTERNATIVES[f"digest.rank.{_k}"] = DIGEST_ARGS
if not DIGEST_ARGS or len(set(DIGEST_KINDS)) != 2:
    problems.append("cannot read the digests' arguments or kinds from src/app, src/domain")
for k in sorted(set(zh) & set(en)):
    for loc in LOCALES:
        if not msgs[loc][k].strip():
            problems.append(f"{loc} {k}: empty")
    if k in ALTERNATIVES:
        for loc in LOCALES:
            if not set(placeholder.findall(msgs[loc][k])) <= ALTERNATIVES[k]:
                problems.append(f"{loc} {k}: unknown placeholder in {msgs[loc][k]!r}")
    elif set(placeholder.findall(zh[k])) != set(placeholder.findall(en[k])):
        problems.append(f"{k}: placeholders differ: {zh[k]!r} / {en[k]!r}")


def code_of(path):
    # Comments removed, so that a key named in a comment does not count.
    return re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))


sources = {p: code_of(p) for p in SRC.rglob("*.cpp")}
domain_case = sources[SRC / "domain" / "case.cpp"]
domain_calendar = sources[SRC / "domain" / "calendar.cpp"]


def names(block_name, text):
    m = re.search(block_name + r"\{\{\{(.*?)\}\}\};", text, re.S)
    if not m:
        problems.append(f"cannot read {block_name} from the domain")
        return []
    return re.findall(r'\{\w+::\w+, "([a-z_]+)"\}', m.group(1))


families = {
    "state.": names(r"kStates", domain_case),
    "source.": names(r"kSources", domain_case),
    "extension_decision.": names(r"kDecisions", domain_case),
    "limit_unit.": re.findall(r'\{LimitUnit::\w+, "([a-z_]+)"\}', domain_calendar),
}
# Bulletins: the ranking's column headers (domain/bulletin.cpp ranking_columns), the period
# words and the photo labels. The template's own keys (bulletins.json) are checked at load.
m = re.search(r"ranking_columns\(\) \{.*?\{(.*?)\};", sources[SRC / "domain" / "bulletin.cpp"], re.S)
families["bulletin.col."] = re.findall(r'"([a-z_]+)"', m.group(1)) if m else []
if not families["bulletin.col."]:
    problems.append("cannot read the ranking columns from src/domain/bulletin.cpp")
families["bulletin.period."] = ["week", "month", "range"]
families["digest.rank."] = re.findall(r'RankWording::k\w+: return "([a-z_]+)"',
                                      sources[SRC / "domain" / "digest.cpp"])
families["bulletin.pdf."] = ["before", "after"]
# Open311: a request's notes and updates are summarised by their case action (app/open311_service.cpp
# history_actions).
m = re.search(r"kActions = \{(.*?)\};", sources[SRC / "app" / "open311_service.cpp"], re.S)
families["open311.note."] = re.findall(r'"([a-z_]+)"', m.group(1)) if m else []
if not families["open311.note."]:
    problems.append("cannot read the history actions from src/app/open311_service.cpp")
if not families["limit_unit."]:
    problems.append("cannot read the limit units from src/domain/calendar.cpp")

used = {}  # key -> where
key_literal = re.compile(r'"@?((?:%s)\.[a-z0-9_.]*)"' % "|".join(PREFIXES))
for path, text in sources.items():
    rel = path.relative_to(SRC.parent)
    for m in key_literal.finditer(text):
        key = m.group(1)
        if key.endswith("."):
            # A family: "state." + …, "xlsx.cases." + k over a list of columns, "notify." + key.
            if key in families:
                for n in families[key]:
                    used.setdefault(key + n, rel)
                continue
            loop = re.search(r'for \(const char\* k :\s*\{([^}]*)\}\)[^;]*?"' + re.escape(key) + '"',
                             text[max(0, m.start() - 1500):m.end()], re.S)
            if loop:
                for n in re.findall(r'"([a-z_]+)"', loop.group(1)):
                    used.setdefault(key + n, rel)
            elif key not in ("notify.", "robot."):
                problems.append(f"{rel}: cannot expand the key family {key!r}")
            continue
        if key in ("notify", "robot"):
            continue
        used.setdefault(key, rel)

# The notifications and robot messages: Outbox::notify(users, r, kind, KEY, args) and
# Outbox::robots(KEY, args) ask for notify.KEY.title/.body and robot.KEY.title/.markdown.
for path, text in sources.items():
    rel = path.relative_to(SRC.parent)
    for m in re.finditer(r"out\.notify\((.*?)\);", text, re.S):
        call = re.sub(r'\{"[a-z_]+",', "{", m.group(1))  # argument names are not keys
        lits = [s for s in re.findall(r'"([a-z_]+)"', call) if not s.endswith("_")]
        # The kind, then the key (or two, chosen by a condition); a kind that is a word is also a
        # key ("dispatched"), one built from a prefix ("warning_" + mark) is skipped.
        for k in lits:
            used.setdefault(f"notify.{k}.title", rel)
            used.setdefault(f"notify.{k}.body", rel)
        if not lits:
            problems.append(f"{rel}: cannot read the key of {m.group(0)[:60]!r}")
    for m in re.finditer(r'out\.robots\("([a-z_]+)"', text):
        used.setdefault(f"robot.{m.group(1)}.title", rel)
        used.setdefault(f"robot.{m.group(1)}.markdown", rel)

# The digests' keys: "digest_" + each kind (src/domain/digest.cpp).
for _k in sorted(set(DIGEST_KINDS)):
    for _t in (f"robot.digest_{_k}.title", f"robot.digest_{_k}.markdown",
               f"notify.digest_{_k}.title", f"notify.digest_{_k}.body"):
        used.setdefault(_t, "src/app/digest_service.cpp")

# Error codes share some prefixes ("bulletin.not_found"): those are worded in src/http/errors.json.
import json as _json
error_codes = set(_json.loads((SRC / "http" / "errors.json").read_text(encoding="utf-8"))["errors"])
for key, where in sorted(used.items()):
    if key in error_codes:
        continue
    for loc in LOCALES:
        if key not in msgs[loc]:
            problems.append(f"{where}: {key} is not in {loc}.json")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"messages: {len(zh)} keys in {', '.join(LOCALES)}; {len(used)} used by the code, all present")
