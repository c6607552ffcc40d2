#!/usr/bin/python3 -I
"""Exports Pygments' RegexLexer rules into C++ tables for the table-driven lexer (table_lexer.cpp).

Run at build time with Debian's python3-pygments (2.14, /usr/lib/python3/dist-packages); nothing it
writes is committed. For every lexer named in table_languages.txt (and every lexer those delegate
to with using()), it takes the processed rules (`cls._tokens`: states with `include`, `inherit`,
`combined`, `default` and `words()` already resolved by Pygments itself) and writes:

  - each regex once, translated from Python's dialect to PCRE2's (see py_to_pcre2),
  - each rule as (regex, action, transition): a token class, bygroups(...), using(this / Other,
    state=...), or nothing; a transition pushes states, '#push', '#pop', '#pop:n',
  - the lexer's metadata: name, aliases, file name globs, MIME types.

Pygments token types are mapped onto our TokenClass names (map_pygments, also used by
bench/accuracy/compare.py). A rule whose callback is ordinary Python code cannot be exported; it
becomes "emit the whole match as one token" and the lexer is marked approximate (the golden test
holds it to the same agreement as every other), except the callbacks CALLBACK_RULES writes as
plain rules (Haxe's #if/#else/#end, which only edit the state stack).

Usage: pygments_export.py LIST OUT.cpp [--json OUT.json]
"""
import json
import re
import sys
import unicodedata

sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's Pygments, not a pip one
import pygments  # noqa: E402
from pygments import lexer as plexer  # noqa: E402
from pygments.lexers import _mapping, find_lexer_class_by_name  # noqa: E402
from pygments.token import _TokenType, string_to_tokentype  # noqa: E402

# Pygments type prefix -> our class. Longest matching prefix wins.
PYG_MAP = {
    "Keyword": "keyword",
    "Keyword.Constant": "keyword.constant",
    "Keyword.Declaration": "keyword.declaration",
    "Keyword.Namespace": "keyword.namespace",
    "Keyword.Type": "keyword.type",
    "Name": "name",
    "Name.Builtin": "name.builtin",
    "Name.Exception": "name.builtin",
    "Name.Function": "name.function",
    "Name.Class": "name.class",
    "Name.Decorator": "name.decorator",
    "Name.Tag": "name.tag",
    "Name.Attribute": "name.attribute",
    "Name.Variable": "name.variable",
    "Name.Constant": "name.constant",
    "Name.Entity": "name.constant",
    "Name.Label": "name.label",
    "Name.Property": "name.property",
    "Literal": "string",
    "Literal.Date": "number",
    "Literal.String": "string",
    "Literal.String.Escape": "string.escape",
    "Literal.String.Interpol": "string.interpol",
    "Literal.String.Doc": "string.doc",
    "Literal.String.Regex": "string.regex",
    "Literal.String.Char": "string.char",
    "Literal.Number": "number",
    "Comment": "comment",
    "Comment.Preproc": "comment.preproc",
    "Comment.PreprocFile": "comment.preproc",
    "Operator": "operator",
    "Operator.Word": "operator.word",
    "Punctuation": "punctuation",
    "Generic.Heading": "generic.heading",
    "Generic.Subheading": "generic.subheading",
    "Generic.Emph": "generic.emph",
    "Generic.Strong": "generic.strong",
    "Generic.Inserted": "generic.inserted",
    "Generic.Deleted": "generic.deleted",
    "Generic": "text",
    "Text": "text",
    "Text.Whitespace": "whitespace",
    "Whitespace": "whitespace",
    "Error": "text",
    "Other": "text",
}


def map_pygments(ttype):
    parts = str(ttype).split(".")[1:]  # drop "Token"
    for k in range(len(parts), 0, -1):
        key = ".".join(parts[:k])
        if key in PYG_MAP:
            return PYG_MAP[key]
    return "text"


CLASS_NAMES = [
    "text", "whitespace", "keyword", "keyword.type", "keyword.constant", "keyword.declaration",
    "keyword.namespace", "name", "name.function", "name.class", "name.builtin", "name.decorator",
    "name.tag", "name.attribute", "name.variable", "name.constant", "name.label", "name.property",
    "string", "string.escape", "string.interpol", "string.doc", "string.regex", "string.char",
    "number", "comment", "comment.doc", "comment.preproc", "operator", "operator.word",
    "punctuation", "generic.heading", "generic.subheading", "generic.emph", "generic.strong",
    "generic.inserted", "generic.deleted", "error"]
CLASS_INDEX = {n: i for i, n in enumerate(CLASS_NAMES)}


