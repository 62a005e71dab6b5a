"""Writes Panamax's PyTorch reference data (golden set A) as safetensors files.

Run it through scripts/make-golden, which finds a Python with torch and pins the threads and the
OpenBLAS core type; the README of the output folder describes every file. The output is a pure
function of the torch build, the seeds and the cases below: two runs write identical bytes.

  make_golden.py OUT_DIR               writes the set into OUT_DIR
  make_golden.py --compare A B         compares the tensors of two sets bit for bit (exit 1 on a difference)
"""

import ctypes
import hashlib
import json
import os
import struct
import sys

import numpy
import torch
import torch.nn.functional as F

from safetensors_io import read_safetensors, write_safetensors

SET = "A"
SEED = 1234
STEPS = 20
PARAM_SHAPE = (7, 5)
BATCH = 16
IN_FEATURES, HIDDEN, CLASSES = 784, 256, 10
# Offsets from SEED: the weights and the batch come from streams of their own, so a change to
# one (another batch size) leaves the other as it was.
WEIGHT_SEED_OFFSET = 7
DATA_SEED_OFFSET = 11
GENERATOR = "scripts/golden/make_golden.py"
BLAS = "unknown"  # set by generate()

# (case, torch class, constructor arguments): every optimizer of the project, at torch's defaults
# and with the options that change its arithmetic (momentum, dampening, decay, centering, amsgrad).
OPTIMIZER_CASES = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_momentum_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adagrad", "Adagrad", {"lr": 0.1}),
    ("adagrad_lrdecay_wd_init", "Adagrad",
     {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adadelta", "Adadelta", {}),
    ("adadelta_custom_wd", "Adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-05, "weight_decay": 0.01}),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_momentum_centered_wd", "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "eps": 1e-06, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("adam", "Adam", {"lr": 0.01}),
    ("adam_l2wd", "Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-07, "weight_decay": 0.01}),
    ("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.01}),
]

# (activation, loss): each loss once with ReLU, each activation once with cross-entropy
MLP_CASES = [
    ("relu", "cross_entropy"),
    ("relu", "mse_softmax"),
    ("relu", "gaussian_nll"),
    ("sigmoid", "cross_entropy"),
    ("tanh", "cross_entropy"),
]

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}

LOSS_CALLS = {
    "cross_entropy": "torch.nn.functional.cross_entropy(logits, y, reduction='mean')",
    "mse_softmax": "torch.nn.functional.mse_loss(torch.softmax(logits, dim=1), Y, reduction='mean')",
    "gaussian_nll": "torch.nn.functional.gaussian_nll_loss(logits, Y, var, full=True, eps=1e-06, reduction='mean')",
}
SOFTMAX_LOSSES = {"cross_entropy", "mse_softmax"}

def debian_package_version(package):
    """The installed version of a Debian package, from dpkg's status file; 'unknown' elsewhere."""
    try:
        with open("/var/lib/dpkg/status", encoding="utf-8") as status:
            stanza = {}
            for line in status:
                if line.strip() == "":
                    if stanza.get("Package") == package and stanza.get("Status", "").endswith(" installed"):
                        return package + " " + stanza.get("Version", "unknown")
                    stanza = {}
                elif ":" in line and not line.startswith(" "):
                    key, value = line.split(":", 1)
                    stanza[key] = value.strip()
    except OSError:
        pass
    return package + " unknown"


def blas_description():
    """The BLAS library torch's matrix products ran on: the mapped file, and OpenBLAS's own config string."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # make sure the BLAS is loaded and has run
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]})
    except OSError:
        return "unknown (no /proc/self/maps)"
    described = []
    for path in paths:
        real = os.path.realpath(path)
        text = path if real == path else "%s -> %s" % (path, real)
        try:
            config = ctypes.CDLL(path).openblas_get_config
            config.restype = ctypes.c_char_p
            text += " (" + config().decode() + ")"
        except (OSError, AttributeError):
            pass
        described.append(text)
    return "; ".join(described) if described else "none mapped"


def common_metadata():
    return {
        "set": SET,
        "torch_version": torch.__version__,
        "torch_debian_package": debian_package_version("python3-torch"),
        "numpy_version": numpy.__version__,
        "dtype": "F32",
        "layout": "row-major (C order), little-endian",
        "generator": GENERATOR,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "unset"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "blas": BLAS,
        "torch_num_threads": str(torch.get_num_threads()),
    }


def hyperparameter_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def hyperparameters(group):
    """Every hyperparameter as torch holds it in param_groups[0], defaults filled in."""
    out = {}
    for key, value in group.items():
        if key == "params":
            continue
        if key == "betas":
            out["betas"] = ",".join(repr(float(b)) for b in value)
            out["beta1"] = repr(float(value[0]))
            out["beta2"] = repr(float(value[1]))
        elif key == "foreach" and value is None:
            out["foreach"] = "none (resolves to false: single-tensor for-loop implementation)"
        else:
            out[key] = hyperparameter_text(value)
    return out


def optimizer_file(case, class_name, args, out_dir):
    torch.manual_seed(SEED)
    p0 = torch.randn(*PARAM_SHAPE)
    grads = [torch.randn(*PARAM_SHAPE) for _ in range(STEPS)]
    p = torch.nn.Parameter(p0.clone())
    optimizer = getattr(torch.optim, class_name)([p], **args)
    params, states = [], {}
    for g in grads:
        p.grad = g.clone()
        optimizer.step()
        params.append(p.detach().clone())
        for key, value in optimizer.state[p].items():
            if torch.is_tensor(value) and value.shape == p.shape:
                states.setdefault(key, []).append(value.detach().clone())
    state_names = ["state." + k for k in states]
    metadata = common_metadata()
    metadata.update({
        "case": case,
        "optimizer": class_name,
        "torch_class": "torch.optim." + class_name,
        "constructor_args": json.dumps(args),
        "steps": str(STEPS),
        "param_shape": ",".join(str(d) for d in PARAM_SHAPE),
        "seed": str(SEED),
        "gradients": "normal",
        "protocol": "p = p0; for t in 1..steps: p.grad = g_t; optimizer.step(); record p_t",
        "state_tensors": ",".join(state_names) if state_names else "none",
    })
    metadata.update(hyperparameters(optimizer.param_groups[0]))
    tensors = [("p0", p0.numpy())]
    tensors += [("g%d" % (t + 1), g.numpy()) for t, g in enumerate(grads)]
    tensors += [("p%d" % (t + 1), v.numpy()) for t, v in enumerate(params)]
    tensors += [("state." + k, torch.stack(v).numpy()) for k, v in states.items()]
    name = "optim_%s.safetensors" % case
    write_safetensors(os.path.join(out_dir, name), metadata, tensors)
    return name, case


def mlp_inputs():
    torch.manual_seed(SEED + WEIGHT_SEED_OFFSET)
    first = torch.nn.Linear(IN_FEATURES, HIDDEN)
    second = torch.nn.Linear(HIDDEN, CLASSES)
    torch.manual_seed(SEED + DATA_SEED_OFFSET)
    x = torch.rand(BATCH, IN_FEATURES)
    y = torch.randint(0, CLASSES, (BATCH,))
    return {
        "W1": first.weight.detach().clone(), "b1": first.bias.detach().clone(),
        "W2": second.weight.detach().clone(), "b2": second.bias.detach().clone(),
        "X": x, "y": y, "y_f32": y.to(torch.float32),
        "Y": F.one_hot(y, CLASSES).to(torch.float32), "var": torch.ones(BATCH, CLASSES),
    }


def mlp_inputs_file(inputs, out_dir):
    metadata = common_metadata()
    metadata.update({
        "case": "mlp_inputs",
        "batch": str(BATCH),
        "seed": str(SEED),
        "init": "torch.manual_seed(seed+%d); W1,b1 = nn.Linear(%d,%d) default init; W2,b2 = nn.Linear(%d,%d) "
                "default init (U(-1/sqrt(in), 1/sqrt(in)) for weight and bias)"
                % (WEIGHT_SEED_OFFSET, IN_FEATURES, HIDDEN, HIDDEN, CLASSES),
        "data": "torch.manual_seed(seed+%d); X ~ U[0,1) [B,%d]; y ~ randint(0,%d) [B] (I64, copy as F32 in y_f32); "
                "Y = one_hot(y,%d) F32; var = ones[B,%d] F32 (variance for gaussian_nll)"
                % (DATA_SEED_OFFSET, IN_FEATURES, CLASSES, CLASSES, CLASSES),
        "weight_layout": "[out_features, in_features] as torch.nn.Linear: a = X @ W^T + b",
    })
    order = ["y", "W1", "b1", "W2", "b2", "X", "y_f32", "Y", "var"]  # the I64 tensor first: 8-byte alignment
    write_safetensors(os.path.join(out_dir, "mlp_inputs.safetensors"), metadata,
                      [(k, inputs[k].numpy()) for k in order])
    return "mlp_inputs.safetensors", "mlp_inputs"


def mlp_pass(inputs, activation, loss_name, dtype):
    """Forward and backward of the 784-256-10 model in dtype; returns the named results."""
    leaves = {k: inputs[k].to(dtype).clone().requires_grad_(True) for k in ("W1", "b1", "W2", "b2")}
    x, big_y, var = inputs["X"].to(dtype), inputs["Y"].to(dtype), inputs["var"].to(dtype)
    hidden = ACTIVATIONS[activation](F.linear(x, leaves["W1"], leaves["b1"]))
    logits = F.linear(hidden, leaves["W2"], leaves["b2"])
    logits.retain_grad()
    if loss_name == "cross_entropy":
        loss = F.cross_entropy(logits, inputs["y"], reduction="mean")
    elif loss_name == "mse_softmax":
        loss = F.mse_loss(torch.softmax(logits, dim=1), big_y, reduction="mean")
    else:
        loss = F.gaussian_nll_loss(logits, big_y, var, full=True, eps=1e-06, reduction="mean")
    loss.backward()
    out = {"logits": logits.detach(), "loss": loss.detach().reshape(1)}
    for k in ("W1", "b1", "W2", "b2"):
        out["d" + k] = leaves[k].grad.detach()
    out["dlogits"] = logits.grad.detach()
    if loss_name in SOFTMAX_LOSSES:
        out["probs"] = torch.softmax(logits.detach(), dim=1)
    return out


def mlp_file(inputs, activation, loss_name, out_dir):
    single = mlp_pass(inputs, activation, loss_name, torch.float32)
    double = mlp_pass(inputs, activation, loss_name, torch.float64)
    loss32 = float(single["loss"][0])
    case = "mlp_%s_%s" % (activation, loss_name)
    metadata = common_metadata()
    metadata.update({
        "case": case,
        "model": "X[B,%d] -> Linear(%d,%d) -> %s -> Linear(%d,%d) -> logits[B,%d]"
                 % (IN_FEATURES, IN_FEATURES, HIDDEN, activation, HIDDEN, CLASSES, CLASSES),
        "activation": activation,
        "loss": loss_name,
        "loss_value": repr(loss32),
        "loss_value_f32_bits": "0x%08x" % struct.unpack("<I", struct.pack("<f", loss32))[0],
        "loss_value_float64_reference": repr(float(double["loss"][0])),
        "batch": str(BATCH),
        "seed": str(SEED),
        "inputs_file": "mlp_inputs.safetensors",
        "torch_call": LOSS_CALLS[loss_name],
    })
    for name, value in single.items():
        reference = double[name]
        max_abs = float((value.to(torch.float64) - reference).abs().max())
        scale = float(reference.abs().max())
        metadata["f32_vs_f64_maxabs_" + name] = "%.3e" % max_abs
        metadata["f32_vs_f64_maxrel_" + name] = "%.3e" % (max_abs / scale if scale > 0 else 0.0)
    name = case + ".safetensors"
    write_safetensors(os.path.join(out_dir, name), metadata, [(k, v.numpy()) for k, v in single.items()])
    return name, case


def write_manifest(out_dir, entries):
    files = []
    for name, case in entries:
        with open(os.path.join(out_dir, name), "rb") as f:
            raw = f.read()
        (length,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + length])
        files.append({"file": name, "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
                      "tensors": len(header) - 1, "case": case})
    manifest = {"set": SET, "torch_version": torch.__version__, "files": files}
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as out:
        out.write(json.dumps(manifest, indent=1))


def generate(out_dir):
    global BLAS
    torch.set_num_threads(1)
    BLAS = blas_description()
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)
    entries = [optimizer_file(case, cls, args, out_dir) for case, cls, args in OPTIMIZER_CASES]
    inputs = mlp_inputs()
    entries.append(mlp_inputs_file(inputs, out_dir))
    entries += [mlp_file(inputs, act, loss, out_dir) for act, loss in MLP_CASES]
    write_manifest(out_dir, entries)
    print("make_golden: wrote %d files and manifest.json into %s (torch %s)"
          % (len(entries), out_dir, torch.__version__))


def compare(first_dir, second_dir):
    """Same files, same tensor names, shapes, dtypes and bytes; metadata may differ (generator, versions)."""
    names = sorted(n for n in os.listdir(first_dir) if n.endswith(".safetensors"))
    others = sorted(n for n in os.listdir(second_dir) if n.endswith(".safetensors"))
    problems = []
    if names != others:
        problems.append("file lists differ: %s vs %s" % (names, others))
    for name in sorted(set(names) & set(others)):
        _, a = read_safetensors(os.path.join(first_dir, name))
        _, b = read_safetensors(os.path.join(second_dir, name))
        if list(a) != list(b):
            problems.append("%s: tensor lists differ" % name)
            continue
        for tensor in a:
            if a[tensor].dtype != b[tensor].dtype or a[tensor].shape != b[tensor].shape \
                    or a[tensor].tobytes() != b[tensor].tobytes():
                problems.append("%s: tensor %s differs" % (name, tensor))
    for problem in problems:
        print("make_golden --compare: " + problem)
    print("make_golden --compare: %d files, %s" % (len(names), "identical tensors" if not problems else
                                                     "%d differences" % len(problems)))
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "--compare":
        return compare(argv[1], argv[2])
    if len(argv) == 1 and not argv[0].startswith("-"):
        generate(argv[0])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
