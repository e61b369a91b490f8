"""Drive karpathy/minGPT unchanged: a tiny GPT learns to sort digit sequences with minGPT's own ``Trainer``.

    python tests/thirdparty/runner.py {torch|ember} tests/thirdparty/mingpt_sort.py MINGPT_ROOT

``MINGPT_ROOT`` is the folder that holds the ``mingpt`` package (``thirdparty/minGPT``). The task is the one of
minGPT's own demo: ``LENGTH`` digits in ``[0, VOCAB)``, then the same digits sorted; the model sees the
concatenation shifted by one and is scored (``ignore_index=-1``, as minGPT's loss) on the sorted half only. The
sequences come from a fixed NumPy seed, so both frameworks see the same data; the sampler, the initial weights and
dropout draw from each framework's own generator. Prints ``RESULT name value`` lines for the test to compare.
"""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])

import torch  # noqa: E402  (torch, or ember bound as torch by the runner)
from mingpt.model import GPT  # noqa: E402
from mingpt.trainer import Trainer  # noqa: E402
from mingpt.utils import set_seed  # noqa: E402

VOCAB, LENGTH, ITERS = 16, 8, 60


class SortDataset(torch.utils.data.Dataset):
    """``n`` generated problems: ``x = seq + sorted(seq)[:-1]``, ``y`` the next tokens, -1 over the prompt."""

    def __init__(self, n: int, seed: int):
        self.seqs = np.random.default_rng(seed).integers(0, VOCAB, (n, LENGTH))

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        cat = np.concatenate([self.seqs[i], np.sort(self.seqs[i])])
        x, y = cat[:-1].copy(), cat[1:].copy()
        y[:LENGTH - 1] = -1
        return torch.tensor(x, dtype=torch.long), torch.tensor(y, dtype=torch.long)


def main():
    set_seed(0)
    config = GPT.get_default_config()
    config.model_type, config.n_layer, config.n_head, config.n_embd = None, 2, 2, 32
    config.vocab_size, config.block_size = VOCAB, 16
    model = GPT(config)

    train = Trainer.get_default_config()
    train.device, train.num_workers, train.max_iters = "cpu", 0, ITERS
    train.batch_size, train.learning_rate = 32, 5e-3
    trainer = Trainer(train, model, SortDataset(2000, seed=0))
    losses = []
    trainer.set_callback("on_batch_end", lambda tr: losses.append(tr.loss.item()))
    trainer.run()

    # the criterion on fixed held-out problems (eval mode: no dropout), and greedy generation on a few
    test = SortDataset(256, seed=1)
    x, y = (torch.stack(t) for t in zip(*(test[i] for i in range(len(test)))))
    model.eval()
    with torch.no_grad():
        _, test_loss = model(x, y)
        out = model.generate(x[:8, :LENGTH], LENGTH, do_sample=False)
    right = (out[:, LENGTH:] == torch.tensor(np.sort(test.seqs[:8], axis=1))).float().mean().item()
    print(f"RESULT iters {trainer.iter_num}")
    print(f"RESULT first_loss {losses[0]:.4f}")
    print(f"RESULT last_loss {float(np.mean(losses[-10:])):.4f}")
    print(f"RESULT test_loss {test_loss.item():.4f}")
    print(f"RESULT generate_shape {tuple(out.shape)}")
    print(f"RESULT generate_dtype {out.dtype}")
    print(f"RESULT sorted_digits {right:.3f}")


if __name__ == "__main__":
    main()
