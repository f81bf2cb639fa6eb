"""The typed landscape f(x, y): whitelist parsing, exact gradients, finiteness, the found minimum.

Oracles: numpy formulas and gradients derived by hand below; for random expressions, an
evaluator written here from the generated tree and a fourth-order central difference of it; the
registered landscapes (an independent implementation of Rosenbrock, the sphere and Himmelblau,
whose published minima are copied from tests/test_landscapes.py's table). Nothing is checked
against the module's own output.
"""

from __future__ import annotations

import math
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import optim_core as oc
from landscapes import get
from landscapes import typed
from landscapes.typed import FunctionError, build, parse, typed_landscape
from tests.test_layering import _imports

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
RNG = np.random.default_rng(20260)


def _points(n, domain=((-2, 2), (-2, 2))):
    lo = np.array([lo for lo, _ in domain])
    hi = np.array([hi for _, hi in domain])
    return lo + (hi - lo) * RNG.random((n, 2))


# ----------------------------------------------------------------------------- hand-written formulas

# text: (f, (df/dx, df/dy)), all derived by hand; every f is finite on [-2, 2]^2
EXAMPLES = {
    "x**2 + 10*sin(y)": (lambda x, y: x**2 + 10 * np.sin(y),
                         lambda x, y: (2 * x, 10 * np.cos(y))),
    ROSENBROCK: (lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
                 lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))),
    "e**x * pi - sqrt(1 + y**2)": (lambda x, y: np.pi * np.exp(x) - np.sqrt(1 + y**2),
                                   lambda x, y: (np.pi * np.exp(x), -y / np.sqrt(1 + y**2))),
    "arctan(x*y) + tanh(x) - cosh(y)/sinh(2)": (
        lambda x, y: np.arctan(x * y) + np.tanh(x) - np.cosh(y) / np.sinh(2),
        lambda x, y: (y / (1 + (x * y) ** 2) + 1 - np.tanh(x) ** 2,
                      x / (1 + (x * y) ** 2) - np.sinh(y) / np.sinh(2))),
    "log(3 + x) * cos(y) / (2.5 + tan(y/2))": (
        lambda x, y: np.log(3 + x) * np.cos(y) / (2.5 + np.tan(y / 2)),
        lambda x, y: (np.cos(y) / ((3 + x) * (2.5 + np.tan(y / 2))),
                      np.log(3 + x) * (-np.sin(y) * (2.5 + np.tan(y / 2))
                                       - np.cos(y) * 0.5 / np.cos(y / 2) ** 2) / (2.5 + np.tan(y / 2)) ** 2)),
    "abs(x - 0.5) + max(x, y)**2 - min(x*y, 1)": (
        lambda x, y: np.abs(x - 0.5) + np.maximum(x, y) ** 2 - np.minimum(x * y, 1),
        lambda x, y: (np.sign(x - 0.5) + 2 * np.maximum(x, y) * (x > y) - y * (x * y < 1),
                      2 * np.maximum(x, y) * (y > x) - x * (x * y < 1))),
    "-x + +y - -3 * x**-2 ** -1 * 0": (lambda x, y: -x + y, lambda x, y: (-1 + 0 * x, 1 + 0 * y)),
}


