#!/usr/bin/env python3
"""Character-level agreement between our lexers (via dump_tokens) and Pygments.

For each language, a deterministic sample of real files already on this machine (installed
packages; nothing is committed) is tokenized by both. Pygments token types are mapped to our class
names (map_pygments); every non-whitespace character then counts as agreeing when both sides give
it the same class. Two figures are reported:
  strict  - exact class ("name.function" != "name"); our comment.doc also matches Pygments'
            comment / string.doc, because most Pygments lexers do not single out doc comments
  family  - first component only ("name.function" ~ "name", "comment.doc" ~ "comment")

Pygments is Debian's python3-pygments (2.14, the one the table-driven languages are exported
from), whatever `python3` is, except for JSX and TSX, which 2.14 lacks: those two compare with the
JsxLexer/TsxLexer of a newer Debian python3-pygments that fetch-corpus.sh unpacks into
deps/src/pygments-ref (NEWER_REFERENCE). `--langs all` covers every language: the hand-written
ones on the corpora below, the table-driven ones on real files where TABLE_CORPORA has some, else
on their golden-test sample files (table_languages.txt).

Files no installed package provides come from bench/accuracy/fetch-corpus.sh (deps/src/corpus).

Usage: compare.py [--dump PATH] [--langs python,go|all|tables] [--files N] [--confusions K] [--md OUT]
"""
import argparse
import collections
import datetime
import glob
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's Pygments, as the build uses
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "functions/render/lexer"))
from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name  # noqa: E402
import pygments  # noqa: E402
from pygments_export import map_pygments  # noqa: E402  (one mapping, owned by the exporter)
from dump_tokens_io import char_classes, listed_languages  # noqa: E402  (shared with golden_test)

# The files fetched by bench/accuracy/fetch-corpus.sh (Debian source packages, one npm tarball).
C = os.path.join(ROOT, "deps/src/corpus")

# Our language name -> (pygments lexer name, file globs). Files are sampled, not committed.
CORPORA = {
    "python": ("python", ["/usr/lib/python3.11/*.py", "/usr/lib/python3.11/*/*.py"]),
    "javascript": ("javascript", ["/usr/lib/node_modules/npm/lib/**/*.js",
                                  "/usr/lib/node_modules/npm/node_modules/**/*.js"]),
    "cpp": ("cpp", ["/usr/include/c++/12/bits/*.h", "/usr/include/c++/12/*",
                    "/usr/lib/llvm-16/include/llvm/ADT/*.h"]),
    "go": ("go", ["/usr/share/go-1.19/src/**/*.go"]),
    "rust": ("rust", ["/usr/share/cargo/registry/**/*.rs"]),
    "bash": ("bash", ["/usr/bin/*", "/etc/init.d/*", "/usr/share/bash-completion/completions/*",
                      "/usr/lib/git-core/git-*"]),
    "c": ("c", ["/usr/include/*.h", "/usr/include/linux/*.h"]),
    "typescript": ("typescript", ["/usr/lib/node_modules/**/*.ts", "node_modules/**/*.ts"]),
    "json": ("json", ["/usr/lib/node_modules/npm/node_modules/*/package.json"]),
    "css": ("css", ["/usr/share/doc/**/*.css", "/usr/lib/python3/dist-packages/**/*.css"]),
    "html": ("html", ["/usr/share/doc/**/*.html"]),
    "markdown": ("markdown", ["/usr/lib/node_modules/npm/node_modules/*/README.md"]),
    "yaml": ("yaml", ["/usr/share/**/*.yml", "/usr/share/**/*.yaml", "/etc/**/*.yaml",
                      "/usr/lib/google-cloud-sdk/**/*.yaml", f"{C}/**/*.yml", f"{C}/**/*.yaml"]),
    "php": ("php", ["/usr/lib/google-cloud-sdk/**/*.php"]),
    "java": ("java", [f"{C}/thrift/**/*.java", f"{C}/kotlin/**/*.java"]),
    "kotlin": ("kotlin", [f"{C}/kotlin/**/*.kt", f"{C}/thrift/**/*.kt",
                          f"{C}/flatbuffers/**/*.kt"]),
    "csharp": ("csharp", [f"{C}/thrift/**/*.cs", f"{C}/flatbuffers/**/*.cs"]),
    "swift": ("swift", [f"{C}/thrift/**/*.swift", f"{C}/flatbuffers/**/*.swift"]),
    "ruby": ("ruby", [f"{C}/thrift/**/*.rb", "/usr/share/**/*.rb"]),
    "sql": ("sql", ["/usr/share/postgresql/15/extension/*.sql", "/usr/share/postgresql/15/*.sql"]),
    "toml": ("toml", ["/usr/share/cargo/registry/*/Cargo.toml", f"{C}/**/*.toml"]),
    "dockerfile": ("docker", [f"{C}/thrift/**/Dockerfile", f"{C}/flatbuffers/**/Dockerfile*",
                              "/usr/share/go-1.19/src/**/Dockerfile",
                              "/usr/lib/google-cloud-sdk/**/Dockerfile*"]),
    "lua": ("lua", [f"{C}/thrift/**/*.lua", f"{C}/flatbuffers/**/*.lua"]),
    # Pygments 2.14 has no JSX/TSX lexer: these two compare with a newer Pygments (NEWER_REFERENCE)
    "jsx": ("jsx", [f"{C}/docusaurus/package/lib/theme/**/*.js"]),
    "tsx": ("tsx", [f"{C}/docusaurus/package/src/theme/**/*.tsx"]),
}

