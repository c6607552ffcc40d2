"""The user's baseline: Pygments ImageFormatter + Pillow, in-process.

usage: /usr/bin/python3 pygments_bench.py MANIFEST.json OUT_DIR RUNS
Prints one JSON object per input on stdout. Times highlight() end to end (lexing, layout,
drawing with Pillow, PNG encoding) after two warm-ups, with time.perf_counter.

Each image gets a new ImageFormatter: Pygments 2.14's ImageFormatter keeps its list of drawables
across format() calls, so a reused one redraws every earlier image's text too (slower each time,
wrong pixels). Making the formatter (font look-up through fc-list) is NOT timed, which favours
Pygments; its median is reported separately as setup_ms.
"""
import json
import os
import statistics
import sys
import time

import PIL
import pygments
from pygments import highlight
from pygments.formatters import ImageFormatter
from pygments.lexers import get_lexer_by_name

LEXERS = {"python": "python", "cpp": "cpp", "javascript": "javascript", "perl": "perl"}


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def make_formatter():
    return ImageFormatter(
        style="monokai", font_name="DejaVu Sans Mono", font_size=14, line_numbers=True
    )


def main():
    manifest, out_dir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(manifest) as f:
        inputs = json.load(f)
    for inp in inputs:
        with open(inp["file"], encoding="utf-8") as f:
            code = f.read()
        lexer = get_lexer_by_name(LEXERS[inp["language"]])
        for _ in range(2):  # warm-up, as for the other tools
            png = highlight(code, lexer, make_formatter())
        times = []
        setup = []
        for _ in range(runs):
            t0 = time.perf_counter()
            formatter = make_formatter()
            t1 = time.perf_counter()
            png = highlight(code, lexer, formatter)
            times.append((time.perf_counter() - t1) * 1000)
            setup.append((t1 - t0) * 1000)
        out = os.path.join(out_dir, f"pygments-{inp['name']}.png")
        with open(out, "wb") as f:
            f.write(png)
        w, h = png_size(png)
        print(json.dumps({
            "tool": "pygments", "input": inp["name"], "runs": runs,
            "median_ms": statistics.median(times), "min_ms": min(times),
            "setup_ms": statistics.median(setup), "times": times,
            "png_bytes": len(png), "width": w, "height": h, "output": out,
            "version": f"Pygments {pygments.__version__}, Pillow {PIL.__version__}",
        }), flush=True)


if __name__ == "__main__":
    main()
