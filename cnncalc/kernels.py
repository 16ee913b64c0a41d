"""Named 3x3 kernels, as cross-correlation matrices (the way the course applies them): the course
notes' names with the notes' matrices (seeds 001:L35-39, 002:L59-96, 003:L189-191), and the
standard forms beside them. Pure data, importing nothing, so `conv --help` can list the names.

vertical / horizontal are the notes' 002:L59-73 tables (004:L51 applies the same vertical one);
the 000:L129-135 pair printed under the same labels is garbled in the scan ([[-1,0,-1],[0,0,0],
[-1,0,-1]] detects no vertical edge), so it is not taken. sharpen and edge are the notes'
001:L36-37 matrices as printed (the notes' "Sharpen" is the 4-neighbour Laplacian and sums to
0); the usual sharpen, identity - laplacian, which sums to 1, is sharpen_classic.
"""
from __future__ import annotations

KERNELS: dict[str, tuple[list[list[float]], str]] = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], "identity (notes 001:L35)"),
    "edge": ([[1, 0, -1], [0, 1, 0], [-1, 0, 1]], "the notes' \"Edge detection\" (001:L36)"),
    "sharpen": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "the notes' \"Sharpen\" (001:L37), = laplacian"),
    "box_blur": ([[1 / 9] * 3] * 3, "box blur, 1/9 * ones (001:L38)"),
    "gaussian_blur": ([[v / 16 for v in r] for r in ([1, 2, 1], [2, 4, 2], [1, 2, 1])],
                      "Gaussian blur 3x3, 1/16 * [[1,2,1],[2,4,2],[1,2,1]] (001:L39)"),
    "vertical_edge": ([[1, 0, -1]] * 3, "the notes' \"Vertical\" edge (002:L59-65, 004:L51)"),
    "horizontal_edge": ([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], "the notes' \"Horizontal\" edge (002:L67-73)"),
    "prewitt_x": ([[1, 0, -1]] * 3, "Prewitt x-gradient (002:L77-81)"),
    "prewitt_y": ([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], "Prewitt y-gradient (transpose of prewitt_x)"),
    "sobel_x": ([[1, 0, -1], [2, 0, -2], [1, 0, -1]], "Sobel x-gradient (002:L86-90)"),
    "sobel_y": ([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], "Sobel y-gradient (transpose of sobel_x)"),
    "scharr_x": ([[3, 0, -3], [10, 0, -10], [3, 0, -3]], "Scharr x-gradient (002:L92-96)"),
    "scharr_y": ([[3, 10, 3], [0, 0, 0], [-3, -10, -3]], "Scharr y-gradient (transpose of scharr_x)"),
    "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "4-neighbour Laplacian (= the notes' sharpen)"),
    "sharpen_classic": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "identity - laplacian, sums to 1"),
    "lonely": ([[-1, -1, -1], [-1, 1, -1], [-1, -1, -1]], "the course's \"lonely 1\" filter (003:L189-191)"),
}
ALIASES = {"edge_detection": "edge", "vertical": "vertical_edge", "horizontal": "horizontal_edge",
           "edge_vertical": "vertical_edge", "edge_horizontal": "horizontal_edge", "prewitt": "prewitt_x",
           "sobel": "sobel_x", "scharr": "scharr_x", "gaussian": "gaussian_blur", "box": "box_blur",
           "blur": "box_blur", "lonely_1": "lonely"}


# the notes' own names, as `conv --help` lists them first
NOTES = ("identity", "edge", "sharpen", "vertical", "horizontal", "box_blur", "gaussian_blur", "lonely")


def names() -> str:
    return ", ".join(KERNELS)


def help_text() -> str:
    others = [k for k in KERNELS if k not in NOTES and ALIASES.get(k) is None
              and k not in {ALIASES.get(n) for n in NOTES}]
    return f"the notes' {', '.join(NOTES)}; also {', '.join(others)}"
