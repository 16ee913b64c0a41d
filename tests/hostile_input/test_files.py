"""Files as an attacker would hand them over: a FIFO, a device, a socket, a directory or a symbolic
link where a file belongs, as every kind of input and as every kind of output; a cap that would
reserve gigabytes; a class folder linking to the answer key; ONNX external data outside the
model's folder; a `.keras` zip whose directory lists millions of entries.

Every run ends in an answer or in exactly one line on stderr with exit 2, within seconds (a FIFO
never blocks), and nothing but the named output is written. The fast tests run in-process under
an alarm; the slow ones as processes under a 2 GiB address-space limit.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.errors import ArgumentError, max_input_bytes, read_input

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = ROOT / "architectures" / "lenet_homework.yaml"
CORPUS = ROOT / "tests" / "check_corpus"
MODELS = ROOT / "tests" / "readers"
ANSWERS = CORPUS / "keras3_lenet.txt"
NOTES = ROOT / "docs" / "examples" / "notes_1d.yaml"
KINDS = ("fifo", "directory", "socket", "device", "link_to_fifo")


@pytest.fixture(autouse=True)
def alarm():
    """A run that blocks (a FIFO opened for reading) fails the test instead of hanging it."""
    def hung(*_):
        raise TimeoutError("blocked: a file was opened that should have been refused")
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def make(kind: str, path: Path) -> Path:
    """A file system object of `kind` at `path` (a device is /dev/zero itself)."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    elif kind == "device":
        return Path("/dev/zero")
    elif kind == "link_to_fifo":
        os.mkfifo(path.with_name("target_" + path.name))
        os.symlink(path.with_name("target_" + path.name), path)
    return path


def one_line(run, *words) -> str:
    assert run.code == 2, (run.code, run.out, run.err)
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err, run.err
    for w in words:
        assert w in run.err, run.err
    return run.err


EXPECTED = {"fifo": "FIFO", "directory": "directory", "socket": "socket", "device": "device",
            "link_to_fifo": "FIFO"}

# every way an input file reaches cnncalc: (suffix, arguments with IN for the file)
INPUTS = {
    "spec": (".yaml", ["summary", "IN"]),
    "torch": (".py", ["import", "IN", "--input", "32x32x3"]),
    "keras": (".keras", ["import", "IN", "--input", "32x32x3"]),
    "json": (".json", ["summary", "IN", "--input", "32x32x3"]),
    "onnx": (".onnx", ["summary", "IN"]),
    "answers": (".md", ["check", "IN", "--spec", str(SPEC)]),
    "weights": (".json", ["backprop", str(NOTES), "--input", "1 3 2 0 1", "--target", "1", "--weights", "IN"]),
    "grid": (".csv", ["conv", "--image", "IN", "--kernel", "1"]),
    "roster": (".csv", ["check", str(CORPUS), "--spec", str(ROOT / "tests" / "data" / "homework_template.yaml"),
                        "--roster", "IN", "--gradebook", "target_g.csv"]),
    "gradient": (".txt", ["grad", "--image", "IN", "--kernel", "1"]),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("what", sorted(INPUTS))
def test_an_input_that_is_no_regular_file_is_one_line(what, kind, tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suffix, args = INPUTS[what]
    path = make(kind, tmp_path / f"in{suffix}")
    if kind == "device" and what in ("spec", "answers", "grid", "gradient", "weights", "roster"):
        path = Path("/dev/zero")
    run = cli(*[str(path) if a == "IN" else a for a in args])
    assert run.code == 2, (run.code, run.err)
    one_line(run)
    assert EXPECTED[kind] in run.err or (kind == "device" and "not a model file" in run.err), run.err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("in", "target_"))) == []


def test_dev_zero_as_a_model_is_refused_without_reading(cli):
    for name in ("/dev/zero", "/dev/stdin"):
        if os.path.exists(name) and not stat.S_ISREG(os.stat(name).st_mode):
            pass
    os_link = Path("/dev/zero")
    one_line(cli("summary", os_link), "character device")