# Languages whose reference is the newer Pygments that fetch-corpus.sh unpacks from a Debian sid
# .deb (deps/src/pygments-ref), run in its own interpreter so the two versions never mix. Only
# these: every other row, and every exported table, stays on Debian bookworm's Pygments 2.14.
NEWER_REFERENCE = {"jsx", "tsx"}
NEWER_PATH = os.path.join(ROOT, "deps/src/pygments-ref")
_NEWER_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import pygments
from pygments.lexers import get_lexer_by_name
lexer = get_lexer_by_name(sys.argv[2], stripnl=False, stripall=False, ensurenl=False)
out = {"version": pygments.__version__, "files": []}
for path in sys.argv[3:]:
    text = open(path, encoding="utf-8").read()
    out["files"].append([[str(t), len(v)] for t, v in lexer.get_tokens(text)])
json.dump(out, sys.stdout)
"""


def newer_reference(lexer_name, files):
    """(Pygments version, [classes of each file]) from the newer Pygments (NEWER_REFERENCE)."""
    if not os.path.isfile(os.path.join(NEWER_PATH, "pygments/__init__.py")):
        sys.exit(f"compare.py: {NEWER_PATH} is missing: run bash bench/accuracy/fetch-corpus.sh")
    out = json.loads(subprocess.run([sys.executable, "-c", _NEWER_SCRIPT, NEWER_PATH, lexer_name]
                                    + files, capture_output=True, check=True, text=True).stdout)
    return out["version"], [[map_pygments(t) for t, n in toks for _ in range(n)]
                            for toks in out["files"]]

# Table-driven languages measured on real files (our name -> globs) instead of golden samples.
TABLE_CORPORA = {
    "perl": ["/usr/share/perl/5.36/**/*.pm", f"{C}/thrift/**/*.pm"],
    "dart": [f"{C}/thrift/**/*.dart", f"{C}/flatbuffers/**/*.dart"],
    "erlang": [f"{C}/thrift/**/*.erl"],
    "ocaml": [f"{C}/thrift/**/*.ml"],
    "d": [f"{C}/thrift/**/*.d"],
    "haxe": [f"{C}/thrift/**/*.hx"],
    "cmake": ["/usr/share/cmake-3.25/Modules/*.cmake"],
    "tcl": ["/usr/share/tcltk/**/*.tcl"],
    "xml": ["/usr/share/**/*.xml"],
    "groovy": [f"{C}/kotlin/**/*.gradle", f"{C}/thrift/**/*.gradle"],
    "fortran": ["/usr/lib/python3/dist-packages/numpy/f2py/tests/src/**/*.f90"],
    "powershell": ["/usr/lib/node_modules/corepack/shims/**/*.ps1"],
    "make": ["/usr/share/**/*.mk"],
    "protobuf": [f"{C}/kotlin/**/*.proto", f"{C}/flatbuffers/**/*.proto"],
    "elixir": [f"{C}/elixir/**/lib/**/*.ex"],
    "haskell": [f"{C}/quickcheck/**/*.hs"],
    "r": [f"{C}/r6/**/*.R"],
}

# We are finer than Pygments for doc comments in most lexers (C, C++, JS, Go mark /** */ and ///
# as plain comments; Rust calls them string.doc): those count as agreement in the strict figure.
DOC_EQUIV = ("comment", "string.doc")


def family(cls):
    if cls == "comment.doc" or cls == "string.doc":
        return "comment"  # doc comments vs docstrings: same role
    return cls.split(".")[0]


def sample_files(globs, count, max_bytes=200_000):
    seen = set()
    files = []
    for g in globs:
        for f in sorted(glob.glob(g, recursive=True)):
            if f in seen or not os.path.isfile(f) or os.path.islink(f):
                continue
            seen.add(f)
            files.append(f)
    good = []
    for f in files:
        try:
            size = os.path.getsize(f)
            if size == 0 or size > max_bytes:
                continue
            with open(f, "rb") as fh:
                data = fh.read()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "\r" in text or text.startswith("\ufeff") or "\x00" in text:
            continue  # Pygments normalises these; alignment would be off
        good.append(f)
    if len(good) <= count:
        return good
    step = len(good) / count  # spread the sample over the whole tree, deterministically
    return [good[int(k * step)] for k in range(count)]


def is_shell_script(path):
    try:
        with open(path, "rb") as fh:
            first = fh.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and (b"sh" in first.split(b"/")[-1].split(b" ")[0] or
                                        b"bash" in first)


def table_languages(dump):
    """(our name, Pygments lexer class, sample paths) of every listed table-driven language."""
    listed = listed_languages(dump)
    meta = json.load(open(os.path.join(os.path.dirname(dump),
                                       "functions/render/tables/pygments_tables.json")))
    by_class = {m["pygments_class"]: m["name"] for m in meta["lexers"]}
    out = []
    for line in open(os.path.join(ROOT, "functions/render/lexer/table_languages.txt")):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        cls = find_lexer_class_by_name(words[0])
        name = by_class[cls.__name__]
        if listed.get(name) and name not in CORPORA:
            samples = [os.path.join(ROOT, "deps/src", w) for w in words[1:] if w != "!shared"]
            out.append((name, cls, samples))
    return out


def theirs(lexer_name, text):
    if isinstance(lexer_name, str):
        lexer = get_lexer_by_name(lexer_name, stripnl=False, stripall=False, ensurenl=False)
    else:
        lexer = lexer_name(stripnl=False, stripall=False, ensurenl=False)
    classes = []
    for ttype, value in lexer.get_tokens(text):
        classes.extend([map_pygments(ttype)] * len(value))
    return classes


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--dump", default=os.environ.get("DUMP_TOKENS", "build/native/dump_tokens"))
    ap.add_argument("--langs", default="python,javascript,cpp,go,rust,bash")
    ap.add_argument("--files", type=int, default=40, help="files per language")
    ap.add_argument("--confusions", type=int, default=0, help="show top K confusions per language")
    ap.add_argument("--examples", type=int, default=0, help="show K example snippets per confusion")
    ap.add_argument("--md", default="", help="write a markdown report to this path")
    ap.add_argument("--append", action="store_true", help="append a section to --md instead")
    ap.add_argument("--via-table", action="store_true",
                    help="lex ours with the Pygments table of the same name (table:NAME), to "
                         "compare it with the hand-written lexer on the same files")
    ap.add_argument("--title", default="Lexer accuracy vs Pygments", help="markdown heading")
    args = ap.parse_args()

    rows = []
    total_strict = total_family = total_chars = 0
    tables = {}
    if args.langs in ("all", "tables"):
        tables = {name: (cls, samples) for name, cls, samples in table_languages(args.dump)}
        langs = ([] if args.langs == "tables" else list(CORPORA)) + list(tables)
    else:
        langs = args.langs.split(",")
        if any(lang not in CORPORA for lang in langs):
            tables = {name: (cls, samples) for name, cls, samples in table_languages(args.dump)}
    tmpdir = tempfile.mkdtemp(prefix="compare-")
    reference = {}
    for lang in langs:
        if lang in tables and lang in TABLE_CORPORA:
            pyg_name = tables[lang][0]
            files = sample_files(TABLE_CORPORA[lang], args.files)
        elif lang in tables:
            pyg_name, samples = tables[lang]
            files = []
            for k, src in enumerate(samples):  # Pygments' ensurenl: the file ends with a newline
                text = open(src, encoding="utf-8", errors="replace").read()
                dst = os.path.join(tmpdir, f"{lang}-{k}")
                with open(dst, "w", encoding="utf-8") as fh:
                    fh.write(text if text.endswith("\n") else text + "\n")
                files.append(dst)
        else:
            pyg_name, globs = CORPORA[lang]
            files = sample_files(globs, args.files * (8 if lang == "bash" else 1))
            if lang == "bash":
                files = [f for f in files if is_shell_script(f)][: args.files]
        same = fam = chars = 0
        confusions = collections.Counter()
        examples = collections.defaultdict(list)
        used = 0
        reference[lang] = f"Pygments {pygments.__version__}"
        if lang in NEWER_REFERENCE:
            version, newer = newer_reference(pyg_name, files)
            reference[lang] = f"Pygments {version} (newer reference)"
        for n, f in enumerate(files):
            text = open(f, encoding="utf-8").read()
            try:
                a = char_classes(args.dump, "table:" + pyg_name if args.via_table else lang, f)
            except subprocess.CalledProcessError as e:
                print(f"dump_tokens failed on {f}: {e}", file=sys.stderr)
                continue
            b = newer[n] if lang in NEWER_REFERENCE else theirs(pyg_name, text)
            if len(a) != len(text) or len(b) != len(text):
                print(f"skip {f}: length mismatch ours={len(a)} pyg={len(b)} text={len(text)}",
                      file=sys.stderr)
                continue
            used += 1
            for k, ch in enumerate(text):
                if ch.isspace():
                    continue
                chars += 1
                if a[k] == b[k] or (a[k] == "comment.doc" and b[k] in DOC_EQUIV):
                    same += 1
                    fam += 1
                else:
                    if family(a[k]) == family(b[k]):
                        fam += 1
                    confusions[(b[k], a[k])] += 1
                    if args.examples and len(examples[(b[k], a[k])]) < args.examples and (
                            k == 0 or a[k - 1] != a[k] or b[k - 1] != b[k]):
                        ls = text.rfind("\n", 0, k) + 1
                        le = text.find("\n", k)
                        examples[(b[k], a[k])].append(
                            f"{os.path.basename(f)}: {text[ls:le if le >= 0 else None][:120]!r} @{k - ls}")
        strict = 100.0 * same / chars if chars else 0.0
        famp = 100.0 * fam / chars if chars else 0.0
        rows.append((lang, used, chars, strict, famp))
        total_strict += same
        total_family += fam
        total_chars += chars
        print(f"{lang:12s} files={used:3d} chars={chars:8d} strict={strict:6.2f}% family={famp:6.2f}%")
        for (p, o), cnt in confusions.most_common(args.confusions):
            print(f"    pygments={p:20s} ours={o:20s} {cnt:7d} ({100.0 * cnt / chars:.2f}%)")
            for ex in examples[(p, o)]:
                print(f"        {ex}")
    overall = 100.0 * total_strict / total_chars if total_chars else 0.0
    overall_f = 100.0 * total_family / total_chars if total_chars else 0.0
    print(f"{'overall':12s} chars={total_chars:8d} strict={overall:6.2f}% family={overall_f:6.2f}%")

    if args.md:
        cmd = shlex.join(["python3", "bench/accuracy/compare.py"] + sys.argv[1:])
        with open(args.md, "a" if args.append else "w") as out:
            out.write(f"{chr(10) + '##' if args.append else '#'} {args.title}\n\n")
            out.write(f"- date: {datetime.date.today().isoformat()}\n")
            out.write(f"- machine: {platform.node()} ({platform.platform()}, {os.cpu_count()} CPUs)\n")
            out.write(f"- reference: Pygments {pygments.__version__} (Debian bookworm's "
                      "python3-pygments,\n  the one the tables are exported from), except the "
                      "rows marked *newer\n  reference* (column *reference*); Python "
                      f"{platform.python_version()}\n")
            out.write(f"- command (from the repository root): `{cmd}`\n")
            out.write("- corpus: `bash bench/accuracy/fetch-corpus.sh` first (deps/src/corpus, pinned)\n")
            out.write("- metric: share of non-whitespace characters given the same class; Pygments\n"
                      "  types mapped to ours by `map_pygments` (functions/render/lexer/\n"
                      "  pygments_export.py, shared with the table export). *strict* = exact class\n"
                      "  (our `comment.doc` also matches Pygments' `comment`/`string.doc`, as most\n"
                      "  Pygments lexers do not single out doc comments); *family* = first component\n"
                      "  only (name.function ~ name).\n\n")
            out.write("| language | files | chars | strict | family | reference | corpus |\n")
            out.write("| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
            for lang, used, chars, strict, famp in rows:
                globs = TABLE_CORPORA.get(lang) if lang in tables else CORPORA[lang][1]
                corpus = (", ".join("`" + g.replace(ROOT + "/", "") + "`" for g in globs)
                          if globs else "golden samples")
                if lang in tables:
                    corpus += " (table)"
                out.write(f"| {lang} | {used} | {chars} | {strict:.2f}% | {famp:.2f}% | "
                          f"{reference[lang]} | {corpus} |\n")
            out.write(f"| **overall** | | {total_chars} | **{overall:.2f}%** | {overall_f:.2f}% "
                      "| | |\n")


if __name__ == "__main__":
    main()
