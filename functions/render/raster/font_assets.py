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

NOTO = "/usr/share/fonts/truetype/noto/"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
EMOJI = NOTO + "NotoColorEmoji.ttf"
# What Indic fonts need beside their block: dandas, joiners, the dotted circle HarfBuzz puts
# under a mark with nothing to sit on.
INDIC_EXTRA = "0964-0965,200C-200D,25CC"

# name, source, face index in a collection, kind, ranges looked up (hex, inclusive), extra ranges
# kept in the subset but not looked up. Kinds: wide (one glyph per character, two cells), color
# (CBDT bitmaps, shaped, two cells per cluster), shaped (HarfBuzz, the font's own advances).
FONTS = [
    # Noto Sans Mono CJK SC: Han in the Simplified Chinese forms, kana, Hangul; its half-width
    # Latin is 500 units and its ideographs 1000, two monospace cells.
    ("cjk-han.otf", CJK, 7, "wide", "2E80-2FDF,3400-4DBF,4E00-9FFF,F900-FAFF", ""),
    ("cjk-kana-hangul.otf", CJK, 7, "wide",
     "1100-11FF,3000-303F,3040-30FF,3100-312F,3130-318F,3190-31FF,3200-33FF,A960-A97F,"
     "AC00-D7AF,D7B0-D7FF,FE30-FE4F,FF00-FFEF", ""),
    ("emoji.ttf", EMOJI, 0, "color",
     "203C,2049,2122,2139,2194-21AA,231A-23FF,24C2,25AA-25FE,2600-27BF,2934-2935,2B05-2B55,"
     "3030,303D,3297,3299,1F000-1FAFF", "200D,20E3,FE0F,E0020-E007F"),
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


def make_font(src, index, looked_up, extra):
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont
    font = TTFont(src, fontNumber=index, lazy=False)
    cmap = font.getBestCmap()
    keep = looked_up + extra
    unicodes = {c for c in cmap if within(c, keep)}
    opts = ftsubset.Options()
    opts.hinting = False  # FreeType autohints or draws bitmaps
    opts.layout_features = ["*"]  # HarfBuzz shapes with them
    opts.name_IDs = [1, 2]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["vhea", "vmtx", "VORG", "DSIG"]
    sub = ftsubset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    covered = sorted(c for c in TTFont(io.BytesIO(data)).getBestCmap() if within(c, looked_up))
    return data, covered


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
    for src in sorted({row[1] for row in FONTS}):
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
    # The fonts are independent: subset them on every core (the CJK and emoji ones take most of
    # the minute each), largest first so no core waits for one at the end.
    import concurrent.futures
    jobs = [(src, index, parse_ranges(looked_up), parse_ranges(extra))
            for name, src, index, kind, looked_up, extra in FONTS]
    order = sorted(range(len(jobs)), key=lambda k: -os.path.getsize(jobs[k][0]))
    made = [None] * len(jobs)
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {pool.submit(make_font, *jobs[k]): k for k in order}
        for fut in concurrent.futures.as_completed(futures):
            made[futures[fut]] = fut.result()
    rows, cover = [], []
    for i, (name, src, index, kind, looked_up, extra) in enumerate(FONTS):
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
    cover.sort()
    lines = ["// Generated by font_assets.py; do not edit.", '#include "raster/font_assets.h"',
             "namespace render::fonts {", "const AssetFont kAssetFonts[] = {"] + rows + [
        "};", "const size_t kAssetFontCount = %d;" % len(rows),
        "const AssetRange kAssetRanges[] = {"]
    for lo, hi, i in cover:
        lines.append("  {0x%X, 0x%X, %d}," % (lo, hi, i))
    lines += ["};", "const size_t kAssetRangeCount = %d;" % len(cover), "}  // namespace render::fonts"]
    for path in (table_file, out_cpp):
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    with open(key_file, "w") as f:
        f.write(key)


if __name__ == "__main__":
    main()
