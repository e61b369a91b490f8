"""Hostile pickles are refused before they run; broken files give clear errors; saves are atomic."""
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import add_safe_globals, clear_safe_globals, safe_globals

torch = pytest.importorskip("torch")


def zip_with_pickle(payload: bytes) -> io.BytesIO:
    """A torch-layout zip whose data.pkl is ``payload``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/byteorder", "little")
        zf.writestr("archive/version", "3\n")
    buf.seek(0)
    return buf


def hostile(marker):
    cmd = f"touch {marker}"

    class System:
        def __reduce__(self):
            return (os.system, (cmd,))

    class Eval:
        def __reduce__(self):
            return (eval, (f"open({str(marker)!r}, 'w')",))

    class Exec:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w')",))

    class Popen:
        def __reduce__(self):
            return (subprocess.Popen, (["touch", str(marker)],))

    unknown = b"\x80\x02cnot_a_module_xyz\nrun\nq\x00X\x01\x00\x00\x00aq\x01\x85q\x02Rq\x03."
    return [(pickle.dumps({"w": System()}, protocol=2), "posix.system"),
            (pickle.dumps([Eval()], protocol=2), "builtins.eval"),
            (pickle.dumps(Exec(), protocol=4), "builtins.exec"),
            (pickle.dumps(Popen(), protocol=2), "subprocess.Popen"),
            (unknown, "not_a_module_xyz.run")]


def test_hostile_pickles_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    for payload, name in hostile(marker):
        with pytest.raises(pickle.UnpicklingError, match=f"Unsupported global: GLOBAL {name}"):
            ember.load(zip_with_pickle(payload))
        legacy = io.BytesIO(b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {}))
                            + payload)
        with pytest.raises(pickle.UnpicklingError, match=f"Unsupported global: GLOBAL {name}"):
            ember.load(legacy)
    assert not marker.exists()


def test_torch_saved_hostile_file_is_refused(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    torch.save({"w": torch.ones(2), "evil": Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL posix.system"):
        ember.load(path)
    assert not marker.exists()


class Point:
    def __init__(self, x):
        self.x = x


def test_add_safe_globals_and_weights_only_false(tmp_path):
    payload = pickle.dumps({"p": Point(3)}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL tests.serialization.test_safety.Point"):
        ember.load(zip_with_pickle(payload))
    with safe_globals([Point]):
        assert ember.load(zip_with_pickle(payload))["p"].x == 3
    with pytest.raises(pickle.UnpicklingError):
        ember.load(zip_with_pickle(payload))
    add_safe_globals([Point])
    try:
        assert ember.load(zip_with_pickle(payload))["p"].x == 3
    finally:
        clear_safe_globals()
    assert ember.load(zip_with_pickle(payload), weights_only=False)["p"].x == 3


def test_build_on_non_container_is_refused():
    # BUILD with slot state on an allowed global (a dtype) would corrupt ember's dtype objects
    payload = b"\x80\x02ctorch\nfloat32\nq\x00N}q\x01X\x02\x00\x00\x00npq\x02K\x01s\x86q\x03b."
    with pytest.raises(pickle.UnpicklingError, match="BUILD"):
        ember.load(zip_with_pickle(payload))
    assert ember.float32.np == np.float32


def saved_bytes():
    buf = io.BytesIO()
    torch.save({"w": torch.arange(1000.0), "b": torch.ones(3)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_truncated_files_raise_clearly(cut):
    data = saved_bytes()
    with pytest.raises((RuntimeError, pickle.UnpicklingError)):
        ember.load(io.BytesIO(data[: int(len(data) * cut)]))


def test_corrupted_files_raise_clearly():
    data = bytearray(saved_bytes())
    storage_at = data.find(np.arange(1000.0, dtype=np.float32)[10:12].tobytes())
    data[storage_at] ^= 0xFF  # flip a byte inside a tensor record: the CRC check catches it
    with pytest.raises(RuntimeError, match="corrupt"):
        ember.load(io.BytesIO(bytes(data)))
    with pytest.raises(RuntimeError):
        ember.load(io.BytesIO(b""))
    with pytest.raises(RuntimeError):
        ember.load(io.BytesIO(b"hello, not a checkpoint"))
    rng = np.random.default_rng(0)
    clean = saved_bytes()
    for _ in range(20):  # random byte flips: always a clean Python exception, never a crash or hang
        d = bytearray(clean)
        for pos in rng.integers(0, len(d), 3):
            d[pos] = int(rng.integers(0, 256))
        try:
            ember.load(io.BytesIO(bytes(d)))
        except (RuntimeError, pickle.UnpicklingError, TypeError, ValueError):
            pass


WRITER = textwrap.dedent("""
    import sys, time
    import ember

    class Slow:
        def __reduce__(self):
            print("STARTED", flush=True)
            time.sleep(60)
            return (dict, ())

    ember.save({"w": ember.zeros(100000), "slow": Slow()}, sys.argv[1])
""")


def test_atomic_save_survives_a_killed_writer(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        assert proc.stdout.readline().strip() == b"STARTED"
        tmp_files = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
        assert tmp_files, "the writer should be writing to a temp file beside the target"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert path.read_bytes() == before
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_failed_save_leaves_no_temp_file(tmp_path):
    path = tmp_path / "x.pt"

    class Bad:
        def __reduce__(self):
            raise ValueError("cannot pickle")

    with pytest.raises(ValueError):
        ember.save({"b": Bad()}, path)
    assert os.listdir(tmp_path) == []
