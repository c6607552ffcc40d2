#!/usr/bin/env python3
"""Build step: turn an installed font into a C++ byte array (fonts are never committed).

  embed_font.py IN.ttf OUT.cpp SYMBOL [UNICODE_RANGES [layout]]

UNICODE_RANGES ("0590-05FF,FB1D-FDFF" or "*") subsets the font with fontTools (Debian package
python3-fonttools) and drops hinting and layout tables the renderer does not use (it autohints and
shapes with fribidi); `layout` keeps the OpenType layout tables (JetBrains Mono's optional
ligatures, shaped by HarfBuzz). Without fontTools the whole font is embedded, which is larger but correct.
"""
import io
import sys


def subset(path, ranges, layout=False):
    try:
        from fontTools import subset as ftsubset
        from fontTools.ttLib import TTFont
    except ImportError:
        sys.stderr.write("embed_font: fontTools missing, embedding %s whole\n" % path)
        return open(path, "rb").read()
    font = TTFont(path)
    cmap = font.getBestCmap()
    if ranges == "*":
        unicodes = set(cmap)
    else:
        unicodes = set()
        for part in ranges.split(","):
            lo, _, hi = part.partition("-")
            lo = int(lo, 16)
            hi = int(hi, 16) if hi else lo
            unicodes.update(c for c in cmap if lo <= c <= hi)
    opts = ftsubset.Options()
    opts.hinting = False
    opts.layout_features = ["*"] if layout else []
    opts.name_IDs = [1, 2]
    opts.notdef_outline = True
    opts.glyph_names = False
    sub = ftsubset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main():
    src, dst, symbol = sys.argv[1:4]
    ranges = sys.argv[4] if len(sys.argv) > 4 else None
    layout = len(sys.argv) > 5 and sys.argv[5] == "layout"
    data = subset(src, ranges, layout) if ranges else open(src, "rb").read()
    lines = ["// Generated from %s by embed_font.py; do not edit." % src,
             "#include <cstddef>", "#include <cstdint>", "namespace render::fonts {",
             "extern const uint8_t %s[];" % symbol, "extern const size_t %sSize;" % symbol,
             "alignas(4) const uint8_t %s[] = {" % symbol]
    for i in range(0, len(data), 24):
        lines.append(",".join(str(b) for b in data[i:i + 24]) + ",")
    lines.append("};")
    lines.append("const size_t %sSize = %d;" % (symbol, len(data)))
    lines.append("}  // namespace render::fonts")
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")


main()
