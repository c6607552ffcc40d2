"""Reading dump_tokens (bench/accuracy/dump_tokens.cpp) from Python: one owner for golden_test.py
and bench/accuracy/compare.py."""
import json
import subprocess


def _list(dump):
    """(name, listed 0/1, table or "-") of every line of `dump_tokens --list`."""
    out = subprocess.run([dump, "--list"], capture_output=True, check=True, text=True).stdout
    return [line.split(" ") for line in out.split("\n") if line]


def listed_languages(dump):
    """{language name: listed?}"""
    return {name: flag == "1" for name, flag, _ in _list(dump)}


def tables_in_use(dump):
    """{Pygments table name: the hand-written language it lexes} ("docker": "dockerfile", ...)."""
    return {table: name for name, _, table in _list(dump) if table != "-"}


def char_classes(dump, lang, path):
    """Our token class of every character of the file, as dump_tokens LANG PATH gives them."""
    out = subprocess.run([dump, lang, path], capture_output=True, check=True).stdout
    classes = []
    for cls, text in json.loads(out.decode("utf-8")):
        classes.extend([cls] * len(text))
    return classes
