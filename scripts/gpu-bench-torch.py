#!/usr/bin/env python3
"""PyTorch's SGEMM throughput on the shapes of Panamax's GpuBench, for the same table.

fp32 with TF32 off (torch.backends.cuda.matmul.allow_tf32 = False), data on the GPU, timed with
CUDA events over enough back-to-back calls to fill ~0.25 s. Prints one line per shape:
"label gflops", the labels of dev.panamax.backend.cuda.GpuBench.SHAPES.
"""
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


if __name__ == "__main__":
    main()
