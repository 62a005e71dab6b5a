#!/usr/bin/env python3
"""PyTorch's figures for Panamax's GpuBench tables.

SGEMM: fp32 with TF32 off (torch.backends.cuda.matmul.allow_tf32 = False), data on the GPU, timed
with CUDA events over enough back-to-back calls to fill ~0.25 s. One line per shape: "label gflops",
the labels of dev.panamax.check.GpuBench.SHAPES.

Training: the model, optimizer and kind of data of dev.panamax.check.TrainingThroughput
(784-256-10 ReLU, cross-entropy, SGD lr 0.05 momentum 0.9; 16384 Gaussian samples with feature
`label` raised by 3), eager mode, data on the GPU, loss.item() every step. Lines
"train-BATCH samples_per_second" and "train-BATCH-loss final_loss".
"""
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

# label, transA, transB, m, n, k (C (m,n) = op(A) op(B), A stored (k,m) when transA, B (n,k) when transB)
SHAPES = [
    ("square-1024", False, False, 1024, 1024, 1024),
    ("square-4096", False, False, 4096, 4096, 4096),
    ("mlp-fc1-forward", False, True, 128, 256, 784),
    ("mlp-fc1-dW", True, False, 256, 784, 128),
    ("mlp-fc2-forward", False, True, 128, 10, 256),
    ("mlp-fc2-dW", True, False, 10, 256, 128),
    ("mlp-fc2-dx", False, False, 128, 256, 10),
]
TARGET_SECONDS = 0.25


def timed(fn, iterations):
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iterations):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / 1e3


def main():
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev).manual_seed(1)
    for label, ta, tb, m, n, k in SHAPES:
        a = torch.randn((k, m) if ta else (m, k), device=dev, generator=gen, dtype=torch.float32)
        b = torch.randn((n, k) if tb else (k, n), device=dev, generator=gen, dtype=torch.float32)
        c = torch.empty((m, n), device=dev, dtype=torch.float32)
        opa = a.t() if ta else a
        opb = b.t() if tb else b
        fn = lambda: torch.matmul(opa, opb, out=c)
        fn()
        torch.cuda.synchronize()
        one = timed(fn, 1)
        iterations = int(max(3, min(10000, TARGET_SECONDS / max(one, 1e-7))))
        seconds = timed(fn, iterations)
        print(f"{label} {2.0 * m * n * k * iterations / seconds / 1e9:.1f}", flush=True)


def train_throughput(batch, warmup_seconds=1.0, seconds=2.0):
    dev = torch.device("cuda")
    n, features, classes = 16384, 784, 10
    gen = torch.Generator().manual_seed(2026)
    labels = torch.randint(0, classes, (n,), generator=gen)
    x = torch.randn(n, features, generator=gen)
    x[torch.arange(n), labels] += 3.0
    x, labels = x.to(dev), labels.to(dev)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(features, 256), torch.nn.ReLU(), torch.nn.Linear(256, classes)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = n // batch

    def step(b):
        xb = x[b * batch:(b + 1) * batch]
        yb = labels[b * batch:(b + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    i = 0
    end = time.perf_counter() + warmup_seconds
    while time.perf_counter() < end:
        step(i % batches)
        i += 1
    steps = 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        last = step(i % batches)
        i += 1
        steps += 1
        now = time.perf_counter()
        if now >= end:
            break
    print(f"train-{batch} {steps * batch / (now - start):.1f}", flush=True)
    print(f"train-{batch}-loss {last:.4f}", flush=True)


if __name__ == "__main__":
    main()
    for b in (128, 1024):
        train_throughput(b)
