"""What torch's ONNX exporters changed of the module, where the file says so: batch norm folded
into the convolutions, all-zero biases dropped. The counts stay the file's; these notes say by how
much the PyTorch module's differ.

- The dynamo exporter (torch.onnx.export(..., dynamo=True)) records on each node the rewrite
  rules its optimizer applied (`pkg.onnxscript.rewriter.rule_name`: FuseBatchNormIntoConv,
  RemoveOptionalBiasFromConv, ...) and the torch call it came from (`pkg.torch.onnx.fx_node`,
  which names the module's bias parameter, `%p_..._bias`, when there was one).
- The TorchScript exporter (dynamo=False) names each initializer after its module parameter
  (`layer1.0.conv1.weight`); the weight of a convolution that batch norm was folded into is
  computed, named `onnx::Conv_N`, and the fold gives it a bias (whose name may be any equal
  initializer's: the exporter keeps one of equal values).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

RULES, FX = "pkg.onnxscript.rewriter.rule_name", "pkg.torch.onnx.fx_node"
COMPUTED = re.compile(r"onnx::Conv_\d+$")
BIAS_ARG = re.compile(r"args = \(%[\w.]+, %[\w.]+, %p_\w+")  # the torch call had a bias parameter


@dataclass
class Changes:
    """Folded: convolutions with batch norm folded in, their channels (the batch norms' C), the
    biases the fold left in the file; dropped: layers whose all-zero bias the exporter removed,
    and its values."""
    folded: int = 0
    channels: int = 0
    fold_biases: int = 0
    dropped: int = 0
    dropped_values: int = 0
    bare: int = 0           # folded convolutions left with no bias (dynamo drops an all-zero one)
    bare_channels: int = 0

    def notes(self) -> list[str]:
        out = []
        if self.folded:
            c = self.channels
            s = "" if self.folded == 1 else "s"
            text = (f"the exporter folded batch norm into {self.folded:,} convolution{s} ({c:,} channels): the "
                    f"PyTorch module has 2 x {c:,} = {2 * c:,} more trainable parameters (the batch norms' weights "
                    f"and biases) and {2 * c:,} running statistics")
            if self.fold_biases:
                text += (f", and {self.fold_biases:,} fewer where its convolutions have no bias (the file's "
                         "biases of those convolutions are the fold's)")
            if self.bare:
                text += (f"; {self.bare:,} of those convolutions have no bias in the file ({self.bare_channels:,} "
                         "channels): the exporter dropped it as all zero, the module's own too if it had one")
            out.append(text + "; export with dynamo=False, training=TrainingMode.PRESERVE to keep them")
        if self.dropped:
            s = "" if self.dropped == 1 else "s"
            out.append(f"the exporter dropped the all-zero biases of {self.dropped:,} layer{s} ({self.dropped_values:,} "
                       "values, as an untrained model has): the PyTorch module has them")
        return out


def _props(node) -> dict[str, str]:
    return {p.key: p.value for p in getattr(node, "metadata_props", ())}


def changes(model, inits: dict) -> Changes:
    """The exporter's changes that `model`'s graph records; `inits` maps each input name to its
    initializer (Identity outputs included)."""
    out = Changes()
    if model.producer_name != "pytorch":
        return out
    for node in model.graph.node:
        if node.op_type not in ("Conv", "Gemm") or len(node.input) < 2 or node.input[1] not in inits:
            continue
        weight = inits[node.input[1]]
        bias = inits.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None
        trans = any(a.name == "transB" and a.i for a in node.attribute)
        units = weight.dims[0] if node.op_type == "Conv" or trans else weight.dims[-1]
        props = _props(node)
        rules = props.get(RULES, "")
        if "FuseBatchNormIntoConv" in rules or (COMPUTED.match(weight.name) and bias is not None and RULES not in props):
            out.folded += 1
            out.channels += weight.dims[0]
            out.fold_biases += weight.dims[0] if bias is not None else 0
            out.bare += bias is None
            out.bare_channels += weight.dims[0] if bias is None else 0
        elif "RemoveOptionalBias" in rules and bias is None and BIAS_ARG.search(props.get(FX, "")):
            out.dropped += 1
            out.dropped_values += units
    return out
