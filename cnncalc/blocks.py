"""Reusable, parameterised blocks: `blocks:` definitions expanded into the flat list of layers.

    blocks:
      basic:                                  # a block: parameters (with defaults) and layers
        params: {filters: 64, stride: 1, project: false}
        layers:
          - conv2d: {filters: $filters, kernel: 3, stride: $stride, padding: 1, name: conv1}
          - relu
          - conv2d: {filters: $filters*2, kernel: 3, padding: 1, name: conv2}
          - conv2d: {filters: $filters*2, kernel: 1, stride: $stride, inputs: in, when: $project, name: down}
          - add: {inputs: [conv2, down]}
    layers:
      - basic: {filters: 64, repeat: 2, name: stage1, first: {stride: 2, project: true}}

Rules: a plain value starting with `$` is a parameter (`$filters`, kept as given: number, word,
boolean or list) or a whole-number expression over parameters (`$filters*4`, `($c + 1)//2`:
integers, + - * // % and parentheses; read by a small parser, never eval). Inside a block,
`inputs` name the block's own layers (by name or id) or `in`, the block's input; other names
are layers outside. `when: false` leaves a layer out, and whatever reads it reads its input
instead. A use takes the block's parameters plus `name`, `id`, `inputs` (the block's input),
`repeat` (copies, each reading the previous) and `first` (parameters for the first copy only).
Layer names are `use.local` or, with `repeat`, `use.blockK.local`; a use's name (or id) stands
for the output of its last copy.
"""
from __future__ import annotations

import difflib
import inspect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .blockexpr import SHAPE_WORDS, evaluate
from .errors import SpecError
from .infer import infer
from .kinds import KIND_ALIASES, KINDS, Layer, normal
from .results import Spec

_T = "tag:yaml.org,2002:"
USE_KEYS = ("name", "id", "inputs", "repeat", "first", "when")
BLOCK_KEYS = ("params", "layers")
BLOCK_INPUT = "in"
INPUT = "input"
MAX_ITEMS = 200_000  # layer items visited while expanding, left-out ones included
MAX_COPIED = 2_000_000  # YAML nodes copied by substitution: a small file cannot expand for hours
MAX_BLOCK_DEPTH = 64  # blocks used inside blocks, as deep as a spec may nest (spec.MAX_DEPTH)
_PARAM = re.compile(r"\$([A-Za-z_]\w*)$")
def _at(node) -> dict:
    return {"line": node.start_mark.line + 1, "col": node.start_mark.column + 1}


def _err(node, message: str, **kw) -> SpecError:
    return SpecError(message, **_at(node), **kw)


def _hint(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _is_null(node) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _T + "null")


@dataclass(frozen=True)
class Block:
    """One block definition: parameter defaults (None: must be given) and its layer nodes."""
    name: str
    params: dict[str, Any]
    layers: tuple
    line: int


def read_blocks(reader, node) -> dict[str, Block]:
    """The `blocks:` mapping: block name -> {params: {name: default}, layers: [...]}."""
    if _is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _err(node, "`blocks` must be a mapping: block name -> {params: {...}, layers: [...]}")
    out: dict[str, Block] = {}
    for key, value in node.value:
        name = key.value
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", name):
            raise _err(key, f"block name `{name}` must be a word (letters, digits, _ . -)")
        if normal(name) in KIND_ALIASES:
            raise _err(key, f"block name `{name}` is already a layer kind ({KIND_ALIASES[normal(name)]}); "
                            "give the block another name")
        if not isinstance(value, yaml.MappingNode):
            raise _err(value, f"block `{name}` must be a mapping with `layers:` (and `params:`)")
        parts = {k.value: (k, v) for k, v in value.value}
        for word, (k, _) in parts.items():
            if word not in BLOCK_KEYS:
                raise _err(k, f"unknown key `{word}` in block `{name}`{_hint(word, BLOCK_KEYS)} "
                              "(a block takes params and layers)")
        if "layers" not in parts:
            raise _err(value, f"block `{name}` needs `layers:`, a list of layers")
        layers = parts["layers"][1]
        if not isinstance(layers, yaml.SequenceNode) or not layers.value:
            raise _err(layers, f"`layers` of block `{name}` must be a non-empty list of layers")
        params: dict[str, Any] = {}
        pnode = parts["params"][1] if "params" in parts else None
        if isinstance(pnode, yaml.SequenceNode):  # [filters, stride]: every one must be given
            entries = [(p, None) for p in pnode.value]
        elif isinstance(pnode, yaml.MappingNode):
            entries = list(pnode.value)
        elif _is_null(pnode):
            entries = []
        else:
            raise _err(pnode, f"`params` of block `{name}` must be a mapping of defaults, "
                              "e.g. {filters: 64, stride: 1}")
        for pkey, default in entries:
            word = reader.string(pkey, "a parameter name")
            if not re.fullmatch(r"[A-Za-z_]\w*", word):
                raise _err(pkey, f"parameter name `{word}` must be a word of letters, digits and _")
            if word in USE_KEYS:
                raise _err(pkey, f"`{word}` cannot be a parameter: every block use takes it "
                                 f"({', '.join(USE_KEYS)}); rename the parameter")
            params[word] = None if _is_null(default) else default
        out[name] = Block(name, params, tuple(layers.value), _at(key)["line"])
    return out


