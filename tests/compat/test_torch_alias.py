"""``ember.compat.alias_hook``/``torch_alias`` and ``ember run``: torch and torchvision names bound to ember."""
import os
import subprocess
import sys
import textwrap

import pytest
import torch as real_torch

import ember
from ember.cli import main as cli_main
from ember.compat import alias_hook


@pytest.fixture
def alias():
    alias_hook.install(replace=True)
    yield alias_hook
    alias_hook.uninstall()
    assert sys.modules["torch"] is real_torch


def test_names_map_to_ember(alias):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim
    from torch.utils.data import DataLoader

    assert torch.Tensor is ember.Tensor and nn.Linear is ember.nn.Linear and F.relu is ember.nn.functional.relu
    assert optim.SGD is ember.optim.SGD and DataLoader is ember.utils.data.DataLoader
    assert torch.__version__ == alias.TORCH_VERSION == real_torch.__version__.split("+")[0]
    assert isinstance(torch.ones(2), ember.Tensor)


def test_torchvision_names(alias):
    import torchvision
    import torchvision.models as models
    from torchvision import datasets, transforms
    from torchvision.utils import make_grid, save_image

    assert transforms.ToTensor is ember.vision.transforms.ToTensor
    assert datasets.FashionMNIST is ember.vision.datasets.FashionMNIST
    assert models.resnet18 is ember.models.resnet18
    assert make_grid is ember.vision.utils.make_grid and save_image is ember.vision.utils.save_image
    assert torchvision.ops.nms is ember.vision.ops.nms


def test_cuda_amp_and_backends(alias):
    import torch
    from torch.cuda import amp

    assert amp.GradScaler is ember.cuda.amp.GradScaler
    old = ember.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True        # a write reaches ember's flag
    try:
        assert ember.backends.cudnn.benchmark is True
    finally:
        ember.backends.cudnn.benchmark = old
    assert not isinstance(ember.__dict__.get("nn"), alias_hook.AliasModule)   # ember itself is not rebound


def test_prints_as_torch():
    # torch's own lazy imports would see the alias: take its reprs before installing it
    want = [repr(real_torch.float32), repr(real_torch.ones(2, 3).shape), repr(real_torch.ones(2, dtype=real_torch.float64))]
    alias_hook.install(replace=True)
    try:
        import torch

        got = [repr(torch.float32), repr(torch.ones(2, 3).shape), repr(torch.ones(2, dtype=torch.float64))]
    finally:
        alias_hook.uninstall()
    assert got == want


def test_prefix_restored_after_uninstall():
    alias_hook.install(replace=True)
    alias_hook.uninstall()
    assert repr(ember.float32) == "ember.float32"


def test_missing_part_names_itself(alias):
    with pytest.raises(ModuleNotFoundError, match=r"torch\.utils\.tensorboard is not in ember yet"):
        import torch.utils.tensorboard  # noqa: F401
    import torch

    with pytest.raises(AttributeError, match="module 'torch' has no attribute 'no_such_name'"):
        torch.no_such_name  # noqa: B018


def test_refuses_when_real_torch_is_imported():
    with pytest.raises(ImportError, match="real torch is already imported"):
        alias_hook.install()
    assert not alias_hook.is_installed()


def test_target_names():
    assert alias_hook.target_name("torch") == "ember"
    assert alias_hook.target_name("torch.utils.data") == "ember.utils.data"
    assert alias_hook.target_name("torchvision.transforms.v2") == "ember.vision.transforms.v2"
    assert alias_hook.target_name("torchvision.models.resnet") == "ember.models.resnet"


SCRIPT = textwrap.dedent("""
    import sys
    import torch
    import torch.nn as nn
    print("name", __name__, "argv", sys.argv[1:])
    torch.manual_seed(0)
    print(nn.Linear(3, 2)(torch.ones(4, 3)).shape)
    if len(sys.argv) > 2:
        sys.exit(int(sys.argv[2]))
""")


def test_ember_run_in_process(tmp_path, capsys, monkeypatch):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    monkeypatch.delitem(sys.modules, "torch")       # the CLI refuses a process that already has the real torch
    for k in [k for k in sys.modules if k.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, k)
    assert cli_main(["run", str(script), "--x", "7"]) == 7
    out = capsys.readouterr().out
    assert "name __main__ argv ['--x', '7']" in out and "torch.Size([4, 2])" in out
    assert "torch" not in sys.modules and not alias_hook.is_installed()


def test_ember_run_errors(tmp_path, capsys, monkeypatch):
    assert cli_main(["run"]) == 2
    assert cli_main(["run", str(tmp_path / "nope.py")]) == 2
    err = capsys.readouterr().err
    assert "a script is required" in err and "can't open file" in err
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nimport torch.utils.tensorboard\n")
    for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, k)
    assert cli_main(["run", str(bad)]) == 1
    assert "torch.utils.tensorboard is not in ember yet" in capsys.readouterr().err


def test_python_m_ember_run_subprocess(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-m", "ember", "run", str(script), "a"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "argv ['a']" in p.stdout and "torch.Size([4, 2])" in p.stdout


def test_nn_modules_file_split_falls_back_to_nn(alias):
    # pytorch/examples word_language_model: torch.nn.modules.activation.MultiheadAttention
    import torch.nn.modules.activation as activation

    assert activation.MultiheadAttention is ember.nn.MultiheadAttention
    assert activation.ReLU is ember.nn.ReLU


def test_ember_run_module(tmp_path, capsys, monkeypatch):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "train.py").write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, k)
    assert cli_main(["run", "-m", "mypkg.train", "--help-is-its-own", "0"]) == 0
    assert "argv ['--help-is-its-own', '0']" in capsys.readouterr().out
    assert cli_main(["run", "-m"]) == 2
