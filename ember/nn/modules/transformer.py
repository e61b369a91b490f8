"""``Transformer``, ``TransformerEncoder(Layer)``, ``TransformerDecoder(Layer)``, as torch.

Encoder layer (post-norm; ``norm_first=True`` gives pre-norm, x + f(norm(x))):
    x = norm1(x + dropout1(self_attn(x, x, x)))
    x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))
Decoder layer adds ``x = norm2(x + dropout2(multihead_attn(x, memory, memory)))`` between the two
(its feed-forward norm is ``norm3``). Attention is ``nn.MultiheadAttention`` (the fused SDPA kernel).

Parameter names equal torch's (self_attn, multihead_attn, linear1, dropout, linear2, norm1..3,
dropout1..3), so torch state_dicts load. Linear layers keep their default init; ``Transformer``
re-initialises every matrix with xavier-uniform, as torch.

Shape: src (S, N, E), tgt (T, N, E) ((N, S, E) with batch_first; unbatched (S, E)) -> (T, N, E).

>>> import ember
>>> layer = ember.nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
>>> enc = ember.nn.TransformerEncoder(layer, num_layers=2)
>>> enc(ember.randn(2, 5, 16)).shape
ember.Size([2, 5, 16])
"""
from __future__ import annotations

import copy
from typing import Callable

from ...ops.creation import full
from ...ops.shape import triu
from .. import functional as F
from .. import init
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]


def _activation(activation) -> Callable:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None):
    """A float (sz, sz) mask: -inf above the diagonal, 0 elsewhere (position i sees positions <= i)."""
    return triu(full((sz, sz), float("-inf"), dtype=dtype), diagonal=1)


