"""Character-level language models of d2l: ``RNNScratch`` (the recurrence written out), ``RNNLMScratch``
(one-hot inputs, an output layer per step) and ``RNNLM`` (any ``ember.nn`` recurrent layer + Linear)."""
from __future__ import annotations

import ember
from ember import nn
from ember.tensor import Tensor
from ember.nn import functional as F

__all__ = ["RNNScratch", "RNNLMScratch", "RNNLM"]


class RNNScratch(nn.Module):
    """A tanh RNN written step by step: H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h).

    Parameters ``W_xh`` (num_inputs, h), ``W_hh`` (h, h) ~ N(0, sigma^2), ``b_h`` (h,) zeros.
    Shape: inputs (T, N, num_inputs), state None or (N, h). Returns (list of T outputs (N, h), state (N, h)).

    >>> import ember
    >>> outputs, state = RNNScratch(5, 8)(ember.ones(3, 2, 5))
    >>> len(outputs), state.shape
    (3, ember.Size([2, 8]))
    """

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.num_inputs, self.num_hiddens, self.sigma = num_inputs, num_hiddens, sigma
        self.W_xh = nn.Parameter(ember.randn(num_inputs, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(ember.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(ember.zeros(num_hiddens))

    def forward(self, inputs: Tensor, state: Tensor | None = None) -> tuple:
        if state is None:
            state = ember.zeros((inputs.shape[1], self.num_hiddens), dtype=inputs.dtype)
        elif isinstance(state, (tuple, list)):
            (state,) = state
        outputs = []
        for X in inputs:
            state = ember.tanh(ember.matmul(X, self.W_xh) + ember.matmul(state, self.W_hh) + self.b_h)
            outputs.append(state)
        return outputs, state


def _num_hiddens(rnn: nn.Module) -> int:
    if hasattr(rnn, "num_hiddens"):
        return rnn.num_hiddens
    return rnn.hidden_size * (2 if getattr(rnn, "bidirectional", False) else 1)


class RNNLMScratch(nn.Module):
    """A language model over ``vocab_size`` tokens: one-hot inputs into ``rnn``, then per step
    O_t = H_t W_hq + b_q. Parameters ``W_hq`` (h, V) ~ N(0, sigma^2), ``b_q`` (V,) zeros.

    Shape: X (N, T) token ids, state as the ``rnn`` takes it. Output logits (N, T, V).

    >>> import ember
    >>> lm = RNNLMScratch(RNNScratch(28, 16), 28)
    >>> lm(ember.zeros(2, 5, dtype=ember.long)).shape
    ember.Size([2, 5, 28])
    """

    def __init__(self, rnn: nn.Module, vocab_size: int) -> None:
        super().__init__()
        self.rnn, self.vocab_size = rnn, vocab_size
        self.init_params()

    def init_params(self) -> None:
        sigma = getattr(self.rnn, "sigma", 0.01)
        self.W_hq = nn.Parameter(ember.randn(_num_hiddens(self.rnn), self.vocab_size) * sigma)
        self.b_q = nn.Parameter(ember.zeros(self.vocab_size))

    def one_hot(self, X: Tensor) -> Tensor:
        """(N, T) ids -> (T, N, V) float one-hot vectors."""
        return F.one_hot(X.t().long(), self.vocab_size).float()

    def output_layer(self, rnn_outputs) -> Tensor:
        return ember.stack([ember.matmul(H, self.W_hq) + self.b_q for H in rnn_outputs], 1)

    def forward(self, X: Tensor, state=None) -> Tensor:
        rnn_outputs, _ = self.rnn(self.one_hot(X), state)
        return self.output_layer(rnn_outputs)

    def forward_with_state(self, X: Tensor, state=None) -> tuple:
        """(logits (N, T, V), the final recurrent state), for truncated backpropagation through time."""
        rnn_outputs, state = self.rnn(self.one_hot(X), state)
        return self.output_layer(rnn_outputs), state

    def predict(self, prefix: str, num_preds: int, vocab, device=None) -> str:
        """``prefix`` then ``num_preds`` greedily predicted tokens (the prefix warms the state up).
        ``vocab`` maps a token to its id (``vocab[token]``) and has ``idx_to_token``."""
        if not prefix:
            raise ValueError("predict: prefix must hold at least one token")
        was_training = self.training
        self.eval()
        state, outputs = None, [vocab[prefix[0]]]
        with ember.no_grad():
            for i in range(len(prefix) + num_preds - 1):
                X = ember.tensor([[outputs[-1]]])
                rnn_outputs, state = self.rnn(self.one_hot(X), state)
                if i < len(prefix) - 1:
                    outputs.append(vocab[prefix[i + 1]])
                else:
                    Y = self.output_layer(rnn_outputs)
                    outputs.append(int(Y.argmax(dim=2).reshape(1)))
        self.train(was_training)
        return "".join(vocab.idx_to_token[i] for i in outputs)


class RNNLM(RNNLMScratch):
    """``RNNLMScratch`` with a library recurrent layer (``nn.RNN``/``nn.GRU``/``nn.LSTM``, time-major) and
    an ``nn.Linear(h, V)`` output layer named ``linear``. Output logits (N, T, V).

    >>> import ember
    >>> lm = RNNLM(ember.nn.LSTM(28, 32), 28)
    >>> lm(ember.zeros(2, 5, dtype=ember.long)).shape
    ember.Size([2, 5, 28])
    """

    def init_params(self) -> None:
        self.linear = nn.Linear(_num_hiddens(self.rnn), self.vocab_size)

    def output_layer(self, hiddens: Tensor) -> Tensor:
        return self.linear(hiddens).swapaxes(0, 1)
