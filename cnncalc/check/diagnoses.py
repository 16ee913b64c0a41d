"""Known mistakes: re-computations with one deliberate error that reproduce a student's number."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable


from .. import formulas as F
from ..errors import CnncalcError
from ..infer import LayerResult, Summary
from ..kinds import Shape, fmt_shape
from ..render.table import num
from .numbers import ByteSize
from .read import COLUMNS, same_shape
from .text import _kv, params_formula, size_formula


# -- known mistakes --------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a mistake may look at: this layer's result, every result, the student's rows."""
    result: LayerResult
    position: int                              # 1-based index into summary.layers (0: input)
    summary: Summary
    given: dict[str, Any]                      # this row's parsed cells
    given_by_position: dict[int, dict[str, Any]]

    def previous_given(self) -> dict[str, Any] | None:
        """The student's row for this layer's input (the last row above it), if any; None
        when the layer names its inputs (a branch), as the row above need not be its input."""
        if self.result.layer.inputs is not None:
            return None
        for pos in range(self.position - 1, -1, -1):
            if pos in self.given_by_position:
                return self.given_by_position[pos]
            if pos > 0 and self.summary.layers[pos - 1].layer.COURSE_ROW:
                return None
        return None


Candidate = tuple[Any, str]   # (the value the mistake gives, what the student did, with numbers)
MISTAKES: dict[str, list[Callable[[Context], Iterable[Candidate]]]] = {c: [] for c in COLUMNS}
SPECIFIC: set[str] = set()  # mistakes that run only for the kinds naming them in DIAGNOSES


def mistake(column: str, specific: bool = False):
    """Register a re-computation with one deliberate error for `column`. A `specific` one
    runs only for layers whose kind lists its name in `DIAGNOSES` (cnncalc/kinds)."""
    def register(fn):
        MISTAKES[column].append(fn)
        if specific:
            SPECIFIC.add(fn.__name__)
        return fn
    return register


def applicable(column: str, ctx: Context):
    """The mistakes of `column` that apply to this layer, in the order they were registered
    (the order is the order of likelihood)."""
    own = ctx.result.layer.DIAGNOSES or ()
    return [fn for fn in MISTAKES[column] if fn.__name__ not in SPECIFIC or fn.__name__ in own]


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (CnncalcError, ZeroDivisionError, ValueError, TypeError):
        return None


def _shape(result: LayerResult | None) -> Shape | None:
    return None if result is None else result.output_shape


def _params(result: LayerResult | None) -> int | None:
    return None if result is None else result.trainable_params


def _window(ctx: Context) -> bool:
    """A sliding window to reason about (the window mistakes run only for the kinds naming them)."""
    return bool(ctx.result.axes)


# shapes ---------------------------------------------------------------------------------------
@mistake("shape")
def channels_first(ctx: Context) -> Iterable[Candidate]:
    out = ctx.result.output_shape
    if len(out) >= 2:
        yield (out[-1], *out[:-1]), (f"channels first {fmt_shape((out[-1], *out[:-1]))}: the course "
                                     f"and cnncalc write channels last (H, W, C) = {fmt_shape(out)}")
        yield (1, out[-1], *out[:-1]), (f"PyTorch's (N, C, H, W) with a batch of 1, {fmt_shape((1, out[-1], *out[:-1]))}: "
                                        f"the right values, channels first; the course writes (H, W, C) = {fmt_shape(out)}")
        for perm in itertools.permutations(out):
            if perm != out:
                yield perm, f"H/W/C order swapped: the same numbers in the order (H, W, C) are {fmt_shape(out)}"


@mistake("shape")
def carried_shape(ctx: Context) -> Iterable[Candidate]:
    prev = ctx.previous_given()
    r = ctx.result
    if prev and isinstance(prev.get("shape"), tuple) and len(r.input_shapes) == 1 \
            and not same_shape(prev["shape"], r.input_shape) and len(r.input_shape) > 1:
        got = _safe(lambda: r.layer.output_shape(prev["shape"]))
        if got is not None:
            yield got, (f"carried forward from your wrong input shape {fmt_shape(prev['shape'])} "
                        f"(should be {fmt_shape(r.input_shape)}): this step itself is right")


