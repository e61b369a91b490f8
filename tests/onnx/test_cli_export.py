"""``ember export CKPT --onnx PATH``: the ONNX file runs in ONNX Runtime and gives the checkpoint's logits."""
import numpy as np
import pytest

import ember
from ember import cli

ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from ember.cli._common import build_model

    model, size = build_model("lenet_bn")
    path = tmp_path_factory.mktemp("ckpt") / "checkpoint.pt"
    ember.save({"model": model.state_dict(), "args": {"model": "lenet_bn", "task": "classify"}, "epoch": 1}, str(path))
    return path, model, size


def test_export_command_writes_a_runnable_model(checkpoint, tmp_path, capsys):
    path, model, size = checkpoint
    out = tmp_path / "model.onnx"
    assert cli.main(["export", str(path), "--onnx", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = ember.randn(3, 1, size, size)
    with ember.no_grad():
        ref = model.eval()(x).numpy()
    np.testing.assert_allclose(sess.run(["logits"], {"image": x.numpy()})[0], ref, atol=1e-4)


def test_export_command_errors(checkpoint, tmp_path, capsys):
    path, _, _ = checkpoint
    assert cli.main(["export", str(tmp_path / "missing.pt"), "--onnx", str(tmp_path / "m.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["export", str(path), "--onnx", str(tmp_path / "m.onnx"), "--opset", "11"]) == 2
    assert "--opset 11" in capsys.readouterr().err
