"""Op-table rows for ember/nn/functional/attention.py."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, gen
from .samples_nn import fn, x

OPS, row = table()

_CAUSAL = lambda d, r: T(np.tril(np.ones((3, 3), bool)), grad=False)  # noqa: E731
row("F.scaled_dot_product_attention", *fn("scaled_dot_product_attention"),
    gen(("tiny", [_f((1, 2, 2)), _f((1, 2, 2)), _f((1, 2, 2))], {}),
        ("heads", [_f((2, 2, 3, 4)), _f((2, 2, 3, 4)), _f((2, 2, 3, 4))], {}),
        ("causal_scale", [_f((2, 3, 4)), _f((2, 3, 4)), _f((2, 3, 4))], {"is_causal": True, "scale": 0.3}),
        ("bool_mask", [_f((2, 3, 4)), _f((2, 3, 4)), _f((2, 3, 4))], {"attn_mask": _CAUSAL}),
        ("float_mask_kv_len", [_f((2, 3, 4)), _f((2, 5, 4)), _f((2, 5, 2)), x((3, 5), grad=False)], {}),
        ("noncontig", [_f((1, 3, 4)), _f((1, 3, 4), "transposed"), _f((1, 3, 4))], {})))
# one small row per variant, so that gradgrad (at most 16 elements per input) runs on each of them
_BOOL = lambda d, r: T(np.array([[True, False, True], [False, False, False], [True, True, False]]),  # noqa: E731
                       grad=False)  # a fully masked row: zeros, as torch's safe softmax
for name, args, kw in (
        ("causal", [_f((1, 3, 2))] * 3, {"is_causal": True, "scale": 0.7}),
        ("bool_mask", [_f((1, 3, 2))] * 3, {"attn_mask": _BOOL}),
        ("float_mask", [_f((1, 2, 2)), _f((1, 3, 2)), _f((1, 3, 1)), x((2, 3), grad=False)], {}),
        ("gqa", [_f((1, 4, 2, 2)), _f((1, 2, 2, 2)), _f((1, 2, 2, 1))], {"enable_gqa": True}),
        ("gqa_causal", [_f((1, 4, 2, 2)), _f((1, 2, 2, 2)), _f((1, 2, 2, 1))], {"enable_gqa": True, "is_causal": True}),
        ("broadcast_batch", [_f((2, 2, 2)), _f((1, 3, 2)), _f((1, 3, 2))], {}),
        ("dropout0", [_f((1, 3, 2))] * 3, {"dropout_p": 0.0})):
    row(f"F.scaled_dot_product_attention[{name}]", *fn("scaled_dot_product_attention"), gen((name, args, kw)))
row("F.scaled_dot_product_attention[dropout]",
    lambda q, k, v: fn("scaled_dot_product_attention")[0](q, k, v, dropout_p=0.5),
    lambda q, k, v: fn("scaled_dot_product_attention")[1](q, k, v, dropout_p=0.5),
    gen(("3d", [_f((2, 3, 4)), _f((2, 3, 4)), _f((2, 3, 4))], {})), nondeterministic_values=True, grad=False,
    gradcheck=False)


def _mha(lib):
    """multi_head_attention_forward with the embedding size of the query; the projections are sample arguments."""
    def f(q, k, v, w_in, b_in, w_out, b_out, heads=2, **extra):
        return lib(q, k, v, q.shape[-1], heads, w_in, b_in, None, None, False, 0.0, w_out, b_out, **extra)

    return f


_MHA = [_f((3, 1, 4)), _f((3, 1, 4)), _f((3, 1, 4)), _f((12, 4)), _f((12,)), _f((4, 4)), _f((4,))]
row("F.multi_head_attention_forward", _mha(fn("multi_head_attention_forward")[0]),
    _mha(fn("multi_head_attention_forward")[1]),
    gen(("tiny", [_f((2, 1, 2)), _f((2, 1, 2)), _f((2, 1, 2)), _f((6, 2)), _f((6,)), _f((2, 2)), _f((2,))],
         {"heads": 1}),
        ("self", _MHA, {}), ("per_head_weights", _MHA, {"average_attn_weights": False}),
        ("no_weights", _MHA, {"need_weights": False}),
        ("padding_mask", [_f((2, 2, 4)), _f((3, 2, 4)), _f((3, 2, 4))] + _MHA[3:],
         {"key_padding_mask": lambda d, r: T(np.array([[False, False, True], [False, False, False]]), grad=False)}),
        ("attn_mask", [_f((3, 2, 4)), _f((3, 2, 4)), _f((3, 2, 4))] + _MHA[3:],
         {"attn_mask": lambda d, r: T(~np.tril(np.ones((3, 3), bool)), grad=False)})),
    tol={"float32": (1e-4, 1e-5)})  # outputs near 30: float32 sums in another order


def _mha_bias_kv(lib):
    """multi_head_attention_forward with the learnt key/value biases and a zero attention slot."""
    def f(q, k, v, w_in, b_in, bias_k, bias_v, w_out, b_out, **extra):
        return lib(q, k, v, q.shape[-1], 1, w_in, b_in, bias_k, bias_v, True, 0.0, w_out, b_out, **extra)

    return f


# small samples (at most 16 elements per input) so that gradgrad runs on the masks and the biases too
_SMALL = [_f((2, 1, 2)), _f((3, 1, 2)), _f((3, 1, 2)), _f((6, 2)), _f((6,)), _f((2, 2)), _f((2,))]
row("F.multi_head_attention_forward[masks]", _mha(fn("multi_head_attention_forward")[0]),
    _mha(fn("multi_head_attention_forward")[1]),
    gen(("bool_masks", _SMALL, {"heads": 1,
                                "attn_mask": lambda d, r: T(np.array([[False, True, True], [False, False, True]]),
                                                            grad=False),
                                "key_padding_mask": lambda d, r: T(np.array([[False, True, False]]), grad=False)}),
        ("float_mask_per_head_weights", _SMALL, {"heads": 1, "attn_mask": x((2, 3), grad=False),
                                                 "average_attn_weights": False})))
row("F.multi_head_attention_forward[bias_kv]", _mha_bias_kv(fn("multi_head_attention_forward")[0]),
    _mha_bias_kv(fn("multi_head_attention_forward")[1]),
    gen(("zero_attn", _SMALL[:5] + [_f((1, 1, 2)), _f((1, 1, 2))] + _SMALL[5:], {}),
        ("zero_attn_no_weights", _SMALL[:5] + [_f((1, 1, 2)), _f((1, 1, 2))] + _SMALL[5:], {"need_weights": False})))
