#!/usr/bin/python3 -I
"""Golden test of the table-driven languages against Pygments, on real sample files.

For every language listed by the render module that comes from a table (table_languages.txt), each
of its sample files (chroma's lexer test inputs and rouge's demos, fetched by scripts/fetch-deps.sh)
is tokenized by our engine (dump_tokens) and by Debian's Pygments, the lexer the table was exported
from. Asserts, per language:
  - at least one sample file exists,
  - at least 99 % of the non-whitespace characters get the same class (Pygments' types mapped to
    ours by pygments_export.map_pygments),
  - a file named after one of its globs ("x.ex" for "*.ex") is detected as that language (for a
    language marked !shared, whose globs all belong to an earlier one too, that the earlier wins).

Usage: golden_test.py DUMP_TOKENS TABLES.json table_languages.txt DEPS_SRC [--report]
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pygments.lexers import find_lexer_class_by_name  # noqa: E402
from pygments_export import map_pygments  # noqa: E402
from dump_tokens_io import char_classes, listed_languages, tables_in_use  # noqa: E402

THRESHOLD = 99.0


def normalized(path):
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.endswith("\n"):
        text += "\n"  # Pygments' ensurenl: several lexers need the final newline
    return text


def ours(dump, name, text, tmp):
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    return char_classes(dump, name, tmp)


def theirs(cls, text):
    lexer = cls(stripnl=False, stripall=False, ensurenl=False)
    classes = []
    for _, ttype, value in lexer.get_tokens_unprocessed(text):
        classes.extend([map_pygments(ttype)] * len(value))
    return classes


def example_name(glob):
    name = glob.replace("*", "example").replace("?", "x")
    while "[" in name and "]" in name:
        a, b = name.index("["), name.index("]")
        name = name[:a] + name[a + 1] + name[b + 1:]
    return name


def main():
    dump, tables_json, list_file, deps = sys.argv[1:5]
    report = "--report" in sys.argv
    meta = json.load(open(tables_json, encoding="utf-8"))["lexers"]
    by_class = {m["pygments_class"]: m for m in meta}
    listed = listed_languages(dump)
    # Hand-written languages lexed by their table (language.cpp, kByTable): held to the same test.
    switched = tables_in_use(dump)
    failures = []
    rows = []
    tmp = os.path.join(tempfile.mkdtemp(prefix="golden-"), "sample")
    for line in open(list_file, encoding="utf-8"):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        alias, samples = line[0], line[1:]
        shared = bool(samples) and samples[0] == "!shared"
        if shared:
            samples = samples[1:]
        cls = find_lexer_class_by_name(alias)
        m = by_class[cls.__name__]
        name = m["name"]
        if not listed.get(name) and name not in switched:
            continue  # a hand-written language answers to this name
        if not samples:
            failures.append(f"{name}: no sample file")
            continue
        same = chars = 0
        for rel in samples:
            path = os.path.join(deps, rel)
            if not os.path.isfile(path):
                failures.append(f"{name}: missing sample {rel} (run scripts/fetch-deps.sh)")
                continue
            text = normalized(path)
            a = ours(dump, name, text, tmp)
            b = theirs(cls, text)
            if len(a) != len(text) or len(b) != len(text):
                failures.append(f"{name}: {rel}: token text does not cover the file "
                                f"(ours {len(a)}, Pygments {len(b)}, file {len(text)})")
                continue
            for k, ch in enumerate(text):
                if ch.isspace():
                    continue
                chars += 1
                same += a[k] == b[k]
        pct = 100.0 * same / chars if chars else 0.0
        detected = None
        globs = m["filenames"]
        for g in globs:
            d = subprocess.run([dump, "--detect", example_name(g)], capture_output=True,
                               check=True, text=True).stdout.strip()
            if d == name or d == switched.get(name):  # (a switched one: the hand-written name)
                detected = example_name(g)
                break
        rows.append((name, len(samples), chars, pct, detected, m["approx"]))
        if pct < THRESHOLD:
            failures.append(f"{name}: {pct:.2f}% agreement with Pygments (< {THRESHOLD}%)")
        if shared:
            # Every glob is also an earlier language's: that one must win, never plain text.
            d = subprocess.run([dump, "--detect", example_name(globs[0])], capture_output=True,
                               check=True, text=True).stdout.strip()
            if detected is not None or d in ("text", name):
                failures.append(f"{name}: marked !shared but {example_name(globs[0])} is {d}")
            detected = f"(shared: {example_name(globs[0])} is {d})"
        elif globs and detected is None:
            failures.append(f"{name}: no file name among {globs} is detected as {name}")
    if report:
        for name, n, chars, pct, det, approx in rows:
            print(f"{name:20s} files={n} chars={chars:6d} agree={pct:6.2f}% detect={det}"
                  f"{' (approx)' if approx else ''}")
    print(f"golden: {len(rows)} table languages checked, {len(failures)} failures")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
