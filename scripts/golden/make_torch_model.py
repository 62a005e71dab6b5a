"""Trains small MLPs in PyTorch on the repository's Fashion-MNIST slice and saves them the way a PyTorch
user does (safetensors.torch.save_file(model.state_dict(), ...) layout: N.weight [out, in], N.bias
[out], no metadata), with PyTorch's own logits and predictions on the slice's test images, so that the
Java tests can check that Panamax evaluates a PyTorch model exactly as PyTorch does.

Run through scripts/make-torch-model (one thread, OpenBLAS pinned), which writes
src/test/resources/torch-model. Two runs write identical files.

  make_torch_model.py SLICE_DIR OUT_DIR
"""

import gzip
import json
import os
import struct
import sys

import numpy
import torch

from safetensors_io import write_safetensors

SEED = 20261201
EPOCHS = 3
BATCH = 100
# (file stem, hidden sizes, activation): the default model's shape, and a second activation
MODELS = [("mlp_784_64_10_relu", [64], "relu"), ("mlp_784_32_10_tanh", [32], "tanh")]
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def read_idx(path):
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        raw = f.read()
    (magic,) = struct.unpack(">I", raw[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">%dI" % rank, raw[4:4 + 4 * rank])
    return numpy.frombuffer(raw[4 + 4 * rank:], dtype=numpy.uint8).reshape(dims)


def idx_file(folder, name):
    """NAME or NAME.gz in folder."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError("%s[.gz] is not in %s" % (name, folder))


def load_split(folder, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(idx_file(folder, prefix + "-images-idx3-ubyte"))
    labels = read_idx(idx_file(folder, prefix + "-labels-idx1-ubyte"))
    # pixels / 255 in float32, as torchvision's ToTensor and Panamax's IDX loader both scale them
    x = torch.from_numpy(images.reshape(len(images), -1).astype(numpy.float32) / numpy.float32(255))
    return x, torch.from_numpy(labels.astype(numpy.int64))


def build(hidden, activation):
    layers = []
    sizes = [784] + hidden + [10]
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(ACTIVATIONS[activation]())
    return torch.nn.Sequential(*layers)


def train(model, x, y):
    generator = torch.Generator().manual_seed(SEED + 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    slice_dir, out_dir = argv
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)
    x_train, y_train = load_split(slice_dir, "train")
    x_test, y_test = load_split(slice_dir, "test")
    for stem, hidden, activation in MODELS:
        torch.manual_seed(SEED)
        model = build(hidden, activation)
        train(model, x_train, y_train)
        model.eval()
        state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        # safetensors.torch.save_file orders tensors by dtype alignment, then name; all are F32 here
        names = sorted(state)
        write_safetensors(os.path.join(out_dir, stem + ".safetensors"), None, [(n, state[n]) for n in names])
        write_safetensors(os.path.join(out_dir, stem + "_f64.safetensors"), None,
                          [(n, state[n].astype(numpy.float64)) for n in names])
        with torch.no_grad():
            logits = model(x_test)
        predictions = logits.argmax(dim=1)
        correct = int((predictions == y_test).sum())
        top2 = logits.topk(2, dim=1).values
        metadata = {
            "torch_version": torch.__version__,
            "generator": "scripts/golden/make_torch_model.py",
            "model": json.dumps({"hidden": hidden, "activation": activation}),
            "training": "SGD(lr=0.1, momentum=0.9), batch %d, %d epochs on the slice's %d training images, seed %d"
                        % (BATCH, EPOCHS, len(x_train), SEED),
            "test_images": str(len(x_test)),
            "correct": str(correct),
            "accuracy": repr(correct / len(x_test)),
            "smallest_top2_margin": repr(float((top2[:, 0] - top2[:, 1]).min())),
        }
        write_safetensors(os.path.join(out_dir, stem + "_expected.safetensors"), metadata,
                          [("predictions", predictions.numpy()), ("logits", logits.numpy())])
        print("make_torch_model: %s: %d/%d correct (%.2f%%)" % (stem, correct, len(x_test), 100.0 * correct / len(x_test)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
