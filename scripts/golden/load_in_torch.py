"""Loads a Panamax checkpoint into torch.nn.Sequential with load_state_dict and evaluates it in PyTorch.

A Panamax last.safetensors names its parameters as PyTorch does (0.weight [out, in], 0.bias, 2.weight,
...); its optimizer state ("optimizer.*") and metadata are Panamax's own and are left out. The model's
sizes and activation come from the checkpoint's metadata (model_sizes, model_activation).

  load_in_torch.py CHECKPOINT IDX_DIR OUT
      evaluates on IDX_DIR's test images (t10k-images-idx3-ubyte[.gz] and labels), prints
      "correct N of M", and writes PyTorch's logits and predictions to OUT (safetensors)
"""

import os
import sys

import torch

from make_torch_model import ACTIVATIONS, load_split
from safetensors_io import read_safetensors, write_safetensors


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    checkpoint, data_dir, out = argv
    torch.set_num_threads(1)
    metadata, tensors = read_safetensors(checkpoint)
    sizes = [int(s) for s in metadata["model_sizes"].split(",")]
    activation = metadata["model_activation"]
    if float(metadata.get("input_mean", "0")) != 0.0 or float(metadata.get("input_std", "1")) != 1.0:
        print("load_in_torch: %s was trained on standardised inputs; this check feeds raw pixels" % checkpoint,
              file=sys.stderr)
        return 2
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(ACTIVATIONS[activation]())
    model = torch.nn.Sequential(*layers)
    state = {name: torch.from_numpy(array.copy()) for name, array in tensors.items() if not name.startswith("optimizer.")}
    model.load_state_dict(state, strict=True)  # every parameter, nothing else
    model.eval()
    x, y = load_split(data_dir, "test")
    with torch.no_grad():
        logits = model(x)
    predictions = logits.argmax(dim=1)
    correct = int((predictions == y).sum())
    write_safetensors(out, {"correct": str(correct), "torch_version": torch.__version__},
                      [("predictions", predictions.numpy()), ("logits", logits.numpy())])
    print("correct %d of %d" % (correct, len(y)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
