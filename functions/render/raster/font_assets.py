#!/usr/bin/env python3
"""Build step: the fonts too large for render.wasm, as static asset files (never committed).

  font_assets.py OUT_DIR OUT.cpp

Writes OUT_DIR/fonts/<name> for every font below (subset with fontTools, Debian package
python3-fonttools, to the scripts it is here for; OpenType layout tables are kept, HarfBuzz
shapes with them) and OUT.cpp, the table the render module looks code points up in: for each
font its file name, how it is drawn, and the code points it really has (from the subset's cmap).

The Worker serves OUT_DIR through its static assets binding (wrangler.toml [assets]); the render
module asks the host for a font the first time a line needs it (shared/include/shared/host_abi.h,
host_asset). The CLI and the native tests read the same files.
"""
import io
import os
import sys
import unicodedata

NOTO = "/usr/share/fonts/truetype/noto/"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
EMOJI = NOTO + "NotoColorEmoji.ttf"
# What Indic fonts need beside their block: dandas, joiners, the dotted circle HarfBuzz puts
# under a mark with nothing to sit on.
INDIC_EXTRA = "0964-0965,200C-200D,25CC"

# name, source, face index in a collection, kind, code points looked up (hex ranges, inclusive, or
# a tier of SPLITS below), extra ranges kept in the subset but not looked up. Kinds: wide (one
# glyph per character, two cells), color (CBDT bitmaps, shaped, two cells per cluster), shaped
# (HarfBuzz, the font's own advances).
#
# A font's first load in a new isolate costs time in proportion to its bytes (reading it through
# the assets binding, copying it into the module, FreeType opening it: bench/results/scripts.md),
# so the large ones are split into files of at most about 2 MB by what a text needs: the Han
# characters of everyday Chinese and Japanese text in one file, the rest of the national
# standards' sets in a second, the rare ones by code point after; kana apart from Hangul, and
# the Hangul syllables of everyday Korean apart from the other 8,822. Each code point belongs to
# exactly one file, so a render loads only the files its characters are in.
HAN = "2E80-2FDF,3400-4DBF,4E00-9FFF,F900-FAFF"
HANGUL_SYLLABLES = "AC00-D7AF"
# Where the table says which file has a code point one byte per code point, [lo, hi).
WINDOWS = [(0x3400, 0xA000), (0xAC00, 0xD7B0)]
FONTS = [
    # Noto Sans Mono CJK SC: Han in the Simplified Chinese forms, kana, Hangul; its half-width
    # Latin is 500 units and its ideographs 1000, two monospace cells.
    ("cjk-han.otf", CJK, 7, "wide", ("han", 0), ""),
    ("cjk-han-2.otf", CJK, 7, "wide", ("han", 1), ""),
    ("cjk-han-3.otf", CJK, 7, "wide", ("han", 2), ""),
    ("cjk-han-4.otf", CJK, 7, "wide", ("han", 3), ""),
    ("cjk-han-5.otf", CJK, 7, "wide", ("han", 4), ""),
    ("cjk-han-6.otf", CJK, 7, "wide", ("han", 5), ""),
    ("cjk-kana.otf", CJK, 7, "wide",
     "3000-303F,3040-30FF,3100-312F,3190-31FF,3200-33FF,FE30-FE4F,FF00-FFEF", ""),
    ("cjk-hangul.otf", CJK, 7, "wide", ("hangul", 0), ""),
    ("cjk-hangul-2.otf", CJK, 7, "wide", ("hangul", 1), ""),
    # Noto Color Emoji, in files of about EMOJI_FILE_BYTES (emoji_plan below).
    ("emoji", EMOJI, 0, "color", ("emoji", None), ""),
    ("devanagari.ttf", NOTO + "NotoSansDevanagari-Regular.ttf", 0, "shaped",
     "0900-097F,A8E0-A8FF,1CD0-1CFF", INDIC_EXTRA),
    ("bengali.ttf", NOTO + "NotoSansBengali-Regular.ttf", 0, "shaped", "0980-09FF", INDIC_EXTRA),
    ("gurmukhi.ttf", NOTO + "NotoSansGurmukhi-Regular.ttf", 0, "shaped", "0A00-0A7F",
     INDIC_EXTRA),
    ("gujarati.ttf", NOTO + "NotoSansGujarati-Regular.ttf", 0, "shaped", "0A80-0AFF",
     INDIC_EXTRA),
    ("oriya.ttf", NOTO + "NotoSansOriya-Regular.ttf", 0, "shaped", "0B00-0B7F", INDIC_EXTRA),
    ("tamil.ttf", NOTO + "NotoSansTamil-Regular.ttf", 0, "shaped", "0B80-0BFF", INDIC_EXTRA),
    ("telugu.ttf", NOTO + "NotoSansTelugu-Regular.ttf", 0, "shaped", "0C00-0C7F", INDIC_EXTRA),
    ("kannada.ttf", NOTO + "NotoSansKannada-Regular.ttf", 0, "shaped", "0C80-0CFF",
     INDIC_EXTRA),
    ("malayalam.ttf", NOTO + "NotoSansMalayalam-Regular.ttf", 0, "shaped", "0D00-0D7F",
     INDIC_EXTRA),
    ("sinhala.ttf", NOTO + "NotoSansSinhala-Regular.ttf", 0, "shaped", "0D80-0DFF",
     INDIC_EXTRA),
    ("thai.ttf", NOTO + "NotoSansThai-Regular.ttf", 0, "shaped", "0E00-0E7F", "25CC"),
    ("lao.ttf", NOTO + "NotoSansLao-Regular.ttf", 0, "shaped", "0E80-0EFF", "25CC"),
    ("myanmar.ttf", NOTO + "NotoSansMyanmar-Regular.ttf", 0, "shaped", "1000-109F,AA60-AA7F",
     "200C-200D,25CC"),
    ("khmer.ttf", NOTO + "NotoSansKhmer-Regular.ttf", 0, "shaped", "1780-17FF,19E0-19FF",
     "200C-200D,25CC"),
    ("ethiopic.ttf", NOTO + "NotoSansEthiopic-Regular.ttf", 0, "shaped",
     "1200-139F,2D80-2DDF,AB00-AB2F", ""),
]
KINDS = {"wide": 0, "color": 1, "shaped": 2}


