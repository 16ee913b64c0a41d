"""What torch model files call besides layers, known by name without reading it: the calls that
build nothing (logging, warnings, weight initialisation, TorchScript checks), `functools.partial`,
`math`, and torchvision's public building blocks (torchvision.ops), written once below as the
Python torchvision builds them with (same arguments, same defaults, same layers in the same
order), read by the same evaluator as the file. Nothing here is imported from torchvision.
"""
from __future__ import annotations

import ast
import copy
import math
from dataclasses import dataclass, field

from .pyexpr import Ignored

# torchvision.ops' blocks as torchvision 0.28 builds them (ops/misc.py, ops/stochastic_depth.py),
# two-dimensional only; StochasticDepth is the identity at evaluation (model.eval()), and in
# training it multiplies by a random mask: no parameters, no multiply-accumulates either way.
BLOCKS_SOURCE = '''
import torch


class Conv2dNormActivation(torch.nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=torch.nn.BatchNorm2d, activation_layer=torch.nn.ReLU, dilation=1, inplace=True,
                 bias=None):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                n = len(kernel_size) if isinstance(kernel_size, (list, tuple)) else len(dilation)
                kernel_size = tuple(kernel_size) if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * n
                dilation = tuple(dilation) if isinstance(dilation, (list, tuple)) else (dilation,) * n
                padding = tuple((kernel_size[i] - 1) // 2 * dilation[i] for i in range(n))
        if bias is None:
            bias = norm_layer is None
        layers = [torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                                  groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(torch.nn.Module):
    def __init__(self, input_channels, squeeze_channels, activation=torch.nn.ReLU,
                 scale_activation=torch.nn.Sigmoid):
        super().__init__()
        self.avgpool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc1 = torch.nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = torch.nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        scale = self.avgpool(input)
        scale = self.fc1(scale)
        scale = self.activation(scale)
        scale = self.fc2(scale)
        return self.scale_activation(scale)

    def forward(self, input):
        scale = self._scale(input)
        return scale * input


class MLP(torch.nn.Sequential):
    def __init__(self, in_channels, hidden_channels, norm_layer=None, activation_layer=torch.nn.ReLU,
                 inplace=None, bias=True, dropout=0.0):
        params = {} if inplace is None else {"inplace": inplace}
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(torch.nn.Linear(in_dim, hidden_dim, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden_dim))
            layers.append(activation_layer(**params))
            layers.append(torch.nn.Dropout(dropout, **params))
            in_dim = hidden_dim
        layers.append(torch.nn.Linear(in_dim, hidden_channels[-1], bias=bias))
        layers.append(torch.nn.Dropout(dropout, **params))
        super().__init__(*layers)


class Permute(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(self.dims)


class StochasticDepth(torch.nn.Module):
    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return input
'''

# functions known by their code: torchvision's channel_shuffle (shufflenetv2.py) is nn.ChannelShuffle
CHANNEL_SHUFFLE = '''
def channel_shuffle(x, groups):
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    x = x.view(batchsize, num_channels, height, width)
    return x
'''

# classes known by their code: torchvision's LayerNorm2d (convnext.py), nn.LayerNorm over the channels
LAYER_NORM_2D = '''
class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        x = x.permute(0, 3, 1, 2)
        return x
'''

# torchvision's names of the blocks, as imported (the leading `torchvision.` or dots taken off)
BLOCK_NAMES = {f"{module}.{name}": name
               for name, modules in (("Conv2dNormActivation", ("ops.misc", "ops")),
                                     ("SqueezeExcitation", ("ops.misc", "ops")), ("MLP", ("ops.misc", "ops")),
                                     ("Permute", ("ops.misc", "ops")),
                                     ("StochasticDepth", ("ops.stochastic_depth", "ops")))
               for module in modules}

# calls that build no layer and change no count: name -> what the call gives
NO_LAYER = {"utils._log_api_usage_once": Ignored("logging"), "warnings.warn": Ignored("a warning"),
            "torch._assert": Ignored("an assertion"), "torch.jit.is_scripting": False,
            "torch.jit.is_tracing": False, "torch._C._log_api_usage_once": Ignored("logging")}
MATH = {"math.ceil": math.ceil, "math.floor": math.floor, "math.sqrt": math.sqrt, "math.log": math.log}


@dataclass
class Partial:
    """functools.partial(fn, *args, **kwargs)."""
    fn: object
    args: list
    kwargs: dict = field(default_factory=dict)


@dataclass
class Block:
    """A torchvision building block named in the file (`Conv2dNormActivation`)."""
    name: str


def short(name: str) -> str:
    """An imported name without torchvision's package: `..ops.misc.X` and `torchvision.ops.misc.X`
    are both `ops.misc.X`."""
    name = name.lstrip(".")
    return name[len("torchvision."):] if name.startswith("torchvision.") else name