class TransformerEncoderLayer(Module):
    """One Transformer encoder layer (Vaswani et al., 2017): self-attention, then a position-wise
    feed-forward block, each with a residual connection and a LayerNorm. Post-LN (default):

        x = norm1(x + dropout(self_attn(x, x, x)))
        x = norm2(x + dropout(linear2(dropout(activation(linear1(x))))))

    and with ``norm_first=True``: x = x + dropout(self_attn(norm1(x))), x = x + ff(norm2(x)).

    Args:
        d_model: E, the features of each position.
        nhead: heads of each attention (d_model divisible by nhead).
        dim_feedforward: the hidden size of the feed-forward block. Default: 2048.
        dropout: dropout after attention, inside and after the feed-forward block. Default: 0.1.
        activation: ``'relu'``, ``'gelu'`` or a callable, inside the feed-forward block. Default: ``'relu'``.
        layer_norm_eps: eps of the LayerNorms. Default: 1e-5.
        batch_first: if ``True``, tensors are (N, L, E) instead of (L, N, E). Default: ``False``.
        norm_first: if ``True``, LayerNorm is applied before each block (pre-LN) instead of after. Default: ``False``.
        bias: if ``False``, the Linear and LayerNorm layers learn no bias. Default: ``True``.

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``; masks as in ``MultiheadAttention``.

    Shape: src (S, N, E), (N, S, E) with batch_first, or (S, E) unbatched; output the shape of src.

    Attributes: the attentions are ``MultiheadAttention`` (in_proj xavier-uniform, biases zero), ``linear1``
    (E -> dim_feedforward) and ``linear2`` back are ``Linear`` (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), the
    LayerNorms start at weight 1, bias 0. The gradient is that of the composition of these layers.

    Examples::

        >>> import ember
        >>> layer = ember.nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> layer(ember.randn(10, 2, 16)).shape
        ember.Size([10, 2, 16])
        >>> encoder = ember.nn.TransformerEncoder(layer, num_layers=2)
        >>> encoder(ember.randn(10, 2, 16)).shape
        ember.Size([10, 2, 16])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """One Transformer decoder layer (Vaswani et al., 2017): self-attention over the target, attention over
    the encoder's output (``memory``), then a feed-forward block, each with a residual connection and a
    LayerNorm. Post-LN (default):

        x = norm1(x + dropout(self_attn(x, x, x)))
        x = norm2(x + dropout(multihead_attn(x, memory, memory)))
        x = norm3(x + dropout(linear2(dropout(activation(linear1(x))))))

    and with ``norm_first=True`` each block reads norm_k(x) and adds to x.

    Args:
        d_model: E, the features of each position.
        nhead: heads of each attention (d_model divisible by nhead).
        dim_feedforward: the hidden size of the feed-forward block. Default: 2048.
        dropout: dropout after attention, inside and after the feed-forward block. Default: 0.1.
        activation: ``'relu'``, ``'gelu'`` or a callable, inside the feed-forward block. Default: ``'relu'``.
        layer_norm_eps: eps of the LayerNorms. Default: 1e-5.
        batch_first: if ``True``, tensors are (N, L, E) instead of (L, N, E). Default: ``False``.
        norm_first: if ``True``, LayerNorm is applied before each block (pre-LN) instead of after. Default: ``False``.
        bias: if ``False``, the Linear and LayerNorm layers learn no bias. Default: ``True``.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``.

    Shape: tgt (T, N, E), memory (S, N, E) ((N, T, E) and (N, S, E) with batch_first); output the shape of tgt.

    Attributes: the attentions are ``MultiheadAttention`` (in_proj xavier-uniform, biases zero), ``linear1``
    (E -> dim_feedforward) and ``linear2`` back are ``Linear`` (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), the
    LayerNorms start at weight 1, bias 0. The gradient is that of the composition of these layers.

    Examples::

        >>> import ember
        >>> layer = ember.nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
        >>> memory, tgt = ember.randn(2, 10, 16), ember.randn(2, 7, 16)
        >>> causal = ember.nn.Transformer.generate_square_subsequent_mask(7)
        >>> layer(tgt, memory, tgt_mask=causal).shape
        ember.Size([2, 7, 16])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                            dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                 bias=bias, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False, memory_is_causal: bool = False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of N encoder layers: x_0 = src, x_k = layer_k(x_(k-1)), y = norm(x_N) (norm optional).
    The layers are ``num_layers`` deep copies of ``encoder_layer`` (independent parameters, same init values).

    Gradient: that of the composition of the layers.

    Args:
        encoder_layer: a ``TransformerEncoderLayer`` (or any module with its call signature) to copy.
        num_layers: N, the number of layers.
        norm: an optional final layer normalization. Default: ``None``.
        enable_nested_tensor, mask_check: accepted for torch's signature and ignored (no nested tensors).

    Call: ``m(src, mask=None, src_key_padding_mask=None, is_causal=None)``, masks as in ``MultiheadAttention``.

    Shape:
        - src: (S, N, E), (N, S, E) with the layer's batch_first, or (S, E) unbatched.
        - mask: (S, S) or (N * nhead, S, S); src_key_padding_mask: (N, S).
        - Output: the shape of src.

    Attributes:
        layers: a ``ModuleList`` of the copies (``layers.0.self_attn...`` in the state_dict, as torch), each
        initialised as ``TransformerEncoderLayer``; norm: as given.

    Examples::

        >>> import ember
        >>> layer = ember.nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
        >>> encoder = ember.nn.TransformerEncoder(layer, num_layers=2, norm=ember.nn.LayerNorm(16))
        >>> encoder(ember.randn(2, 5, 16)).shape
        ember.Size([2, 5, 16])
        >>> len(encoder.layers)
        2
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool | None = None):
        out = src
        causal = bool(is_causal) and mask is not None
        for mod in self.layers:
            out = mod(out, src_mask=mask, is_causal=causal, src_key_padding_mask=src_key_padding_mask)
        return self.norm(out) if self.norm is not None else out


