"""The public Python API: what the CLI calls, for notebooks and scripts (docs/api.md).

    >>> import cnncalc
    >>> s = cnncalc.summarize("architectures/lenet5.yaml")
    >>> s.totals.params
    61706

Everything is imported lazily: `import cnncalc` costs nothing until a function is called.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union


@contextmanager
def _no_cycle_collection():
    """Reading and walking a spec makes many small objects and no reference cycles; the cycle
    collector's passes over them cost more than the work itself at 100,000 layers (reading
    6.2 s -> 3.0 s), so it pauses meanwhile, and runs as before afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Summary:
    """A network's per-layer results and totals, with the computed metrics (MACs, FLOPs,
    receptive field, memory). `to_dict()` is exactly `cnncalc summary --format json`, `text()`
    the table it prints."""
    result: Any    # infer.Summary: spec, layers (LayerResult), totals (Totals)
    metrics: Any   # metrics.Metrics

    @property
    def spec(self):
        return self.result.spec

    @property
    def layers(self):
        return self.result.layers

    @property
    def totals(self):
        return self.result.totals

    def to_dict(self) -> dict:
        from .render.json_doc import to_dict
        return to_dict(self.result, self.metrics)

    def to_json(self) -> str:
        from .render.json_doc import to_json
        return to_json(self.result, self.metrics)

    def text(self, width: int = 120) -> str:
        """The plain-text table `cnncalc summary` prints, `width` characters wide."""
        from .render.table import table_text
        return table_text(self.result, width=width, metrics=self.metrics)

    def _repr_html_(self) -> str:
        """A Jupyter cell shows the table (the same cells as `cnncalc summary`) and the totals."""
        from .render.report import table_html
        return table_html(self.result, self.metrics)

    def __repr__(self) -> str:
        t = self.totals
        return f"<cnncalc.Summary {self.spec.name!r}: {len(self.layers)} layers, {t.params:,} params>"


SpecLike = Union[str, Path, Any]


def load(path_or_text: str | Path, *, input: str | tuple[int, ...] | None = None,
         class_name: str | None = None, vary: str | dict[str, str] | None = None):
    """A Spec from a YAML file path, a zoo name (`vgg16`: `cnncalc summary --list`), from YAML
    text (anything with a newline or a `layers:` key),
    or from a model file: PyTorch or Keras source (.py, read with `ast`, never run), .keras,
    a Keras .json, .onnx (cnncalc.readers). `input` overrides the input shape, channels last:
    (32, 32, 3) or "32x32x3"; the spatial sizes alone keep the channels. `class_name` picks
    the model of a Python file (default: its only model; several are refused). `vary` picks a
    variant of a template ("n=32,k1=8" or {"n": "32"}; default: the first choice of each name)."""
    return load_text(path_or_text, input=input, class_name=class_name, vary=vary)[0]


def load_text(path_or_text: str | Path, *, input: str | tuple[int, ...] | None = None,
              class_name: str | None = None, vary: str | dict[str, str] | None = None):
    """(Spec, its YAML text) as `load` reads it, the file read once; for a model file the
    text is the spec `cnncalc import` writes, for a template the variant's plain spec."""
    from .vary import parse_choose
    choose = parse_choose(vary) if isinstance(vary, str) else vary
    with _no_cycle_collection():
        spec, text = _load_text(path_or_text, given=input_shape(input), class_name=class_name, choose=choose)
    if spec.template is not None:  # the variant's own text, not the template's `$n`s
        from .exercises.handouts import plain_spec
        text = plain_spec(infer(spec), spec.template.label())
    return spec, text


def zoo() -> list[tuple[str, str]]:
    """The zoo that ships with cnncalc: (name, title) of each network; `load(name)` loads one."""
    from .zoo_index import zoo_networks
    return zoo_networks()


def _zoo_or(path: str) -> str:
    """A zoo name (`vgg16`) that is not a file: the zoo spec's path (the zoo ships with the package)."""
    import os

    from .zoo_index import zoo_path
    zoo = zoo_path(path) if "/" not in path and os.sep not in path and not os.path.exists(path) else None
    return str(zoo) if zoo else path


