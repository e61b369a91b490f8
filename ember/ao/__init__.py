"""``ember.ao``: architecture optimisation, as torch.ao: ``quantization`` (int8 tensors, observers,
dynamic quantization) and ``nn.quantized.dynamic`` (the int8 layers it swaps in)."""
