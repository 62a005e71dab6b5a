#!/usr/bin/python3
"""PyTorch reference for Panamax's training throughput: the 784-256-10 ReLU MLP on MNIST-shaped data.

Trains on synthetic data (60000 x 784 floats uniform in [0, 1), uniformly random labels in 0..9; no
download) with cross-entropy loss at a fixed batch size, and reports training samples per second
measured over --epochs passes after --warmup steps. Each thread count runs in its own child process
whose OMP/MKL/OpenBLAS thread variables are set before torch is imported, so the intra-op pool, the
BLAS library and torch.set_num_threads all agree.

Output: a human line per setting and a machine line
    RESULT torch threads=<t> optimizer=<name> samples_per_s=<float>
Run with Debian's /usr/bin/python3 (python3-torch); the pyenv python3 on PATH has no torch.
"""
import argparse
import os
import subprocess
import sys
import time

TRAIN_SAMPLES = 60000
INPUTS, HIDDEN, CLASSES = 784, 256, 10
OPTIMIZERS = {
    # name -> (label as Panamax's --optimizer spells it, factory)
    "sgd": ("sgd(lr=0.1)", lambda torch, params: torch.optim.SGD(params, lr=0.1)),
    "adam": ("adam(lr=0.001)", lambda torch, params: torch.optim.Adam(params, lr=1e-3)),
}


def run_one(threads, optimizer, batch, epochs, warmup, seed):
    """Trains in this process (thread variables already set by the parent) and prints the RESULT line."""
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(seed)
    x = torch.rand(TRAIN_SAMPLES, INPUTS)
    y = torch.randint(0, CLASSES, (TRAIN_SAMPLES,))
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUTS, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    label, factory = OPTIMIZERS[optimizer]
    opt = factory(torch, model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    steps_per_epoch = TRAIN_SAMPLES // batch  # the last partial batch is dropped, as in a throughput run

    def epoch_batches():
        # a fresh shuffle per epoch, gathered once so that each step slices contiguous rows
        perm = torch.randperm(TRAIN_SAMPLES)
        xs, ys = x[perm], y[perm]
        for s in range(steps_per_epoch):
            yield xs[s * batch:(s + 1) * batch], ys[s * batch:(s + 1) * batch]

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    done = 0
    for xb, yb in epoch_batches():
        if done == warmup:
            break
        step(xb, yb)
        done += 1

    samples = 0
    last_loss = None
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in epoch_batches():
            last_loss = step(xb, yb)
            samples += xb.shape[0]
    elapsed = time.perf_counter() - start
    rate = samples / elapsed
    print(f"torch {torch.__version__}  threads={threads}  optimizer={label}  batch={batch}  "
          f"{samples} samples in {elapsed:.2f} s  -> {rate:,.0f} samples/s  (last loss {last_loss.item():.4f})",
          flush=True)
    print(f"RESULT torch threads={threads} optimizer={label} samples_per_s={rate:.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to try (default 1 2)")
    ap.add_argument("--optimizer", choices=sorted(OPTIMIZERS), nargs="+", default=["sgd"],
                    help="optimizers to train with (default sgd: SGD lr=0.1; adam: Adam lr=0.001)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=3, help="measured passes over the 60000 samples (default 3)")
    ap.add_argument("--warmup", type=int, default=100, help="untimed steps first (default 100)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.batch <= 0 or args.epochs <= 0 or args.warmup < 0 or any(t <= 0 for t in args.threads):
        ap.error("batch, epochs and thread counts must be positive, warmup non-negative")

    if args.child:
        run_one(args.threads[0], args.optimizer[0], args.batch, args.epochs, args.warmup, args.seed)
        return 0

    failed = 0
    for optimizer in args.optimizer:
        for threads in args.threads:
            env = dict(os.environ)
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                env[var] = str(threads)
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(threads),
                   "--optimizer", optimizer, "--batch", str(args.batch), "--epochs", str(args.epochs),
                   "--warmup", str(args.warmup), "--seed", str(args.seed)]
            status = subprocess.call(cmd, env=env)
            if status != 0:
                print(f"pytorch_mlp: run with threads={threads} optimizer={optimizer} failed (exit {status})",
                      file=sys.stderr)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