@dataclass
class _Ctx:
    """Where a layer is being expanded: the top level, or one copy of a block."""
    prefix: str = ""
    params: dict[str, Any] | None = None
    block: str | None = None
    local: dict[str, str] = field(default_factory=dict)  # local name/id -> layer name
    counts: dict[str, int] = field(default_factory=dict)  # unnamed uses of each block
    stems: dict[str, int] = field(default_factory=dict)  # the next number of each default name's stem
    via: str = ""
    block_in: str = INPUT
    stack: tuple[str, ...] = ()


class Expander:
    """Reads the layer items, expanding block uses; gives the flat tuple of Layers."""

    def __init__(self, reader, blocks: dict[str, Block], max_layers: int, vary: dict | None = None):
        self.r = reader
        self.blocks = blocks
        self.max_layers = max_layers
        self.vary = vary  # a template's names -> the picked choice's node (vary.py)
        self.used: set[str] = set()  # the vary names a value used
        self.out: list[Layer] = []
        self.names: dict[str, int] = {}
        self.alias: dict[str, str] = {}  # use names/ids and left-out layers -> the layer they stand for
        self.left_out: dict[str, int] = {}  # full names/ids left out by `when: false` -> their line
        self.prev = INPUT  # what a layer without `inputs` reads
        self.ids: set[str] = set()
        self.visited = 0
        self.copied = 0
        self.memo: dict = {}  # infer's results by position and input shapes, for in.channels
        # a reader whose layer_item takes `auto` names unnamed layers in its error labels
        self.takes_auto = "auto" in inspect.signature(type(reader).layer_item).parameters

    def top(self) -> _Ctx:
        """The top level: a template's `vary:` names are its parameters."""
        return _Ctx(params=self.vary)

    def dims(self) -> int:
        """The spatial dimensions of the spec's input, named by a kind taking them from its
        input (conv, global_avgpool: global_average_pooling2d)."""
        start = getattr(self.r, "input_value", None)
        return max(len(start) - 1, 1) if start else 2

    def run(self, items) -> tuple[Layer, ...]:
        ctx = self.top()
        for item in items:
            self.item(item, ctx)
        return tuple(self.out)

    # -- one item -----------------------------------------------------------------------
    def item(self, node, ctx: _Ctx) -> None:
        index = len(self.out) + 1
        self.visited += 1
        try:
            if self.visited > MAX_ITEMS:  # left-out layers cost work too: no silent expansion bombs
                raise _err(node, f"the blocks expand to more than {MAX_ITEMS:,} items; use fewer `repeat`s")
            node = self.subst(node, ctx)
            kind_node, body = _split(node)
            if isinstance(body, yaml.MappingNode) and any(k.value == "when" for k, _ in body.value):
                keep = [(k, v) for k, v in body.value if k.value != "when"]
                when = next(v for k, v in body.value if k.value == "when")
                body = yaml.MappingNode(body.tag, keep, body.start_mark, body.end_mark, body.flow_style)
                node = yaml.MappingNode(node.tag, [(kind_node, body)], node.start_mark, node.end_mark)
                if not self.r.boolean(when, "when"):
                    return self.leave_out(body, ctx)
            word = kind_node.value if isinstance(kind_node, yaml.ScalarNode) else None
            if word in self.blocks:
                return self.use(node, kind_node, body, self.blocks[word], ctx)
            if word is not None and normal(word) in ("split", "chunk"):
                return self.split(kind_node, body, ctx)
            if word is not None and normal(word) not in KIND_ALIASES and self.blocks:
                close = _hint(word, self.blocks)
                if close:
                    raise _err(kind_node, f"unknown layer kind or block `{word}`{close}")
            self.layer(node, index, ctx)
        except SpecError as e:
            e.located(layer=f"layer {index}")
            if ctx.via and ctx.via not in e.layer:
                e.layer += f" {ctx.via}"
            raise

    def layer(self, node, index: int, ctx: _Ctx) -> None:
        if index > self.max_layers:
            raise _err(node, f"the blocks expand to more than {self.max_layers:,} layers; "
                             "use fewer `repeat`s")
        def auto(kind: str, commit: bool = False) -> str:
            """The name an unnamed layer of this kind gets, as Keras names it in a fresh session
            (conv2d, conv2d_1, ...: its stem, numbered from 0 without a suffix for the first),
            past the names taken; `commit` takes it."""
            stem = KINDS[kind].stem(kind, self.dims())
            k = ctx.stems.get(stem, 0)
            while (name := ctx.prefix + (f"{stem}_{k}" if k else stem)) in self.names or name in self.alias:
                k += 1
            if commit:
                ctx.stems[stem] = k + 1
            return name

        kind, cls, args, marks, given = self.r.layer_item(node, index, *((auto,) if self.takes_auto else ()))
        name = ctx.prefix + given if given is not None else auto(kind, commit=True)
        label = f"layer {index} ({name}, {kind})"
        if name == INPUT:
            raise _err(node, "`input` cannot be a layer's name: it stands for the network input; "
                             "choose another name", layer=label)
        if name in self.names:
            raise _err(node, f"the name `{name}` is already used by layer {self.names[name]}; "
                             "give each layer its own name", layer=label)
        if name in self.alias:
            raise _err(node, f"the name `{name}` is already the name of a block use or a left-out "
                             "layer; give each its own name", layer=label)
        if "inputs" in args:
            at = dict(zip(("line", "col"), marks["inputs"]))
            try:
                args["inputs"] = tuple(self.ref(r, ctx, at) for r in args["inputs"])
            except SpecError as e:
                raise e.located(layer=label) from None
        elif self.prev != (self.out[-1].name if self.out else INPUT):
            args["inputs"] = (self.prev,)
        if ctx.block is not None:
            if "id" in args:
                ctx.local[args.pop("id")] = name
            ctx.local[given or name[len(ctx.prefix):]] = name
        elif "id" in args:
            self.ids.add(args["id"])
        at = _at(node)
        self.out.append(cls(kind=kind, name=name, index=index, marks=marks, via=ctx.via or None,
                            **at, **args))
        self.names[name] = index
        self.prev = name

    def split(self, kind_node, body, ctx: _Ctx) -> None:
        """`- split: {sections: 2}` or `{sizes: [58, 58]}` (torch's chunk / split on the
        channels): one `channel_slice` layer per part, named `ID.0`, `ID.1`, ... (ID: the
        split's id or name), each reading the split's input."""
        def scalar(value, tag=_T + "str"):
            return yaml.ScalarNode(tag, str(value), kind_node.start_mark, kind_node.end_mark)
        if isinstance(body, yaml.ScalarNode) and body.tag == _T + "int":
            body = yaml.MappingNode(_T + "map", [(scalar("sections"), body)], body.start_mark, body.end_mark)
        if not isinstance(body, yaml.MappingNode):
            raise _err(kind_node, "split takes `sections: 2` or `sizes: [58, 58]`, e.g. "
                                  "`- split: {sections: 2, id: parts}`; later layers read `parts.0`, `parts.1`")
        fields = {normal(k.value): (k, v) for k, v in body.value}
        unknown = sorted(set(fields) - {"sections", "sizes", "axis", "name", "id", "inputs"})
        if unknown:
            raise _err(fields[unknown[0]][0], f"split has no argument `{unknown[0]}`; it takes sections or sizes, "
                                              "axis (-1, the channels), name, id and inputs")
        if ("sections" in fields) == ("sizes" in fields):
            raise _err(kind_node, "split takes one of `sections: 2` (equal parts) or `sizes: [58, 58]`")
        if "axis" in fields and fields["axis"][1].value not in ("-1",):
            raise _err(fields["axis"][1], f"split works on the channels (axis -1), not axis {fields['axis'][1].value}")
        if "sections" in fields:
            count = self.r.integer(fields["sections"][1], "sections")
            if not 1 <= count <= 4096:
                raise _err(fields["sections"][1], f"sections {count} must be 1 to 4,096")
        else:
            sizes = fields["sizes"][1]
            if not isinstance(sizes, yaml.SequenceNode) or not sizes.value:
                raise _err(sizes, "sizes is a list of channel counts, e.g. [58, 58]")
            count = len(sizes.value)
        base = next((self.r.string(fields[k][1], k) for k in ("id", "name") if k in fields), None)
        if base is None:
            base = f"split_{sum(1 for L in self.out if getattr(L, 'part', None) == 0) + 1}"
        source = fields["inputs"][1] if "inputs" in fields else scalar(self.prev)  # a full name resolves anywhere
        for k in range(count):
            args = [(scalar("part"), scalar(k, _T + "int")), (scalar("name"), scalar(f"{base}.{k}")),
                    (scalar("inputs"), source)]
            args.append((scalar("sections"), fields["sections"][1]) if "sections" in fields else
                        (scalar("sizes"), fields["sizes"][1]))
            part = yaml.MappingNode(_T + "map", [(scalar("channel_slice"),
                                                  yaml.MappingNode(_T + "map", args, kind_node.start_mark,
                                                                   kind_node.end_mark))],
                                    kind_node.start_mark, kind_node.end_mark)
            self.layer(part, len(self.out) + 1, ctx)

    def leave_out(self, body, ctx: _Ctx) -> None:
        """`when: false`: the layer is left out; whatever reads it reads its input. A merge left
        out passes on its first input, the main path as written (`add: {inputs: [bn3, in]}`
        without the shortcut is bn3)."""
        fields = {normal(k.value): v for k, v in body.value} if isinstance(body, yaml.MappingNode) else {}
        source = self.prev
        if "inputs" in fields:
            node = fields["inputs"]
            refs = node.value if isinstance(node, yaml.SequenceNode) else [node]
            if not refs:
                raise _err(node, "a layer left out by `when: false` needs an input for whatever reads it "
                                 "to read instead; it has none")
            source = self.ref(self.r.string(refs[0], "inputs"), ctx, _at(node))
        table = ctx.local if ctx.block is not None else self.alias
        for key in ("name", "id"):
            if key in fields:
                word = self.r.string(fields[key], key)
                table[word] = source
                self.left_out[ctx.prefix + word] = self.left_out[word] = _at(fields[key])["line"]
        self.prev = source

    def _use_arguments(self, entries, block: Block, where: str):
        """A block use's entries split into the block's parameters, the use's own keys
        (name, id, inputs, repeat, first) and the first copy's parameters."""
        given: dict[str, Any] = {}
        use: dict[str, Any] = {}
        for key, value in entries:
            word = key.value
            if word in USE_KEYS:
                use[word] = value
            elif word in block.params:
                given[word] = value
            else:
                takes = ", ".join([*block.params, *USE_KEYS[:-1]])
                raise _err(key, f"unknown argument `{word}` for block {block.name}"
                                f"{_hint(word, [*block.params, *USE_KEYS])} ({block.name} takes {takes})",
                           layer=where)
        first: dict[str, Any] = {}
        if "first" in use:
            fnode = use["first"]
            if not isinstance(fnode, yaml.MappingNode):
                raise _err(fnode, "`first` takes the parameters of the first copy, e.g. "
                                  "`first: {stride: 2}`", layer=where)
            for key, value in fnode.value:
                if key.value not in block.params:
                    raise _err(key, f"`first` sets parameters, and block {block.name} has no "
                                    f"`{key.value}`{_hint(key.value, block.params)} "
                                    f"(it takes {', '.join(block.params) or 'none'})", layer=where)
                first[key.value] = value
        return given, use, first

    def use(self, node, kind_node, body, block: Block, ctx: _Ctx) -> None:
        """Expand `- block: {params..., name, id, inputs, repeat, first}`."""
        index = len(self.out) + 1
        where = f"layer {index} (block {block.name})"
        if block.name in ctx.stack:
            chain = " -> ".join((*ctx.stack[ctx.stack.index(block.name):], block.name))
            raise _err(kind_node, f"block `{block.name}` uses itself ({chain}); blocks cannot be "
                                  "recursive", layer=where)
        if len(ctx.stack) >= MAX_BLOCK_DEPTH:
            raise _err(kind_node, f"blocks nest deeper than {MAX_BLOCK_DEPTH} levels ({ctx.stack[0]} -> ... -> "
                                  f"{ctx.stack[-1]} -> {block.name}); flatten the chain", layer=where)
        if _is_null(body):
            entries = []
        elif isinstance(body, yaml.MappingNode):
            entries = body.value
        else:
            raise _err(body, f"a block takes named arguments, e.g. `- {block.name}: "
                             f"{{{', '.join(f'{p}: ...' for p in block.params) or 'name: ...'}}}`",
                       layer=where)
        given, use, first = self._use_arguments(entries, block, where)
        repeat = self.r.integer(use["repeat"], "repeat", minimum=1) if "repeat" in use else 1
        local = self.r.string(use["name"], "name") if "name" in use else None
        if local is None:
            counts = ctx.counts
            counts[block.name] = counts.get(block.name, 0) + 1
            local = f"{block.name}_{counts[block.name]}"
        name = ctx.prefix + local
        if name in self.names or name in self.alias or name == INPUT:
            raise _err(kind_node, f"the name `{name}` is already used; give each block use its own name",
                       layer=where)
        block_in = self.prev
        if "inputs" in use:
            inode = use["inputs"]
            refs = inode.value if isinstance(inode, yaml.SequenceNode) else [inode]
            if len(refs) != 1:
                raise _err(inode, f"a block reads one input (`in` inside it), but this use lists {len(refs)}; "
                                  "pass other sources as parameters, e.g. `skip: enc2`", layer=where)
            block_in = self.ref(self.r.string(refs[0], "inputs"), ctx, _at(inode))
        via = f"in block {block.name} used at line {_at(kind_node)['line']}"
        via += f", {ctx.via}" if ctx.via else ""
        for k in range(1, repeat + 1):
            params = {**block.params, **given, **(first if k == 1 else {})}
            missing = [p for p, v in params.items() if v is None]
            if missing:
                raise _err(kind_node, f"block {block.name} needs {', '.join('`' + m + '`' for m in missing)} "
                                      f"(no default), e.g. `- {block.name}: {{{missing[0]}: 64}}`",
                           layer=where)
            prefix = f"{name}.block{k}." if "repeat" in use else f"{name}."
            sub = _Ctx(prefix=prefix, params=params, block=block.name, via=via, block_in=block_in,
                       stack=(*ctx.stack, block.name))
            self.prev = block_in
            for item in block.layers:
                self.item(item, sub)
            block_in = self.prev
        table = ctx.local if ctx.block is not None else self.alias
        table[local] = self.prev
        if "id" in use:
            table[self.r.string(use["id"], "id")] = self.prev

    # -- references and parameters ------------------------------------------------------
    def ref(self, ref: str, ctx: _Ctx, at: dict) -> str:
        """The layer name a reference stands for; inside a block, local names and `in` first."""
        if ref in ctx.local:
            return ctx.local[ref]
        if ctx.block is not None and ref == BLOCK_INPUT:
            return ctx.block_in
        if ctx.block is not None and "." in ref:  # a layer of a nested block use: `inner.conv1`
            full = ctx.prefix + ref
            if full in self.names or full in self.alias:
                return self.alias.get(full, full)
        ref = self.alias.get(ref, ref)
        if ref not in self.names and ref not in self.ids and ref != INPUT and "." in ref:
            self.part_of_left_out(ref, ctx, at)
        if ctx.block is not None and ref not in self.names and ref not in self.ids and ref != INPUT:
            local = list(ctx.local)
            raise SpecError(f"inputs names `{ref}`, which is no layer of block {ctx.block} "
                                         f"above it{_hint(ref, [*local, BLOCK_INPUT])} (it can read "
                                         f"{', '.join('`' + n + '`' for n in [BLOCK_INPUT, *local])}, "
                                         "or a layer above the block by its full name)", **at)
        return ref

    def part_of_left_out(self, ref: str, ctx: _Ctx, at: dict) -> None:
        """A dangling reference: `sp.0` or `s.conv1`, a part of a split or block use that
        `when: false` left out, has nothing to stand for."""
        parts = ref.split(".")
        for k in range(len(parts) - 1, 0, -1):
            whole = ".".join(parts[:k])
            line = self.left_out.get(ctx.prefix + whole, self.left_out.get(whole))
            if line is not None:
                raise SpecError(f"inputs names `{ref}`, a part of `{whole}`, which `when: false` left out "
                                f"(line {line}); leave out what reads it too (`when:` on the reader), "
                                f"or keep `{whole}`", **at)

    def subst(self, node, ctx: _Ctx):
        """The node with every `$...` value replaced by its parameter or computed integer."""
        self.copied += 1
        if self.copied > MAX_COPIED:
            raise _err(node, f"the blocks copy more than {MAX_COPIED:,} YAML nodes while expanding "
                             "(a large list parameter used many times?); use fewer `repeat`s or smaller parameters")
        if isinstance(node, yaml.ScalarNode):
            return self.expr(node, ctx) if _is_ref(node) else node
        if isinstance(node, yaml.SequenceNode):
            return yaml.SequenceNode(node.tag, [self.subst(v, ctx) for v in node.value],
                                     node.start_mark, node.end_mark, node.flow_style)
        if isinstance(node, yaml.MappingNode):
            return yaml.MappingNode(node.tag, [(k, self.subst(v, ctx)) for k, v in node.value],
                                    node.start_mark, node.end_mark, node.flow_style)
        return node

    def expr(self, node, ctx: _Ctx):
        text = node.value
        if ctx.params is None:
            raise _err(node, f"`{text}` is a block parameter, but this layer is in no block; "
                             "write the value itself, define the layer in `blocks:`, or declare "
                             "the name under `vary:` (a template)")
        m = _PARAM.match(text)
        if m:
            return self.param(m.group(1), node, ctx)

        def lookup(name: str) -> int:
            if name.startswith(BLOCK_INPUT + "."):
                return self.in_shape(name, node, ctx)
            return self.r.integer(self.param(name, node, ctx), f"${name}")
        try:
            value = evaluate(text, lookup)
        except ValueError as e:
            raise _err(node, f"the expression `{text}` {e}; write whole-number arithmetic such as "
                             "`$filters*4` or `($c + 1)//2`") from None
        if isinstance(value, bool):
            return yaml.ScalarNode(_T + "bool", "true" if value else "false", node.start_mark, node.end_mark)
        return yaml.ScalarNode(_T + "int", str(value), node.start_mark, node.end_mark)

    def in_shape(self, name: str, node, ctx: _Ctx) -> int:
        """`in.channels`, `in.h`, `in.w`: the block input's size, from the layers expanded so far."""
        word = name.split(".", 1)[1]
        if word not in SHAPE_WORDS:
            raise _err(node, f"`{name}` is no size of the block's input{_hint(word, SHAPE_WORDS)}; "
                             "write in.channels, in.h or in.w")
        shape = self.shape_of(ctx.block_in, node)
        if word == "channels":
            return shape[-1]
        if len(shape) < 3:
            raise _err(node, f"`{name}` needs a feature map (H, W, C) as the block's input, but it is "
                             f"{shape}; use in.channels")
        return shape[0] if word == "h" else shape[1]

    def shape_of(self, ref: str, node) -> tuple[int, ...]:
        """The output shape of layer `ref` (or the input), inferring the layers expanded so far."""
        start = getattr(self.r, "input_value", None)
        if start is None:
            raise _err(node, "in.channels, in.h and in.w need the spec's `input:` shape")
        if ref == INPUT:
            return start
        summary = infer(Spec(name="", input=start, layers=tuple(self.out),
                                path=getattr(self.r, "path", "<spec>")), memo=self.memo)
        return next(r.output_shape for r in summary.layers if r.layer.name == ref or r.layer.id == ref)

    def param(self, name: str, node, ctx: _Ctx):
        """A block parameter's value (it shadows a template's name), else a `vary:` name's
        picked choice."""
        if ctx.params is not None and name in ctx.params:
            value = ctx.params[name]
            if ctx.block is None:
                self.used.add(name)
            elif self.vary is not None and _is_ref(value):  # a default such as `filters: $k1`
                value = self.expr(value, _Ctx(params=self.vary))
            return value
        if self.vary is not None and name in self.vary:
            self.used.add(name)
            return self.vary[name]
        if ctx.block is None:
            raise _err(node, f"`${name}` is used but not declared under `vary:`{_hint(name, self.vary or {})} "
                             f"(it declares {', '.join('$' + p for p in self.vary or {})}); "
                             f"add `{name}: [choices]` under `vary:`")
        raise _err(node, f"unknown parameter `${name}` in block {ctx.block}{_hint(name, ctx.params)} "
                         f"(its parameters are {', '.join('$' + p for p in ctx.params) or 'none'})")


def _is_ref(node) -> bool:
    """A plain scalar starting with `$`: a parameter or an expression to substitute."""
    return (isinstance(node, yaml.ScalarNode) and node.style in (None, "") and node.tag == _T + "str"
            and node.value.startswith("$"))


def _split(node):
    """(kind node, body) of `- kind` / `- kind: body`; (None, None) when malformed."""
    if isinstance(node, yaml.ScalarNode):
        return node, None
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        return node.value[0]
    return None, None
