"""DataLoader throughput (samples/s): decode + augment 28x28 uint8 images, 0 vs 2 worker processes.

Each sample does deliberate CPU work: uint8 -> float, a 2-pixel-padded random 28x28 crop, a random
horizontal flip, a 3x3 box blur and normalisation. Prints the median of several epochs.

    python benchmarks/bench_dataloader.py [--samples 4096] [--batch-size 64] [--epochs 5]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from ember.utils.data import DataLoader, Dataset


class AugmentedImages(Dataset):
    def __init__(self, n: int) -> None:
        self.images = np.random.default_rng(0).integers(0, 256, (n, 28, 28), dtype=np.uint8)
        self.labels = np.arange(n) % 10

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        rng = np.random.default_rng(i)
        x = self.images[i].astype(np.float32) / 255.0
        x = np.pad(x, 2, mode="reflect")
        r, c = rng.integers(0, 5, 2)
        x = x[r:r + 28, c:c + 28]
        if rng.random() < 0.5:
            x = x[:, ::-1]
        blurred = sum(np.roll(np.roll(x, dr, 0), dc, 1) for dr in (-1, 0, 1) for dc in (-1, 0, 1)) / 9.0
        x = (blurred - 0.1307) / 0.3081
        return x[None].astype(np.float32), int(self.labels[i])


def throughput(num_workers: int, samples: int, batch_size: int, epochs: int) -> list[float]:
    loader = DataLoader(AugmentedImages(samples), batch_size=batch_size, shuffle=True,
                        num_workers=num_workers, persistent_workers=num_workers > 0)
    rates = []
    for _ in range(epochs + 1):  # the first epoch warms up (and starts the workers)
        t0 = time.perf_counter()
        n = sum(len(y) for _, y in loader)
        rates.append(n / (time.perf_counter() - t0))
    return rates[1:]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=4096)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=5)
    args = p.parse_args()
    for workers in (0, 2):
        rates = throughput(workers, args.samples, args.batch_size, args.epochs)
        print(f"num_workers={workers}: median {statistics.median(rates):,.0f} samples/s "
              f"(min {min(rates):,.0f}, max {max(rates):,.0f}, {args.epochs} epochs of {args.samples})")


if __name__ == "__main__":
    main()
