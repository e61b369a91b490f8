"""``ember.ao``: architecture optimisation, as torch.ao: ``quantization`` (int8 tensors, observers,
dynamic and post-training static quantization), ``nn.quantized`` (the integer layers ``convert`` swaps in),
``nn.quantized.dynamic`` (those of ``quantize_dynamic``) and ``nn.intrinsic`` (fused conv/linear-relu)."""