def cls_index(ttype):
    return CLASS_INDEX[map_pygments(ttype)]


class Unsupported(Exception):
    pass


_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def py_to_pcre2(pat):
    """Python `re` syntax -> PCRE2 syntax (UTF + UCP): the differences Pygments' rules use."""
    out = []
    i, n = 0, len(pat)
    in_class = False
    while i < n:
        c = pat[i]
        if c == "\\" and i + 1 < n:
            d = pat[i + 1]
            if d == "Z":  # Python's \Z is PCRE2's \z (end of subject only)
                out.append("\\z")
                i += 2
            elif d == "u" and re.match(r"[0-9a-fA-F]{4}", pat[i + 2:i + 6]):
                out.append("\\x{%s}" % pat[i + 2:i + 6])
                i += 6
            elif d == "U" and re.match(r"[0-9a-fA-F]{8}", pat[i + 2:i + 10]):
                out.append("\\x{%x}" % int(pat[i + 2:i + 10], 16))
                i += 10
            elif d == "N" and i + 2 < n and pat[i + 2] == "{":
                j = pat.index("}", i)
                out.append("\\x{%x}" % ord(unicodedata.lookup(pat[i + 3:j])))
                i = j + 1
            else:
                out.append(pat[i:i + 2])
                i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append(c)
            elif c == "[":
                out.append("\\[")  # Python: a literal; PCRE2: maybe a POSIX class [:alpha:]
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pat[i] == "^":
                out.append("^")
                i += 1
            if i < n and pat[i] == "]":  # a ']' right after '[' or '[^' is a literal
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pat.startswith("(?", i):
            m = _INLINE_FLAGS.match(pat, i)
            if m:
                flags = m.group(1).replace("a", "").replace("L", "").replace("u", "")
                if flags:
                    out.append("(?%s)" % flags)
                i = m.end()
                continue
            m = re.compile(r"\(\?([aiLmsux]*)(-[imsx]+)?:").match(pat, i)
            if m and (m.group(1) or m.group(2)):
                flags = m.group(1).replace("a", "").replace("L", "").replace("u", "")
                out.append("(?%s%s:" % (flags, m.group(2) or ""))
                i = m.end()
                continue
        if c == "{":
            m = re.compile(r"\{,(\d+)\}").match(pat, i)
            if m:  # Python's {,n} is {0,n}; PCRE2 10.42 reads it as literal text
                out.append("{0,%s}" % m.group(1))
                i = m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


from pygments.lexers.make import MakefileLexer  # noqa: E402

META_FROM = {"BaseMakefileLexer": MakefileLexer}
# The canonical name we list for a few lexers (Pygments' own first alias stays an alias).
DISPLAY_NAMES = {"splus": "r", "nixos": "nix", "nimrod": "nim", "cr": "crystal"}

# Lexers that post-process RegexLexer's tokens in Python (get_tokens_unprocessed overridden) to
# recolour known words: each such class in the MRO becomes a stage of rules (from-type or None for
# any, words, to-type), applied in MRO order; in a stage the first matching rule wins. A lexer
# with an override not listed here stays approximate.
def _cfamily(cls):
    words = set(cls.stdlib_types) | set(cls.c99_types) | set(cls.c11_atomic_types) | set(
        cls.linux_types)
    return [(["Name"], words, "Keyword.Type")]


def _cocoa(cls):
    from pygments.lexers._cocoa_builtins import COCOA_INTERFACES, COCOA_PROTOCOLS, \
        COCOA_PRIMITIVES
    words = set(COCOA_INTERFACES) | set(COCOA_PROTOCOLS) | set(COCOA_PRIMITIVES)
    return [(["Name", "Name.Class"], words, "Name.Builtin.Pseudo")]


def _lua(cls):
    from pygments.lexers._lua_builtins import MODULES
    words = set()
    for funcs in MODULES.values():
        words.update(funcs)
    # Pygments also splits a dotted name that is not a builtin ("a.b") into name, '.', name; the
    # table keeps it one name token (the '.' is the only character that differs).
    return [(["Name"], words, "Name.Builtin")]


def _php(cls):
    from pygments.lexers._php_builtins import MODULES
    words = set()
    for funcs in MODULES.values():
        words.update(funcs)
    return [(["Name.Other"], words, "Name.Builtin")]


