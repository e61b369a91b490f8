"""Post-training static quantization of the Fashion-MNIST LeNet-BN: accuracy, state_dict size and inference
time, float32 vs int8 (``fuse_modules`` conv-bn and linear-bn, ``prepare``, calibration, ``convert``).

    nice -n 10 python -m benchmarks.bench_static_quant /tmp/q_lenet_bn/checkpoint.pt
"""
from __future__ import annotations

import io
import sys
import time

import numpy as np


def _accuracy(model, x, y, batch=256):
    import ember

    right = 0
    with ember.no_grad():
        for i in range(0, len(x), batch):
            right += int((model(ember.tensor(x[i:i + batch])).numpy().argmax(1) == y[i:i + batch]).sum())
    return right / len(x)


def _bytes(model) -> int:
    import ember

    buf = io.BytesIO()
    ember.save(model.state_dict(), buf)
    return len(buf.getvalue())


def _time(model, x, reps=20) -> float:
    import ember

    with ember.no_grad():
        model(ember.tensor(x))
        best = []
        for _ in range(reps):
            t = time.perf_counter()
            model(ember.tensor(x))
            best.append(time.perf_counter() - t)
    return float(np.median(best))


def main(path: str, calib_n: int = 1024) -> dict:
    import ember
    from ember.ao import quantization as tq
    from ember.cli._common import build_model, load_split, to_input

    model, size = build_model("lenet_bn")
    model.load_state_dict(ember.load(path)["model"])
    model.eval()
    train_x, _, _ = load_split(None, True, True)
    test_x, test_y, _ = load_split(None, False, True)
    calib, xt = to_input(train_x[:calib_n], size), to_input(test_x, size)
    wrapped = tq.QuantWrapper(model).eval()
    wrapped.qconfig = tq.get_default_qconfig("x86")
    fused = tq.fuse_modules(wrapped, [["module.net.0", "module.net.1"], ["module.net.4", "module.net.5"],
                                      ["module.net.9", "module.net.10"], ["module.net.12", "module.net.13"]])
    prepared = tq.prepare(fused)
    with ember.no_grad():
        for i in range(0, len(calib), 256):
            prepared(ember.tensor(calib[i:i + 256]))
    qmodel = tq.convert(prepared)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        t_float, t_int8 = _time(model, xt[:256]), _time(qmodel, xt[:256])
    res = dict(float_acc=_accuracy(model, xt, test_y), int8_acc=_accuracy(qmodel, xt, test_y),
               float_bytes=_bytes(model), int8_bytes=_bytes(qmodel), float_ms=t_float * 1e3, int8_ms=t_int8 * 1e3,
               n_test=len(xt))
    for k, v in res.items():
        print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
    return res


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/q_lenet_bn/checkpoint.pt")