def test_a_model_linked_to_dev_zero(tmp_path, cli):
    for suffix in (".onnx", ".keras", ".py", ".json", ".yaml"):
        link = tmp_path / f"m{suffix}"
        link.symlink_to("/dev/zero")
        one_line(cli("summary", link, "--input", "32x32x3"), "character device")


# -- the input cap ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["3G", "1T", "20M", "123", "12"])
def test_a_large_cap_reserves_nothing(value, monkeypatch, cli):
    monkeypatch.setenv("CNNCALC_MAX_INPUT", value)
    run = cli("summary", SPEC, "--format", "csv")
    if value in ("123", "12"):
        one_line(run, "input limit")
    else:
        assert run.code == 0, run.err


@pytest.mark.parametrize("value", ["99999999999999999G", "2T", "0", "-5", "1e9", "10X", "\u00b2", "10 M", "1.5G",
                                   "G", "0x10"])
def test_an_absurd_cap_is_one_line_naming_the_variable(value, monkeypatch, cli):
    monkeypatch.setenv("CNNCALC_MAX_INPUT", value)
    one_line(cli("summary", SPEC), "CNNCALC_MAX_INPUT")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=24))
def test_any_cap_setting_is_a_number_or_an_argument_error(text):
    old = os.environ.get("CNNCALC_MAX_INPUT")
    os.environ["CNNCALC_MAX_INPUT"] = text.replace("\0", "")
    try:
        cap = max_input_bytes()
        assert 1 <= cap <= 1 << 40
    except ArgumentError as e:
        assert "CNNCALC_MAX_INPUT" in str(e)
    finally:
        if old is None:
            del os.environ["CNNCALC_MAX_INPUT"]
        else:
            os.environ["CNNCALC_MAX_INPUT"] = old


def test_the_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(64 << 20)  # sparse: reading it would take 64 MiB
    with pytest.raises(ArgumentError, match=f"is {64 << 20:,} bytes, larger than the {10 << 20:,}-byte"):
        read_input(str(big), ArgumentError, "a spec", "a spec")


def test_stdin_is_capped(cli, monkeypatch):
    monkeypatch.setenv("CNNCALC_MAX_INPUT", "1k")
    one_line(cli("summary", "-", input="#" * 5000 + "\n"), "1,024-byte input limit")


# -- what is written ----------------------------------------------------------------------------------
WRITERS = {
    "export": lambda out: ["export", str(SPEC), "--to", "pytorch", "-o", out],
    "report": lambda out: ["report", str(SPEC), "--no-charts", "-o", out],
    "plot": lambda out: ["plot", str(SPEC), "-o", out],
    "import": lambda out: ["import", str(MODELS / "mobilenet.json"), "-o", out],
    "gradebook": lambda out: ["check", "CLASS", "--spec", str(SPEC), "--gradebook", out],
}
SUFFIX = {"plot": ".svg", "gradebook": ".csv", "import": ".yaml", "export": ".py", "report": ".html"}


@pytest.fixture
def klass(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("keras3_lenet.txt", "german.csv"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _args(writer, out, klass):
    return [str(klass) if a == "CLASS" else a for a in WRITERS[writer](str(out))]


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "symlink", "device"])
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_only_a_regular_file_is_replaced(writer, kind, tmp_path, klass, cli):
    target = tmp_path / f"out{SUFFIX[writer]}"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    if kind == "symlink":
        target.symlink_to(victim)
    elif kind == "device":
        target = Path("/dev/null")
    else:
        make(kind, target)
    before = os.lstat(target)
    run = cli(*_args(writer, target, klass))
    option = "--gradebook" if writer == "gradebook" else "-o"
    if writer == "plot" and kind == "device":
        one_line(run, "suffix")   # refused earlier: /dev/null names no picture format
    else:
        one_line(run, f"{option} {target}", "not a regular file")
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert victim.read_text() == "keep me\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("writer", sorted(set(WRITERS) - {"plot"}))  # plot writes only .svg/.png
def test_an_input_is_never_a_target(writer, tmp_path, klass, cli):
    source = {"import": MODELS / "mobilenet.json"}.get(writer, SPEC)
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    args = [str(copy) if a == str(source) else a for a in _args(writer, copy, klass)]
    option = "--gradebook" if writer == "gradebook" else "-o"
    one_line(cli(*args), f"{option} {copy} is the input file")
    assert copy.read_bytes() == source.read_bytes()
    link = tmp_path / f"link{source.suffix}"
    link.symlink_to(copy)
    one_line(cli(*args[:-1], str(link)), "not a regular file")  # through a link: refused too


