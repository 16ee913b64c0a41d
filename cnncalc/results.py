"""A parsed network (Spec), the per-layer result and the summary: what `infer` folds a spec into,
and what the kinds' metrics, exports and explanations read. Ground floor (imports formulas,
errors, shapes); parsing a spec is cnncalc.spec."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import CnncalcError, ShapeError
from .formulas import product
from .shapes import Axis, Shape

if TYPE_CHECKING:
    from .kinds.base import Layer


@dataclass(frozen=True)
class Spec:
    """A parsed spec: its name, the input shape (channels last) and the layers in order."""
    name: str
    input: tuple[int, ...]
    layers: tuple[Layer, ...]
    path: str = "<spec>"
    input_mark: tuple[int, int] | None = field(default=None, compare=False)
    template: Any = field(default=None, compare=False)  # a template's vary.Template: its variants, the one picked
    notes: tuple[str, ...] = field(default=(), compare=False)  # a model file's reader's notes (summary prints them)


@dataclass(frozen=True, slots=True)  # one per layer: no __dict__
class LayerResult:
    """What one layer receives and produces."""
    layer: Layer
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    trainable_params: int
    non_trainable_params: int
    axes: tuple[Axis, ...]
    hyper: dict[str, Any]
    sources: tuple[str, ...] = ()  # names of the layers it reads; "input" for the network input
    inputs: tuple[int, ...] = ()   # positions in Summary.layers of the layers it reads; -1: the input

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def activation_size(self) -> int:
        return product(self.output_shape)


@dataclass(frozen=True)
class Totals:
    params: int
    trainable_params: int
    non_trainable_params: int
    activation_size: int
    input_size: int
    dtype: str
    bytes_per_value: int

    @property
    def input_bytes(self) -> int:
        return self.input_size * self.bytes_per_value

    @property
    def param_bytes(self) -> int:
        return self.params * self.bytes_per_value

    @property
    def activation_bytes(self) -> int:
        """Every layer's output held at once (a forward pass keeping activations), batch 1."""
        return self.activation_size * self.bytes_per_value


@dataclass(frozen=True)
class Summary:
    spec: Spec
    layers: tuple[LayerResult, ...]
    totals: Totals

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape

    def notes(self) -> list[str]:
        """The model file reader's notes (Spec.notes: what an ONNX exporter changed), then the
        kinds' remarks on their layers (Layer.note), one line per subject: the subject
        said once, then the numbers of the first three layers it concerns and how many more."""
        subjects: dict[str, list[str]] = {}
        for r in self.layers:
            got = r.layer.note(r)
            if got is not None:
                subjects.setdefault(got[0], []).append(got[1])
        return [*self.spec.notes] + [  # a model file's reader's notes first
            f"{about}: " + "; ".join(each[:3] + ([f"and {len(each) - 3} more"] if len(each) > 3 else [])) + "."
            for about, each in subjects.items()]

    def fold(self, start: Any, step: Callable[[LayerResult, tuple], Any]) -> list:
        """The one walk over the layer graph: `step(result, values of its inputs)` for every
        layer in order (each layer's inputs come before it), `start` standing for the network
        input. Returns each layer's value. Metrics, the executor, export and the diagram use it."""
        values: list = []
        for r in self.layers:
            values.append(step(r, tuple(start if j < 0 else values[j] for j in r.inputs)))
        return values


def infer_layer(layer: Layer, inputs: tuple[Shape, ...], sources: tuple[str, ...] = (),
                positions: tuple[int, ...] = ()) -> LayerResult:
    """One layer's result (`sources`, `positions`: LayerResult's); errors come back with the
    layer's label and position."""
    try:
        if len(inputs) != 1 and not layer.MULTI_INPUT:
            raise ShapeError(f"{layer.kind} takes one input, got {len(inputs)}; merge them first "
                             "with `add` or `concat`", arg="inputs")
        inp = inputs if layer.MULTI_INPUT else inputs[0]
        out = layer.output_shape(inp)
        trainable, frozen = layer.params(inp)
        if not layer.trainable:
            trainable, frozen = 0, trainable + frozen
        return LayerResult(layer, inputs, out, trainable, frozen, layer.axes(inp), layer.hyper(inp), sources, positions)
    except CnncalcError as e:
        line, col = layer.marks.get(e.arg, (layer.line, layer.col)) if e.arg else (layer.line, layer.col)
        raise e.located(layer=layer.label, line=line, col=col) from None