@pytest.mark.parametrize("text", list(EXAMPLES))
def test_values_and_gradients_match_hand_written_formulas(text):
    f, grad = EXAMPLES[text]
    ls = typed_landscape(text)
    p = _points(500)
    x, y = p[:, 0], p[:, 1]
    # away from the kinks of abs, max and min, where the gradient is a choice
    keep = (np.abs(x - 0.5) > 1e-6) & (np.abs(x - y) > 1e-6) & (np.abs(x * y - 1) > 1e-6)
    p, x, y = p[keep], x[keep], y[keep]
    np.testing.assert_allclose(ls.f(p), f(x, y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ls.grad(p), np.stack(grad(x, y), axis=-1), rtol=1e-11, atol=1e-12)


def test_typed_rosenbrock_is_the_registered_rosenbrock_to_rounding():
    typed_ros, registered = typed_landscape(ROSENBROCK, ((-2, 2), (-1, 3))), get("rosenbrock")
    p = _points(2000, ((-2, 2), (-1, 3)))
    np.testing.assert_allclose(typed_ros.f(p), registered.f(p), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(typed_ros.grad(p), registered.grad(p), rtol=1e-12, atol=1e-12)


def test_adam_runs_the_same_path_on_the_typed_and_the_registered_rosenbrock():
    typed_ros, registered = typed_landscape(ROSENBROCK, ((-2, 2), (-1, 3))), get("rosenbrock")
    x0 = np.array([[-1.5, 2.0], [0.5, -0.5], [1.8, 2.9]])
    a = oc.run(oc.adam(lr=1e-2), typed_ros, x0, 300)
    b = oc.run(oc.adam(lr=1e-2), registered, x0, 300)
    np.testing.assert_allclose(a.positions, b.positions, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", [(2,), (7, 2), (3, 4, 2), (1, 1, 5, 2)])
@pytest.mark.parametrize("text", ["x**2 + 10*sin(y)", "3", "2*x"])
def test_evaluation_broadcasts_over_points_like_the_registered_landscapes(text, shape):
    f, grad = {"x**2 + 10*sin(y)": EXAMPLES["x**2 + 10*sin(y)"],
               "3": (lambda x, y: 3 + 0 * x, lambda x, y: (0 * x, 0 * y)),
               "2*x": (lambda x, y: 2 * x, lambda x, y: (2 + 0 * x, 0 * y))}[text]
    ls = typed_landscape(text)
    p = RNG.uniform(-2, 2, shape)
    assert ls.f(p).shape == shape[:-1] and ls.grad(p).shape == shape
    np.testing.assert_allclose(ls.f(p), f(p[..., 0], p[..., 1]), rtol=1e-13)
    np.testing.assert_allclose(ls.grad(p), np.stack(grad(p[..., 0], p[..., 1]), axis=-1), rtol=1e-13)


# ----------------------------------------------------------------------------- random expressions


class _Node:
    """A generated expression: its text, and its own numpy evaluator, which also collects the
    arguments whose sign must not change near a point for f to be smooth there (kinks of abs,
    min and max; poles and branch points of /, log, sqrt, tan, powers)."""

    def __init__(self, text, evaluate):
        self.text = text
        self.evaluate = evaluate  # (x, y, watch: list) -> values

    def __repr__(self):
        return self.text


def _leaf(text, value):
    if text in ("x", "y"):
        return _Node(text, lambda x, y, w: x if text == "x" else y)
    return _Node(text, lambda x, y, w: np.full(np.shape(x), value))


def _watched(value, watch):
    watch.append(value)
    return value


LEAVES = st.sampled_from([_leaf("x", None), _leaf("y", None), _leaf("pi", math.pi), _leaf("e", math.e),
                          _leaf("2", 2.0), _leaf("0.5", 0.5), _leaf("3", 3.0), _leaf("1.5", 1.5)])
# name: (u, watch) -> value; the watch list receives what must keep its sign near a smooth point
UNARY = {
    "sin": lambda u, w: np.sin(u), "cos": lambda u, w: np.cos(u), "exp": lambda u, w: np.exp(u),
    "tanh": lambda u, w: np.tanh(u), "sinh": lambda u, w: np.sinh(u), "cosh": lambda u, w: np.cosh(u),
    "arctan": lambda u, w: np.arctan(u),
    "tan": lambda u, w: np.sin(u) / _watched(np.cos(u), w),
    "log": lambda u, w: np.log(_watched(u, w)),
    "sqrt": lambda u, w: np.sqrt(_watched(u, w)),
    "abs": lambda u, w: np.abs(_watched(u, w)),
}
BINARY = {"+": lambda a, b, w: a + b, "-": lambda a, b, w: a - b, "*": lambda a, b, w: a * b,
          "/": lambda a, b, w: a / _watched(b, w)}


def _unary(name, a):
    fn = UNARY[name]
    return _Node(f"{name}({a.text})", lambda x, y, w: fn(a.evaluate(x, y, w), w))


def _binary(op, a, b):
    fn = BINARY[op]
    return _Node(f"({a.text} {op} {b.text})", lambda x, y, w: fn(a.evaluate(x, y, w), b.evaluate(x, y, w), w))


def _extreme(name, a, b):
    fn = np.minimum if name == "min" else np.maximum

    def evaluate(x, y, w):
        u, v = a.evaluate(x, y, w), b.evaluate(x, y, w)
        w.append(u - v)
        return fn(u, v)
    return _Node(f"{name}({a.text}, {b.text})", evaluate)


def _power(a, exponent):
    p = float(exponent.strip("()"))

    def evaluate(x, y, w):
        u = a.evaluate(x, y, w)
        if p != int(p) or p < 0:
            w.append(u)
        return np.power(u, p)
    return _Node(f"({a.text})**{exponent}", evaluate)


def _extend(children):
    return st.one_of(
        st.builds(_binary, st.sampled_from(list(BINARY)), children, children),
        st.builds(_unary, st.sampled_from(list(UNARY)), children),
        st.builds(_extreme, st.sampled_from(["min", "max"]), children, children),
        st.builds(_power, children, st.sampled_from(["2", "3", "0.5", "-1", "(-2)"])),
        children.map(lambda a: _Node(f"-{a.text}", lambda x, y, w: -a.evaluate(x, y, w))),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=12)
# why a random expression may be refused: all are properties of f on the domain, not of the syntax
ACCEPTABLE_REFUSALS = ("is not finite", "is not a real number", "division by zero", "is too large",
                       "too long", "nested too deeply", "out of range")


def _fourth_order_derivative(node, point, axis, h):
    """f'(p) along ``axis`` by the five-point central difference (error O(h^4)), and the watched
    arguments at the stencil's points."""
    offsets = np.array([-2.0, -1.0, 1.0, 2.0])
    p = np.repeat(point[None, :], 4, axis=0)
    p[:, axis] += offsets * h
    watch = []
    values = node.evaluate(p[:, 0], p[:, 1], watch)
    derivative = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
    return derivative, watch, values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                   HealthCheck.too_slow])
@given(EXPRESSIONS, st.integers(0, 2**32 - 1))
def test_random_expressions_gradient_matches_central_differences(node, seed):
    try:
        ls = typed_landscape(node.text)
    except FunctionError as err:
        assert any(reason in str(err) for reason in ACCEPTABLE_REFUSALS), (node.text, str(err))
        reject()
    points = np.random.default_rng(seed).uniform(-1.9, 1.9, (12, 2))
    checked = 0
    for point in points:
        with np.errstate(all="ignore"):
            watch = []
            value = node.evaluate(point[None, 0], point[None, 1], watch)[0]
            if not np.isfinite(value):
                continue
            # the module's f against the evaluator written here
            scale = max([1.0] + [float(np.max(np.abs(w))) for w in watch if np.all(np.isfinite(w))])
            assert ls.f(point) == pytest.approx(value, rel=1e-9, abs=1e-11 * scale), node.text
            fd, fd_half, smooth = [], [], True
            for axis in (0, 1):
                h = 1e-3
                d, watched, values = _fourth_order_derivative(node, point, axis, h)
                d2, watched2, values2 = _fourth_order_derivative(node, point, axis, h / 2)
                signs = [np.sign(w) for w in watched + watched2]
                smooth &= bool(np.all(np.isfinite(values)) and np.all(np.isfinite(values2))
                               and all(np.all(s == s[0]) and s[0] != 0 for s in signs))
                fd.append(d)
                fd_half.append(d2)
        if not smooth:
            continue  # a kink, pole or branch point lies within the stencil
        fd, fd_half = np.array(fd), np.array(fd_half)
        noise = 1e-13 * max(scale, abs(value)) / 5e-4  # rounding in the differences
        if not np.allclose(fd, fd_half, rtol=1e-7, atol=noise + 1e-9):
            continue  # higher derivatives too large for the stencil here
        np.testing.assert_allclose(ls.grad(point), fd_half, rtol=1e-5, atol=10 * noise + 1e-8,
                                   err_msg=node.text)
        checked += 1
    if checked == 0:
        reject()


# ----------------------------------------------------------------------------- hostile input

HOSTILE = [
    ("__import__('os')", "'__import__' is not allowed"),
    ("().__class__", "attribute access (.__class__) is not allowed"),
    ("x.__dict__", "attribute access (.__dict__) is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access (.__subclasses__)"),
    ("9**9**9", "exponent too large: 387420489 > 1e6"),
    ("x**(9**9)", "exponent too large: 387420489 > 1e6"),
    ("2**((x - x + 1)*9**9)", "exponent too large: 387420489 > 1e6"),
    ("lambda: 0", "lambda is not allowed"),
    ("[x for x in y]", "comprehensions are not allowed"),
    ("sum(x for x in y)", "unknown function 'sum'"),
    ("x if y else 1", "conditional expressions"),
    ("a.b", "attribute access (.b) is not allowed"),
    ("x[0]", "subscripts are not allowed"),
    ("'s'", "strings are not allowed"),
    ("f'{x}'", "strings are not allowed"),
    ("{}", "dicts are not allowed"),
    ("[x, y]", "lists are not allowed"),
    ("(x, y)", "tuples are not allowed"),
    ("f(x)", "unknown function 'f'"),
    ("open('/tmp/x', 'w')", "unknown function 'open'"),
    ("sin(x, y)", "sin takes 1 argument, got 2"),
    ("max(x)", "max takes 2 arguments, got 1"),
    ("sin(x=1)", "keyword arguments are not allowed: sin(x=...)"),
    ("sin(*x)", "'*' unpacking is not allowed"),
    ("x @ y", "'@' is not allowed"),
    ("x // y", "'//' is not allowed"),
    ("x % y", "'%' is not allowed"),
    ("x ^ 2", "'^' is not allowed: write powers with **"),
    ("x < y", "comparisons ('<') are not allowed"),
    ("x and y", "'and' is not allowed"),
    ("not x", "'not' is not allowed"),
    ("~x", "'~' is not allowed"),
    ("(y := 2)", "':=' is not allowed"),
    ("True", "True is not allowed"),
    ("None", "None is not allowed"),
    ("1j", "complex numbers (1j) are not allowed"),
    ("z + 1", "unknown name 'z': use x, y, pi, e"),
    ("__builtins__", "'__builtins__' is not allowed"),
    ("sin", "'sin' is a function"),
    ("x" * 201, "too long: 201 characters, at most 200"),
    ("(" * 150 + "x" + ")" * 49, "nested too deeply: more than 50 levels"),
    ("(" * 99 + "x" + ")" * 99, "nested too deeply: more than 50 levels"),
    ("-" * 199 + "x", "nested too deeply: more than 50 levels"),
    ("-" * 190 + "x", "nested too deeply: more than 50 levels"),
    ("x" + "**x" * 60, "nested too deeply: more than 50 levels"),
    # 100 terms chain 99 operators left-deep: refused, and the message says why
    ("x" + "+x" * 99, "adds one per operator"),
    ("", "empty"),
    ("   \n ", "empty"),
    ("x +* y", "syntax error at column 4"),
    ("sin(x", "syntax error"),
    ("x\u2212y", "character '\u2212' at column 2 is not allowed"),
    ("x\x00", "character '\\x00' at column 2 is not allowed"),
    ("1e999 * x", "number too large: 1e999"),
    ("x / 0", "division by zero: x / 0"),
    ("x / (y - y)", "division by zero"),
    ("0**-1", "division by zero"),
    ("sqrt(-1) * x", "sqrt(-1) is not a real number"),
    ("log(-2) + x", "log(-2) is not a real number"),
    ("log(0) + x", "log(0) is not finite"),
    ("exp(exp(exp(9)))", "exp(exp(9)) is too large"),
    ("max(exp(exp(exp(5))), x)", "exp(exp(exp(5))) is too large"),
    ("10**400", "constant out of range: 10**400"),
    ("2**-2000 + x", "constant out of range: 2**-2000"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_hostile_text_is_refused_with_a_message_naming_the_offender(text, message):
    with pytest.raises(FunctionError) as err:
        build(text)
    assert message in str(err.value)


@pytest.mark.parametrize("text", ["(" * 10_000, "-" * 100_000 + "x", "(" * 199, "[" * 150 + "x", "~" * 120 + "x",
                                  "x" + "**-x" * 49, "not " * 49 + "x"])
def test_text_that_could_exhaust_the_parser_is_refused_cleanly(text):
    with pytest.raises(FunctionError):
        parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="()[]{}+-*/^~%@<>=!.,:;'\"_ \n xyzepi0123456789sincoqrtlgabmh", max_size=230))
def test_any_text_parses_or_is_refused_with_a_function_error(text):
    try:
        parse(text)
    except FunctionError as err:
        assert str(err)


@pytest.mark.parametrize("value", [None, 3, b"x", ["x"], {"x": 1}])
def test_a_function_that_is_not_text_is_refused(value):
    with pytest.raises(FunctionError, match="must be text"):
        build(value)


def test_hostile_text_has_no_side_effect(tmp_path, capsys):
    sentinel = tmp_path / "sentinel"
    attempts = [
        "__import__('this')",
        f"__import__('os').system('touch {sentinel}')",
        f"open('{sentinel}', 'w')",
        "exec('import this')",
        "eval('1')",
        "().__class__.__base__.__subclasses__()",
        "globals()",
    ]
    for text in attempts:
        with pytest.raises(FunctionError):
            build(text)
    assert "this" not in sys.modules  # importing it would also print to stdout
    assert not sentinel.exists()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("text, domain, point", [
    ("log(x)", ((-2, 2), (-2, 2)), (-2, -2)),
    ("log(x)", ((0, 2), (-2, 2)), (0, -2)),
    ("1/x", ((-2, 2), (-2, 2)), (0, -2)),
    ("1/(x - 1) + y", ((-2, 2), (-2, 2)), (1, -2)),
    ("x**0.5", ((-1, 1), (-1, 1)), (-1, -1)),
])
def test_f_not_finite_on_the_domain_is_refused_naming_the_point(text, domain, point):
    with pytest.raises(FunctionError) as err:
        build(text, domain)
    message = str(err.value)
    assert message.startswith("f is not finite at ")
    assert f"(x={point[0]:g}, y={point[1]:g})" in message


def test_overflow_on_a_wide_domain_is_refused():
    with pytest.raises(FunctionError) as err:
        build("exp(exp(exp(x)))", ((-5, 5), (-5, 5)))
    x = float(str(err.value).split("(x=")[1].split(",")[0])
    assert math.exp(math.exp(x)) > math.log(sys.float_info.max)  # the point really overflows
    assert "= inf there" in str(err.value)
    build("exp(exp(exp(x)))", ((-2, 1), (-1, 1)))  # e**(e**(e**1)) = e**15.2: fine


def test_a_range_of_f_beyond_float64_is_refused():
    with pytest.raises(FunctionError, match="too wide a range"):
        build("1e308*x", ((-1.5, 1.5), (-1, 1)))  # f is finite, f(1.5) - f(-1.5) is not


def test_a_gradient_not_finite_on_the_domain_is_refused():
    with pytest.raises(FunctionError, match=r"the gradient is not finite at \(x=0, y=0\)"):
        build("sqrt(x**2 + y**2)")


# ----------------------------------------------------------------------------- the landscape record


def test_typed_landscape_pickles_and_rebuilds_from_its_text():
    ls = typed_landscape("x**2 + 10*sin(y)")
    data = pickle.dumps(ls)
    assert b"sympy" not in data  # the text travels, not the expression
    typed._compiled.cache_clear()
    typed._parse.cache_clear()
    again = pickle.loads(data)
    p = _points(50)
    f, grad = EXAMPLES["x**2 + 10*sin(y)"]
    np.testing.assert_allclose(again.f(p), f(p[:, 0], p[:, 1]), rtol=1e-13)
    np.testing.assert_allclose(again.grad(p), np.stack(grad(p[:, 0], p[:, 1]), -1), rtol=1e-13)
    assert again == ls


def test_record_fields():
    result = build("x**2 + 10*sin(y)")
    ls = result.landscape
    assert ls.key == "typed"
    assert ls.name == "f(x, y) = x ** 2 + 10 * sin(y)"
    assert ls.latex == r"f(x, y) = x^{2} + 10 \sin{\left(y \right)}"
    assert result.found_minimum and "found numerically" in ls.description
    assert ls.domain == ((-2.0, 2.0), (-2.0, 2.0))
    # the minimum: x = 0, sin(y) = -1
    assert ls.minima[0] == pytest.approx((0.0, -math.pi / 2), abs=1e-8)
    assert ls.min_value == pytest.approx(-10.0, abs=1e-12)


def test_abs_prints_as_bars_in_latex():
    assert typed_landscape("abs(x) + abs(y)**2").latex == r"f(x, y) = y^{2} + \left|{x}\right|"


@pytest.mark.parametrize("text, domain, minimum, tol", [
    ("(x-0.3)**2 + (y+0.7)**2", ((-2, 2), (-2, 2)), (0.3, -0.7), 1e-8),
    ("1000 + (x - 0.1234567)**2 + 5*(y + 0.7654321)**2", ((-2, 2), (-2, 2)), (0.1234567, -0.7654321), 1e-7),
    (ROSENBROCK, ((-2, 2), (-1, 3)), (1.0, 1.0), 1e-6),
    # Booth: (1, 3); Matyas: the origin; from tests/test_landscapes.py's table
    ("(x + 2*y - 7)**2 + (2*x + y - 5)**2", ((-10, 10), (-10, 10)), (1.0, 3.0), 1e-8),
    ("0.26*(x**2 + y**2) - 0.48*x*y", ((-10, 10), (-10, 10)), (0.0, 0.0), 1e-7),
    # a minimum on a kink: no gradient vanishes there
    ("abs(x - 0.4321) + abs(y + 0.1234)", ((-2, 2), (-2, 2)), (0.4321, -0.1234), 1e-9),
])
def test_found_minimum(text, domain, minimum, tol):
    result = build(text, domain)
    (found,) = result.landscape.minima
    assert found == pytest.approx(minimum, abs=tol)
    assert not result.minimum_on_edge


def test_found_minimum_of_himmelblau_is_one_of_its_four():
    himmelblau = get("himmelblau")
    ls = typed_landscape("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", himmelblau.domain)
    published = np.array([(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)])
    assert np.min(np.abs(published - np.array(ls.minima[0])).max(axis=1)) < 1e-6
    assert ls.min_value == pytest.approx(0.0, abs=1e-20)


def test_a_minimum_on_the_edge_is_flagged():
    result = build("x + 2*y", ((-1, 3), (-2, 2)))
    assert result.landscape.minima == ((-1.0, -2.0),)
    assert result.landscape.min_value == pytest.approx(-5.0)
    assert result.minimum_on_edge and "edge" in result.landscape.description
    assert not result.landscape.smooth_minima


def test_default_start_is_80_percent_toward_the_corner_farthest_from_the_minimum():
    ls = typed_landscape("(x - 1)**2 + (y + 1)**2", ((-2, 2), (-2, 2)))
    assert ls.start == pytest.approx((-1.6, 1.6))
    ls = typed_landscape("(x - 1)**2 + (y + 0.5)**2", ((0, 4), (-3, 1)))
    assert ls.start == pytest.approx((3.6, -2.6))  # centre (2, -1); the corner (4, -3) is farthest


def test_user_start_is_kept_and_checked():
    assert typed_landscape("x**2 + y**2", start=(0.5, -1)).start == (0.5, -1.0)
    with pytest.raises(FunctionError, match="outside the domain"):
        typed_landscape("x**2 + y**2", start=(3, 0))
    with pytest.raises(FunctionError, match=r"not finite at the start \(x=0.01, y=0\)"):
        typed_landscape("1/(x - 0.01)", start=(0.01, 0))
    with pytest.raises(FunctionError, match="start must be a pair"):
        typed_landscape("x**2", start=(1, 2, 3))
    with pytest.raises(FunctionError, match="start x must be finite"):
        typed_landscape("x**2", start=(float("nan"), 0))


@pytest.mark.parametrize("domain, message", [
    (((-2, 2),), "domain must be"),
    (((2, -2), (-2, 2)), "is empty"),
    (((0, 0), (-2, 2)), "is empty"),
    (((-2, 2), (0, 1e-4)), "has width 0.0001"),
    (((-2e4, 2e4), (-2, 2)), "has width 40000"),
    (((-2, float("inf")), (-2, 2)), "must be finite"),
    (((-2, float("nan")), (-2, 2)), "must be finite"),
    (((-2, 2), ("a", 2)), "must be a number"),
    (((True, 2), (-2, 2)), "must be a number"),
    (((1e9, 1e9 + 1), (-2, 2)), "must lie within"),
])
def test_bad_domain_is_refused(domain, message):
    with pytest.raises(FunctionError, match=message.replace("(", r"\(")):
        typed_landscape("x**2 + y**2", domain)


def test_log_contours_follow_the_range_of_f():
    ros = typed_landscape(ROSENBROCK, ((-2, 2), (-1, 3)))
    bowl = typed_landscape("x**2 + y**2")
    assert ros.log_contours and not bowl.log_contours
    # the offset scales with the range of f: 100x f gives a 100x offset
    assert typed_landscape("100*x**2 + 100*y**2").log_offset == pytest.approx(100 * bowl.log_offset)
    assert 0 < ros.log_offset < 1e-3 * 3609  # far below the walls (f(-2, -1) = 3609)


def test_a_constant_is_a_valid_flat_landscape():
    ls = typed_landscape("2*pi")
    assert ls.min_value == pytest.approx(2 * math.pi)
    assert not ls.log_contours and ls.log_offset > 0
    np.testing.assert_array_equal(ls.grad(_points(5)), np.zeros((5, 2)))


def test_the_typed_landscape_imports_only_numpy_sympy_and_the_standard_library():
    imports = _imports(Path(typed.__file__))
    assert imports <= {"__future__", "ast", "functools", "math", "dataclasses", "typing", "numpy", "sympy"}