REMAP_SPECS = {
    "PhpLexer": _php,
    "LuaLexer": _lua,
    "MoonScriptLexer": lambda c: [(["Punctuation"], ["."], "Operator")],
    "CFamilyLexer": _cfamily,
    "GeneratedObjectiveCVariant": _cocoa,
    "SwiftLexer": _cocoa,
    "ElixirLexer": lambda c: [(["Name"], c.KEYWORD, "Keyword"),
                              (["Name"], c.KEYWORD_OPERATOR, "Operator.Word"),
                              (["Name"], c.BUILTIN, "Keyword"),
                              (["Name"], c.BUILTIN_DECLARATION, "Keyword.Declaration"),
                              (["Name"], c.BUILTIN_NAMESPACE, "Keyword.Namespace"),
                              (["Name"], c.CONSTANT, "Name.Constant"),
                              (["Name"], c.PSEUDO_VAR, "Name.Builtin.Pseudo")],
    "CudaLexer": lambda c: [(["Name"], c.variable_qualifiers, "Keyword.Type"),
                            (["Name"], c.vector_types, "Keyword.Type"),
                            (["Name"], c.variables, "Name.Builtin"),
                            (["Name"], c.execution_confs, "Keyword.Pseudo"),
                            (["Name"], c.function_qualifiers, "Keyword.Reserved"),
                            (["Name"], c.functions, "Name.Function")],
    "ArduinoLexer": lambda c: [(None, c.structure, "Name.Builtin"),
                               (None, c.operators, "Operator"),
                               (None, c.variables, "Keyword.Reserved"),
                               (None, c.suppress_highlight, "Name"),
                               (None, c.functions, "Name.Function")],
}


# Python callbacks that only emit the match as one token and edit the state stack, written as
# plain rules: qualname -> (the callback rule's regex, [(regex, token type, transition items)]),
# tried in order in place of the callback's rule (its regex split by what the callback does on
# each alternative; another regex than the one written here leaves the rule approximate).
# Transition items are states and '#pop' / '#push' as usual, plus the stack snapshots some lexers
# keep in Python: '#save' pushes a copy of the stack, '#restore' makes the stack the last copy
# again, '#drop' discards that copy (table_lexer.h).
CALLBACK_RULES = {
    # Haxe's `#if` / `#elseif` / `#else` / `#end` / `#error` (HaxeLexer.preproc_callback): each
    # branch of a conditional starts from the stack the `#if` saw, and a condition follows `#if`
    # and `#elseif`.
    "HaxeLexer.preproc_callback": (r"(#)(if|elseif|else|end|error)\b", [
        (r"(#)(if)\b", "Comment.Preproc", ("#save", "preproc-expr")),
        (r"(#)(elseif)\b", "Comment.Preproc", ("#restore", "preproc-expr")),
        (r"(#)(else)\b", "Comment.Preproc", ("#restore",)),
        (r"(#)(end)\b", "Comment.Preproc", ("#drop",)),
        (r"(#)(error)\b", "Comment.Preproc", ("preproc-error",)),
    ]),
}
SNAPSHOT_ITEMS = {"#save": -3, "#restore": -4, "#drop": -5}


def remap_stages(cls):
    """The recolouring stages of cls, or None when it post-processes in a way not listed."""
    stages = []
    for k in reversed(cls.__mro__):
        if "get_tokens_unprocessed" not in k.__dict__ or k.__module__ == "pygments.lexer":
            continue
        spec = REMAP_SPECS.get(k.__name__)
        if spec is None:
            return None
        stages.append(spec(cls))
    return stages


FLAG_BITS = {re.IGNORECASE: 1, re.MULTILINE: 2, re.DOTALL: 4, re.VERBOSE: 8}


