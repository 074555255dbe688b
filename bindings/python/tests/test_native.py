"""The cffi declarations match include/gdescent.h, prototype for prototype."""
import pathlib
import re

import gdescent
from gdescent import _native

HEADER = pathlib.Path(__file__).resolve().parents[3] / "include" / "gdescent.h"


def declarations(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
    text = text.replace("GD_API", "")
    found = {}
    for decl in re.findall(r"[^;{}]*\([^;{}]*\)\s*;", text):
        decl = " ".join(decl.split()).replace("( ", "(").replace(" )", ")")
        pointer = re.search(r"^typedef .*?\(\s*\*\s*(\w+)\s*\)", decl)
        name = (pointer or re.search(r"(\w+)\s*\(", decl)).group(1)
        found[name] = decl
    return found


def test_every_header_prototype_is_declared_identically():
    header = declarations(HEADER.read_text())
    ours = declarations(_native.CDEF)
    version_script = (HEADER.parents[1] / "lib" / "gdescent.map").read_text()
    exported = re.findall(r"^\s+(gd_\w+);", version_script, flags=re.M)
    assert set(exported) <= set(header) and len(header) == len(exported) + 4
    assert header == ours


def test_constants_match_the_header():
    text = HEADER.read_text()
    defines = dict(re.findall(r"#define (GD_\w+) \(?(-?\d+)u?\)?", text))
    for name, value in defines.items():
        short = name[3:]
        if hasattr(gdescent, short):
            assert getattr(gdescent, short) == int(value), name
    assert {"OK", "EINVAL", "ECALLBACK", "EDIVERGED", "STOP_GTOL"} <= {
        n[3:] for n in defines}
    lib = _native.load_library()
    for name, value in re.findall(r"\b(GD_(?:PARAM_)?[A-Z_0-9]+) = (\d+)", text):
        assert getattr(lib, name) == int(value), name
    methods = re.findall(r"\bGD_([A-Z]+) = \d+", text[text.index("typedef enum gd_method"):
                                                    text.index("} gd_method;")])
    assert gdescent.METHODS == {m.lower(): getattr(lib, "GD_" + m) for m in methods}


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", gdescent.version())
