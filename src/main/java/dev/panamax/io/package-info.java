/**
 * Safetensors files: {@link dev.panamax.io.SafetensorsReader} (memory-mapped, strictly validated),
 * {@link dev.panamax.io.SafetensorsWriter} (atomic replace) and the strict JSON subset parser they need.
 * Used for checkpoints and for the PyTorch golden reference data.
 */
package dev.panamax.io;