class Exporter:
    def __init__(self):
        self.lexers = []  # dicts
        self.by_class = {}
        self.regexes = []  # (pattern, flags)
        self.regex_index = {}
        self.ints = []
        self.int_index = {}
        self.classes_to_do = []

    def regex(self, compiled):
        flags = 0
        for f, b in FLAG_BITS.items():
            if compiled.flags & f:
                flags |= b
        key = (py_to_pcre2(compiled.pattern), flags)
        if key not in self.regex_index:
            self.regex_index[key] = len(self.regexes)
            self.regexes.append(key)
        return self.regex_index[key]

    def blob(self, seq):
        """Interns a sequence of ints in the shared pool; returns its offset."""
        key = tuple(seq)
        if key not in self.int_index:
            self.int_index[key] = len(self.ints)
            self.ints.extend(key)
        return self.int_index[key]

    def lexer_id(self, cls):
        if cls not in self.by_class:
            if not issubclass(cls, plexer.RegexLexer):
                raise Unsupported("%s is not a RegexLexer" % cls.__name__)
            self.by_class[cls] = len(self.lexers)
            self.lexers.append({"cls": cls})
            self.classes_to_do.append(cls)
        return self.by_class[cls]

    def action(self, lex, cls, act):
        """Returns the action blob offset, or -1 for no action."""
        if act is None:
            return -1
        if type(act) is _TokenType:
            return self.blob([0, cls_index(act)])
        qn = getattr(act, "__qualname__", "")
        free = dict(zip(act.__code__.co_freevars, (c.cell_contents for c in act.__closure__ or ())))
        if qn.startswith("bygroups."):
            subs = [-1 if a is None else self.action(lex, cls, a) for a in free["args"]]
            return self.blob([1, len(subs)] + subs)
        if qn.startswith("using."):
            other = free.get("_other", plexer.this)
            stack = free["gt_kwargs"].get("stack", ("root",))
            kw = dict(free.get("kwargs") or {})
            target_cls = cls if other is plexer.this else other
            if target_cls.__name__ == "PhpLexer" and (kw.pop("startinline", False) or
                                                      kw.pop("_startinline", False)):
                stack = tuple(stack) + ("php",)  # what PhpLexer's startinline option does
            if kw:
                lex["notes"].add("using() options ignored")
            if other is plexer.this:
                target, tcls = -1, cls
            elif not issubclass(other, plexer.RegexLexer):
                lex["notes"].add("using(%s)" % other.__name__)
                lex["approx"] = True
                return self.blob([3, CLASS_INDEX["text"]])
            else:
                target, tcls = self.lexer_id(other), other
            ids = [self.state_ref(tcls, s) for s in stack]
            return self.blob([2, target, len(ids)] + ids)
        lex["notes"].add("callback %s" % qn)
        lex["approx"] = True
        return self.blob([3, CLASS_INDEX["text"]])

    def state_ref(self, cls, name):
        names = self.state_names.setdefault(cls, {"root": 0})
        if name not in names:
            names[name] = len(names)
        return names[name]

    def transition(self, cls, new_state):
        if new_state is None:
            return -1
        if isinstance(new_state, int):
            return self.blob([1, -new_state])
        if new_state == "#push":
            return self.blob([0, 1, -2])
        items = []
        for s in new_state:
            if s == "#pop":
                items.append(-1)
            elif s == "#push":
                items.append(-2)
            elif s in SNAPSHOT_ITEMS:
                items.append(SNAPSHOT_ITEMS[s])
            else:
                items.append(self.state_ref(cls, s))
        return self.blob([0, len(items)] + items)

    def export_class(self, cls):
        lex = self.lexers[self.by_class[cls]]
        lex.setdefault("notes", set())
        lex.setdefault("approx", False)
        # Pygments processes the token definitions on first instantiation (per instance for the
        # lexers with a Unicode-level option, such as C#: the default level is taken).
        tokens = cls()._tokens
        lex["remaps"] = []
        stages = remap_stages(cls)
        if stages is None:
            lex["notes"].add("own get_tokens_unprocessed")
            lex["approx"] = True
        else:
            for n, stage in enumerate(stages):
                for frm, words, to in stage:
                    lex["remaps"].append((n, frm, sorted(set(words)), to))
        states = []
        names = self.state_names.setdefault(cls, {"root": 0})
        done = set()
        # State ids are given on first reference; keep going until every referenced one is out.
        while True:
            todo = [s for s in names if s not in done]
            if not todo:
                break
            for s in todo:
                done.add(s)
                rules = []
                for rex, act, new in tokens[s]:
                    qn = getattr(act, "__qualname__", "")
                    if (qn in CALLBACK_RULES and new is None and
                            rex.__self__.pattern == CALLBACK_RULES[qn][0]):
                        for pattern, ttype, items in CALLBACK_RULES[qn][1]:
                            compiled = re.compile(pattern, rex.__self__.flags)
                            action = self.blob([0, cls_index(string_to_tokentype(ttype))])
                            rules.append((self.regex(compiled), action,
                                          self.transition(cls, items)))
                        continue
                    r = self.regex(rex.__self__)
                    a = self.action(lex, cls, act)
                    t = self.transition(cls, new)
                    rules.append((r, a, t))
                states.append((names[s], s, rules))
        states.sort()
        lex["states"] = states

    def run(self, names):
        self.state_names = {}
        visible = []
        for name in names:
            cls = find_lexer_class_by_name(name)
            lid = self.lexer_id(cls)
            visible.append(lid)
        # using(Other, state=...) may name a state of a lexer already exported: export again
        # until every referenced state is out.
        while self.classes_to_do:
            while self.classes_to_do:
                self.export_class(self.classes_to_do.pop(0))
            for cls, lid in self.by_class.items():
                if len(self.state_names[cls]) > len(self.lexers[lid]["states"]):
                    self.classes_to_do.append(cls)
        for lid in visible:
            self.lexers[lid]["visible"] = True
        return visible