@mistake("shape", specific=True)
def ceil_for_floor(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    got = r.layer.shape_if_ceil(r)
    if got is not None:
        a = r.axes[0]
        span = a.f if a.d == 1 else F.effective_kernel(a.f, a.d)
        yield got, (f"ceil instead of floor: ceil(({a.n} + 2*{a.pad[0]} - {span})/{a.s}) + 1 = {got[0]}; "
                    f"the output size rounds down: floor(...) + 1 = {r.output_shape[0]}")


@mistake("shape", specific=True)
def plus_one_left_out(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    if _window(ctx) and getattr(r.layer, "padding", 0) != "same":
        a, out = r.axes[0], r.output_shape
        yield (*(o - 1 for o in out[:-1]), out[-1]), (
            f"the +1 left out: ({a.n} + 2*{a.pad[0]} - {a.f})/{a.s} = {out[0] - 1}, "
            f"but the output size is floor((n + 2p - f)/s) + 1 = {out[0]}")


@mistake("shape", specific=True)
def padding_forgotten(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.pad != (0, 0) for a in r.axes):
        got = _shape(layer.recount(r.input_shapes, padding=0))
        p = r.axes[0].pad
        yield got, (f"padding forgotten: with p = 0 the output is {fmt_shape(got) if got else 'impossible'}; "
                    f"this layer pads " + (f"{p[0]} on each side" if p[0] == p[1] else f"{p[0]} before and {p[1]} after"))
        if p[0] == p[1] and not isinstance(layer.padding, str):
            once = _shape(layer.recount(r.input_shapes, padding=[(a.pad[0], 0) for a in r.axes]))
            yield once, f"padding counted on one side only: the formula has 2p = 2*{p[0]}"


@mistake("shape", specific=True)
def stride_ignored(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.s > 1 for a in r.axes) and getattr(layer, "padding", 0) != "same":
        got = _shape(layer.recount(r.input_shapes, stride=1))
        yield got, f"stride ignored: with s = 1 the output is {fmt_shape(got) if got else '-'}; the stride is {r.axes[0].s}"
    if _window(ctx) and layer.padding == "same" and any(a.s > 1 for a in r.axes):
        yield (*(a.n for a in r.axes), r.output_shape[-1]), (
            f"'same' padding keeps the size only at stride 1; with stride {r.axes[0].s} the output is "
            f"ceil({r.axes[0].n}/{r.axes[0].s}) = {r.output_shape[0]}")


@mistake("shape", specific=True)
def dilation_ignored(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.d > 1 for a in r.axes):
        got = _shape(layer.recount(r.input_shapes, dilation=1))
        a = r.axes[0]
        yield got, f"dilation ignored: a dilated kernel spans d*(f-1)+1 = {a.d}*({a.f}-1)+1 = {F.effective_kernel(a.f, a.d)}"


@mistake("shape", specific=True)
def channels_kept(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    if r.input_shape[-1] != r.output_shape[-1]:
        yield (*r.output_shape[:-1], r.input_shape[-1]), (
            f"kept the input's {r.input_shape[-1]} channels: a conv layer outputs one channel per "
            f"filter, {r.output_shape[-1]}")


@mistake("shape", specific=True)
def weight_shape(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    for what, shape in r.layer.weight_shapes_taken(r):
        yield shape, f"that is the shape of the {what} {fmt_shape(shape)}; the activation is {fmt_shape(r.output_shape)}"


@mistake("shape")
def neighbour_shape(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.output_shape, fmt_shape, "shape")


# sizes ----------------------------------------------------------------------------------------
@mistake("size")
def size_of_given_shape(ctx: Context) -> Iterable[Candidate]:
    shape = ctx.given.get("shape")
    if isinstance(shape, tuple):
        if not same_shape(shape, ctx.result.output_shape):
            yield F.product(shape), (f"consistent with your shape {fmt_shape(shape)}, which is wrong: "
                                     f"the size is {size_formula(ctx.result.output_shape)}")


@mistake("size")
def size_from_shape_mistakes(ctx: Context) -> Iterable[Candidate]:
    for fn in applicable("shape", ctx):
        if fn in (neighbour_shape, channels_first, weight_shape):
            continue
        for shape, why in fn(ctx):
            if shape is not None and F.product(shape) != ctx.result.activation_size:
                yield F.product(shape), f"from the shape {fmt_shape(shape)}: {why}"


@mistake("size")
def channels_left_out_of_size(ctx: Context) -> Iterable[Candidate]:
    out = ctx.result.output_shape
    if len(out) >= 2 and out[-1] > 1:
        spatial = out[:-1]
        yield F.product(spatial), (f"channels left out: {'*'.join(map(str, spatial))} = {num(F.product(spatial))}; "
                                   f"the size counts every channel: {size_formula(out)}")


@mistake("size")
def size_is_params(ctx: Context) -> Iterable[Candidate]:
    if ctx.result.params:
        yield ctx.result.params, "that is the number of parameters, not the activation size"


@mistake("size")
def size_not_product(ctx: Context) -> Iterable[Candidate]:
    """Matches any value: the size is the product of the shape, and the student's is not."""
    shape = ctx.given.get("shape")
    if isinstance(shape, tuple) and same_shape(shape, ctx.result.output_shape):
        yield ANY, (f"the size is not the product of the shape: "
                    f"{size_formula(ctx.result.output_shape)}")


@mistake("size")
def neighbour_size(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.activation_size, num, "size")


# parameters -----------------------------------------------------------------------------------
@mistake("params", specific=True)
def bias_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    right = params_formula(r)
    unit = layer.BIAS_OF
    if layer.bias:
        weights = layer.recount(r.input_shapes, bias=False)
        w = weights.params
        text = params_formula(weights).rsplit(" = ", 1)[0]
        yield w + 1, (f"one bias for the whole layer instead of one per {unit}: {text} + 1 = {num(w + 1)} "
                      f"instead of {right}")
        yield w, f"bias forgotten: {text} = {num(w)}; each {unit} has its own bias: {right}"
    else:
        v = layer.recount(r.input_shapes, bias=True).params
        yield v, f"biases counted, but this layer has `bias: false`: {right}"


@mistake("params", specific=True)
def conv_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if not r.axes:
        return
    inp, k, c, kv, right = r.input_shape, layer.filters, r.input_shape[-1], _kv(r), params_formula(r)
    one_channel = (*inp[:-1], 1)
    if layer.groups == 1 and c > 1:
        v = layer.params(one_channel)[0]
        yield v, f"input channels left out: ({kv} + 1)*{k} = {num(v)} instead of {right}"
        v = layer.recount((one_channel,), bias=False).trainable_params + 1
        yield v, f"input channels left out and one bias for the layer: {kv}*{k} + 1 = {num(v)} instead of {right}"
        v -= 1
        yield v, f"input channels and biases left out: {kv}*{k} = {num(v)} instead of {right}"
    if layer.groups != 1 and (v := _params(layer.recount(r.input_shapes, groups=1))) is not None:
        yield v, f"groups ignored: with groups = {layer.groups} each filter sees {c}/{layer.groups} channels: {right}"
    if k != c:
        v = layer.params((*inp[:-1], k))[0]
        yield v, (f"the layer's own {k} filters taken as its input channels (the input has {c}): "
                  f"({kv}*{k} + 1)*{k} = {num(v)} instead of {right}")
    if k > 1 and (v := _params(layer.recount(r.input_shapes, filters=1))) is not None:
        yield v, f"one filter counted instead of {k}: {num(v)} instead of {right}"
    if len(r.axes) > 1 and all(a.f > 1 for a in r.axes):
        flat = _params(layer.recount(r.input_shapes, kernel=[r.axes[0].f] + [1] * (len(r.axes) - 1)))
        yield flat, f"kernel counted as {r.axes[0].f} instead of {kv}: {num(flat or 0)} instead of {right}"
    v = F.dense_params(F.product(inp), F.product(r.output_shape))
    yield v, (f"counted as fully connected ({num(F.product(inp))}*{num(r.activation_size)} + "
              f"{num(r.activation_size)}); a conv shares one small filter per output channel: {right}")


@mistake("params", specific=True)
def dense_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    n, u, right = r.input_shape[0], layer.units, params_formula(r)
    # the wrong earlier activation taken as the input: any earlier output (or the input image)
    earlier = [("the input", ctx.summary.spec.input)] + [
        (q.layer.name, q.output_shape) for q in ctx.summary.layers[:ctx.position - 1]]
    for name, shape in earlier:
        m = F.product(shape)
        if m != n:
            v = layer.params((m,))[0]
            yield v, (f"the size of {name} {fmt_shape(shape)} = {num(m)} taken as the input instead of "
                      f"{num(n)}: {m}*{u} + {u} = {num(v)} instead of {right}")
    src = _flatten_source(ctx)
    if src is not None and len(src) >= 2:
        for part, what in ((src[-1], "only the channels"), (F.product(src[:-1]), "only H*W, not the channels")):
            if part != n:
                v = layer.params((part,))[0]
                yield v, (f"{what} ({part}) taken as the input instead of {'*'.join(map(str, src))} = {n}: "
                          f"{part}*{u} + {u} = {num(v)} instead of {right}")


def _flatten_source(ctx: Context) -> Shape | None:
    """The (H, W, C) map a dense layer's flat input came from."""
    if ctx.result.layer.inputs is not None:
        return None
    for q in reversed(ctx.summary.layers[:ctx.position - 1]):
        if q.layer.FLATTENS:
            return q.input_shape
        if q.layer.COURSE_ROW:
            return None
    return None


@mistake("params")
def carried_params(ctx: Context) -> Iterable[Candidate]:
    prev, r = ctx.previous_given(), ctx.result
    shape = prev.get("shape") if prev and len(r.input_shapes) == 1 and r.params else None
    if isinstance(shape, tuple) and not (same_shape(shape, r.input_shape) or
                                         (len(r.input_shape) == 1 and F.product(shape) == r.input_shape[0])):
        yield from _carried(r, shape if len(r.input_shape) != 1 else (F.product(shape),), fmt_shape(shape))


@mistake("params", specific=True)
def carried_size(ctx: Context) -> Iterable[Candidate]:
    """A flat input's length carried from the student's size cell of the row above."""
    prev, r = ctx.previous_given(), ctx.result
    size = prev.get("size") if prev and len(r.input_shapes) == 1 and r.params else None
    if isinstance(size, int) and size != r.input_shape[0]:
        yield from _carried(r, (size,), f"size {num(size)}")


def _carried(r: LayerResult, shape: Shape, shown: str) -> Iterable[Candidate]:
    got = _safe(lambda: r.layer.params(shape)[0])
    if got is not None:
        yield got, f"carried forward from your wrong input {shown}: this step itself is right; {params_formula(r)}"


def _given_params(ctx: Context) -> int | None:
    """The student's parameter count, when the layer has biases and parameters to solve for."""
    g = ctx.given.get("params")
    if not isinstance(g, int) or g <= 0 or not getattr(ctx.result.layer, "bias", False) or not ctx.result.params:
        return None
    return g


@mistake("params", specific=True)
def conv_other_count(ctx: Context) -> Iterable[Candidate]:
    """Solve the student's number for the filters or input channels it implies: the notes'
    own 6-filter CONV1 (456) graded against 8 filters gives 'as if 6 filters'."""
    r, layer, g = ctx.result, ctx.result.layer, _given_params(ctx)
    if g is not None and layer.groups == 1 and r.axes:
        kv, c, k = F.product(a.f for a in r.axes), r.input_shape[-1], layer.filters
        if g % (kv * c + 1) == 0 and g // (kv * c + 1) != k:
            k2 = g // (kv * c + 1)
            yield _params(layer.recount(r.input_shapes, filters=k2)), (
                f"as if the layer had {k2} filters: ({_kv(r)}*{c} + 1)*{k2} = {num(g)}; it has {k}: {params_formula(r)}")
        if g % k == 0 and (g // k - 1) % kv == 0 and (c2 := (g // k - 1) // kv) not in (c, 0):
            yield layer.params((*r.input_shape[:-1], c2))[0], (
                f"as if the input had {c2} channels: ({_kv(r)}*{c2} + 1)*{k} = {num(g)}; it has {c}: {params_formula(r)}")


@mistake("params", specific=True)
def dense_other_count(ctx: Context) -> Iterable[Candidate]:
    """Solve the student's number for the units or input values it implies."""
    r, layer, g = ctx.result, ctx.result.layer, _given_params(ctx)
    if g is not None:
        n, u = r.input_shape[0], layer.units
        if g % u == 0 and (n2 := g // u - 1) not in (n, 0):
            yield layer.params((n2,))[0], (
                f"as if the input had {num(n2)} values: {n2}*{u} + {u} = {num(g)}; it has {num(n)}: {params_formula(r)}")
        if g % (n + 1) == 0 and (u2 := g // (n + 1)) != u:
            yield _params(layer.recount(r.input_shapes, units=u2)), (
                f"as if the layer had {u2} units: {n}*{u2} + {u2} = {num(g)}; it has {u}: {params_formula(r)}")


@mistake("params", specific=True)
def pool_counted_as_conv(ctx: Context) -> Iterable[Candidate]:
    """A pooling window counted as if it had weights."""
    r, layer = ctx.result, ctx.result.layer
    if r.params != 0 or not r.axes:
        return
    c, kv, k = r.input_shape[-1], F.product(a.f for a in r.axes), _kv(r)
    for v, how in ((F.conv_params(kv, c, c), f"a conv with {c} filters: ({k}*{c} + 1)*{c}"),
                   (F.conv_params(kv, 1, c), f"{c} windows with a bias each: ({k} + 1)*{c}"),
                   (F.conv_params(kv, 1, c, bias=False), f"{c} windows: {k}*{c}"),
                   (F.conv_params(kv, 1, 1), f"one window and a bias: {k} + 1"),
                   (F.conv_params(kv, 1, 1, bias=False), f"one window: {k}")):
        yield v, f"counted {how} = {num(v)}, but {layer.what()} learns nothing: 0 parameters"


@mistake("params")
def params_on_parameter_free(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if r.params != 0:
        return
    yield ANY, f"{layer.what()} has no parameters: it learns nothing, so 0"


@mistake("params", specific=True)
def batchnorm_convention(ctx: Context) -> Iterable[Candidate]:
    layer = ctx.result.layer
    if layer.affine:
        c = ctx.result.input_shape[-1]
        yield 2 * c, (f"only gamma and beta counted (2*{c}, what PyTorch's parameters() shows); "
                      f"cnncalc counts as Keras does, with the moving mean and variance: 4*{c} = {num(4 * c)}")


@mistake("params")
def params_is_size(ctx: Context) -> Iterable[Candidate]:
    if ctx.result.activation_size != ctx.result.params:
        yield ctx.result.activation_size, "that is the activation size, not the number of parameters"


@mistake("params")
def neighbour_params(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.params, num, "number of parameters")


@mistake("params")
def params_in_bytes(ctx: Context) -> Iterable[Candidate]:
    if ctx.result.params:
        yield from in_bytes(ctx.result.params, "parameters", ctx.summary)


@mistake("size")
def size_in_bytes(ctx: Context) -> Iterable[Candidate]:
    yield from in_bytes(ctx.result.activation_size, "values", ctx.summary)


def in_bytes(count: int, what: str, summary: Summary) -> Iterable[Candidate]:
    """The count's memory in bytes written as the count (a Keras or torchinfo size column)."""
    b = summary.totals.bytes_per_value
    yield count * b, (f"the memory in bytes, not the count: {num(count)} {what} x {b} bytes "
                      f"({summary.totals.dtype}) = {num(count * b)}; the count is {num(count)}")


def memory_size(column: str, size: ByteSize, expected: int, summary: Summary) -> str | None:
    """A count written as a memory size (`528 MB`): the right count's memory in one meaning of
    its unit, or the count the size stands for at the spec's bytes per value."""
    if column not in ("params", "size"):
        return None
    what = "parameters" if column == "params" else "values"
    b, dtype = summary.totals.bytes_per_value, summary.totals.dtype
    right = expected * b
    for unit, worth, low, high in sorted(size.meanings, key=lambda m: abs((m[2] + m[3]) / 2 - right)):
        if low <= right <= high:
            return (f"a memory size, not a count: {size.text} is the memory of {num(expected)} {what} x {b} "
                    f"bytes ({dtype}) = {num(right)} bytes{_worth(unit, worth, ', with')}; the count is {num(expected)}")
    stands = ", or ".join(f"{num(round((lo + hi) / 2 / b))} {what}{_worth(unit, worth, ' with')}"
                          for unit, worth, lo, hi in size.meanings)
    return (f"a memory size, not a count: at {b} bytes a value ({dtype}), {size.text} is about {stands}; "
            f"the answer is the count, {num(expected)} {what} ({num(right)} bytes)")


def _worth(unit: str, worth: str, lead: str) -> str:
    return f"{lead} 1 {unit} = {worth}" if worth else ""


ANY = object()  # a candidate that matches every wrong value (rules, not re-computations)


def _neighbours(ctx: Context, value, show, what: str) -> Iterable[Candidate]:
    layers = ctx.summary.layers
    own = value(ctx.result)
    for step, where in ((-1, "the row above"), (1, "the row below")):
        pos = ctx.position + step
        while 1 <= pos <= len(layers) and not layers[pos - 1].layer.COURSE_ROW:
            pos += step
        if 1 <= pos <= len(layers):
            v = value(layers[pos - 1])
            if v != own:
                yield v, f"that is the {what} of {layers[pos - 1].layer.name} ({where}): {show(v)}"
        elif pos == 0 and what == "shape":
            v = ctx.summary.spec.input
            if v != own:
                yield v, f"that is the input's shape {fmt_shape(v)}, not this layer's output"
        elif pos == 0 and what == "size":
            v = ctx.summary.totals.input_size
            if v != own:
                yield v, f"that is the input's size {num(v)}, not this layer's output"


def diagnose(column: str, given: Any, ctx: Context) -> list[str]:
    """Every known mistake that gives exactly `given`, most likely first."""
    found: list[str] = []
    rules: list[str] = []  # statements that hold for any wrong value: only when nothing exact does
    for fn in applicable(column, ctx):
        for value, why in fn(ctx):
            if value is ANY:
                rules.append(why)
            elif value is not None and (same_shape(given, value) if column == "shape" else given == value) \
                    and why not in found:
                found.append(why)
                if column == "shape":
                    break  # one reading per shape mistake: channels first, not also "order swapped"
    return found or rules
