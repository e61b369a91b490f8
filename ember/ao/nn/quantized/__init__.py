"""``ember.ao.nn.quantized``: quantized layers (``dynamic``: int8 weights, activations quantized per call)."""
