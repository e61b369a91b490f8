"""ember.onnx.export of the recurrent layers (ONNX's LSTM/GRU/RNN), MultiheadAttention and the Transformer
layers: ONNX Runtime gives ember's outputs at two batch sizes; unsupported ops raise a clear error."""
import io

import numpy as np
import pytest

import ember
from ember import nn

pytest.importorskip("onnx", reason="the onnx extra is not installed")
from test_export_models import export_and_run  # noqa: E402


class WithState(nn.Module):
    """Passes explicit initial states to the wrapped recurrent layer."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x, h, c=None):
        return self.rnn(x, (h, c) if c is not None else h)


@pytest.mark.parametrize("make_layer,batch_first", [
    (lambda: nn.LSTM(4, 5, num_layers=2, batch_first=True), True),
    (lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True), False),
    (lambda: nn.RNN(4, 5, nonlinearity="relu", bias=False), False),
    (lambda: nn.RNN(4, 5, bidirectional=True), False),
])
def test_recurrent(make_layer, batch_first):
    ember.manual_seed(0)
    layer = make_layer()
    ax = 0 if batch_first else 1
    n_out = 3 if isinstance(layer, nn.LSTM) else 2
    outs = ["out", "h_n", "c_n"][:n_out]
    dyn = {"x": {ax: "batch"}, "out": {ax: "batch"}, "h_n": {1: "batch"}, "c_n": {1: "batch"}}
    shape = (lambda b: (b, 3, 4)) if batch_first else (lambda b: (3, b, 4))
    export_and_run(layer, None, ["x"], outs, dyn, make=lambda b: ember.randn(*shape(b)))


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_recurrent_with_initial_state(mode):
    ember.manual_seed(1)
    layer = WithState(getattr(nn, mode)(4, 6, bidirectional=True))
    names = ["x", "h", "c"] if mode == "LSTM" else ["x", "h"]

    def make(b):
        xs = (ember.randn(5, b, 4), ember.randn(2, b, 6), ember.randn(2, b, 6))
        return xs[:len(names)]
    dyn = {n: {1: "batch"} for n in names}
    export_and_run(layer, None, names, ["out", "h_n", "c_n"][:len(names)], dyn, make=make)


def test_multihead_attention():
    ember.manual_seed(2)
    mha = nn.MultiheadAttention(8, 2)

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, q, kv):
            return self.mha(q, kv, kv)

    export_and_run(SelfAttention(), None, ["q", "kv"], ["y", "w"],
                   {"q": {1: "batch"}, "kv": {1: "batch"}, "y": {1: "batch"}, "w": {0: "batch"}},
                   make=lambda b: (ember.randn(3, b, 8), ember.randn(4, b, 8)))


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_encoder_layer(activation):
    ember.manual_seed(3)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, activation=activation, batch_first=True)
    export_and_run(layer, None, ["x"], ["y"], {"x": {0: "batch"}, "y": {0: "batch"}},
                   make=lambda b: ember.randn(b, 5, 8))


def test_transformer_encoder_and_decoder_layer():
    ember.manual_seed(4)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=True), 2)
    dec = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.dec = enc, dec

        def forward(self, src, tgt):
            return self.dec(tgt, self.enc(src))

    export_and_run(Seq2Seq(), None, ["src", "tgt"], ["y"],
                   {"src": {1: "batch"}, "tgt": {1: "batch"}, "y": {1: "batch"}},
                   make=lambda b: (ember.randn(4, b, 8), ember.randn(3, b, 8)))


def test_embedding_and_slicing():
    ember.manual_seed(5)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.fc = nn.Linear(4, 3)

        def forward(self, ids):
            e = self.emb(ids)
            return ember.cat([self.fc(e[:, 0]), self.fc(e[:, -1]).tanh()], 1).softmax(-1)

    export_and_run(Net(), None, ["ids"], ["y"], {"ids": {0: "batch"}, "y": {0: "batch"}},
                   make=lambda b: ember.randint(0, 10, (b, 4)))


def test_unsupported_op_names_op_and_opset():
    class Odd(nn.Module):
        def forward(self, x):
            return ember.logcumsumexp(x, 0)

    with pytest.raises(ember.onnx.UnsupportedOperatorError, match=r"AmaxAmin.*opset version 17"):
        ember.onnx.export(Odd(), ember.randn(3), io.BytesIO())


def test_export_writes_a_file_and_restores_training_mode(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.ReLU())
    model.train()
    path = tmp_path / "m.onnx"
    ember.onnx.export(model, ember.randn(2, 3), str(path))
    assert path.stat().st_size > 0 and model.training
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = ember.randn(2, 3)
    model.eval()
    with ember.no_grad():
        np.testing.assert_allclose(sess.run(None, {"input": x.numpy()})[0], model(x).numpy(), atol=1e-5)


@pytest.mark.parametrize("make,shape", [
    (lambda: nn.GroupNorm(2, 4), (4, 5, 5)),
    (lambda: nn.InstanceNorm2d(4, affine=True), (4, 5, 5)),
    (lambda: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), (4, 5, 5)),
    (lambda: nn.AdaptiveMaxPool2d((2, 3)), (4, 4, 6)),
    (lambda: nn.Sequential(nn.Conv2d(4, 6, 3, groups=2, dilation=2, padding=2), nn.Hardswish(),
                           nn.AdaptiveAvgPool2d((2, 3)), nn.Flatten(), nn.SiLU()), (4, 5, 7)),
])
def test_other_layers(make, shape):
    ember.manual_seed(6)
    export_and_run(make(), None, ["x"], ["y"], {"x": {0: "batch"}, "y": {0: "batch"}},
                   make=lambda b: ember.randn(b, *shape))


class Packed(nn.Module):
    """pack_padded_sequence -> a recurrent layer -> pad_packed_sequence (ONNX: sequence_lens)."""

    def __init__(self, mode, batch_first, total_length):
        super().__init__()
        self.rnn = getattr(nn, mode)(4, 5, num_layers=2, bidirectional=True, batch_first=batch_first)
        self.batch_first, self.total_length = batch_first, total_length

    def forward(self, x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=self.batch_first, enforce_sorted=False)
        out, h = self.rnn(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=self.batch_first, total_length=self.total_length)
        return y, (h[0] if isinstance(h, tuple) else h)


@pytest.mark.parametrize("mode,batch_first,total_length", [("LSTM", True, None), ("GRU", False, None),
                                                          ("LSTM", False, 6), ("GRU", True, 6)])
def test_packed_sequence_through_recurrent_layers(mode, batch_first, total_length):
    ember.manual_seed(0)
    model = Packed(mode, batch_first, total_length)

    def make(b):  # the longest sequence (5) is shorter than the padded length (6)
        rng = np.random.default_rng(b)
        lengths = rng.integers(1, 6, b)
        lengths[-1] = 5
        x = rng.standard_normal((b, 6, 4) if batch_first else (6, b, 4)).astype(np.float32)
        return ember.tensor(x), ember.tensor(lengths)

    ax = 0 if batch_first else 1
    export_and_run(model, None, ["x", "lengths"], ["y", "h"],
                   {"x": {ax: "batch"}, "lengths": {0: "batch"}, "y": {ax: "batch"}, "h": {1: "batch"}}, make=make)
