"""The solvers: every integer answer of a question about sizes, or why there is none.

- inverse: the padding, kernel or stride that gives an output size (`solve padding|kernel|stride`)
- sizes: the output size of one window per axis with the working (`solve size`)
- one_layer: one layer of any kind alone: shape, parameters, MACs (`cnncalc layer`)
- inputs: the input sizes of a whole network for which every division is exact (`solve input`)

The submodules are named by job, never like a function they hold, so importing one never hides
a function of this package (`solve.size` is the function; `solve.sizes` its module).
"""
from .inverse import MAX_LISTED, Answer, Solution, kernel, nonnegative, padding, positive, stride  # noqa: F401
from .one_layer import LayerAnswer, layer  # noqa: F401
from .sizes import AxisSize, SizeAnswer, per_axis, size, strict_error  # noqa: F401
from .inputs import MAX_SCAN, MAX_SCAN_STEPS, Drop, InputAnswer, input_sizes  # noqa: F401