def _load_text(path_or_text, *, given, class_name, choose=None):
    from .errors import ArgumentError, SpecError, read_text
    from .spec import parse_spec
    text = str(path_or_text)
    if isinstance(path_or_text, Path) or ("\n" not in text and "layers:" not in text):
        text = _zoo_or(text)
        if not text.lower().endswith((".yaml", ".yml")):  # the readers load only for model files
            from .readers import is_model_file, load_model_text
            if is_model_file(text):
                if choose is not None:
                    raise ArgumentError(f"--vary picks a variant of a YAML template, but {text[:80]} is a "
                                        "model file; leave --vary out")
                return load_model_text(text, input=given, class_name=class_name)
        body = read_text(text, SpecError, "a YAML spec file", "the path of a YAML spec, e.g. architectures/vgg16.yaml")
        spec = parse_spec(body, text, choose)
    else:
        body, spec = text, parse_spec(text, vary=choose)
    if class_name is not None:
        raise ArgumentError(f"--class {class_name} picks a class of a Python model file, but {text if len(text) < 80 else 'this'} "
                            "is a YAML spec; leave --class out")
    return (spec if given is None else _with_input(spec, given)), body


def input_shape(value: str | tuple[int, ...] | None) -> tuple[int, ...] | None:
    """--input as a shape: "32x32x3", "32 32 3", [32, 32, 3] or (32, 32, 3); None stays None."""
    if value is None or isinstance(value, tuple):
        return value
    from .size_syntax import sizes
    return sizes(value if isinstance(value, str) else "x".join(map(str, value)), "--input", "32x32x3")


def import_model(path: str | Path, *, input: str | tuple[int, ...] | None = None,
                 class_name: str | None = None) -> str:
    """The cnncalc YAML spec equivalent to a model file (`cnncalc import`), checked by parsing it."""
    from .readers import read_model
    return read_model(str(path), input=input_shape(input), class_name=class_name)


def _with_input(spec, given: tuple[int, ...]):
    """The spec with its input shape replaced; the spatial sizes alone keep the channels."""
    import dataclasses

    from .errors import ArgumentError
    from .kinds import fmt_shape
    have = spec.input
    if len(given) == len(have) - 1 and len(have) > 1:
        given = (*given, have[-1])
    elif len(given) != len(have):
        raise ArgumentError(f"--input {'x'.join(map(str, given))} has {len(given)} sizes but the spec's input "
                            f"{fmt_shape(have)} has {len(have)}; give all {len(have)} (channels last) or the "
                            f"{len(have) - 1} spatial sizes" if len(have) > 1 else
                            f"--input {'x'.join(map(str, given))} has {len(given)} sizes but the spec's input "
                            f"{fmt_shape(have)} has 1")
    return dataclasses.replace(spec, input=given)


def _spec(spec: SpecLike):
    from .spec import Spec
    return spec if isinstance(spec, Spec) else load(spec)


def infer(spec: SpecLike, *, dtype: str = "float32"):
    """Shapes and parameter counts of every layer (infer.Summary), without the metrics."""
    from .infer import infer as run
    spec = _spec(spec)
    with _no_cycle_collection():
        return run(spec, dtype=dtype)


def summarize(spec: SpecLike, *, dtype: str = "float32", batch: int = 1, optimizer: str = "sgd",
              flops_convention: str = "2macs") -> Summary:
    """Every layer's shape, parameters, MACs, FLOPs, receptive field and memory, and the totals."""
    from . import metrics as M
    M.compute_options(batch, optimizer, flops_convention)  # bad options fail before the spec is read
    result = infer(spec, dtype=dtype)
    with _no_cycle_collection():
        return Summary(result, M.compute(result, batch=batch, optimizer=optimizer, flops_convention=flops_convention))


def working(summary: Summary | Any) -> list[list[str]]:
    """The shape and parameter working of every layer, numbers plugged in."""
    result = summary.result if isinstance(summary, Summary) else summary
    return [r.layer.explain(r) for r in result.layers]


def verify(spec: SpecLike, *, batch: int = 1, seed: int = 0, max_memory: int | None = None):
    """Run the network in NumPy with random weights; executor.Verification. Refused before it
    starts when its memory estimate is over `max_memory` bytes (default: half the available)."""
    from .executor import verify as run
    return run(_spec(spec), batch=batch, seed=seed, max_memory=max_memory)


