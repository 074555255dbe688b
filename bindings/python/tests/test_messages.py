"""Errors that help: unknown parameters list the valid names, values come back with
their type, the package says its version."""
import pathlib
import re

import numpy as np
import pytest

import gdescent

HEADER = pathlib.Path(__file__).resolve().parents[3] / "include" / "gdescent.h"


def test_an_unknown_parameter_lists_the_optimizers_names():
    opt = gdescent.Optimizer("adam", 2)
    with pytest.raises(gdescent.GDError) as info:
        opt.set(betas1=0.8)
    message = str(info.value)
    assert info.value.status == gdescent.EINVAL
    assert "adam has no parameter 'betas1'" in message
    for name in opt.params():
        assert re.search(rf"\b{name}\b", message), name
    assert "betas=(beta1, beta2)" in message and "momentum" not in message
    with pytest.raises(gdescent.GDError, match=r"sgd has no parameter 'beta1'.*nesterov"):
        gdescent.Optimizer("sgd", 2, betas=(0.8, 0.9))
    with pytest.raises(gdescent.GDError, match="no parameter 'learning_rate'.*lr"):
        opt.get("learning_rate")
    with pytest.raises(gdescent.GDError, match="no parameter 'momentum'"):
        opt.get("momentum")  # a parameter, but not Adam's
    with pytest.raises(gdescent.GDError, match=r"lr=-1.0: out of range"):
        opt.set(lr=-1.0)
    # From the SciPy-style call too.
    with pytest.raises(gdescent.GDError, match="no parameter 'maxfun'.*max_iter"):
        gdescent.minimize(lambda x: x @ x, [1.0], method="Adam", jac=lambda x: 2 * x,
                          options={"maxfun": 10})


def test_params_returns_counts_as_int_and_booleans_as_bool():
    params = gdescent.Optimizer("sgd", 2, momentum=0.9, nesterov=True,
                                batch_size=4).params()
    assert params["nesterov"] is True and params["maximize"] is False
    assert params["shuffle"] is True
    for name in ("max_iter", "batch_size", "seed"):
        assert type(params[name]) is int, name
    assert (params["max_iter"], params["batch_size"]) == (1000, 4)
    assert type(params["lr"]) is float and type(params["momentum"]) is float
    opt = gdescent.Optimizer("adam", 2, amsgrad=1)
    assert opt.get("amsgrad") is True and type(opt.get("seed")) is int
    assert gdescent.Optimizer("nadam", 2).get("decoupled_weight_decay") is False


def test_the_typed_names_are_the_headers_booleans_and_counts():
    text = HEADER.read_text()
    enum = text[text.index("typedef enum gd_param {"):text.index("} gd_param;")]
    booleans, counts = set(), set()
    for doc, key in re.findall(r"/\*\*(.*?)\*/\s*GD_PARAM_(\w+) =", enum, flags=re.S):
        if doc.strip().startswith("Boolean"):
            booleans.add(key.lower())
        elif re.search(r"\bcount\b|whole number", doc):
            counts.add(key.lower())
    assert booleans == gdescent._BOOLEANS and counts == gdescent._COUNTS


def test_values_that_a_double_cannot_hold_are_refused():
    opt = gdescent.Optimizer("sgd", 2)
    opt.set(seed=2**53)
    assert opt.get("seed") == 2**53
    with pytest.raises(ValueError, match="exactly"):
        opt.set(seed=2**53 + 1)
    assert opt.get("seed") == 2**53
    with pytest.raises(TypeError, match="real number"):
        opt.set(lr="0.1")
    with pytest.raises(TypeError, match="real number"):
        opt.set(lr=0.1 + 0j)
    opt.set(lr=np.float32(0.5), max_iter=np.int64(7))
    assert (opt.get("lr"), opt.get("max_iter")) == (0.5, 7)


def test_version():
    assert gdescent.__version__ == gdescent.version()
    assert "__version__" in gdescent.__all__


def test_csv_paths_as_str_bytes_or_pathlike_and_nul_refused(tmp_path):
    r = gdescent.minimize(gdescent.quadratic(1), [1.0], "sgd", lr=0.1, max_iter=2,
                          record_x=True)
    for path in (str(tmp_path / "a.csv"), tmp_path / "b.csv",
                 bytes(tmp_path / "c.csv")):
        r.trajectory.write_csv(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]
    with pytest.raises(ValueError, match="NUL"):
        r.trajectory.write_csv(str(tmp_path / "d.csv\0ignored"))
    assert not (tmp_path / "d.csv").exists()


def test_a_complex_center_is_a_type_error():
    with pytest.raises(TypeError, match="real numbers"):
        gdescent.quadratic(center=[1.0 + 2.0j, 0.0])
    with pytest.raises(TypeError, match="real numbers"):
        gdescent.quadratic(center=["a"])
    assert gdescent.quadratic(center=[1, 2]).n == 2
