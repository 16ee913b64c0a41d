"""What the kinds' backward passes share (cnncalc/gradients/network.py asks each layer's
`backward`): the refusal of a kind backprop does not differentiate, and the strided views of
the padded input that the window kinds read, as ops.conv_nd and pool_nd read them.

    backward(x, w, r, out, g) -> (dL/dx, {array name: dL/d array})

x is the layer's input (a tuple of inputs for a merge, and then a tuple of gradients back), w
its arrays (make_weights' layout), r its infer.LayerResult, out its output and g = dL/d out,
all batch first, channels last. A fused `activation:` is differentiated before (g is then
dL/dz of the layer's own output z). NumPy is imported inside each function.
"""
from __future__ import annotations

import itertools

SUPPORTED = ("conv1d/2d/3d, dense, flatten, max/avg pooling, global pooling, activations, dropout, drop_path, "
             "batchnorm, rescaling, the element-wise merges and concat")


def no_backward(reason: str):
    """Backward: refused, with the reason; backprop names it before it starts."""
    def backward(self, x, w, r, out, g):
        from ..errors import CnncalcError
        raise CnncalcError(f"{self.label}: {self.backward_refusal()}")
    backward.refusal = reason
    return backward


def no_weight_shapes(self, r, order: str = "torch") -> dict:
    """Weight shapes: none (nothing learned)."""
    return {}


def passes_gradient(self, x, w, r, out, g):
    """Backward: the gradient unchanged (the identity at inference)."""
    return g, {}


def view(xp, offs, axes, out):
    """The strided view of padded `xp` (B, *spatial, C) that kernel tap `offs` reads: one cell
    per output position."""
    idx = [slice(None)]
    for j, a, o in zip(offs, axes, out):
        idx.append(slice(j * a.d, j * a.d + (o - 1) * a.s + 1, a.s))
    return xp[tuple(idx)]


def pad(x, pads, value=0.0):
    import numpy as np
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value) if any(b or a for b, a in pads) else x.copy()


def crop(xp, pads, shape):
    return xp[(slice(None), *(slice(b, b + n) for (b, _), n in zip(pads, shape)), slice(None))]


def taps(axes):
    """Every kernel tap (one offset per axis), in row-major order."""
    return itertools.product(*(range(a.f) for a in axes))


def layout(order: str, torch: tuple, keras: tuple) -> tuple:
    """One array's shape in torch's layout (the executor's) or Keras'."""
    if order not in ("torch", "keras"):
        from ..errors import ArgumentError
        raise ArgumentError(f"weight order `{order}` is neither torch nor keras")
    return torch if order == "torch" else keras


def f_names(dims: int) -> str:
    """The kernel's axes as the notes name them."""
    return {1: "f", 2: "f_h, f_w", 3: "f_d, f_h, f_w"}.get(dims, "*f")


def conv_grads(x, W, axes, out, groups: int, g):
    """(dL/dx, dL/dW) of a convolution (as ops.conv_nd computes it). Every tap t reads the
    window view V_t of the padded input: Z += V_t @ W[:, :, t].T, so dW[:, :, t] = G^T V_t (the
    input cross-correlated with G), dV_t += G @ W[:, :, t] (G spread back through the kernel:
    the full convolution)."""
    import numpy as np
    pads = [a.pad for a in axes]
    xp = pad(x, pads)
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    cg, og = W.shape[1], W.shape[0] // groups
    for offs in taps(axes):
        v, dv = view(xp, offs, axes, out), view(dxp, offs, axes, out)
        for k in range(groups):
            ci, co = slice(k * cg, (k + 1) * cg), slice(k * og, (k + 1) * og)
            gk = g[..., co].reshape(-1, og)
            dW[(co, slice(None), *offs)] += gk.T @ v[..., ci].reshape(-1, cg)
            dv[..., ci] += (gk @ W[(co, slice(None), *offs)]).reshape(dv[..., ci].shape)
    return crop(dxp, pads, x.shape[1:-1]), dW