def check_answers(answers: str, spec: SpecLike, *, read_as: str | None = None, strict: bool = False,
                  others: bool = True):
    """Grade a table of answers (a path, `-` for stdin) against a spec; check.Report. `strict`
    counts carried cells as wrong; `others` says when a zoo network fits the table better."""
    from dataclasses import replace

    from .check import check_table, read_answers
    from .check.other_networks import better_fit
    report = check_table(read_answers(answers, read_as), infer(spec), strict)
    return replace(report, note=better_fit(report)) if others else report


def check_class(folder: str, spec: SpecLike, *, strict: bool = False, workers: int | None = None,
                feedback: bool = False):
    """Grade every submission in `folder` against a spec; check.classbook.ClassReport (one
    unreadable file is recorded, never stops the rest)."""
    from .check.classbook import grade_folder
    return grade_folder(str(folder), infer(spec), strict, workers, feedback)


def check_variants(folder: str, template: str | Path, roster: str | Path, *, strict: bool = False,
                   feedback: bool = False):
    """Grade every submission in `folder` against its student's own variant of `template` (a
    YAML spec with `vary:`), as `roster` (the variants.csv `cnncalc exercise` wrote) assigns
    them; check.classbook.ClassReport, with the missing, the unmatched and the tables that fit a
    classmate's variant better flagged."""
    from .check.variants import grade_by_variant
    from .errors import SpecError, read_text
    text = read_text(str(template), SpecError, "a YAML spec file", "the template spec (with `vary:`)")
    return grade_by_variant(str(folder), text, str(template), str(roster), strict, feedback)


def export_code(spec: SpecLike, to: str) -> str:
    """PyTorch (`to="pytorch"`) or Keras 3 (`to="keras"`) source code for the spec."""
    from .export import export_code as generate
    return generate(infer(spec), to)


def report_html(spec: SpecLike, spec_text: str = "", *, dtype: str = "float32", charts: bool = True) -> tuple[str, list[str]]:
    """The self-contained HTML report, and notes on what was left out. A spec given as a path
    (`-`: stdin) is read once and its text shown in the report; a loaded Spec shows `spec_text`."""
    from .render.report import build
    if not spec_text and isinstance(spec, (str, Path)):
        spec, spec_text = load_text(spec)
    s = summarize(spec, dtype=dtype)
    return build(s.result, s.metrics, spec_text, charts=charts)


def solve_input(spec: SpecLike, *, max_size: int = 2048, given: tuple[int, ...] | None = None):
    """Input sizes for which every window divides exactly; solve.InputAnswer."""
    from .solve import input_sizes
    return input_sizes(_spec(spec), max_size, given)


def solve_padding(n: int, f: int, s: int = 1, d: int = 1, out: int | None = None):
    """Every padding that gives `out` (default: n, 'same'); solve.Answer."""
    from .solve import padding
    return padding(n, f, s, d, out)


def solve_kernel(n: int, out: int, s: int = 1, pad=(0, 0), d: int = 1):
    """Kernel sizes that give `out`; solve.Answer."""
    from .solve import kernel
    return kernel(n, out, s, pad, d)


def solve_stride(n: int, out: int, f: int, pad=(0, 0), d: int = 1):
    """Strides that give `out`; solve.Answer."""
    from .solve import stride
    return stride(n, out, f, pad, d)


def summary_options(batch: int | str = 1, optimizer: str = "sgd", flops_convention: str = "2macs") -> tuple[int, str, str]:
    """summarize's options checked, (batch, optimizer, convention); `batch` may be text ("32").
    An ArgumentError names the bad value and the choices."""
    from .metrics import compute_options, parse_batch
    return compute_options(parse_batch(batch) if isinstance(batch, str) else batch, optimizer, flops_convention)


