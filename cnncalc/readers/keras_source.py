"""Keras source read with `ast`: `keras.Sequential([...])`, `model.add(...)` and the functional
API (`keras.Input(shape=...)`, layer calls, `layers.add` / `concatenate`, `keras.Model`), with
the `keras`, `tf.keras` and `tensorflow.keras` spellings. Nothing is imported or run.

The model read is the file's one module-level model no other model uses (`--class NAME` picks a
name, or a function of the file that returns the model, called with the arguments of the file's
own call of it, else its defaults). Code around it that builds no layer (data, plots, callbacks,
compile/fit, load_model, keras.Model subclasses such as a GAN wrapper) is passed over.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field

from . import keras_apps
from .common import INPUT, Graph, InputHint
from .keras_layers import Refused, convert, has_params, not_read, rank_after, spelling
from .pysource import Dotted, Function, Ignored, Interp, Unknown, at, parse, parse_choice
from .spellings import argument_marks

UPSAMPLING_SIZE = {"size": "factor"}  # UpSampling2D(size=2) is the kind's factor (its `size` is torch's)
# keras.<module>.* calls that build no layer of a model (data, plots, training, saving): passed over
NOT_BUILDING = {"utils", "callbacks", "optimizers", "losses", "metrics", "datasets", "preprocessing", "saving",
                "random", "config", "backend", "mixed_precision", "visualization", "export", "regularizers",
                "initializers", "constraints", "distribution", "tree"}
MODEL_METHODS = {"compile", "fit", "evaluate", "predict", "summary", "save", "save_weights", "load_weights",
                 "build", "count_params", "to_json", "get_config", "trainable_weights", "fit_generator"}


@dataclass
class KLayer:
    cls: str
    cfg: dict
    at: tuple
    marks: dict
    name: str
    called: int = 0
    read: tuple | None = None  # (kind, spec arguments) of one of cnncalc's own helper classes
    nodes: list = field(default_factory=list)  # the graph's layers made by calling it


@dataclass
class KTensor:
    ref: str
    shape: tuple | None = None
    at: tuple | None = None
    rank: int | None = None  # with the batch axis, where known: a layer's `axis=3` may name the channels

    def __post_init__(self):
        if self.rank is None and self.shape is not None:
            self.rank = len(self.shape) + 1


@dataclass
class KSeq:
    layers: list
    at: tuple
    name: str
    input: KTensor | None = None


@dataclass
class KModel:
    input: KTensor
    output: KTensor
    at: tuple
    name: str


@dataclass
class _Names:
    counts: dict = field(default_factory=dict)

    def take(self, base: str) -> str:
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _keras(name: str | None) -> str | None:
    """`tf.keras.layers.Conv2D`, `tensorflow.keras.layers.Conv2D` -> `keras.layers.Conv2D`."""
    if name is None:
        return None
    for prefix in ("tensorflow.keras.", "tensorflow.python.keras.", "keras.src.", "tf_keras."):
        if name.startswith(prefix):
            return "keras." + name[len(prefix):]
    return name if name == "keras" or name.startswith("keras.") else None


class KerasReader(Interp):
    DEFAULT_ALIASES = {"tf": "tensorflow", "keras": "keras", "layers": "keras.layers"}

    def __init__(self, path, tree):
        super().__init__(path, tree)
        self.graph = Graph(path)
        self.names = _Names()
        self.candidates: list[tuple[str, int, KSeq | KModel]] = []
        self.module_calls: dict[str, list[tuple[int, list, dict]]] = {}
        self.owners: dict[int, KerasReader] = {}  # def -> the reader of its file (siblings share one map)

    def own(self, owners: dict) -> None:
        self.owners = owners
        owners.update((id(n), self) for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef))

    def set_attr(self, owner, name, value, node) -> None:
        if isinstance(owner, Function) and name == "__doc__":
            return  # `EfficientNetB0.__doc__ = ...`
        if name == "trainable" and isinstance(value, bool) and isinstance(owner, (KLayer, KSeq)):
            self.set_trainable(owner, value, node)
            return
        super().set_attr(owner, name, value, node)

    def set_trainable(self, owner, value: bool, node) -> None:
        """`layer.trainable = False` (or a Sequential's, for every layer in it), also on the
        layers already made from it: the file's last word is Keras' count."""
        if isinstance(owner, KSeq):
            for item in owner.layers:
                if not isinstance(item, (KLayer, KSeq)):
                    raise self.fail(node, f"setting `trainable` of a Sequential holding {self.kind_of(item)}")
                self.set_trainable(item, value, node)
            return
        owner.cfg["trainable"] = value
        for name in owner.nodes:
            args = self.graph.by_name[name].args
            if value or not has_params(owner.cls, owner.cfg):
                args.pop("trainable", None)
            else:
                args["trainable"] = False

    def defined(self, stmt) -> None:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and isinstance(self.globals.get(t.id), (KSeq, KModel)):
                    self.candidates.append((t.id, stmt.lineno, self.globals[t.id]))

    def call_function(self, fn, args, kwargs, node, env_extra=None):
        owner = self.owners.get(id(fn.node), self)
        if owner is not self:  # a function of another file (a nested def passed to a sibling's function)
            owner.steps, owner.depth = self.steps, self.depth
            try:
                return owner.call_function(fn, args, kwargs, node, env_extra)
            finally:
                self.steps = owner.steps
        if self.depth == 0 and fn.bound is None:  # a module-level call of the file's builder: its arguments
            self.module_calls.setdefault(fn.node.name, []).append((node.lineno, list(args), dict(kwargs)))
        return super().call_function(fn, args, kwargs, node, env_extra)

    def module_statement(self, stmt) -> None:
        super().module_statement(stmt)
        if isinstance(stmt, ast.If) and self.is_main_guard(stmt.test):
            for inner in stmt.body:
                if isinstance(inner, ast.Assign):
                    self.defined(inner)

    def strict_at_module(self, stmt) -> bool:
        """A failing statement that touches a model, a layer or a keras name is an error."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(self.globals.get(node.id), (KSeq, KModel, KTensor, KLayer)):
                return True
            if isinstance(node, (ast.Attribute, ast.Name)) and (_keras(self.dotted(node)) or "").startswith(
                    ("keras.layers.", "keras.Sequential", "keras.Model", "keras.models.", "keras.Input")):
                return True
        return False

    def dotted(self, node):
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, self.DEFAULT_ALIASES.get(node.id))
        if isinstance(node, ast.Attribute):
            head = self.dotted(node.value)
            return f"{head}.{node.attr}" if head else None
        return None

    def call(self, node, env):
        if isinstance(node.func, ast.Attribute) and node.func.attr in MODEL_METHODS:
            owner = self.eval(node.func.value, env)
            if isinstance(owner, (KSeq, KModel, Unknown)):
                return Ignored(f"`{ast.unparse(node)[:40]}` happens when the file runs", node.lineno)
        return super().call(node, env)

    # -- keras names -------------------------------------------------------------------------------
    def call_dotted(self, name, args, kwargs, marks, node):
        name = _keras(name) or name
        short = name.rsplit(".", 1)[-1]
        if name == "keras.applications.imagenet_utils.correct_pad" and args and isinstance(args[0], KTensor):
            args = [self.shape_of(args[0], node), *args[1:]]
        try:
            known = keras_apps.call(name, args, kwargs, lambda v: isinstance(v, KTensor))
        except (keras_apps.AppError, TypeError) as e:
            raise self.error(node, f"{name}: {e}") from None
        if known is not NotImplemented:
            return known
        if name in keras_apps.PASSED_OVER:
            return Ignored(f"`{name}` builds no layer", node.lineno)
        if name in ("keras.Input", "keras.layers.Input", "keras.Input"):
            return self.make_input(args, kwargs, node)
        if name in ("keras.Sequential", "keras.models.Sequential"):
            items = list(self.iterate(args[0], node)) if args else list(self.iterate(kwargs.get("layers", []), node))
            seq = KSeq([], at(node), kwargs.get("name") or self.names.take("sequential"))
            for item in items:
                self.seq_add(seq, item, node)
            return seq
        if name in ("keras.Model", "keras.models.Model", "keras.models.Functional"):
            return self.make_model(args, kwargs, node)
        if name.startswith("keras.layers.") and short in ("add", "multiply", "subtract", "maximum", "minimum",
                                                          "average", "concatenate"):
            cls = "Concatenate" if short == "concatenate" else short.capitalize()
            tensors = list(self.iterate(args[0] if args else kwargs.pop("inputs"), node))
            layer = self.make_layer(cls, list(args[1:]), {k: v for k, v in kwargs.items()}, marks, node)
            return self.apply(layer, tensors, node)
        if name.startswith("keras.layers.") and short[:1].isupper():
            return self.make_layer(short, args, kwargs, marks, node)
        if name.split(".")[1] in NOT_BUILDING or name in ("keras.models.load_model", "keras.models.save_model"):
            if any(isinstance(v, KTensor) for v in (*args, *kwargs.values())):
                raise self.fail(node, f"`{name}` of a model tensor")
            return Ignored(f"`{name}` (a call that builds no layer) happens when the file runs", node.lineno)
        if name.startswith("keras.applications.") and name.count(".") == 3:
            followed = self.sibling_call(name, args, kwargs, node)
            if followed is not None:
                return followed
        if name.startswith("keras.applications."):
            raise self.fail(node, f"{name}: a model from keras.applications (save it with model.to_json() "
                                  "and give cnncalc that file)")
        if name.startswith("keras."):
            return None
        return super().call_dotted(name, args, kwargs, marks, node)

    def make_input(self, args, kwargs, node):
        shape = args[0] if args else kwargs.get("shape")
        if shape is None and kwargs.get("batch_shape") is not None:
            shape = tuple(kwargs["batch_shape"])[1:]
        if not isinstance(shape, (tuple, list)) or not all(v is None or isinstance(v, int) for v in shape):
            raise self.error(node, f"keras.Input needs shape=(sizes), not {self.kind_of(shape)}")
        self.input_tensor = KTensor(INPUT, tuple(shape), at(node))
        return self.input_tensor

    def make_model(self, args, kwargs, node):
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        inputs = inputs[0] if isinstance(inputs, (list, tuple)) and len(inputs) == 1 else inputs
        outputs = outputs[0] if isinstance(outputs, (list, tuple)) and len(outputs) == 1 else outputs
        if isinstance(inputs, dict) or isinstance(outputs, dict) or isinstance(inputs, (list, tuple)) \
                or isinstance(outputs, (list, tuple)):
            raise self.fail(node, "a model with several inputs or outputs (a spec has one of each)")
        if not isinstance(inputs, KTensor) or not isinstance(outputs, KTensor):
            raise self.error(node, f"keras.Model(inputs, outputs) of {self.kind_of(inputs)} and {self.kind_of(outputs)}")
        if inputs.ref != INPUT:
            raise self.fail(node, "a model whose input is not a keras.Input")
        return KModel(inputs, outputs, at(node), kwargs.get("name") or self.names.take("functional"))

    def make_layer(self, cls, args, kwargs, marks, node):
        s = spelling(cls)
        if s is None and cls != "InputLayer":
            raise self.fail(node, not_read(cls))
        sig = s.positional if cls != "InputLayer" else ("shape",)
        if len(args) > len(sig):
            raise self.error(node, f"{cls} takes at most {len(sig)} positional arguments, got {len(args)}")
        cfg, where = {}, {}
        for i, v in enumerate(args):
            cfg[sig[i]], where[sig[i]] = v, marks.get(i)
        for k, v in kwargs.items():
            cfg[k], where[k] = v, marks.get(k)
        for k, v in cfg.items():
            if isinstance(v, Unknown) and k not in ("name", "dtype", "seed"):
                raise self.error(node, f"{cls}'s `{k}`: {v.why}; write the number in the file or write this "
                                       "part in YAML")
        if cls == "InputLayer":
            return self.make_input([], {"shape": cfg.get("shape") or cfg.get("input_shape"),
                                        "batch_shape": cfg.get("batch_shape") or cfg.get("batch_input_shape")}, node)
        name = cfg.get("name") if isinstance(cfg.get("name"), str) else self.names.take(_snake(cls))
        return KLayer(cls, cfg, at(node), where, name)

    def seq_add(self, seq: KSeq, item, node) -> None:
        if isinstance(item, KTensor):
            if seq.layers or seq.input is not None:
                raise self.error(node, "keras.Input must come first in a Sequential model")
            seq.input = item
            return
        if not isinstance(item, (KLayer, KSeq, KModel)):
            raise self.fail(node, f"a Sequential model holding {self.kind_of(item)}")
        if isinstance(item, KLayer) and not seq.layers and seq.input is None:
            shape = item.cfg.get("input_shape") or (
                tuple(item.cfg["batch_input_shape"])[1:] if item.cfg.get("batch_input_shape") else None)
            if shape is None and item.cfg.get("input_dim"):
                shape = (item.cfg["input_dim"],)
            if shape is not None:
                seq.input = KTensor(INPUT, tuple(shape), item.at)
        seq.layers.append(item)

    def instantiate(self, cls: ast.ClassDef, args, kwargs, node):
        """cnncalc's own export helper class (a LayerScale, a ChannelSlice, ...) as its kind."""
        from . import helpers
        try:
            got = helpers.read("keras", cls, args, kwargs)
        except ValueError as e:
            raise self.error(node, str(e)) from None
        if got is None:
            base = self.keras_base(cls)
            if base is not None:
                what = f"an instance of `{cls.name}`, a subclass of {base} written as code cnncalc does not read"
                return (Ignored if base in ("keras.Model", "keras.models.Model") or base.startswith("keras.callbacks.")
                        else Unknown)(what, node.lineno)
            return super().instantiate(cls, args, kwargs, node)
        name = kwargs.get("name") if isinstance(kwargs.get("name"), str) else self.names.take(_snake(cls.name))
        return KLayer(cls.name, {}, at(node), {}, name, read=got)

    def sibling_call(self, name: str, args, kwargs, node):
        """`resnet.ResNet(...)` in keras.applications' resnet_v2.py: the function of the sibling
        file (resnet.py, in the folder of the file read, never outside it), read with that file's
        names into this model's graph; None when there is no such file or function."""
        _, _, module, fn_name = name.split(".")
        folder = os.path.realpath(os.path.dirname(os.path.abspath(self.path)))
        target = os.path.realpath(os.path.join(folder, module + ".py"))
        if os.path.dirname(target) != folder or not os.path.isfile(target) or target == os.path.realpath(self.path):
            return None
        siblings = self.__dict__.setdefault("_siblings", {})
        if target not in siblings:
            child = KerasReader(target, parse(target)[1])
            child.graph, child.names, child.steps = self.graph, self.names, self.steps
            if not self.owners:
                self.own({})
            child.own(self.owners)
            child.run_module()
            siblings[target] = child
        child = siblings[target]
        fn = child.globals.get(fn_name)
        if not isinstance(fn, Function):
            return None
        child.steps, child.depth = self.steps, self.depth
        try:
            return child.call_function(fn, args, kwargs, node)
        finally:
            self.steps = child.steps

    def shape_of(self, x: KTensor, node) -> tuple:
        """`x.shape` (with the batch, None): the layers so far inferred from the model's input,
        as summary infers them (keras.applications read `x.shape[channel_axis]`)."""
        start = self.__dict__.get("input_tensor")
        if start is None or start.shape is None or None in start.shape:
            raise self.fail(node, "the size of a tensor (`.shape`) where the keras.Input's sizes are not all "
                                  "known; save the model (model.save, model.to_json) and give cnncalc that file")
        if x.ref == INPUT:
            return (None, *start.shape)
        from ..infer import infer
        from ..spec import parse_spec
        from .common import write
        nodes = self.graph.select(x.ref)
        text = write(nodes, tuple(start.shape), name="probe", source=self.path, what="sizes so far").text
        return (None, *infer(parse_spec(text, self.path)).output_shape)

    def keras_base(self, cls: ast.ClassDef) -> str | None:
        """The keras class `cls` derives from (directly or through a class of the file), or None."""
        for b in cls.bases:
            if isinstance(b, ast.Name) and b.id in self.classes and self.classes[b.id] is not cls:
                inner = self.keras_base(self.classes[b.id])
                if inner:
                    return inner
            name = _keras(self.dotted(b))
            if name:
                return name
        return None

    # -- values ------------------------------------------------------------------------------
    def attribute_value(self, owner, name, node):
        if isinstance(owner, str) and name == "format":
            return ("format", owner)
        if isinstance(owner, KTensor) and name == "shape":
            return self.shape_of(owner, node)
        if isinstance(owner, KSeq) and name in ("add", "pop"):
            return ("seq", owner, name)
        if isinstance(owner, list) and name in ("append", "extend"):
            return ("list", owner, name)
        if isinstance(owner, KModel) and name in ("output", "outputs"):
            return owner.output
        if isinstance(owner, KModel) and name in ("input", "inputs"):
            return owner.input
        return None

    def call_value(self, fn, args, kwargs, marks, node):
        if isinstance(fn, tuple) and fn[0] == "format":  # "mixed{0}".format(i): plain fields only
            values = [*args, *kwargs.values()]
            if re.search(r"\{[^}]*[:!]", fn[1]) or not all(isinstance(v, (int, str)) for v in values):
                raise self.fail(node, "str.format with a format spec or values other than ints and strings")
            return self.sized(self.python(node, lambda: fn[1].format(*args, **kwargs)), node)
        if isinstance(fn, tuple) and fn[0] == "seq":
            if fn[2] == "add":
                self.seq_add(fn[1], args[0], node)
            elif fn[1].layers:
                fn[1].layers.pop()
            return True
        if isinstance(fn, tuple) and fn[0] == "list":
            (fn[1].append if fn[2] == "append" else fn[1].extend)(args[0] if fn[2] == "append"
                                                                 else self.iterate(args[0], node))
            return True
        if isinstance(fn, (KLayer, KSeq, KModel)):
            x = args[0] if args else kwargs.get("inputs")
            tensors = list(x) if isinstance(x, (list, tuple)) else [x]
            if not all(isinstance(t, KTensor) for t in tensors):
                raise self.fail(node, f"calling {self.kind_of(fn)} on {self.kind_of(x)}")
            return self.apply(fn, tensors, node)
        return None

    def binop_value(self, op, left, right, node):
        number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
        if isinstance(left, KTensor) and number(right) or number(left) and isinstance(right, KTensor):
            return self.constant_op(op, left, right, node)
        if isinstance(left, KTensor) and isinstance(right, KTensor) and isinstance(op, (ast.Add, ast.Mult)):
            cls = "Add" if isinstance(op, ast.Add) else "Multiply"
            return self.apply(self.make_layer(cls, [], {}, {}, node), [left, right], node)
        return None

    def constant_op(self, op, left, right, node) -> KTensor:
        """`x + 3.0`, `3.0 + x`, `x * (1 / 6)`, `x - 3.0` on a tensor: rescaling (x * scale +
        offset), as Keras' saved ops are read; another op with a number is refused."""
        x, c = (left, float(right)) if isinstance(left, KTensor) else (right, float(left))
        forms = {ast.Add: {"scale": 1, "offset": c}, ast.Mult: {"scale": c, "offset": 0}}
        if isinstance(left, KTensor):
            forms[ast.Sub] = {"scale": 1, "offset": -c}
        if type(op) not in forms:
            raise self.fail(node, f"`{ast.unparse(node)[:40]}`: an operation with the number {c} that is none "
                                  "of x + c, c + x, x * c, c * x and x - c")
        name = self.graph.add("rescaling", forms[type(op)], [x.ref], self.names.take("rescaling"), at(node),
                              note=ast.unparse(node)[:40])
        return KTensor(name, rank=x.rank)

    def kind_of(self, value) -> str:
        if isinstance(value, KLayer):
            return f"the Keras layer {value.cls} `{value.name}`"
        if isinstance(value, KTensor):
            return "a Keras tensor"
        if isinstance(value, (KSeq, KModel)):
            return f"the model `{value.name}`"
        return super().kind_of(value)

    # -- the graph ---------------------------------------------------------------------------------
    def apply(self, layer, tensors, node, prefix: str = "", shared_ok: bool = False) -> KTensor:
        if isinstance(layer, KSeq):
            x = tensors[0]
            for item in layer.layers:
                x = self.apply(item, [x], node, prefix, shared_ok)
            return x
        if isinstance(layer, KModel):
            return self.replay(layer, tensors[0], prefix or layer.name + "/")
        if layer.read is not None:  # cnncalc's own helper
            from .helpers import has_weights
            if layer.called and has_weights("keras", layer.cls) and not shared_ok:
                raise self.fail(node, f"the layer `{layer.name}` is called a second time: its weights are shared, "
                                      "and cnncalc counts each layer's own")
            layer.called += 1
            name = self.graph.add(layer.read[0], dict(layer.read[1]), [t.ref for t in tensors], prefix + layer.name,
                                  layer.at, {}, note=f"cnncalc's {layer.cls}")
            return KTensor(name)
        if layer.called and has_params(layer.cls, layer.cfg) and not shared_ok:
            raise self.fail(node, f"the layer `{layer.name}` is called a second time: its weights are shared, "
                                  "and cnncalc counts each layer's own")
        layer.called += 1
        cfg = {k: v for k, v in layer.cfg.items() if k not in ("input_shape", "batch_input_shape", "input_dim")}
        rank = tensors[0].rank if all(t.rank == tensors[0].rank for t in tensors) else None
        try:
            kind, args, note = convert(layer.cls, cfg, rank)
        except Refused as e:
            line, col = layer.marks.get(e.key) or layer.at
            raise self.fail(_Pos(line, col), f"{layer.cls}: {e.what}") from None
        marks = argument_marks(kind, "keras", layer.marks, UPSAMPLING_SIZE)
        if layer.cfg.get("trainable") is False and has_params(layer.cls, cfg):
            args = {**args, "trainable": False}
        name = self.graph.add(kind, args, [t.ref for t in tensors], prefix + layer.name, layer.at, marks,
                              note=note)
        layer.nodes.append(name)
        return KTensor(name, rank=rank_after(layer.cls, cfg, rank))

    def replay(self, model: KModel, x: KTensor, prefix: str) -> KTensor:
        """A functional model called on a tensor: its layers again, on x, named `<model>/<layer>`."""
        renamed = {INPUT: x.ref}
        for n in self.graph.select(model.output.ref):
            new = self.graph.add(n.kind, dict(n.args), [renamed[i] for i in n.inputs], prefix + n.name,
                                 (n.line, n.col), n.marks, n.note)
            renamed[n.name] = new
        return KTensor(renamed[model.output.ref])

    # -- the model ---------------------------------------------------------------------------------
    def only_model(self) -> str:
        """The file's one model no other model uses; with several, refused rather than guessed."""
        used = _used_as_layers(self.tree)
        roots: dict[int, tuple[str, KSeq | KModel]] = {}
        for name, _line, value in self.candidates:
            if name not in used:
                roots.setdefault(id(value), (name, value))
        if not roots:   # every model is also called on a tensor somewhere: one model is still one
            roots = {id(value): (name, value) for name, _line, value in self.candidates}
        if len(roots) != 1:
            names = ", ".join(dict.fromkeys(c[0] for c in self.candidates))
            raise self.error(self.tree, f"builds {len(roots)} Keras models ({names}) and cnncalc does not "
                                        "guess which one is meant; pass --class NAME")
        return next(iter(roots.values()))

    def named(self, class_name: str, given: tuple[list, dict] | None = None):
        """The model `--class` names: a module-level model, or a function of the file that builds
        one (called with the arguments --class gives, else those of the file's own call of it,
        else its defaults)."""
        value = self.globals.get(class_name)
        if given is not None and not isinstance(value, Function):
            raise self.error(self.tree, f"--class gives arguments, but `{class_name}` is not a function of the "
                                        "file that builds the model")
        if isinstance(value, Function):
            args, kwargs = given or self.builder_args(value)
            value = self.call_function(value, args, kwargs, value.node)
        if isinstance(value, (KSeq, KModel)):
            return value
        found = ", ".join(dict.fromkeys(c[0] for c in self.candidates)) or "none"
        built = [c for c in self.candidates if c[0] == class_name]
        if built and isinstance(value, Ignored):  # assigned again by a call passed over (load_model)
            return built[-1][2]
        if isinstance(value, ast.ClassDef) and self.keras_base(value):
            raise self.error(value, f"`{class_name}`, a subclass of {self.keras_base(value)} (its train_step or "
                                   f"call() is code, not a graph cnncalc reads); name a model it holds or is "
                                   f"built from with --class (module-level models: {found})")
        raise self.error(self.tree, f"has no model `{class_name}` (module-level models: {found}; a "
                                    "function that returns one also works)")

    def builder_args(self, fn: Function) -> tuple[list, dict]:
        """The arguments of the file's module-level calls of the builder, when they agree; else none."""
        calls = self.module_calls.get(fn.node.name, [])
        if any((a, k) != (calls[0][1], calls[0][2]) for _line, a, k in calls[1:]):
            lines = ", ".join(str(c[0]) for c in calls)
            raise self.error(fn.node, f"{fn.node.name}() is called with different arguments (lines {lines}); "
                                      "cnncalc does not guess which model is meant; assign the one meant to a "
                                      "name and pass that name with --class")
        return (calls[0][1], calls[0][2]) if calls else ([], {})

    def read(self, class_name, input_given):
        self.run_module()
        if class_name is not None:
            name, args, kwargs = parse_choice(class_name, self.path)
            value = self.named(name, (args, kwargs) if "(" in class_name else None)
        else:
            subclassed = [c for c in self.classes.values()
                           if any((_keras(self.dotted(b)) or "") in ("keras.Model", "keras.models.Model") for b in c.bases)]
            if not self.candidates and subclassed:
                raise self.fail(subclassed[-1], f"the subclassed keras.Model `{subclassed[-1].name}` (its call() is "
                                                "code, not a graph cnncalc reads); build it with the functional API")
            if not self.candidates:
                raise self.error(self.tree, "assigns no Keras model (keras.Sequential or keras.Model) to a "
                                            "module-level name; name the function that builds it with --class")
            name, value = self.only_model()
        if isinstance(value, KSeq):
            x = value.input or KTensor(INPUT)
            start = len(self.graph.nodes)
            out = self.apply(value, [KTensor(INPUT, rank=x.rank)], self.tree, shared_ok=True)
            nodes = self.graph.nodes[start:]
            model_name = value.name
        else:
            x, out = value.input, value.output
            nodes = self.graph.select(out.ref)
            model_name = value.name
        if not nodes:
            raise self.error(self.tree, f"the model `{name}` has no layers")
        if x.shape is not None:
            example = "x".join(str(v or 32) for v in x.shape)
            line, col = x.at or (None, None)
            hint = InputHint(tuple(x.shape), "keras.Input leaves sizes open (None)", example, line, col)
        else:
            hint = InputHint(None, "the model has no keras.Input and its first layer no input_shape", "28x28x1")
        what = f"Keras source, {'Sequential' if isinstance(value, KSeq) else 'functional'} model {name}"
        return nodes, hint, model_name, what


def _used_as_layers(tree) -> set:
    """Names called on tensors (`name(x)`) or listed (`Sequential([name, ...])`): models inside a model."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            used.add(node.func.id)
        elif isinstance(node, (ast.List, ast.Tuple)):
            used.update(e.id for e in node.elts if isinstance(e, ast.Name))
    return used


class _Pos:
    def __init__(self, line, col):
        self.lineno, self.col_offset = line, (col or 1) - 1


def read_keras_source(path: str, class_name: str | None = None, input_given=None):
    """(nodes, input hint, model name, description) of the Keras model in the file."""
    _, tree = parse(path)
    return KerasReader(path, tree).read(class_name, input_given)


__all__ = ["read_keras_source", "Dotted"]
