"""Pooling: max and average windows, global and adaptive pooling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from .. import formulas as F
from ..codetext import Part, call, dims_of, ints, keras_pairs, kwargs, pad_text, refuse, torch_pad, try_value
from ..errors import ShapeError
from ..formulas import product
from .base import (ceil_shape, memo_axes, window_hyper, Axis, AXIS_NAMES, Layer, Shape, WINDOW_DIAGNOSES, arg,
                   explain_params, fmt_shape, numpy_ops, kind_dims, no_params, no_weights, per_axis,
                   resolve_padding, spatial_dims, window_error)
from .backward import no_backward, no_weight_shapes
from .measure import AxisRF, kernel_volume, no_macs, rf_global, rf_window


@dataclass(frozen=True, kw_only=True)
class Pool(Layer):
    """Max or average pooling (maxpool1d/2d/3d, avgpool1d/2d/3d); stride defaults to the kernel.

    Shape (PyTorch): out = floor((n + p_b + p_a - d*(f-1) - 1 [+ s-1 with ceil_mode]) / s) + 1,
    dropping a last ceil_mode window that would start in the right padding. 'same': ceil(n/s).
    Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"{op}pool{d}d" for d in "123" for op in ("max", "avg"))
    STEMS: ClassVar[dict[str, str]] = {f"{op}pool{d}d": f"{word}_pooling{d}d"
                                       for op, word in (("max", "max"), ("avg", "average")) for d in "123"}
    SIGN_KEPT: ClassVar[bool] = True  # the exports may pad it with zeros when its input is >= 0
    ALIASES: ClassVar[dict[str, str]] = {**{f"maxpooling{d}d": f"maxpool{d}d" for d in "123"}, **{f"averagepooling{d}d": f"avgpool{d}d" for d in "123"}, **{f"avgpooling{d}d": f"avgpool{d}d" for d in "123"}}
    KERAS: ClassVar[dict[str, tuple]] = {"Pool": (tuple(f"{op}Pool{ing}{d}D" for op in ("Max", "Average", "Avg") for ing in ("", "ing")
                               for d in "123"), ("pool_size", "strides", "padding", "data_format"))}
    TORCH: ClassVar[dict[str, tuple]] = {
        "MaxPool": (tuple(f"MaxPool{d}d" for d in "123"), (
            "kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")),
        "AvgPool": (tuple(f"AvgPool{d}d" for d in "123"), (
            "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")),
        "F.max_pool": (tuple(f"max_pool{d}d" for d in "123"), (
            "input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
        "F.avg_pool": (tuple(f"avg_pool{d}d" for d in "123"), (
            "input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Pool": (("MaxPool", "AveragePool"), (
        "auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"))}
    DIAGRAM: ClassVar[str] = "pool"  # the diagram's colour category
    FLOORS: ClassVar[bool] = True
    kernel: Any = arg(type="ints", main=True, keras="pool_size", torch="kernel_size")
    stride: Any = arg(None, type="ints", keras="strides", torch="stride")
    padding: Any = arg(0, type="padding", keras="padding", torch="padding")
    dilation: Any = arg(1, type="ints", torch="dilation")
    ceil_mode: bool = arg(False, type="bool", torch="ceil_mode")
    count_include_pad: bool = arg(True, type="bool", torch="count_include_pad")

    @memo_axes
    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        fs = per_axis(self, "kernel", self.kernel, dims)
        ss = fs if self.stride is None else per_axis(self, "stride", self.stride, dims)
        ds = per_axis(self, "dilation", self.dilation, dims)
        pads = resolve_padding(self, self.padding, dims, inp[:dims], fs, ss, ds)
        return tuple(Axis(*a) for a in zip(inp[:dims], fs, ss, pads, ds))

    def output_shape(self, inp: Shape) -> Shape:
        axes = self.axes(inp)
        if self.kind.startswith("avg") and any(a.d != 1 for a in axes):
            raise ShapeError("average pooling has no dilation (PyTorch and Keras refuse it); remove `dilation`",
                             arg="dilation")
        if not isinstance(self.padding, str):
            for a in axes:
                if max(a.pad) > a.f // 2:
                    raise ShapeError(
                        f"padding {max(a.pad)} is more than half the kernel {a.f} "
                        f"({a.f}//2 = {a.f // 2}); PyTorch refuses it: use padding <= {a.f // 2}",
                        arg="padding")
            if self.kind == "avgpool3d":  # torch's avg_pool3d checks the input before padding
                for i, a in enumerate(axes):
                    if a.n < a.f:
                        raise ShapeError(
                            f"on axis {AXIS_NAMES[3][i]} of input {fmt_shape(inp)}: the input {a.n} is "
                            f"smaller than the kernel {a.f}; PyTorch's avg_pool3d refuses that even with "
                            "padding: use a kernel of at most the input size, or `padding: same`",
                            arg="kernel")
        out = []
        for i, a in enumerate(axes):
            try:
                if self.padding == "same":
                    out.append(F.same_out(a.n, a.s))
                else:
                    out.append(F.pool_out(a.n, a.f, a.s, a.pad, a.d, self.ceil_mode))
            except ShapeError as e:
                raise window_error(self, inp, i, e) from None
        return (*out, inp[-1])

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return window_hyper(self.axes(inp), ceil=True if self.ceil_mode else None)

    params = no_params

    macs = no_macs

    def flops(self, r) -> int:
        """Max: kv-1 compares per output value. Average: kv-1 adds and one divide = kv.
        (Windows cut by ceil_mode are counted whole: an upper bound there.)"""
        out, kv = product(r.output_shape), kernel_volume(r)
        return out * (kv - 1) if self.kind.startswith("max") else out * kv

    rf = rf_window

    make_weights = no_weights

    def forward(self, x, w, r):
        # Keras 'same' average pooling divides by the real cells only
        include = self.count_include_pad and self.padding != "same"
        return numpy_ops().pool_nd(x, r.axes, r.output_shape[:-1], self.kind[:3], include)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def _backward_pads(self, r):
        """The padding of each axis, with the extra cells after it that the last ceil_mode window
        reads (as ops.pool_nd pads)."""
        return [(a.pad[0], a.pad[1] + max(0, (o - 1) * a.s + F.effective_kernel(a.f, a.d) - F.padded(a.n, a.pad)))
                for a, o in zip(r.axes, r.output_shape[:-1])]

    def backward(self, x, w, r, out, g):
        """Max: each output's gradient goes to the cell that won its window (the first maximum in
        the window's row-major order, as torch picks). Average: spread evenly over the cells it
        divided by."""
        from .backward import crop, pad, taps, view
        np = numpy_ops().np
        outs, pads = r.output_shape[:-1], self._backward_pads(r)
        offsets = list(taps(r.axes))
        if self.kind.startswith("max"):
            xp = pad(x, pads, -np.inf)
            best = np.full(g.shape, -np.inf)
            arg = np.zeros(g.shape, dtype=np.intp)
            for t, offs in enumerate(offsets):
                v = view(xp, offs, r.axes, outs)
                better = v > best
                best = np.where(better, v, best)
                arg[better] = t
            dxp = np.zeros_like(xp)
            for t, offs in enumerate(offsets):
                view(dxp, offs, r.axes, outs)[...] += np.where(arg == t, g, 0.0)
            return crop(dxp, pads, x.shape[1:-1]), {}
        include = self.count_include_pad and self.padding != "same"
        mask = np.zeros((1, *(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads)), 1))
        inner = tuple(slice(0, a.n + a.pad[0] + a.pad[1]) if include else slice(a.pad[0], a.pad[0] + a.n)
                      for a in r.axes)
        mask[(slice(None), *inner, slice(None))] = 1
        count = sum(view(mask, offs, r.axes, outs) for offs in offsets)
        dxp = np.zeros((x.shape[0], *mask.shape[1:-1], x.shape[-1]))
        for offs in offsets:
            view(dxp, offs, r.axes, outs)[...] += g / count
        return crop(dxp, pads, x.shape[1:-1]), {}

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        is_max = L.kind.startswith("max")
        cls = f"nn.MaxPool{d}d" if is_max else f"nn.AvgPool{d}d"
        pads = [a.pad for a in axes]
        out = r.output_shape[:-1]
        parts: list[Part] = []
        ceil, include = L.ceil_mode, getattr(L, "count_include_pad", True)
        k = ints(a.f for a in axes)
        strides = ints(a.s for a in axes)
        stride_default = all(a.s == a.f for a in axes)
        if L.padding == "same":
            sym = all(b == a for b, a in pads)
            if is_max and not sym:
                parts.append(Part(f"nn.ConstantPad{d}d({torch_pad(pads)}, float(\"-inf\"))", "pad",
                                  "Keras 'same' max pooling pads with -inf, the odd row at the end"))
                padding, ceil = "0", False
            elif sym:
                padding, ceil, include = ints(b for b, _ in pads), False, False
            else:
                # torch pads symmetrically: the `before` side, and ceil_mode gives the last window,
                # which reads the input only (count_include_pad=False divides by what it reads)
                befores = [b for b, _ in pads]
                got = try_value(lambda: tuple(F.pool_out(a.n, a.f, a.s, (b, b), a.d, True)
                                         for a, b in zip(axes, befores)))
                if got != tuple(out):
                    refuse(f"PyTorch cannot express Keras 'same' average pooling with padding "
                           f"{pads} (before, after per axis): its padding is symmetric; "
                           "use explicit padding or max pooling")
                padding, ceil, include = ints(befores), True, False
            comment = "Keras 'same': padding excluded from the average" if not is_max and padding != "0" \
                or (not is_max and ceil) else ""
        elif all(b == a for b, a in pads):
            padding, comment = ints(b for b, _ in pads), ""
        else:
            pre_n = [F.padded(a.n, a.pad) for a in axes]
            got = try_value(lambda: tuple(F.pool_out(n, a.f, a.s, (0, 0), a.d, ceil) for n, a in zip(pre_n, axes)))
            if got != tuple(out) or (not is_max and not include):
                refuse(f"PyTorch pooling pads symmetrically; the asymmetric padding {pads} "
                       f"{'with count_include_pad: false ' if not include and not is_max else ''}"
                       "cannot be expressed exactly; use symmetric padding")
            fill = 'float("-inf")' if is_max else "0.0"
            parts.append(Part(f"nn.ConstantPad{d}d({torch_pad(pads)}, {fill})", "pad",
                              f"asymmetric padding {pad_text(pads)} (before, after)"))
            padding, comment = "0", ""
        pairs = [("kernel_size", k, False), ("stride", strides, stride_default),
                 ("padding", padding, padding == "0")]
        if is_max:
            pairs.append(("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)))
        pairs.append(("ceil_mode", "True", not ceil))
        if not is_max:
            pairs.append(("count_include_pad", "False", include or padding == "0"))
        parts.append(Part(call(cls, kwargs(*pairs)), comment=comment))
        return parts

    def to_keras(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        is_max = L.kind.startswith("max")
        cls = f"layers.MaxPooling{d}D" if is_max else f"layers.AveragePooling{d}D"
        if any(a.d > 1 for a in axes):
            refuse(f"Keras pooling has no dilation (dilation {ints(a.d for a in axes)}); export to pytorch")
        pads = [a.pad for a in axes]
        out = tuple(r.output_shape[:-1])
        include = getattr(L, "count_include_pad", True)
        floor_out = try_value(lambda: tuple(F.pool_out(a.n, a.f, a.s, a.pad, a.d, False) for a in axes)) \
            if L.padding != "same" else out
        ceil_effect = out != floor_out
        zero = all(b == 0 and a == 0 for b, a in pads)
        parts: list[Part] = []
        comment = ""
        same_ok = all(F.same_out(a.n, a.s) == o and F.same_padding(a.n, a.f, a.s)[0] == a.pad[0]
                      for a, o in zip(axes, out)) and (is_max or not include or zero)
        if L.padding == "same":
            padding = '"same"'
        elif zero and not ceil_effect:
            padding = '"valid"'
        elif same_ok:
            padding = '"same"'
            comment = (f"ceil_mode: Keras 'same' gives the same windows" if ceil_effect
                       else "Keras 'same' pads these same rows")
        elif not ceil_effect and not is_max and include:
            parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad",
                              "count_include_pad: the zeros count in the average"))
            padding = '"valid"'
        elif not ceil_effect and is_max and ctx.nonneg(r):
            parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad",
                              "zero padding = torch's -inf here: the input is >= 0"))
            padding = '"valid"'
        elif ceil_effect:
            floor = fmt_shape(floor_out) if floor_out else "no output"
            refuse(f"ceil_mode gives output {fmt_shape(out)} where floor gives {floor}, "
                   "and no Keras padding mode reads the same windows; export to pytorch or drop ceil_mode")
        elif is_max:
            refuse(f"Keras cannot pad max pooling with -inf by {pads} (before, after per axis) and the "
                   "input may be negative, so zero padding would change the result; export to pytorch "
                   "or put a relu before it")
        else:
            refuse(f"Keras cannot exclude the padding {pads} from the average "
                   "(count_include_pad: false); export to pytorch")
        args = kwargs(("strides", ints(a.s for a in axes), all(a.s == a.f for a in axes)),
                      ("padding", padding, padding == '"valid"'))
        parts.append(Part(call(cls, ints(a.f for a in axes), args), comment=comment))
        return parts

    def explain(self, r) -> list[str]:
        pairs = list(zip(r.axes, r.output_shape))
        if self.padding == "same":
            return X.per_axis_lines([X.same_text(a.n, a.s, o) for a, o in pairs])
        if self.ceil_mode:
            return X.per_axis_lines([X.ceil_text(a, o, not isinstance(self.padding, str)) for a, o in pairs])
        return X.window_lines(r)

    DIAGNOSES = (*WINDOW_DIAGNOSES, "pool_counted_as_conv")

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("pool", "maxpool", "avgpool", "mp", "s", "subsampling", "p")

    def what(self) -> str:
        return f"{'max' if self.kind.startswith('max') else 'average'} pooling"

    def course_shape_text(self, r) -> str | None:
        if not r.axes:
            return None
        rule = "same" if self.padding == "same" else "ceil" if self.ceil_mode else "floor"
        texts = [X.course_axis_text(a, o, rule) for a, o in zip(r.axes, r.output_shape)]
        return X.course_window_text(texts, f"channels {r.output_shape[-1]} as in the input")

    def shape_if_ceil(self, r) -> Shape | None:
        return None if isinstance(self.padding, str) or self.ceil_mode or not r.axes else ceil_shape(r)

    def alone_working(self, r, macs: int | None) -> tuple[str, str]:
        return "0 (pooling learns nothing)", "0 (pooling compares or averages; it multiplies no weights)"

    def scan_step(self, r) -> str | None:
        """A window with fixed padding, without ceil_mode; avgpool3d is inferred at each size."""
        fixed = self.padding not in ("same", "causal") and not self.ceil_mode and self.kind != "avgpool3d"
        return "window" if fixed else None


@dataclass(frozen=True, kw_only=True)
class GlobalPool(Layer):
    """Global average / max pooling over every spatial axis.

    Shape: (C,), or (1, ..., 1, C) with keepdims. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("global_avgpool", "global_maxpool")
    STEMS: ClassVar[dict[str, str]] = {"global_avgpool": "global_average_pooling{d}d",
                                       "global_maxpool": "global_max_pooling{d}d"}
    ALIASES: ClassVar[dict[str, str]] = {**{f"globalaveragepooling{d}d": "global_avgpool" for d in "123"}, **{f"globalavgpool{d}d": "global_avgpool" for d in "123"}, **{f"globalmaxpooling{d}d": "global_maxpool" for d in "123"}, **{f"globalmaxpool{d}d": "global_maxpool" for d in "123"}, "globalaveragepool": "global_avgpool"}
    KERAS: ClassVar[dict[str, tuple]] = {"GlobalPool": (tuple(f"Global{op}Pool{ing}{d}D" for op in ("Max", "Average", "Avg")
                                           for ing in ("", "ing") for d in "123"), ("data_format", "keepdims"))}
    TORCH: ClassVar[dict[str, tuple]] = {"F.mean": ({"mean": "global_avgpool", "amax": "global_maxpool"}, ("input", "dim", "keepdim", "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"GlobalPool": ({"GlobalAveragePool": "global_avgpool", "GlobalMaxPool": "global_maxpool"}, ()),
                                        "Reduce": ({"ReduceMean": "global_avgpool", "ReduceMax": "global_maxpool"},
                                                   ("axes", "keepdims"))}  # over every spatial axis
    DIAGRAM: ClassVar[str] = "flat"  # the diagram's colour category
    keepdims: bool = arg(False, type="bool", keras="keepdims", torch="keepdim")

    def output_shape(self, inp: Shape) -> Shape:
        if len(inp) < 2:
            raise ShapeError(f"needs spatial axes and channels but got {fmt_shape(inp)}")
        return (*(1,) * (len(inp) - 1), inp[-1]) if self.keepdims else (inp[-1],)

    params = no_params

    macs = no_macs

    def flops(self, r) -> int:
        """One window over all n spatial positions per channel: n-1 compares (max) or n-1 adds
        and one divide (average)."""
        n, c = product(r.input_shape[:-1]), r.input_shape[-1]
        return c * (n - 1) if "max" in self.kind else c * n

    rf = rf_global

    make_weights = no_weights

    def forward(self, x, w, r):
        spatial = tuple(range(1, x.ndim - 1))
        return (x.mean if self.kind == "global_avgpool" else x.max)(axis=spatial, keepdims=self.keepdims)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """Average: G / n to every position. Max: G to the first position holding the maximum."""
        np = numpy_ops().np
        b, c = x.shape[0], x.shape[-1]
        g = g.reshape(b, c)
        flat = x.reshape(b, -1, c)
        if self.kind == "global_avgpool":
            return np.broadcast_to((g / flat.shape[1])[:, None, :], flat.shape).reshape(x.shape).copy(), {}
        dx = np.zeros_like(flat)
        first = flat.argmax(axis=1)  # numpy's argmax is the first maximum
        for i in range(b):
            dx[i, first[i], np.arange(c)] = g[i]
        return dx.reshape(x.shape), {}

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        d = dims_of(r)
        kind = "Avg" if r.layer.kind == "global_avgpool" else "Max"
        pool = f"nn.Adaptive{kind}Pool{d}d(1)"
        if r.layer.keepdims:
            return [Part(pool)]
        return [Part(pool), Part("nn.Flatten()", "flat")]

    def to_keras(self, r, ctx) -> list:
        kind = "Average" if r.layer.kind == "global_avgpool" else "Max"
        args = "keepdims=True" if r.layer.keepdims else ""
        return [Part(call(f"layers.Global{kind}Pooling{dims_of(r)}D", args))]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("pool", "maxpool", "avgpool")

    def what(self) -> str:
        return "global pooling"

    def course_shape_text(self, r) -> str | None:
        return "one value per channel"


@dataclass(frozen=True, kw_only=True)
class AdaptivePool(Layer):
    """Adaptive average / max pooling (PyTorch AdaptiveAvgPool2d): a fixed output size.

    Shape: (*output, C). Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"adaptive_{op}pool{d}d" for d in "123" for op in ("avg", "max"))
    STEMS: ClassVar[dict[str, str]] = {f"adaptive_{op}pool{d}d": f"adaptive_{word}_pooling{d}d"
                                       for op, word in (("max", "max"), ("avg", "average")) for d in "123"}
    ALIASES: ClassVar[dict[str, str]] = {**{f"adaptiveavgpool{d}d": f"adaptive_avgpool{d}d" for d in "123"}, **{f"adaptivemaxpool{d}d": f"adaptive_maxpool{d}d" for d in "123"}}
    TORCH: ClassVar[dict[str, tuple]] = {
        "AdaptivePool": (tuple(f"Adaptive{op}Pool{d}d" for op in ("Avg", "Max") for d in "123"),
                         ("output_size", "return_indices")),
        "F.adaptive": (tuple(f"adaptive_{op}_pool{d}d" for op in ("avg", "max") for d in "123"),
                       ("input", "output_size", "return_indices"))}
    DIAGRAM: ClassVar[str] = "pool"  # the diagram's colour category
    output: Any = arg(type="ints", main=True, torch="output_size")

    def output_shape(self, inp: Shape) -> Shape:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        return (*per_axis(self, "output", self.output, dims), inp[-1])

    params = no_params

    macs = no_macs

    def flops(self, r) -> int:
        """Adaptive windows (PyTorch): output o of m on an axis of n reads inputs
        floor(o*n/m) .. ceil((o+1)*n/m) - 1. Summed exactly over every window."""
        reads = 1
        for n, m in zip(r.input_shape[:-1], r.output_shape[:-1]):
            # total window length along this axis: sum over o of (end - start)
            reads *= sum(end - begin for begin, end in (F.adaptive_window(o, n, m) for o in range(m)))
        reads *= r.input_shape[-1]     # every channel
        out = product(r.output_shape)
        return reads - out if "max" in self.kind else reads  # max: kv-1 per window; avg: kv

    def rf(self, r, ins):
        """A regular window f = s = n/m when m divides n; otherwise the windows differ in size
        from unit to unit and the receptive field is unknown."""
        (prev,) = ins
        out = []
        for x, n, m in zip(prev, r.input_shape[:-1], r.output_shape[:-1]):
            if n % m:
                return None
            k = n // m  # every window is k wide and k apart
            size, jump, start = F.rf_step(x.size, x.jump, x.start, f=k, s=k)
            out.append(AxisRF(size=size, jump=jump, start=start, n=m))
        return tuple(out)

    make_weights = no_weights

    def forward(self, x, w, r):
        """PyTorch's bins: output i reads floor(i*n/o) .. ceil((i+1)*n/o); both reductions are
        separable over axes, so one axis at a time."""
        np = numpy_ops().np
        reduce = np.max if self.kind.startswith("adaptive_max") else np.mean
        for axis, o in enumerate(r.output_shape[:-1], start=1):
            n = x.shape[axis]
            parts = [reduce(x.take(range(i * n // o, F.ceil_div((i + 1) * n, o)), axis=axis), axis=axis, keepdims=True)
                     for i in range(o)]
            x = np.concatenate(parts, axis=axis)
        return x

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        kind = "Avg" if "avg" in r.layer.kind else "Max"
        return [Part(f"nn.Adaptive{kind}Pool{dims_of(r)}d({ints(r.output_shape[:-1])})")]

    def to_keras(self, r, ctx) -> list:
        ns, outs = r.input_shape[:-1], r.output_shape[:-1]
        if any(n % o for n, o in zip(ns, outs)):
            refuse(f"Keras has no adaptive pooling; it equals plain pooling only when the output "
                   f"{fmt_shape(outs)} divides the input {fmt_shape(ns)}; export to pytorch")
        kind = "Average" if "avg" in r.layer.kind else "Max"
        k = ints(n // o for n, o in zip(ns, outs))
        return [Part(f"layers.{kind}Pooling{dims_of(r)}D({k})", comment="adaptive, as plain pooling")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

