"""A BiLSTM-CRF tagger trained for a few steps on a tiny synthetic tagging task (loss goes down).

Task: tokens 0..19; a token's tag is its parity (0/1), except that the token right after a 0 is
tagged 2 ("follows zero"), so tags depend on the context and the transitions matter. Sentences
have variable lengths (packed sequences and the CRF mask).

    python examples/bilstm_crf.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ember  # noqa: E402
from ember import nn  # noqa: E402
from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

VOCAB, TAGS, EMB, HID = 20, 3, 16, 24


def make_batch(rng, n=32, max_len=10):
    lengths = rng.integers(3, max_len + 1, n)
    T = int(lengths.max())
    tokens = np.zeros((T, n), np.int64)
    tags = np.zeros((T, n), np.int64)
    mask = np.zeros((T, n), bool)
    for j, L in enumerate(lengths):
        seq = rng.integers(0, VOCAB, L)
        tokens[:L, j] = seq
        tags[:L, j] = seq % 2
        tags[1:L, j][seq[:-1] == 0] = 2
        mask[:L, j] = True
    return ember.tensor(tokens), ember.tensor(tags), ember.tensor(mask), lengths.tolist()


class BiLSTMCRF(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMB)
        self.lstm = nn.LSTM(EMB, HID, bidirectional=True)
        self.proj = nn.Linear(2 * HID, TAGS)
        self.crf = nn.CRF(TAGS)

    def emissions(self, tokens, lengths):
        packed = pack_padded_sequence(self.embed(tokens), lengths, enforce_sorted=False)
        out, _ = self.lstm(packed)
        padded, _ = pad_packed_sequence(out, total_length=tokens.shape[0])
        return self.proj(padded)

    def forward(self, tokens, tags, mask, lengths):
        return self.crf(self.emissions(tokens, lengths), tags, mask, reduction="mean")


def main(steps: int = 60) -> None:
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    model = BiLSTMCRF()
    opt = ember.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for step in range(steps):
        tokens, tags, mask, lengths = make_batch(rng)
        loss = model(tokens, tags, mask, lengths)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 10 == 0 or step == steps - 1:
            print(f"step {step:3d}  nll {loss.item():.4f}")
    tokens, tags, mask, lengths = make_batch(rng, n=64)
    with ember.no_grad():
        paths = model.crf.decode(model.emissions(tokens, lengths), mask)
    gold = tags.numpy()
    correct = sum(int(p == g) for j, path in enumerate(paths) for p, g in zip(path, gold[:len(path), j]))
    print(f"held-out tag accuracy {correct / sum(lengths):.3f}")
    if not np.mean(losses[-5:]) < np.mean(losses[:5]):
        raise SystemExit("loss did not go down")


if __name__ == "__main__":
    main()