def test_the_gradebook_never_lands_in_the_class_folder(klass, tmp_path, cli):
    before = {p.name: p.read_bytes() for p in klass.iterdir()}
    for target in (klass / "german.csv", klass / "grades.csv", klass / "sub" / "g.csv"):
        one_line(cli("check", klass, "--spec", SPEC, "--gradebook", target), "--gradebook")
    assert {p.name: p.read_bytes() for p in klass.iterdir()} == before


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_new_file_has_the_mode_open_would_give(writer, umask, mode, tmp_path, klass, cli):
    target = tmp_path / f"new{SUFFIX[writer]}"
    old = os.umask(umask)
    try:
        run = cli(*_args(writer, target, klass))
    finally:
        os.umask(old)
    assert run.code in (0, 1), run.err
    assert stat.S_IMODE(os.stat(target).st_mode) == mode


def test_a_replaced_file_keeps_its_mode(tmp_path, cli):
    target = tmp_path / "model.py"
    target.write_text("old\n")
    target.chmod(0o640)
    assert cli("export", SPEC, "--to", "pytorch", "-o", target).code == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640 and "old" not in target.read_text()


def test_dash_is_still_stdout(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("export", SPEC, "--to", "pytorch", "-o", "-")
    assert run.code == 0 and "class" in run.out and list(tmp_path.iterdir()) == []


# -- class folders ------------------------------------------------------------------------------------
def test_a_link_out_of_the_class_folder_is_not_graded(klass, tmp_path, cli):
    key = tmp_path / "answer_key.txt"
    shutil.copy(ANSWERS, key)
    (klass / "cheater.txt").symlink_to(key)
    (klass / "chain.txt").symlink_to(klass / "cheater.txt")          # a link inside, to the link out
    (klass / "friend.txt").symlink_to(klass / "keras3_lenet.txt")    # inside the folder: graded
    os.mkfifo(klass / "pipe.md")
    (klass / "sub").mkdir()
    out = tmp_path / "grades.csv"
    run = cli("check", klass, "--spec", SPEC, "--gradebook", out)
    assert run.code == 1, run.err      # the unreadable need attention
    import csv
    rows = {r["student"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    for name in ("cheater", "chain"):
        assert "outside the class folder" in rows[name]["status"] and rows[name]["score"] == ""
    assert rows["friend"]["score"] == "100.0"
    assert "FIFO" in rows["pipe"]["status"]
    assert rows["sub"]["status"] == "unreadable: no file handed in"   # an empty student folder
    assert sorted(p.name for p in klass.iterdir()) == sorted(
        ["keras3_lenet.txt", "german.csv", "cheater.txt", "chain.txt", "friend.txt", "pipe.md", "sub"])


# -- ONNX external data -------------------------------------------------------------------------------
def _external_model(folder: Path, location: str, data: bytes | None = b"", length: int | None = None,
                    offset: int | None = None) -> Path:
    """x (1, 3, 4, 4) reshaped to (1, 48) by a shape tensor kept in the external file `location`."""
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    shape = numpy_helper.from_array(np.array([1, 48], np.int64), "shape")
    raw = shape.raw_data
    shape.ClearField("raw_data")
    shape.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        if value is not None:
            shape.external_data.add(key=key, value=str(value))
    graph = helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["y"], name="flat")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [shape])
    path = folder / "m.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    if data is not None and not os.path.isabs(location) and ".." not in location:
        (folder / location).write_bytes(raw if data == b"" else data)
    return path


def test_external_data_beside_the_model_is_read(tmp_path, cli, monkeypatch):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    path = _external_model(model_dir, "shape.bin")
    monkeypatch.chdir(tmp_path)   # not the model's folder
    run = cli("summary", path, "--format", "csv")
    assert run.code == 0 and "48" in run.out, run.err


@pytest.mark.parametrize("location", ["../secret.txt", "/etc/passwd", "sub/../../secret.txt", "link.bin",
                                      "secret.txt"])
def test_external_data_outside_the_model_folder_is_refused(location, tmp_path, cli, monkeypatch):
    (tmp_path / "secret.txt").write_bytes(b"\x07\x00\x00\x00\x00\x00\x00\x00" * 2)   # would read as 7, 7
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    if location == "link.bin":
        (model_dir / "link.bin").symlink_to(tmp_path / "secret.txt")
    path = _external_model(model_dir, location, data=None)
    monkeypatch.chdir(tmp_path)   # secret.txt is in the current folder: never read from there
    err = one_line(cli("summary", path))
    assert "\\x07" not in err and "7, 7" not in err
    assert "outside the model's folder" in err or "no such file" in err


@pytest.mark.parametrize("length, offset, words", [(3 << 30, None, "3,221,225,472 bytes"),
                                                   (None, 10 ** 30, "must be byte counts"),
                                                   (16, 1 << 40, "ends 16 bytes before")])
def test_external_data_is_capped_before_reading(length, offset, words, tmp_path, cli):
    path = _external_model(tmp_path, "shape.bin", length=length, offset=offset)
    one_line(cli("summary", path), words)


@pytest.mark.parametrize("dims", [(1 << 40,), (1 << 20, 1 << 20), (70_000,), (-1, -2)])
@pytest.mark.parametrize("where", ["initializer", "constant"])
def test_a_huge_constant_is_never_turned_into_numbers(dims, where, tmp_path, cli):
    """A shape tensor declaring 2^40 values (and holding none) is one line, read or not."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    shape = TensorProto(name="shape", data_type=TensorProto.INT64, dims=dims)
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flat")]
    if where == "constant":
        nodes.insert(0, helper.make_node("Constant", [], ["shape"], value=shape))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [shape] if where == "initializer" else [])
    path = tmp_path / "m.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    one_line(cli("summary", path))


@pytest.mark.parametrize("kind", ["fifo", "socket", "directory"])
def test_external_data_that_is_no_regular_file(kind, tmp_path, cli):
    path = _external_model(tmp_path, "shape.bin", data=None)
    make(kind, tmp_path / "shape.bin")
    one_line(cli("summary", path), EXPECTED[kind])


# -- .keras archives ----------------------------------------------------------------------------------
def _keras(path: Path, config: bytes, extra: int = 0) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        zf.writestr("config.json", config)
        for i in range(extra):
            zf.writestr(f"assets/{i}", b"")
    return path


def _lying_end_record(path: Path, entries: int, size: int) -> None:
    """Rewrite a zip's end records (plain and zip64) to declare `entries` entries and a central
    directory of `size` bytes."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    end = data[at:]
    offset = struct.unpack_from("<L", end, 16)[0]
    zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    plain = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(bytes(data[:at]) + zip64 + locator + plain)


def test_a_zip_directory_of_millions_is_refused_before_parsing(tmp_path, cli):
    path = _keras(tmp_path / "m.keras", (MODELS / "mobilenet.json").read_bytes())
    _lying_end_record(path, 4_000_000, 4_000_000 * 46)
    one_line(cli("summary", path), "4,000,000 files")


def test_many_real_entries_are_refused(tmp_path, cli):
    path = _keras(tmp_path / "m.keras", (MODELS / "mobilenet.json").read_bytes(), extra=10_001)
    one_line(cli("summary", path), "10,00")


def test_a_bomb_is_refused_by_its_declared_size(tmp_path, cli):
    path = _keras(tmp_path / "bomb.keras", b" " * (11 << 20))
    one_line(cli("summary", path), f"{11 << 20:,} bytes")


def _deep_sequential(layers: int) -> bytes:
    """A Keras 3 Sequential config of `layers` Dense layers, as verbose as model.save writes it."""
    import json
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    init = {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
            "registered_name": None}
    stack = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
              "config": {"batch_shape": [None, 8], "dtype": "float32", "sparse": False, "name": "in"}}]
    stack += [{"module": "keras.layers", "class_name": "Dense", "registered_name": None,
               "config": {"name": f"d{i}", "trainable": True, "dtype": policy, "units": 8, "activation": "relu",
                          "use_bias": True, "kernel_initializer": init, "bias_initializer": init,
                          "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                          "bias_constraint": None, "lora_rank": None},
               "build_config": {"input_shape": [None, 8]}} for i in range(layers)]
    return json.dumps({"module": "keras", "class_name": "Sequential", "registered_name": None,
                       "config": {"name": "deep", "trainable": True, "dtype": policy, "layers": stack}}).encode()


def test_a_large_real_model_compressing_far_is_not_a_bomb(tmp_path, cli):
    """The old rule refused a config over 1 MiB compressed more than 200x; the declared size
    against the cap decides now, so a real model padded with whitespace (any ratio) is read."""
    config = _deep_sequential(2_000) + b" " * (8 << 20)
    path = _keras(tmp_path / "deep.keras", config)
    info = zipfile.ZipFile(path).getinfo("config.json")
    assert info.file_size > 1 << 20 and info.file_size > 200 * info.compress_size
    run = cli("summary", path, "--format", "csv")
    assert run.code == 0 and run.out.splitlines()[-1].startswith("2000,d1999,dense"), run.err


@pytest.mark.slow
def test_a_100000_layer_config_is_read_from_its_zip(tmp_path, monkeypatch):
    from cnncalc.readers.keras_json import read_config
    monkeypatch.setenv("CNNCALC_MAX_INPUT", "100M")
    config = _deep_sequential(100_000)
    path = _keras(tmp_path / "deep.keras", config)
    assert zipfile.ZipFile(path).getinfo("config.json").file_size > 10 << 20
    text, version = read_config(str(path))
    assert text.encode() == config and version == "3.15.1"


@pytest.mark.slow
def test_a_large_real_model_reads(tmp_path):
    path = _keras(tmp_path / "deep.keras", _deep_sequential(5_000))
    p = _run(["summary", path, "--format", "csv"], tmp_path)
    assert p.returncode == 0 and p.stdout.splitlines()[-1].startswith("5000,d4999,dense"), p.stderr


# -- as processes, under 2 GiB --------------------------------------------------------------------------
def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _run(args, cwd, env=None, timeout=60):
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cnncalc", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=environ, preexec_fn=_limit, stdin=subprocess.DEVNULL, cwd=cwd)


@pytest.mark.slow
@pytest.mark.parametrize("what", ["spec", "torch", "keras", "json", "onnx", "weights", "grid"])
def test_a_fifo_never_blocks_a_process(what, tmp_path):
    suffix, args = INPUTS[what]
    path = make("fifo", tmp_path / f"in{suffix}")
    p = _run([str(path) if a == "IN" else a for a in args], tmp_path, timeout=30)
    assert p.returncode == 2 and "FIFO" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args, env", [
    (["summary", SPEC], {"CNNCALC_MAX_INPUT": "3G"}),
    (["summary", "/dev/zero"], {"CNNCALC_MAX_INPUT": "1T"}),
    (["summary", SPEC], {"CNNCALC_MAX_INPUT": "99999999999999999G"}),
    (["summary", MODELS / "mnist_convnet.keras"], {"CNNCALC_MAX_INPUT": "3G"}),
    (["summary", MODELS / "small_resnet.onnx"], {"CNNCALC_MAX_INPUT": "1T"}),
])
def test_a_large_cap_under_2_gib(args, env, tmp_path):
    p = _run(args, tmp_path, env)
    assert p.returncode in (0, 2) and "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 0 or len(p.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_zip_bomb_directory_under_2_gib(tmp_path):
    path = _keras(tmp_path / "m.keras", (MODELS / "mobilenet.json").read_bytes())
    _lying_end_record(path, 4_000_000, 3 << 30)
    p = _run(["summary", path], tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr


@pytest.mark.slow
def test_external_data_of_3_gib_under_2_gib(tmp_path):
    path = _external_model(tmp_path, "shape.bin", length=3 << 30)
    with open(tmp_path / "shape.bin", "r+b") as fh:
        fh.truncate(3 << 30)   # sparse
    p = _run(["summary", path], tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr


# -- one way --------------------------------------------------------------------------------------------
OPENERS = {"cnncalc/errors.py", "cnncalc/files.py"}   # open_input (and reader_gone); write_output


def test_one_way_to_open_a_file():
    """Only errors.open_input opens an input (and files.py its temporary file): no other module
    calls open(), os.open, Path.read_text/read_bytes, onnx.load or zipfile.ZipFile on a path
    (a ZipFile over the bytes open_input read, io.BytesIO, is no second way)."""
    import re
    pattern = re.compile(r"(?<![\w.])open\(|\bos\.(open|fdopen)\(|\.read_(text|bytes)\(\)|onnx\.load\(|"
                         r"ZipFile\((?!fh\)|io\.BytesIO\()|np\.(load|fromfile)\(")
    found = {}
    for path in sorted((ROOT / "cnncalc").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        hits = [line for line in path.read_text().splitlines() if pattern.search(line) and "/proc/meminfo" not in line]
        if hits and name not in OPENERS:
            found[name] = hits
    assert not found, f"files opened outside errors.open_input: {found}"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_damaged_keras_directory_is_a_reader_error(flips):
    """Bytes of a real .keras changed where the zip's directory and end records are: the read
    ends in a ReaderError or a config, never in another exception."""
    from cnncalc.readers.common import ReaderError
    from cnncalc.readers.keras_json import read_config
    data = bytearray((MODELS / "mnist_convnet.keras").read_bytes())
    for back, value in flips:
        data[len(data) - 1 - back] = value
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.keras"
        path.write_bytes(bytes(data))
        try:
            read_config(str(path))
        except ReaderError:
            pass


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "sub", "data.bin", "", "/", "link", "out"]), min_size=1, max_size=5))
def test_any_external_location_is_read_inside_or_refused(parts):
    """An external data location made of any path pieces: read only when it names data.bin in
    the model's folder (directly or through sub/ or a link that stays inside), else one error."""
    import tempfile
    pytest.importorskip("onnx")
    from cnncalc.readers.common import ReaderError
    from cnncalc.readers.modelfiles import external_bytes
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        folder = root / "model"
        (folder / "sub").mkdir(parents=True)
        (root / "data.bin").write_bytes(b"\xff" * 16)            # outside: never read
        (folder / "data.bin").write_bytes(b"\x01" + b"\x00" * 7 + b"\x30" + b"\x00" * 7)
        (folder / "sub" / "data.bin").write_bytes((folder / "data.bin").read_bytes())
        (folder / "link").symlink_to(folder / "sub")
        (folder / "out").symlink_to(root)
        location = "/".join(parts)
        path = _external_model(folder, location, data=None)
        import onnx
        tensor = onnx.load(str(path), load_external_data=False).graph.initializer[0]
        try:
            data = external_bytes(tensor, str(path))
        except ReaderError:
            return
        assert data == (folder / "data.bin").read_bytes()
