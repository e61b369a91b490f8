"""``ember.ao.nn``: quantized layers."""
