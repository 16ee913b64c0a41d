"""Gradients worked by hand: one convolution (conv), a small network's forward and backward
pass (network, reading its inputs in inputs), and the Jacobians backprop never forms
(jacobian). Each kind's own backward pass and weight layouts live in its class (cnncalc.kinds).
Nothing is imported here: `import cnncalc.gradients.conv` stays free of numpy."""