def c_string(b):
    out = ['"']
    for ch in b:
        if ch in (0x22, 0x5C):
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7F and ch != 0x3F:
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def main():
    args = sys.argv[1:]
    json_out = None
    if "--json" in args:
        k = args.index("--json")
        json_out = args[k + 1]
        del args[k:k + 2]
    list_file, out_cpp = args
    names = []
    for line in open(list_file, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line.split()[0])
    ex = Exporter()
    ex.run(names)

    pool = bytearray()
    pool_index = {}

    def string(s):
        b = s.encode("utf-8")
        if b not in pool_index:
            pool_index[b] = len(pool)
            pool.extend(b + b"\0")
        return pool_index[b]

    regex_rows = [(string(p), len(p.encode("utf-8")), f) for p, f in ex.regexes]
    state_rows, rule_rows, lexer_rows = [], [], []
    meta = []
    for lex in ex.lexers:
        cls = lex["cls"]
        first_state = len(state_rows)
        for _, _, rules in lex["states"]:
            state_rows.append((len(rule_rows), len(rules)))
            rule_rows.extend(rules)
        # A lexer exported for a delegating one (Makefile = make rules + embedded shell) takes
        # the delegating lexer's names and file names.
        named = META_FROM.get(cls.__name__, cls)
        aliases = list(named.aliases)
        if aliases and aliases[0] in DISPLAY_NAMES:  # Pygments' first alias is not what users say
            aliases = [DISPLAY_NAMES[aliases[0]]] + [a for a in aliases
                                                     if a != DISPLAY_NAMES[aliases[0]]]
        info = {
            "name": aliases[0] if aliases else cls.__name__.lower(),
            "title": named.name,
            "aliases": aliases[1:],
            "filenames": list(named.filenames),
            "mimetypes": list(named.mimetypes),
            "visible": bool(lex.get("visible")),
            "approx": lex["approx"],
            "notes": sorted(lex["notes"]),
            "pygments_class": cls.__name__,
        }
        meta.append(info)
        remap = -1
        if lex.get("remaps"):
            items = [0]
            for stage, frm, words, to in lex["remaps"]:
                for f in frm or [None]:
                    from_cls = -1 if f is None else CLASS_INDEX[map_pygments("Token." + f)]
                    items += [stage, from_cls, CLASS_INDEX[map_pygments("Token." + to)],
                              string("\n".join(words))]
                    items[0] += 1
            remap = ex.blob(items)
        lexer_rows.append((string(info["name"]), string(info["title"]),
                           string(",".join(info["aliases"])), string(",".join(info["filenames"])),
                           string(",".join(info["mimetypes"])), first_state, len(lex["states"]),
                           1 if info["visible"] else 0, remap))

    w = []
    w.append("// Generated by pygments_export.py from Pygments %s; not committed.\n" %
             pygments.__version__)
    w.append('#include "table_lexer.h"\n\nnamespace render::table {\n\n')
    w.append("const char kPool[] =\n")
    for k in range(0, len(pool), 96):
        w.append("    %s\n" % c_string(pool[k:k + 96]))
    w.append("    ;\n")
    w.append("const int32_t kInts[] = {%s};\n" % ",".join(map(str, ex.ints or [0])))
    w.append("const RegexDef kRegexes[] = {%s};\n" %
             ",".join("{%d,%d,%d}" % r for r in regex_rows))
    w.append("const StateDef kStates[] = {%s};\n" % ",".join("{%d,%d}" % s for s in state_rows))
    w.append("const RuleDef kRules[] = {%s};\n" % ",".join("{%d,%d,%d}" % r for r in rule_rows))
    w.append("const LexerDef kLexers[] = {\n%s};\n" % "".join(
        "    {%d,%d,%d,%d,%d,%d,%d,%d,%d},\n" % r for r in lexer_rows))
    w.append("const uint32_t kLexerCount = %d;\n" % len(lexer_rows))
    w.append("const uint32_t kRegexCount = %d;\n" % len(regex_rows))
    w.append("\n}  // namespace render::table\n")
    with open(out_cpp, "w", encoding="utf-8") as fh:
        fh.write("".join(w))
    if json_out:
        with open(json_out, "w", encoding="utf-8") as fh:
            json.dump({"pygments": pygments.__version__, "lexers": meta}, fh, indent=1)


if __name__ == "__main__":
    main()
