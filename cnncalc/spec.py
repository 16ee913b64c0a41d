"""YAML text -> a frozen Spec: typed layer descriptors that remember their line and column.

The YAML is composed (never constructed) with a safe loader, so every value is read from its
node with its position, its raw text and the type the argument needs. Nothing the user wrote
is reinterpreted silently: YAML 1.1 readings (`off` as false, `010` as octal, `3:3` as
base 60), floats or booleans where integers belong, duplicate keys, unknown keys and unsafe
tags are errors that say what was read and what to write instead.
"""
from __future__ import annotations

import difflib
import math
import re
from typing import Any, Mapping

import yaml

from .blocks import Expander, read_blocks
from .errors import SpecError, check_characters, read_text
from .graph import resolve
from .kinds import ACTIVATIONS, KIND_ALIASES, KINDS
from .results import Spec
from .vary import Template, build_template
from .spelling import COMMON_ARGS, argument, normal  # noqa: F401 (argument: this module's interface)

MAX_SIZE = 1 << 24     # any size above 16,777,216 is a typo, not a network
MAX_LAYERS = 100_000
MAX_NODES = 1_000_000  # YAML nodes visited, aliases expanded: stops alias bombs
MAX_DEPTH = 64

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if yaml.__with_libyaml__ else yaml.SafeLoader
_T = "tag:yaml.org,2002:"
_SAFE_TAGS = {_T + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
TOP_KEYS = ("name", "vary", "input", "layers", "blocks")


def load_spec(path: str, vary: Mapping[str, str] | None = None) -> Spec:
    """Read and parse a spec file; a missing or unreadable file is a SpecError."""
    text = read_text(path, SpecError, "a YAML spec file", "the path of a YAML spec, e.g. architectures/vgg16.yaml")
    return parse_spec(text, path, vary)


def parse_spec(text: str, path: str = "<spec>", vary: Mapping[str, str] | None = None) -> Spec:
    """Parse spec text. Every error carries path, line and column (1-based). A template
    (`vary:`, vary.py) gives the variant `vary` picks ({name: choice}; default the first
    choices), each of its choices checked once where it is used."""
    root = compose(text, path)
    spec = parse_root(root, path, vary)
    if spec.template is not None:
        check_choices(root, path, spec.template)
    return spec


def parse_root(root, path: str, vary: Mapping[str, str] | None = None) -> Spec:
    """The spec (a template's variant `vary`) from composed YAML."""
    try:
        return _Reader(path, vary).spec(root)
    except SpecError as e:
        raise e.located(path=path) from None


def template_of(root, path: str) -> Template | None:
    """The template a composed spec declares (`vary:`, its first choices picked), every
    choice checked (check_choices); None for a plain spec."""
    top = {k.value: (k, v) for k, v in root.value} if isinstance(root, yaml.MappingNode) else {}
    if "vary" not in top:
        return None
    try:
        template = build_template(*top["vary"], None)[0]
    except SpecError as e:
        raise e.located(path=path) from None
    check_choices(root, path, template, skip=False)
    return template


def check_choices(root, path: str, template: Template, skip: bool = True) -> None:
    """Each choice in the variant that changes only it (`skip`: not the picked ones, parsed
    already): an error at the choice itself (a word where an integer goes, a kernel of 0) is the
    template's; one elsewhere (an expression that comes out at 0 with other choices) only
    makes some variants invalid."""
    first = template.values()
    for name, texts, picked in zip(template.names, template.choices, template.picked):
        for k, text in enumerate(texts):
            if k != picked or not skip:
                try:
                    parse_root(root, path, {**first, name: text})
                except SpecError as e:
                    if (e.line, e.col) in template.spots.get((name, k), ()):
                        raise SpecError(f"vary {name}={text}: {e.message}", path=e.path, line=e.line,
                                        col=e.col, layer=e.layer) from None


def compose(text: str, path: str):
    """The YAML node tree of spec text (never constructed), its syntax errors located."""
    check_characters(text, path, SpecError)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = e.problem or e.context or "invalid YAML"
        if e.context and e.problem:
            what = f"{e.context}, {e.problem}"
        if e.context_mark and mark and e.context_mark.line != mark.line:
            what += f" (the construct started on line {e.context_mark.line + 1}, column {e.context_mark.column + 1})"
        bad_line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        if "\t" in bad_line[:mark.column + 1 if mark else 0]:
            what += "; YAML indents with spaces, not tabs"
        raise SpecError(f"YAML syntax error: {what}", path=path,
                        line=mark.line + 1 if mark else None, col=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise SpecError(f"YAML error: {e}", path=path) from None
    return root


def _at(node) -> dict:
    return {"line": node.start_mark.line + 1, "col": node.start_mark.column + 1}


def _err(node, message: str, **kw) -> SpecError:
    return SpecError(message, **_at(node), **kw)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(normal(word), [normal(c) for c in choices], n=1, cutoff=0.6)
        close = [c for c in choices if normal(c) == close[0]] if close else []
    return f"; did you mean `{close[0]}`?" if close else ""


def _suggest_kind(word: str) -> str:
    """A did-you-mean for a kind: cnncalc's names first, then Keras / PyTorch spellings, with
    the dimension the user wrote (MaxPooling1d -> maxpool1d; no digit -> the 2-D kind)."""
    close = difflib.get_close_matches(normal(word), [normal(k) for k in KINDS], n=1, cutoff=0.6)
    if close:
        kind = KIND_ALIASES[close[0]]
    else:
        close = difflib.get_close_matches(normal(word), list(KIND_ALIASES), n=1, cutoff=0.7)
        kind = KIND_ALIASES[close[0]] if close else None
    if kind is None:
        return ("; known kinds include conv2d, depthwise_conv2d, conv_transpose2d, maxpool2d, "
                "avgpool2d, global_avgpool, flatten, dense, dropout, batchnorm, relu (see the README)")
    if re.search(r"[123]d$", kind):
        digit = re.search(r"[123]", word)
        if digit:
            kind = kind[:-2] + digit.group() + "d"
        else:
            kind = kind[:-2] if kind[:-2] in KINDS else kind[:-2] + "2d"
    return f"; did you mean `{kind}`?"


def _show(node) -> str:
    """The user's own text for a node, for messages."""
    if isinstance(node, yaml.ScalarNode):
        text = node.value if len(node.value) <= 60 else node.value[:60] + "..."
        return repr(text) if node.style in ("'", '"') else (text or "null")
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


class _Reader:
    def __init__(self, path: str, choose: Mapping[str, str] | None = None):
        self.path = path
        self.nodes = 0
        self.choose = choose

    # -- the whole tree: safety first -------------------------------------------------------
    def check_tree(self, node, depth: int = 0) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _err(node, f"the spec expands to more than {MAX_NODES:,} YAML nodes "
                             "(an alias bomb?); write the layers out")
        if depth > MAX_DEPTH:
            raise _err(node, f"the spec nests deeper than {MAX_DEPTH} levels (a recursive alias?); remove the alias that refers to itself")
        if node.tag not in _SAFE_TAGS:
            raise _err(node, f"unsupported YAML tag {node.tag.replace(_T, '!!')}; "
                             "cnncalc reads plain YAML only: remove the tag")
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, Any] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise _err(key, "a key must be a plain word, not a list or mapping")
                if key.value in seen:
                    first = seen[key.value].start_mark
                    raise _err(key, f"duplicate key `{key.value}` (first given on line {first.line + 1}, "
                                    f"column {first.column + 1}); keep one of them")
                seen[key.value] = key
                self.check_tree(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.check_tree(item, depth + 1)

    # -- top level ----------------------------------------------------------------------------
    def spec(self, root) -> Spec:
        if root is None:
            raise SpecError("the spec is empty; it needs `input: [H, W, C]` and `layers:`", line=1, col=1)
        self.check_tree(root)
        if not isinstance(root, yaml.MappingNode):
            raise _err(root, "the spec must be a mapping with `input:` and `layers:`, "
                             f"not {_show(root)}")
        top = {k.value: (k, v) for k, v in root.value}
        for word, (key, _) in top.items():
            if word not in TOP_KEYS:
                raise _err(key, f"unknown top-level key `{word}`{_suggest(word, TOP_KEYS)} "
                                f"(the spec takes {', '.join(TOP_KEYS)})")
        if "input" not in top:
            raise _err(root, "the spec needs `input:`, e.g. `input: [224, 224, 3]` (H, W, C, channels last)")
        if "layers" not in top:
            raise _err(root, "the spec needs `layers:`, a list of layers")
        name = self.string(top["name"][1], "name") if "name" in top else None
        template, vary = self.template(top)
        expander = Expander(self, {}, MAX_LAYERS, vary)
        in_node = expander.subst(top["input"][1], expander.top())
        shape = self.input_value = self.input_shape(in_node)
        layers_node = top["layers"][1]
        if not isinstance(layers_node, yaml.SequenceNode) or not layers_node.value:
            raise _err(layers_node, "`layers` must be a non-empty list, each item `- kind: {arguments}`")
        if len(layers_node.value) > MAX_LAYERS:
            raise _err(layers_node, f"{len(layers_node.value):,} layers is more than the {MAX_LAYERS:,} allowed")
        expander.blocks = read_blocks(self, top["blocks"][1]) if "blocks" in top else {}
        layers = expander.run(layers_node.value)
        if template is not None:
            unused = [(n, k) for n, k in zip(template.names, top["vary"][1].value) if n not in expander.used]
            if unused:
                raise _err(unused[0][1][0], f"`vary` declares `{unused[0][0]}`, but no value uses "
                                            f"`${unused[0][0]}`; use it or remove it")
        if not layers:
            raise _err(layers_node, "no layers are left: `when: false` removed every one; keep at least one layer")
        layers = resolve(layers)
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return Spec(name=name or stem, input=shape, layers=layers, path=self.path,
                    input_mark=(_at(in_node)["line"], _at(in_node)["col"]), template=template)

    def template(self, top):
        """(Template, {name: picked choice node}) of `vary:`; (None, None) for a plain spec."""
        if "vary" not in top:
            if self.choose is not None:
                raise _err(top["input"][0], f"--vary picks a variant of a template, but this spec "
                                            "declares no `vary:`; leave --vary out")
            return None, None
        return build_template(*top["vary"], self.choose)

    def input_shape(self, node) -> tuple[int, ...]:
        if not isinstance(node, yaml.SequenceNode) or not 1 <= len(node.value) <= 4:
            got = (f"{len(node.value)} sizes" if isinstance(node, yaml.SequenceNode) and node.value
                   else _show(node))
            raise _err(node, f"input must be a list of 1 to 4 sizes, channels last: [H, W, C] "
                             f"(or [L, C], [D, H, W, C], [L] for token ids), not {got}")
        return tuple(self.integer(item, "input", minimum=1) for item in node.value)

    # -- layers ----------------------------------------------------------------------------
    def layer_item(self, item, index: int, auto=None):
        """(kind, class, arguments, marks, name) from `- kind`, `- kind: main` or `- kind: {args}`."""
        def fail(node, message, label=None):
            return _err(node, message, layer=label or f"layer {index}")

        if isinstance(item, yaml.ScalarNode):
            kind_node, body = item, None
        elif isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            kind_node, body = item.value[0]
        elif isinstance(item, yaml.MappingNode):
            keys = [k.value for k, _ in item.value]
            known = [k for k in keys if normal(k) in KIND_ALIASES]
            hint = (f"; put the arguments inside: `- {known[0]}: {{{', '.join(k + ': ...' for k in keys if k != known[0])}}}`"
                    if len(known) == 1 else "")
            raise fail(item, f"a layer is one `kind: arguments` pair, but this one has {len(keys)} keys "
                             f"({', '.join(keys)}){hint}")
        else:
            raise fail(item, f"a layer must be `- kind` or `- kind: {{arguments}}`, not {_show(item)}")
        if not isinstance(kind_node, yaml.ScalarNode) or kind_node.tag != _T + "str" or not kind_node.value:
            raise fail(kind_node, f"the layer kind must be a word like conv2d, not {_show(kind_node)}")
        word = kind_node.value
        if normal(word) == "activation":  # Keras' Activation layer: `- activation: relu`
            kind_node, body = self.activation_layer(kind_node, body, fail)
            word = kind_node.value
        kind = KIND_ALIASES.get(normal(word))
        if kind is None:
            raise fail(kind_node, f"unknown layer kind `{word}`{_suggest_kind(word)}")
        cls = KINDS[kind]
        label = f"layer {index} ({auto(kind)}, {kind})" if auto else f"layer {index} ({kind})"
        spec_args = cls.spec_args()
        raw: dict[str, Any] = {}  # canonical name -> (key node, value node)
        if body is None or (isinstance(body, yaml.ScalarNode) and body.tag == _T + "null"):
            pass
        elif isinstance(body, yaml.MappingNode):
            for key, value in body.value:
                canon = self.arg_name(key, spec_args, kind, label)
                if canon in raw:
                    raise _err(key, f"`{canon}` is given twice (as `{raw[canon][0].value}` and "
                                    f"`{key.value}`); keep one", layer=label)
                raw[canon] = (key, value)
        else:
            main = cls.main_arg()
            if main is None:
                raise _err(body, f"{kind} takes no arguments; write `- {kind}`", layer=label)
            raw[main] = (body, body)
        name = self.string(raw.pop("name")[1], "name", label) if "name" in raw else None
        if name is not None:
            label = f"layer {index} ({name}, {kind})"
        args: dict[str, Any] = {}
        marks: dict[str, tuple[int, int]] = {}
        if "id" in raw:
            args["id"] = self.string(raw.pop("id")[1], "id", label)
        if "trainable" in raw:
            args["trainable"] = self.boolean(raw.pop("trainable")[1], "trainable")
        if "inputs" in raw:
            node = raw.pop("inputs")[1]
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            args["inputs"] = tuple(self.string(n, "inputs", label) for n in items)
            marks["inputs"] = (_at(node)["line"], _at(node)["col"])
        for canon, (key, value) in raw.items():
            try:
                args[canon] = self.value(value, canon, spec_args[canon].metadata["type"])
            except SpecError as e:
                raise e.located(layer=label) from None
            marks[canon] = (_at(value)["line"], _at(value)["col"])
        missing = [n for n, f in spec_args.items() if n not in args and _required(f)]
        if missing:
            example = {"kernel": "3", "filters": "16", "units": "10", "vocab": "1000", "dim": "64",
                       "padding": "1", "output": "7"}
            body_text = ", ".join(f"{m}: {example.get(m, '...')}" for m in missing)
            raise _err(kind_node, f"{kind} needs {', '.join('`' + m + '`' for m in missing)}, "
                                  f"e.g. `- {kind}: {{{body_text}}}`", layer=label)
        return kind, cls, args, marks, name

    def activation_layer(self, kind_node, body, fail):
        """`- activation: relu` / `- activation: {activation: relu, name: a}` (Keras' Activation
        layer, handy in blocks: `- activation: $act`) as `- relu` / `- relu: {name: a}`."""
        example = "e.g. `- activation: relu` or `- activation: {activation: hardswish, name: act}`"
        rest = None
        if isinstance(body, yaml.MappingNode):
            given = [v for k, v in body.value if normal(k.value) == "activation"]
            rest = [(k, v) for k, v in body.value if normal(k.value) != "activation"]
            body = given[0] if len(given) == 1 else None
        if not isinstance(body, yaml.ScalarNode) or body.tag != _T + "str":
            raise fail(kind_node, f"an activation layer names its activation, {example}")
        act = next((a for a in ACTIVATIONS if normal(a) == normal(body.value)), KIND_ALIASES.get(normal(body.value)))
        if act not in ACTIVATIONS:
            raise fail(body, f"`{body.value}` is not an activation ({', '.join(ACTIVATIONS)}); {example}")
        node = yaml.ScalarNode(_T + "str", act, body.start_mark, body.end_mark)
        return node, (yaml.MappingNode(_T + "map", rest, body.start_mark, body.end_mark) if rest else None)

    def arg_name(self, key, spec_args, kind: str, label: str) -> str:
        word = key.value
        if word == "<<":
            raise _err(key, "YAML merge keys (`<<: *anchor`) are not supported; write the arguments out, "
                            "or repeat the whole layer with `- kind: *anchor`", layer=label)
        found = argument(word, spec_args)
        if found is not None:
            return found
        takes = ", ".join(spec_args) or "only name"
        raise _err(key, f"unknown argument `{word}` for {kind}"
                        f"{_suggest(word, [*spec_args, *COMMON_ARGS])} ({kind} takes {takes})", layer=label)

    # -- typed values ---------------------------------------------------------------------
    def value(self, node, what: str, type_: str):
        if type_ == "size":
            return self.integer(node, what, minimum=1)
        if type_ == "int":
            return self.integer(node, what)
        if type_ == "nonneg":
            return self.integer(node, what, minimum=0)
        if type_ in ("ints", "nonneg_ints"):
            low = 1 if type_ == "ints" else 0
            if isinstance(node, yaml.SequenceNode):
                if not 1 <= len(node.value) <= 3:
                    raise _err(node, f"{what} must be an int or a list of 1 to 3 ints (one per axis)")
                return tuple(self.integer(n, what, minimum=low) for n in node.value)
            return self.integer(node, what, minimum=low)
        if type_ == "padding":
            return self.padding(node)
        if type_ == "shape":  # reshape targets: any length, sizes >= 1 or one -1
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            return tuple(self.integer(n, what, minimum=-1) for n in items)
        if type_ == "bool":
            return self.boolean(node, what)
        if type_ == "floats":  # one number, or one per channel
            if isinstance(node, yaml.SequenceNode):
                if not node.value:
                    raise _err(node, f"{what} must be a number or a list of numbers (one per channel), not []")
                return tuple(self.real(n, what) for n in node.value)
            return self.real(node, what)
        if type_ in ("float", "rate", "positive"):
            x = self.real(node, what)
            if type_ == "rate" and not 0 <= x <= 1:
                raise _err(node, f"{what} must be between 0 and 1, got {node.value}")
            if type_ == "positive" and not x > 0:
                raise _err(node, f"{what} must be greater than 0, got {node.value}; e.g. 1e-5")
            return x
        if type_ == "activation":
            if isinstance(node, yaml.ScalarNode) and node.tag == _T + "null":
                return None
            text = self.string(node, what)
            if normal(text) == "none":  # Keras' activation=None: no activation
                return None
            # an activation's own name first: `linear` is the identity here, not torch's Linear
            act = next((a for a in ACTIVATIONS if normal(a) == normal(text)), KIND_ALIASES.get(normal(text)))
            if act not in ACTIVATIONS:
                raise _err(node, f"unknown activation `{text}`{_suggest(text, ACTIVATIONS)}")
            return act
        return self.string(node, what)

    def integer(self, node, what: str, minimum: int | None = None) -> int:
        if not isinstance(node, yaml.ScalarNode):
            raise _err(node, f"{what} must be an integer, not {_show(node)}")
        text, tag = node.value, node.tag
        if node.style in ("'", '"'):
            raise _err(node, f"{what} must be an integer, not the string {text!r}; remove the quotes")
        if tag == _T + "bool":
            meaning = "true" if text.lower() in ("true", "yes", "on", "y") else "false"
            yaml11 = f" (YAML 1.1 reads `{text}` as {meaning})" if text.lower() not in ("true", "false") else ""
            raise _err(node, f"{what} must be an integer, not the boolean {text}{yaml11}; write a whole number")
        if tag == _T + "null":
            raise _err(node, f"{what} has no value; write an integer")
        body = text.lstrip("+-")
        digits = sum(c.isalnum() for c in (body[2:] if body[1:2].isalpha() else body))  # after 0x, 0o, 0b
        if tag == _T + "int" and digits > 18:  # before any conversion: hex, octal, binary, base 60 too
            raise _err(node, f"{what} has {digits:,} digits, more than any size (at most {MAX_SIZE:,}); "
                             "check the number")
        if tag == _T + "int" and not _DECIMAL.match(text):
            if ":" in text:
                parts = text.lstrip("+-").split(":")
                raise _err(node, f"{what} `{text}` is read by YAML 1.1 as the base-60 number "
                                 f"{yaml.safe_load(text)}; for one size per axis write "
                                 f"[{', '.join(parts)}]")
            if re.fullmatch(r"[-+]?0[0-7_]+", text):
                raise _err(node, f"{what} `{text}` is read by YAML 1.1 as the octal number "
                                 f"{yaml.safe_load(text)}; write {int(text.replace('_', ''))} without the leading zero")
            raise _err(node, f"{what} `{text}` is not a plain decimal integer (YAML 1.1 reads it as "
                             f"{yaml.safe_load(text)}); write it in decimal digits only")
        if tag == _T + "str" and _DECIMAL.match(text):  # an explicit `!!str 3`
            raise _err(node, f"{what} must be an integer, not the string {text!r}; remove the `!!str` tag")
        if tag == _T + "float" or (tag == _T + "str" and _FLOAT.match(text)):
            try:
                x = float(text.replace("_", ""))
            except ValueError:
                x = math.nan
            hint = ""
            if math.isfinite(x):
                low = math.floor(x)
                hint = f"; write {low}" if x == low else f"; write {low} or {low + 1}"
            raise _err(node, f"{what} must be a whole number, not {text[:40]}{'...' if len(text) > 40 else ''}{hint}")
        if tag != _T + "int":
            raise _err(node, f"{what} must be an integer, not {_show(node)}")
        value = int(text)
        if minimum is not None and value < minimum:
            rule = "at least 1" if minimum == 1 else "0 or more"
            raise _err(node, f"{what} must be {rule}, got {value}")
        if abs(value) > MAX_SIZE:
            raise _err(node, f"{what} {value:,} is absurdly large (more than {MAX_SIZE:,}); check the number")
        return value

    def boolean(self, node, what: str) -> bool:
        text = node.value if isinstance(node, yaml.ScalarNode) else None
        if node.tag == _T + "bool" and text in ("true", "false", "True", "False", "TRUE", "FALSE"):
            return text.lower() == "true"
        if node.tag == _T + "bool":
            meaning = "true" if text.lower() in ("yes", "on", "y") else "false"
            raise _err(node, f"{what}: `{text}` is YAML 1.1 for {meaning}; write {meaning}")
        raise _err(node, f"{what} must be true or false, not {_show(node)}")

    def real(self, node, what: str) -> float:
        if (isinstance(node, yaml.ScalarNode) and node.style not in ("'", '"')
                and node.tag in (_T + "int", _T + "float", _T + "str") and _FLOAT.match(node.value)):
            x = float(node.value)  # YAML 1.2 floats such as 1e-5, which PyYAML leaves as strings
            if not math.isfinite(x):
                raise _err(node, f"{what} {node.value[:40]}{'...' if len(node.value) > 40 else ''} is not a finite "
                                 f"number (it reads as {x}); "
                                 "write a number like 0.5 or 1e-5")
            return x
        raise _err(node, f"{what} must be a number like 0.5 or 1e-5, not {_show(node)}")

    def string(self, node, what: str, label: str | None = None) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _T + "null" or node.value == "":
            raise _err(node, f"{what} must be a non-empty word, not {_show(node)}", layer=label)
        return node.value  # the raw text: `name: off` stays "off", `name: 010` stays "010"

    def padding(self, node):
        if isinstance(node, yaml.ScalarNode) and node.tag == _T + "str" and node.style in (None, ""):
            mode = node.value.lower()
            if mode in ("same", "valid", "causal"):
                return mode
            raise _err(node, f"padding `{node.value}` is not a size or a mode (use an int, a list per axis, "
                             f"[before, after] pairs, `same`, `valid` or `causal`){_suggest(mode, ['same', 'valid', 'causal'])}")
        if isinstance(node, yaml.SequenceNode):
            if not 1 <= len(node.value) <= 3:
                raise _err(node, "padding must list 1 to 3 axes: an int or a [before, after] pair for each; "
                                 "for PyTorch's 4-number ZeroPad2d (left, right, top, bottom) write "
                                 "[[top, bottom], [left, right]]")
            out = []
            for item in node.value:
                if isinstance(item, yaml.SequenceNode):
                    if len(item.value) != 2:
                        raise _err(item, f"a padding pair must be [before, after], got {len(item.value)} numbers")
                    out.append(tuple(self.integer(n, "padding", minimum=0) for n in item.value))
                else:
                    out.append(self.integer(item, "padding", minimum=0))
            return tuple(out)
        return self.integer(node, "padding", minimum=0)


def _required(f) -> bool:
    import dataclasses
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def layer_argument(cls: type[Layer], word: str, text: str, kind: str) -> tuple[str, Any]:
    """One spec argument of a kind from the command line (`--arg negative_slope=0.1`): its
    canonical name and its value, read as the spec reads `word: text`; ArgumentError if the kind
    has no such argument or the value does not fit it."""
    from .errors import ArgumentError
    name = argument(word, cls.spec_args())
    if name is None:
        takes = ", ".join(cls.spec_args()) or "no arguments"
        raise ArgumentError(f"--arg {word}: {kind} has no argument `{word}`"
                            f"{_suggest(word, list(cls.spec_args()))}; it takes {takes}")
    try:
        node = yaml.compose(text, Loader=_LOADER)
        if node is None:
            raise ArgumentError(f"--arg {word}= has no value; e.g. --arg {name}=1")
        return name, _Reader("--arg").value(node, name, cls.spec_args()[name].metadata["type"])
    except (SpecError, yaml.YAMLError) as e:
        raise ArgumentError(f"--arg {word}={text}: {getattr(e, 'message', 'not a YAML value')}") from None
