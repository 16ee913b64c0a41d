from cnncalc import infer, load_spec
from tests.conftest import ZOO


def test_vgg16_published_total():
    # keras.applications.VGG16 / torchvision vgg16: 138,357,544 parameters
    assert infer(load_spec(str(ZOO / "vgg16.yaml"))).totals.params == 138_357_544


def test_cli_bad_spec_is_one_line(main, spec_file):
    r = main("summary", spec_file("input: [5, 5, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 7}\n"))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert "spec.yaml:3:5: layer 1 (conv2d, conv2d)" in r.err


def test_cli_in_process(cli):
    r = cli("summary", ZOO / "lenet5.yaml", "--format", "json")
    assert r.code == 0 and '"params": 61706' in r.out