def _axes(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _pads(value):
    """'same'/'valid', p, or per axis p or (before, after): ((before, after), ...)."""
    if isinstance(value, str):
        return value
    return tuple(tuple(p) if isinstance(p, (tuple, list)) else (p, p) for p in _axes(value))


def solve_size(n, kernel, stride=1, padding=0, dilation=1, *, mode: str = "floor", output_padding=0):
    """Output size of one window per axis with the working; solve.SizeAnswer. Sizes are an int
    or one per axis; `n` may be text in the command line's grammar ("32x32x3" is H×W×C: the
    window slides on 32×32, said on the answer's first line); `padding` is p, (before, after)
    per axis, 'same' (at stride 1 the size kept, else TensorFlow's ceil(n/s), said in a note) or
    'valid'; `mode` is floor (conv, pooling), ceil (PyTorch ceil_mode) or transposed (ConvTranspose)."""
    import dataclasses

    from .solve import size
    read = ""
    if isinstance(n, str):
        from .size_syntax import spatial
        n, read = spatial(n, "the input size N", "cnncalc size 32 -f 5 -s 2")
    answer = size(_axes(n), _axes(kernel), _axes(stride), _pads(padding), _axes(dilation), mode, _axes(output_padding))
    return dataclasses.replace(answer, read=read) if read else answer


def strict_error(answer) -> str | None:
    """Why a solve_size answer is not exact (the first axis whose division drops rows), else None."""
    from .solve import strict_error as first_inexact
    return first_inexact(answer)


def solve_layer(kind: str, input_shape: tuple[int, ...] | str, *, texts: dict[str, str] | None = None, **args: Any):
    """One layer of any kind alone (conv, maxpool, dense, batchnorm, relu, ...): shape,
    activations, parameters, weight shapes and MACs with the working; solve.LayerAnswer. `args`
    are the kind's spec arguments (filters=10, kernel=3), `texts` more of them as text, read as
    the spec reads them ({"negative_slope": "0.1"}); a kind name without its dimension (conv,
    maxpool) takes the input's. `input_shape` as text is read by the command line's one size
    grammar (size_syntax.shape: "6x6" is H×W with one channel), the reading on the answer's
    first line."""
    import dataclasses

    from . import size_syntax as P
    from .errors import ShapeError
    from .solve.one_layer import asked_dims, layer_with_texts
    if not isinstance(input_shape, str):
        return layer_with_texts(kind, tuple(input_shape), texts or {}, **args)
    dims = asked_dims(kind)
    inp = P.shape(input_shape, "--input", dims, "400" if args.get("units") else "32x32x3")
    given = len(P.sizes(input_shape, "--input"))
    try:
        answer = layer_with_texts(kind, inp, texts or {}, **args)
    except ShapeError as e:
        if dims is None and given == 2:  # 100x1 was a signal (L×C) before the one grammar
            e.message += (f" (--input {input_shape} is H×W, one channel; a 1-D signal of length {inp[0]} with "
                          f"{inp[1]} channel{'s' if inp[1] != 1 else ''} is `{kind}1d --input {input_shape}`)")
        raise
    return dataclasses.replace(answer, read=P.read_as(inp, given))


def _grid(value, what: str):
    from .handwork import parse_matrix
    if isinstance(value, str):
        return parse_matrix(value, what)
    rows = [value] if all(isinstance(v, (int, float)) for v in value) else value  # a flat list is one row
    return [[float(v) for v in row] for row in rows]


def _at(at) -> str | None:
    return at if at is None or isinstance(at, str) else ",".join(map(str, _axes(at)))


def kernel_names() -> str:
    """The named kernels, the course notes' names first, as `conv --help` lists them."""
    from .kernels import help_text
    return help_text()


def convolve(image, kernel, *, stride: int = 1, padding: int | str = 0, flip: bool = False, at=None,
             bias: float | None = None, activation: str | None = None, show_padded: bool = False):
    """Cross-correlate (with `flip`, convolve) a small matrix or one-row signal with a kernel;
    handwork.GridResult. `image` is text ("1 0; 0 1") or rows of numbers, `kernel` also a name
    (sobel_x, box_blur, ...); `padding` p on every side, 'valid' or 'same' (a note says which
    rule); `at` (i, j) works out one output cell; `bias` is added to every cell (Z), `activation`
    applied after it (A = relu(Z)); `show_padded` keeps the padded input, and with no `kernel`
    it is all the answer holds (the padded grid)."""
    from .handwork import convolve as run, kernel_matrix, padded_only
    if kernel is None:
        from .errors import ArgumentError
        if not show_padded:
            raise ArgumentError("--kernel is required, e.g. --kernel sobel_x (or --show-padded alone to see "
                                "the padded grid)")
        return padded_only(_grid(image, "--image"), padding)
    ker, name = kernel_matrix(kernel) if isinstance(kernel, str) else (_grid(kernel, "--kernel"), None)
    return run(_grid(image, "--image"), ker, stride, padding, flip, _at(at), name, bias, activation, show_padded)


def pool(image, size: int = 2, *, stride: int | None = None, padding: int | str = 0, op: str = "max", at=None):
    """Max or average pooling of a small matrix; handwork.GridResult. `padding`: p, 'valid' or 'same'."""
    from .handwork import pool as run
    return run(_grid(image, "--image"), size, stride, padding, op, _at(at))


def conv_matrix(n: int, f: int = 3, *, stride: int = 1, kernel=None, signal=None) -> dict:
    """The weight matrix (Toeplitz form) of a 1-D kernel on n samples, checked against sliding it."""
    from .handwork import conv_matrix as build
    return build(n, f, stride, None if kernel is None else _grid(kernel, "--kernel"),
                 None if signal is None else _grid(signal, "--signal"))


def gradient(image, kernel, upstream=None, *, stride: int = 1, padding: int = 0, bias=None,
             flip: bool = False):
    """The forward output Z and dL/dK, dL/dX, dL/db of a single convolution, exact for whole
    numbers: a gradients.conv.ConvGrad, with `to_dict(at)` and `text(at)` (`at` "dK:0,0" works
    one cell). `image`, `upstream`: text ("1 2; 3 4", channels split by `|`) or nested lists;
    `kernel` also a name (sobel_x) or one text per filter; `upstream` defaults to all ones;
    `bias`: a number, or one per filter."""
    from .gradients import conv as grad, inputs
    if all(v is None or isinstance(v, str) for v in (image, upstream, bias)) and (
            isinstance(kernel, str) or (isinstance(kernel, (list, tuple)) and all(isinstance(k, str) for k in kernel))):
        return inputs.from_text(image, kernel, upstream, stride, padding, bias, flip)
    return grad.conv_grad(image, kernel, upstream, stride, padding, bias, flip)


def backprop(spec: SpecLike, input, target, *, loss: str = "mse", weights=None, seed: int = 0):
    """One forward and backward pass through a small network: the loss, each layer's output,
    and the gradients of the loss with respect to each layer's weights, bias and output; a
    gradients.network.Backprop, with `to_dict()` and `text()`. `input`, `target`: numbers, nested lists, or text (JSON, "1 2; 3 4", a file);
    `weights`: a mapping of layer names to arrays in torch's layout, or a JSON file's path
    (None: drawn from `seed`)."""
    from .gradients import inputs as I, network as B
    x = I.parse_array(input, "--input") if isinstance(input, str) else input
    t = I.parse_array(target, "--target") if isinstance(target, str) else target
    w = I.load_weights(str(weights)) if isinstance(weights, (str, Path)) else weights
    return B.backprop(_spec(spec), x, t, loss=loss, weights=w, seed=seed)


def jacobian(answer, *, dtype_bytes: int = 4):
    """The shapes of d out/d in and d out/d weights of one layer (a `solve_layer` answer), their
    sizes in numbers and bytes (`cnncalc layer ... --jacobian`): why backprop never forms them;
    gradients.jacobian.Jacobians, with `to_dict()` and `text()`."""
    from .infer import infer_layer
    from .gradients.jacobian import jacobian_shapes
    inputs = (answer.input_shape,) * (2 if answer.layer.MULTI_INPUT else 1)  # a merge alone: the input twice
    return jacobian_shapes(infer_layer(answer.layer, inputs), dtype_bytes)


def exercise(template: str | Path, roster: str | Path, seed: int, *, exact: bool = False, share: bool = False,
             html: bool = False, keep: str | Path | None = None):
    """A variant of a template (a spec with `vary:`) for each student of a roster CSV, drawn
    from the seed and the name, with every file to write (cnncalc.exercises.Exercise); the
    students an earlier variants.csv (`keep`) lists keep their variants and folders."""
    from .exercises import make
    return make(str(template), str(roster), seed, exact=exact, share=share, html=html,
                keep=None if keep is None else str(keep))


def write_exercise(made, folder: str | Path, force: bool = False) -> list[str]:
    """Write an exercise's files under `folder` (existing files refused unless `force`)."""
    from .exercises import write
    return write(made, str(folder), force)


def drill(kind: str, count: int = 20, seed: int = 0):
    """A numbered single-layer drill (size, padding or params) and its key (exercises.drills)."""
    from .exercises.drills import drill as make_drill
    return make_drill(kind, count, seed)