def known_call(name: str):
    """(True, value) for a call that builds nothing (`warnings.warn`: Ignored; `is_scripting`:
    False), else (False, None)."""
    key = short(name)
    if key in NO_LAYER:
        return True, NO_LAYER[key]
    if name.startswith("torch.nn.init."):
        return True, Ignored("weight initialisation")
    return False, None


_blocks: dict = {}
_placed: dict = {}


def block_class(name: str, line, col) -> ast.ClassDef:
    """The block's class, its nodes placed at the line and column of the file that names it
    (the layers it builds are reported there)."""
    if not _blocks:
        for stmt in ast.parse(BLOCKS_SOURCE).body:
            if isinstance(stmt, ast.ClassDef):
                _blocks[stmt.name] = stmt
    key = (name, line, col)
    if key not in _placed:
        if len(_placed) > 4096:
            _placed.clear()
        _placed[key] = placed(_blocks[name], line, col)
    return _placed[key]


def placed(node, line, col):
    """A copy of `node` whose every position is (line, col)."""
    new = copy.deepcopy(node)
    for n in ast.walk(new):
        if hasattr(n, "lineno"):
            n.lineno = n.end_lineno = line or 1
            n.col_offset = n.end_col_offset = max((col or 1) - 1, 0)
    return new


def is_init_loop(stmt, is_modules_call) -> bool:
    """`for m in self.modules(): ...` doing nothing but weight initialisation: `nn.init.*` calls,
    `isinstance` tests and local arithmetic (it changes no count, so it is passed over)."""
    if not isinstance(stmt, ast.For) or stmt.orelse or not is_modules_call(stmt.iter):
        return False
    loop_names = {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
    for n in ast.walk(ast.Module(body=stmt.body, type_ignores=[])):
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if not all(isinstance(t, ast.Name) for t in targets):
                return False
        elif isinstance(n, ast.Call):
            fn = ast.unparse(n.func)
            in_place = fn.endswith("_") and fn.split(".")[0] in loop_names  # m.weight.data.zero_()
            if not (in_place or fn.startswith(("nn.init.", "torch.nn.init.", "init.")) or fn in (
                    "isinstance", "hasattr", "float", "int", "math.sqrt", "len")):
                return False
        elif isinstance(n, (ast.While, ast.With, ast.Try, ast.Return, ast.Delete, ast.Global, ast.Nonlocal,
                            ast.FunctionDef, ast.ClassDef, ast.Lambda)):
            return False
    return True


def self_contained(fn: ast.FunctionDef, allowed) -> bool:
    """True when a function reads no name but its own, Python's builtins and `allowed`: it then
    computes the same in the file that imports it as in its own."""
    own = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
    own |= {a.arg for a in (fn.args.vararg, fn.args.kwarg) if a is not None}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            own.add(n.id)
    read = list(fn.body) + list(fn.args.defaults) + [d for d in fn.args.kw_defaults if d is not None]
    raised = {id(sub) for top in read for r in ast.walk(top) if isinstance(r, ast.Raise) for sub in ast.walk(r)}
    for n in (sub for top in read for sub in ast.walk(top) if id(sub) not in raised):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in own and n.id not in allowed:
            return False
    return True


def code_of(fn: ast.FunctionDef) -> str:
    """A function's code without its name, docstring, annotations and positions."""
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant) \
        else fn.body
    args = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    return repr(args) + "".join(ast.dump(s, include_attributes=False) for s in body)


_SHUFFLE = code_of(ast.parse(CHANNEL_SHUFFLE).body[0])


def is_channel_shuffle(fn: ast.FunctionDef) -> bool:
    return len(fn.body) >= 6 and code_of(fn) == _SHUFFLE


_LN2D = ast.parse(LAYER_NORM_2D).body[0]


def is_layer_norm_2d(cls: ast.ClassDef) -> bool:
    """A class whose code is torchvision's LayerNorm2d (names and annotations aside)."""
    defs = [s for s in cls.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return (len(defs) == 1 and isinstance(defs[0], ast.FunctionDef) and defs[0].name == "forward"
            and [ast.unparse(b) for b in cls.bases] in (["nn.LayerNorm"], ["torch.nn.LayerNorm"])
            and code_of(defs[0]) == code_of(_LN2D.body[0]))


@dataclass
class Const:
    """torch.ones / zeros / full / empty (size) [* number]: a constant tensor of known shape."""
    shape: tuple
    value: float | None


@dataclass
class Param:
    """nn.Parameter of a constant: a learned tensor of known shape, used once in forward."""
    shape: tuple
    value: float | None
    at: tuple
    used: int = 0