def parse_ranges(text):
    out = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return out


def within(cp, ranges):
    return any(lo <= cp <= hi for lo, hi in ranges)


def national_set(codec, rows, cols=range(0xA1, 0xFF)):
    """The characters of rows `rows` of a two-byte national standard, read through Python's own
    codec tables (the standards list their common characters first: GB 2312 level 1, JIS X 0208
    level 1, Big5's frequent set)."""
    out = set()
    for r in rows:
        for c in cols:
            try:
                s = bytes([r, c]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                out.add(ord(s))
    return out


# Code points per Han file, in order: 0 the frequent characters of Simplified Chinese (GB 2312
# level 1, 3,755) and Japanese (JIS X 0208 level 1, 2,965); 1 the rest of GB 2312, JIS X 0208,
# the frequent Traditional set of Big5 and the hanja of KS X 1001; 2.. everything else the font
# has, by code point, in HAN_RARE_FILES files of about the same size.
HAN_RARE_FILES = 4


def han_tiers(have):
    have = sorted(c for c in have if within(c, parse_ranges(HAN)))
    t0 = national_set("gb2312", range(0xB0, 0xD8)) | national_set("euc_jp", range(0xB0, 0xD0))
    big5 = national_set("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))
    t1 = (national_set("gb2312", range(0xD8, 0xF8)) | national_set("euc_jp", range(0xD0, 0xF5)) |
          big5 | national_set("euc_kr", range(0xCA, 0xFE))) - t0
    tiers = [{c for c in have if c in t0}, {c for c in have if c in t1}]
    rare = [c for c in have if c not in t0 and c not in t1]
    per = -(-len(rare) // HAN_RARE_FILES)
    tiers += [set(rare[k * per:(k + 1) * per]) for k in range(HAN_RARE_FILES)]
    return tiers


# Hangul: 0 the jamo and the 2,350 syllables of KS X 1001 (everyday Korean), 1 the other
# syllables.
def hangul_tiers(have):
    common = national_set("euc_kr", range(0xB0, 0xC9))
    jamo = parse_ranges("1100-11FF,3130-318F,A960-A97F,D7B0-D7FF")
    syl = parse_ranges(HANGUL_SYLLABLES)
    return [{c for c in have if within(c, jamo) or (within(c, syl) and c in common)},
            {c for c in have if within(c, syl) and c not in common}]


# Emoji: the looked-up code points of the emoji font, as before the split.
EMOJI_RANGES = ("203C,2049,2122,2139,2194-21AA,231A-23FF,24C2,25AA-25FE,2600-27BF,2934-2935,"
                "2B05-2B55,3030,303D,3297,3299,1F000-1FAFF")
# Kept in every emoji file, never looked up: joiner, keycap, presentation selector, tags.
EMOJI_JOINERS = "200D,20E3,FE0F,E0020-E007F"
EMOJI_FILE_BYTES = 1200000
UNICODE_EMOJI = "/usr/share/unicode/emoji/"  # Debian unicode-data (python3-fonttools needs it)


def emoji_plan():
    """Splits Noto Color Emoji into files of about EMOJI_FILE_BYTES of bitmaps each.

    The code points go in the order of Unicode's emoji-test.txt (smileys, people, animals, food,
    travel, activities, objects, symbols, flags), so what is used together tends to share a file.
    An emoji sequence (a skin tone, a ZWJ sequence such as man + ZWJ + laptop, a flag) lives in
    the file of its first code point, which also keeps the sequence's other code points (not
    looked up there): the painter shapes a run with the face of its first character and, after a
    joiner, goes on with any character that face has (render.cpp). Flags keep the font's
    regional-indicator lookups (the whole GSUB closure); the other files keep exactly the
    sequences they own, not every one whose parts happen to be there.

    Returns [(owned code points, extra code points, glyph names or None for the closure)]."""
    from fontTools.ttLib import TTFont
    font = TTFont(EMOJI, lazy=True)
    cmap = font.getBestCmap()
    rev = {}
    for c, g in cmap.items():
        rev.setdefault(g, c)
    sizes = {}
    for strike in font["CBDT"].strikeData:
        for g, bd in strike.items():
            sizes[g] = len(getattr(bd, "data", None) or bd.imageData)
    joiners = parse_ranges(EMOJI_JOINERS)
    key = lambda cps: tuple(sorted(c for c in cps if not within(c, joiners)))
    ligatures = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        if lookup.LookupType != 4:
            continue
        for st in lookup.SubTable:
            for first, ligs in st.ligatures.items():
                for lig in ligs:
                    comps = [first] + lig.Component
                    if all(g in rev for g in comps):
                        ligatures.setdefault(key(rev[g] for g in comps), []).append(lig.LigGlyph)
    sequences = {}  # first code point -> [code points of each sequence]
    for fn in ("emoji-zwj-sequences.txt", "emoji-sequences.txt"):
        for line in open(UNICODE_EMOJI + fn, encoding="utf-8"):
            field = line.split("#")[0].split(";")[0].strip()
            if not field or ".." in field:
                continue
            cps = [int(x, 16) for x in field.split()]
            if len(key(cps)) > 1 and key(cps) in ligatures:
                sequences.setdefault(cps[0], []).append(cps)
    looked_up = parse_ranges(EMOJI_RANGES)
    order, group, groups = [], None, {}
    for line in open(UNICODE_EMOJI + "emoji-test.txt", encoding="utf-8"):
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        field = line.split("#")[0].split(";")[0].split()
        if len(field) == 1:
            c = int(field[0], 16)
            if c in cmap and within(c, looked_up) and c not in groups:
                order.append(c)
                groups[c] = group
    flags = [c for c in order if groups[c] == "Flags"] + list(range(0x1F1E6, 0x1F200))
    order = [c for c in order if groups[c] != "Flags"]
    order += sorted(c for c in cmap if within(c, looked_up) and c not in groups and c not in flags)
    weight = lambda c: sizes.get(cmap[c], 0) + sum(
        sizes.get(g, 0) for s in sequences.get(c, []) for g in ligatures[key(s)])
    files, cur, cur_bytes = [], [], 0
    for c in order:
        if cur and cur_bytes + weight(c) > EMOJI_FILE_BYTES:
            files.append(cur)
            cur, cur_bytes = [], 0
        cur.append(c)
        cur_bytes += weight(c)
    files.append(cur)
    plan = []
    for owned in files + [flags]:
        extra = {x for c in owned for s in sequences.get(c, []) for x in s if x in cmap}
        extra -= set(owned)
        if owned is flags:
            plan.append((set(owned), extra, None))
            continue
        glyphs = {cmap[c] for c in set(owned) | extra}
        glyphs |= {g for c in owned for s in sequences.get(c, []) for g in ligatures[key(s)]}
        plan.append((set(owned), extra, sorted(glyphs)))
    return plan


TIERS = {"han": han_tiers, "hangul": hangul_tiers}


def selected(looked_up, have):
    """The code points of `have` (a font's cmap) that a FONTS row looks up."""
    if isinstance(looked_up, tuple):
        kind, k = looked_up
        if kind == "emoji":
            return k[0] & have
        return TIERS[kind](have)[k]
    ranges = parse_ranges(looked_up)
    return {c for c in have if within(c, ranges)}


def make_font(src, index, looked_up, extra):
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont
    font = TTFont(src, fontNumber=index, lazy=False)
    cmap = font.getBestCmap()
    wanted = selected(looked_up, set(cmap))
    unicodes = wanted | {c for c in cmap if within(c, extra)}
    glyphs = None
    if looked_up[0] == "emoji":
        unicodes |= looked_up[1][1] & set(cmap)
        glyphs = looked_up[1][2]
    opts = ftsubset.Options()
    opts.hinting = False  # FreeType autohints or draws bitmaps
    opts.layout_features = ["*"]  # HarfBuzz shapes with them
    opts.name_IDs = [1, 2]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["vhea", "vmtx", "VORG", "DSIG"]
    if glyphs is not None:
        opts.layout_closure = False  # exactly the sequences this file owns (emoji_plan)
    sub = ftsubset.Subsetter(opts)
    sub.populate(unicodes=unicodes, glyphs=glyphs or [])
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    covered = sorted(c for c in TTFont(io.BytesIO(data)).getBestCmap() if c in wanted)
    return data, covered


def expand(fonts):
    """FONTS with the emoji row replaced by one row per file of emoji_plan()."""
    rows = []
    for name, src, index, kind, looked_up, extra in fonts:
        if looked_up == ("emoji", None):
            plan = emoji_plan()
            for k, part in enumerate(plan):
                file = "emoji-flags.ttf" if k == len(plan) - 1 else \
                    "emoji.ttf" if k == 0 else "emoji-%d.ttf" % (k + 1)
                rows.append((file, src, index, kind, ("emoji", part), EMOJI_JOINERS))
        else:
            rows.append((name, src, index, kind, looked_up, extra))
    return rows


def as_ranges(cps):
    ranges = []
    for c in cps:
        if ranges and ranges[-1][1] + 1 == c:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return ranges


def inputs_key():
    import hashlib
    h = hashlib.sha256(open(__file__, "rb").read())
    for src in sorted({row[1] for row in FONTS} | {UNICODE_EMOJI + f for f in (
            "emoji-test.txt", "emoji-sequences.txt", "emoji-zwj-sequences.txt")}):
        st = os.stat(src) if os.path.exists(src) else None
        h.update(("%s %s %s\n" % (src, st and st.st_size, st and st.st_mtime_ns)).encode())
    return h.hexdigest()


def main():
    out_dir, out_cpp = sys.argv[1:3]
    os.makedirs(os.path.join(out_dir, "fonts"), exist_ok=True)
    # Subsetting takes about a minute of CPU: every preset (wasm, native, fuzz) shares one
    # OUT_DIR, and a preset finding it made from the same inputs only copies the table.
    key = inputs_key()
    # Beside OUT_DIR, not in it: OUT_DIR is what the Worker's assets binding serves.
    cache = os.path.abspath(out_dir) + "-table"
    key_file, table_file = cache + ".key", cache + ".cpp"
    if os.path.exists(key_file) and open(key_file).read() == key and os.path.exists(table_file):
        with open(table_file) as f, open(out_cpp, "w") as o:
            o.write(f.read())
        return
    for name, src, index, kind, looked_up, extra in FONTS:
        if not os.path.exists(src):
            sys.stderr.write("font_assets: %s missing (scripts/setup.sh installs it)\n" % src)
            sys.exit(1)
    fonts = expand(FONTS)
    # The fonts are independent: subset them on every core (the CJK and emoji ones take most of
    # the minute each), largest first so no core waits for one at the end.
    import concurrent.futures
    jobs = [(src, index, looked_up, parse_ranges(extra))
            for name, src, index, kind, looked_up, extra in fonts]
    order = sorted(range(len(jobs)), key=lambda k: -os.path.getsize(jobs[k][0]))
    made = [None] * len(jobs)
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {pool.submit(make_font, *jobs[k]): k for k in order}
        for fut in concurrent.futures.as_completed(futures):
            made[futures[fut]] = fut.result()
    rows, cover = [], []
    for i, (name, src, index, kind, looked_up, extra) in enumerate(fonts):
        data, covered = made[i]
        if len(data) >= 25 << 20:
            sys.stderr.write("font_assets: %s is %d bytes, over the 25 MiB asset limit\n" %
                             (name, len(data)))
            sys.exit(1)
        with open(os.path.join(out_dir, "fonts", name), "wb") as f:
            f.write(data)
        rows.append('  {"fonts/%s", AssetKind(%d), %d},' % (name, KINDS[kind], len(data)))
        for lo, hi in as_ranges(covered):
            cover.append((lo, hi, i))
    # Stale files of an earlier split would be served for nothing.
    names = {row[0] for row in fonts}
    for stale in os.listdir(os.path.join(out_dir, "fonts")):
        if stale not in names:
            os.remove(os.path.join(out_dir, "fonts", stale))
    # Han and Hangul files take turns inside their blocks (frequent and rare characters are
    # interleaved): there one byte per code point, the file's index, is smaller than ranges.
    windows = [[lo, hi, [255] * (hi - lo)] for lo, hi in WINDOWS]
    ranges = []
    for lo, hi, i in cover:
        for c in range(lo, hi + 1):
            w = next((w for w in windows if w[0] <= c < w[1]), None)
            if w:
                w[2][c - w[0]] = i
        outside = [c for c in range(lo, hi + 1) if not any(w[0] <= c < w[1] for w in windows)] \
            if any(lo < w[1] and hi >= w[0] for w in windows) else None
        if outside is None:
            ranges.append((lo, hi, i))
        else:
            ranges += [(a, b, i) for a, b in as_ranges(outside)]
    ranges.sort()
    lines = ["// Generated by font_assets.py; do not edit.", '#include "raster/font_assets.h"',
             "namespace render::fonts {", "const AssetFont kAssetFonts[] = {"] + rows + [
        "};", "const size_t kAssetFontCount = %d;" % len(rows),
        "const AssetRange kAssetRanges[] = {"]
    for lo, hi, i in ranges:
        lines.append("  {0x%X, 0x%X, %d}," % (lo, hi, i))
    lines += ["};", "const size_t kAssetRangeCount = %d;" % len(ranges)]
    for k, (lo, hi, table) in enumerate(windows):
        lines.append("static const uint8_t kWindow%d[] = {" % k)
        for a in range(0, len(table), 32):
            lines.append("  " + ",".join(str(x) for x in table[a:a + 32]) + ",")
        lines.append("};")
    lines.append("const AssetWindow kAssetWindows[] = {")
    lines += ["  {0x%X, 0x%X, kWindow%d}," % (lo, hi, k) for k, (lo, hi, _) in enumerate(windows)]
    lines += ["};", "const size_t kAssetWindowCount = %d;" % len(windows),
              "}  // namespace render::fonts"]
    for path in (table_file, out_cpp):
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    # For the benchmarks (bench/render/font_samples.mjs): each file's name, size and a few of its
    # characters, spread over what it has (no skin tone, regional indicator or mark alone).
    import json
    samples = []
    for i, (name, src, index, kind, looked_up, extra) in enumerate(fonts):
        cps = [c for c in made[i][1] if not (0x1F3FB <= c <= 0x1F3FF or 0x1F1E6 <= c <= 0x1F1FF or
                                             unicodedata.category(chr(c)).startswith("M"))]
        pick = [cps[k * len(cps) // 6] for k in range(6)] if len(cps) >= 6 else cps
        samples.append({"file": "fonts/" + name, "bytes": len(made[i][0]), "kind": kind,
                        "sample": "".join(chr(c) for c in pick)})
    with open(cache + ".json", "w") as f:
        json.dump(samples, f, ensure_ascii=False, indent=1)
    with open(key_file, "w") as f:
        f.write(key)


if __name__ == "__main__":
    main()
