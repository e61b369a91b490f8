"""Sequence-model training steps, ember vs torch in one process at one thread: medians and ratios.

    python benchmarks/bench_seq.py [--reps 15]

* char-LSTM LM: vocab 28 one-hot, hidden 256, T=35, batch 32, LSTM -> Linear -> cross-entropy, Adam.
* Transformer encoder: 2 layers, d_model 128, 4 heads, FF 512, T=64, batch 32, batch_first, MSE-like
  loss (mean of squares), Adam.
Weights are copied from torch into ember so both run the same numbers; ember and torch repetitions
are interleaved. Targets (PERFORMANCE.md): LSTM <= 1.2, Transformer <= 1.3.
"""
import os

for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_k] = "1"  # before NumPy and torch are imported
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import argparse  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ember  # noqa: E402

torch.set_num_threads(1)


def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _optimizer(m, params):
    return m.optim.Adam(params, lr=1e-3)


def lstm_steps():
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 28, (35, 32))
    x = np.eye(28, dtype=np.float32)[idx]
    y = rng.integers(0, 28, 35 * 32).astype(np.int64)
    t_lstm, t_fc = torch.nn.LSTM(28, 256), torch.nn.Linear(256, 28)
    e_lstm, e_fc = ember.nn.LSTM(28, 256), ember.nn.Linear(256, 28)
    _copy(t_lstm, e_lstm)
    _copy(t_fc, e_fc)
    steps = {}
    for name, m, lstm, fc in (("torch", torch, t_lstm, t_fc), ("ember", ember, e_lstm, e_fc)):
        opt = _optimizer(m, list(lstm.parameters()) + list(fc.parameters()))
        xt, yt = m.from_numpy(x), m.from_numpy(y)

        def step(m=m, lstm=lstm, fc=fc, opt=opt, xt=xt, yt=yt):
            out, _ = lstm(xt)
            loss = m.nn.functional.cross_entropy(fc(out.reshape(-1, 256)), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        steps[name] = step
    return steps


def transformer_steps():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 64, 128)).astype(np.float32)
    t_layer = torch.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    t_net = torch.nn.TransformerEncoder(t_layer, 2, enable_nested_tensor=False)
    e_layer = ember.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    e_net = ember.nn.TransformerEncoder(e_layer, 2)
    _copy(t_net, e_net)
    steps = {}
    for name, m, net in (("torch", torch, t_net), ("ember", ember, e_net)):
        opt = _optimizer(m, net.parameters())
        xt = m.from_numpy(x)

        def step(net=net, opt=opt, xt=xt):
            loss = net(xt).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        steps[name] = step
    return steps


def measure(steps: dict, reps: int) -> dict:
    first = {k: s() for k, s in steps.items()}
    times = {k: [] for k in steps}
    gc.collect()
    for _ in range(reps):
        for k in ("ember", "torch"):
            t0 = time.perf_counter()
            steps[k]()
            times[k].append(time.perf_counter() - t0)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {"ember_ms": med["ember"] * 1e3, "torch_ms": med["torch"] * 1e3, "ratio": med["ember"] / med["torch"],
            "first_loss": first}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    for name, make, target in (("char-LSTM H256 T35 B32 Adam", lstm_steps, 1.2),
                               ("Transformer enc 2x d128 h4 T64 B32 Adam", transformer_steps, 1.3)):
        r = measure(make(), args.reps)
        print(f"{name:42s} ember {r['ember_ms']:8.2f} ms  torch {r['torch_ms']:8.2f} ms  ratio {r['ratio']:.2f} "
              f"(target <= {target})  first losses {r['first_loss']['ember']:.5f} / {r['first_loss']['torch']:.5f}")


if __name__ == "__main__":
    main()