class TransformerDecoder(Module):
    """A stack of N decoder layers: x_0 = tgt, x_k = layer_k(x_(k-1), memory), y = norm(x_N) (norm optional).
    The layers are ``num_layers`` deep copies of ``decoder_layer`` (independent parameters, same init values).

    Gradient: that of the composition of the layers (into both tgt and memory).

    Args:
        decoder_layer: a ``TransformerDecoderLayer`` (or any module with its call signature) to copy.
        num_layers: N, the number of layers.
        norm: an optional final layer normalization. Default: ``None``.

    Call: ``m(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``.

    Shape:
        - tgt: (T, N, E), (N, T, E) with the layer's batch_first, or (T, E) unbatched.
        - memory: (S, N, E) (batch_first / unbatched likewise), the encoder output.
        - tgt_mask: (T, T); memory_mask: (T, S); tgt_key_padding_mask: (N, T); memory_key_padding_mask: (N, S).
        - Output: the shape of tgt.

    Attributes:
        layers: a ``ModuleList`` of the copies, each initialised as ``TransformerDecoderLayer``; norm: as given.

    Examples::

        >>> import ember
        >>> layer = ember.nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> decoder = ember.nn.TransformerDecoder(layer, num_layers=2)
        >>> memory, tgt = ember.randn(10, 2, 16), ember.randn(7, 2, 16)
        >>> mask = ember.nn.Transformer.generate_square_subsequent_mask(7)
        >>> decoder(tgt, memory, tgt_mask=mask).shape
        ember.Size([7, 2, 16])
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        out = tgt
        causal = bool(tgt_is_causal) and tgt_mask is not None
        for mod in self.layers:
            out = mod(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=causal, memory_is_causal=memory_is_causal)
        return self.norm(out) if self.norm is not None else out


class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al., 2017, "Attention Is All You Need"), with torch's
    defaults and parameter names: memory = encoder(src), y = decoder(tgt, memory), where the encoder is
    ``num_encoder_layers`` ``TransformerEncoderLayer`` and the decoder ``num_decoder_layers``
    ``TransformerDecoderLayer``, each stack followed by a LayerNorm. There is no embedding or output
    projection: inputs and output are d_model features per position.

    Gradient: that of the composition of the layers.

    Args:
        d_model: E, the features of each position. Default: 512.
        nhead: the heads of each attention. Default: 8.
        num_encoder_layers: Default: 6. num_decoder_layers: Default: 6.
        dim_feedforward: the hidden size of the feed-forward blocks. Default: 2048.
        dropout: Default: 0.1. activation: ``'relu'``, ``'gelu'`` or a callable. Default: ``'relu'``.
        custom_encoder, custom_decoder: modules used instead of the default stacks. Default: ``None``.
        layer_norm_eps: Default: 1e-5. batch_first: (N, L, E) instead of (L, N, E). Default: ``False``.
        norm_first: pre-LN layers. Default: ``False``. bias: biases in Linear and LayerNorm. Default: ``True``.

    Call: ``m(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)``; ``Transformer.generate_square_subsequent_mask(T)`` builds a causal tgt_mask.

    Shape:
        - src: (S, N, E), (N, S, E) with batch_first, or (S, E) unbatched.
        - tgt: (T, N, E), (N, T, E) with batch_first, or (T, E) unbatched.
        - src_mask: (S, S); tgt_mask: (T, T); memory_mask: (T, S); key padding masks (N, S) / (N, T).
        - Output: (T, N, E) ((N, T, E) with batch_first).

    Attributes:
        encoder, decoder: the two stacks. Every parameter with more than one dim is re-initialised by
        ``xavier_uniform_`` (U(-a, a), a = sqrt(6 / (fan_in + fan_out))), as torch; biases keep their layer's
        init (attention biases 0, Linear biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))), LayerNorms weight 1, bias 0.

    Examples::

        >>> import ember
        >>> model = ember.nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
        ...                              dim_feedforward=32)
        >>> src, tgt = ember.randn(10, 3, 16), ember.randn(7, 3, 16)
        >>> model(src, tgt, tgt_mask=model.generate_square_subsequent_mask(7)).shape
        ember.Size([7, 3, 16])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False, norm_first: bool = False,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        common = dict(dropout=dropout, activation=activation, layer_norm_eps=layer_norm_eps,
                      batch_first=batch_first, norm_first=norm_first, bias=bias, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, **common)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, **common)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        batched = src.dim() == 3
        if not self.batch_first and src.size(1) != tgt.size(1) and batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if self.batch_first and src.size(0) != tgt.size(0) and batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    generate_square_subsequent_mask = staticmethod(_generate_square_subsequent_mask)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
