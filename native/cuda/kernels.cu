// Panamax's elementwise CUDA kernels: the non-GEMM half of dev.panamax.backend.Backend.
//
// Built to PTX by scripts/build-ptx (see native/cuda/README.md) and loaded at run time with
// cuModuleLoadData; CudaBackend launches them by the extern "C" names below, so renaming one is a
// change to CudaKernels.java as well (PtxResourceTest checks that every name it uses is here).
//
// Rounding: every float operation is written as an explicit round-to-nearest intrinsic
// (__fadd_rn, __fsub_rn, __fmul_rn, __fdiv_rn, __fsqrt_rn) or a fused __fmaf_rn where the formula
// in Backend.java says fma. nvcc never contracts the _rn intrinsics into an FMA, and the build also
// passes -fmad=false, so the float results equal the scalar reference bit for bit. Transcendentals
// and reductions run in double, as the reference does, and are rounded to float once.
//
// Launch shape: elementwise kernels use a grid-stride loop, so any grid size is correct; row
// kernels use one 32-lane warp per row.

// WARP is 32 on every NVIDIA GPU. The tests also compile this file for the CPU
// (src/test/native/fake_cuda.cpp), running each thread in turn with WARP defined as 1: a "warp" of
// one lane needs no shuffles, and every kernel here is written so that the order in which threads
// run does not change the result (no barriers; atomics only add whole numbers).
#ifndef WARP
#define WARP 32
#endif
#define FULL_MASK 0xffffffffu

// Java's Math.max(float, float): NaN if either is NaN, +0 above -0 (fmaxf leaves both open).
__device__ __forceinline__ float java_maxf(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return __float_as_int(a) == 0 ? a : b;
    return a > b ? a : b;
}

// max over doubles that propagates NaN, like the reference's rowMax
__device__ __forceinline__ double nan_max(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

__device__ __forceinline__ double warp_max(double v) {
    for (int offset = WARP / 2; offset > 0; offset /= 2) {
        v = nan_max(v, __shfl_down_sync(FULL_MASK, v, offset));
    }
    return __shfl_sync(FULL_MASK, v, 0);
}

__device__ __forceinline__ double warp_sum(double v) {
    for (int offset = WARP / 2; offset > 0; offset /= 2) {
        v += __shfl_down_sync(FULL_MASK, v, offset);
    }
    return __shfl_sync(FULL_MASK, v, 0);
}

// kind: 0 identity, 1 relu, 2 sigmoid, 3 tanh (the ordinals of dev.panamax.backend.Activation)
__device__ __forceinline__ float activate(int kind, float v) {
    switch (kind) {
        case 1: return v > 0.0f ? v : (v != v ? v : 0.0f);
        case 2: return (float) (1.0 / (1.0 + exp(-(double) v)));
        case 3: return (float) tanh((double) v);
        default: return v;
    }
}

// unroll 1: the loop body is memory-bound and usually runs once per thread; unrolling only
// multiplies the PTX (and the driver's JIT time) by four.
#define GRID_STRIDE(i, n) \
    _Pragma("unroll 1") for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// ------------------------------------------------------------------ forward / backward

// x (R,C), bias (C) or null -> y (R,C): y = act(x + bias)
extern "C" __global__ void bias_activation(const float *x, const float *bias, int kind, float *y,
                                           long long rows, int cols) {
    long long n = rows * cols;
    GRID_STRIDE(i, n) {
        float v = x[i];
        if (bias != nullptr) v = __fadd_rn(v, bias[i % cols]);
        y[i] = activate(kind, v);
    }
}

// x (n) for relu, y (n) for sigmoid/tanh, dy (n) -> dx (n): dx = dy * act'(.)
extern "C" __global__ void activation_backward(int kind, const float *x, const float *y, const float *dy,
                                               float *dx, long long n) {
    GRID_STRIDE(i, n) {
        float g = dy[i];
        float d;
        switch (kind) {
            case 1: {
                float a = x[i];
                d = a > 0.0f ? g : (a != a ? a : 0.0f);
                break;
            }
            case 2: {
                float s = y[i];
                d = __fmul_rn(g, __fmul_rn(s, __fsub_rn(1.0f, s)));
                break;
            }
            case 3: {
                float t = y[i];
                d = __fmul_rn(g, __fsub_rn(1.0f, __fmul_rn(t, t)));
                break;
            }
            default: d = g;
        }
        dx[i] = d;
    }
}

// x (n), y (n) -> y = fma(alpha, x, y)
extern "C" __global__ void axpy(float alpha, const float *x, float *y, long long n) {
    GRID_STRIDE(i, n) { y[i] = __fmaf_rn(alpha, x[i], y[i]); }
}

// x (n) -> x = alpha * x
extern "C" __global__ void scale(float alpha, float *x, long long n) {
    GRID_STRIDE(i, n) { x[i] = __fmul_rn(alpha, x[i]); }
}

// x (R,C) -> out (C): out[j] = beta * out[j] + sum_i x[i,j], in double; one thread per column
// (neighbouring threads read neighbouring columns, so each row is one coalesced read)
extern "C" __global__ void column_sums(const float *x, float beta, float *out, long long rows, int cols) {
    GRID_STRIDE(j, (long long) cols) {
        double acc = beta == 0.0f ? 0.0 : (double) beta * out[j];
        for (long long i = 0; i < rows; i++) {
            acc += x[i * cols + j];
        }
        out[j] = (float) acc;
    }
}

// ------------------------------------------------------------------ row kernels (one warp per row)

__device__ __forceinline__ double row_max(const float *row, int cols, int lane) {
    double m = -INFINITY;
    for (int j = lane; j < cols; j += WARP) m = nan_max(m, (double) row[j]);
    return warp_max(m);
}

// log(sum(exp(row - max))) + max, with the reference's rule that an infinite max is the answer itself
__device__ __forceinline__ double row_log_sum_exp(const float *row, int cols, int lane) {
    double m = row_max(row, cols, lane);
    if (isinf(m)) return m;
    double s = 0.0;
    for (int j = lane; j < cols; j += WARP) s += exp((double) row[j] - m);
    return m + log(warp_sum(s));
}

#define ROW_OF_WARP(r, rows) \
    long long r = ((long long) blockIdx.x * blockDim.x + threadIdx.x) / WARP; \
    int lane = threadIdx.x % WARP; \
    if (r >= (rows)) return;

// x (R,C) -> y (R,C): softmax of each row, max-subtracted
extern "C" __global__ void softmax_rows(const float *x, float *y, long long rows, int cols) {
    ROW_OF_WARP(r, rows)
    const float *in = x + r * cols;
    float *out = y + r * cols;
    double m = row_max(in, cols, lane);
    double s = 0.0;
    for (int j = lane; j < cols; j += WARP) s += exp((double) in[j] - m);
    s = warp_sum(s);
    for (int j = lane; j < cols; j += WARP) out[j] = (float) (exp((double) in[j] - m) / s);
}

// x (R,C) -> y (R,C): x - logsumexp(row)
extern "C" __global__ void log_softmax_rows(const float *x, float *y, long long rows, int cols) {
    ROW_OF_WARP(r, rows)
    const float *in = x + r * cols;
    float *out = y + r * cols;
    double lse = row_log_sum_exp(in, cols, lane);
    for (int j = lane; j < cols; j += WARP) out[j] = (float) (in[j] - lse);
}

// logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null, loss (B) in double:
// loss[r] = logsumexp(logits_r) - logits_r[label_r]; dlogits = (probs - onehot) * gradScale
extern "C" __global__ void softmax_cross_entropy(const float *logits, const float *labels, float *probs,
                                                 float *dlogits, float grad_scale, double *loss,
                                                 long long rows, int cols) {
    ROW_OF_WARP(r, rows)
    const float *in = logits + r * cols;
    // Labels are checked on the host where they enter a training step; one that is not a class index
    // anyway (a caller that skipped the check) must not read outside the row: it gives NaN loss and
    // gradient, which the training loop reports, instead of a wrong number or an illegal address.
    float label_value = labels[r];
    bool valid = label_value >= 0.0f && label_value < (float) cols && label_value == truncf(label_value);
    int label = valid ? (int) label_value : -1;
    const double nan = __longlong_as_double(0x7ff8000000000000LL);
    double lse = row_log_sum_exp(in, cols, lane);
    if (lane == 0) loss[r] = valid ? lse - in[label] : nan;
    for (int j = lane; j < cols; j += WARP) {
        double p = exp((double) in[j] - lse);
        probs[r * cols + j] = (float) p;
        if (dlogits != nullptr) {
            double onehot = j == label ? 1.0 : 0.0;
            dlogits[r * cols + j] = valid ? (float) ((p - onehot) * grad_scale) : (float) nan;
        }
    }
}

// row_loss (rows) -> mean (1): (float) (sum / rows), the sum in double and in row order on one
// thread, exactly as the reference adds up softmaxCrossEntropy's row losses. rows is a batch size
// (hundreds to a few thousand), so one thread takes microseconds and the loss never leaves the GPU.
extern "C" __global__ void mean_of_rows(const double *row_loss, long long rows, float *mean) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        double sum = 0.0;
        for (long long i = 0; i < rows; i++) {
            sum += row_loss[i];
        }
        mean[0] = (float) (sum / (double) rows);
    }
}

// logits (B,C) with C >= 1, labels (B) -> count (1), zeroed by the caller first: adds the number of
// rows whose first largest logit is at the label. One thread per row (grid-stride); each adds 1 with a
// float atomic, exact and order-independent for counts below 2^24. The training step reads back this
// one number instead of its logits. Same argmax as Tensor.argmaxOfRow and torch.argmax: ties go to the
// first index, and a NaN counts as the largest (the first NaN wins).
extern "C" __global__ void count_correct(const float *logits, const float *labels, long long rows, int cols,
                                         float *count) {
    GRID_STRIDE(r, rows) {
        const float *row = logits + r * cols;
        int best = 0;
        float best_value = row[0];
        for (int j = 1; j < cols; j++) {
            float v = row[j];
            if (v > best_value || (v != v && best_value == best_value)) {
                best_value = v;
                best = j;
            }
        }
        if (best == (int) labels[r]) atomicAdd(count, 1.0f);
    }
}

// ------------------------------------------------------------------ optimizer updates (torch.optim)

// weight decay as torch folds it into the gradient: g' = wd != 0 ? fma(p, wd, g) : g
__device__ __forceinline__ float decayed(float p, float g, float wd) {
    return wd != 0.0f ? __fmaf_rn(p, wd, g) : g;
}

// p, g, buf (n) or null: SGD with optional momentum / dampening / nesterov
extern "C" __global__ void sgd_step(float *p, const float *g, float *buf, float wd, float momentum,
                                    float damp_complement, int nesterov, int first, float neg_lr, long long n) {
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float d = decayed(pi, g[i], wd);
        if (buf != nullptr) {
            float b = first ? d : __fmaf_rn(d, damp_complement, __fmul_rn(buf[i], momentum));
            buf[i] = b;
            d = nesterov ? __fmaf_rn(b, momentum, d) : b;
        }
        p[i] = __fmaf_rn(d, neg_lr, pi);
    }
}

// p, g, sum (n): Adagrad
extern "C" __global__ void adagrad_step(float *p, const float *g, float *sum, float wd, float neg_clr,
                                        float eps, long long n) {
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float gi = decayed(pi, g[i], wd);
        float s = __fmaf_rn(gi, gi, sum[i]);
        sum[i] = s;
        float std = __fadd_rn(__fsqrt_rn(s), eps);
        p[i] = __fadd_rn(pi, __fdiv_rn(__fmul_rn(neg_clr, gi), std));
    }
}

// p, g, square_avg, acc_delta (n): Adadelta
extern "C" __global__ void adadelta_step(float *p, const float *g, float *square_avg, float *acc_delta,
                                         float wd, float rho, float one_minus_rho, float eps, float neg_lr,
                                         long long n) {
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float gi = decayed(pi, g[i], wd);
        float sq = __fmaf_rn(__fmul_rn(one_minus_rho, gi), gi, __fmul_rn(square_avg[i], rho));
        square_avg[i] = sq;
        float std = __fsqrt_rn(__fadd_rn(sq, eps));
        float acc = acc_delta[i];
        float delta = __fmul_rn(__fdiv_rn(__fsqrt_rn(__fadd_rn(acc, eps)), std), gi);
        acc_delta[i] = __fmaf_rn(__fmul_rn(one_minus_rho, delta), delta, __fmul_rn(acc, rho));
        p[i] = __fmaf_rn(delta, neg_lr, pi);
    }
}

// p, g, square_avg, grad_avg (n) or null (not centered), buf (n) or null (no momentum): RMSprop
extern "C" __global__ void rmsprop_step(float *p, const float *g, float *square_avg, float *grad_avg,
                                        float *buf, float wd, float alpha, float one_minus_alpha, float eps,
                                        float momentum, float neg_lr, long long n) {
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float gi = decayed(pi, g[i], wd);
        float sq = __fmaf_rn(__fmul_rn(one_minus_alpha, gi), gi, __fmul_rn(square_avg[i], alpha));
        square_avg[i] = sq;
        float avg;
        if (grad_avg != nullptr) {
            float ga = __fmaf_rn(gi, one_minus_alpha, __fmul_rn(grad_avg[i], alpha));
            grad_avg[i] = ga;
            avg = __fadd_rn(__fsqrt_rn(__fmaf_rn(-ga, ga, sq)), eps);
        } else {
            avg = __fadd_rn(__fsqrt_rn(sq), eps);
        }
        if (buf != nullptr) {
            float b = __fadd_rn(__fmul_rn(buf[i], momentum), __fdiv_rn(gi, avg));
            buf[i] = b;
            p[i] = __fmaf_rn(b, neg_lr, pi);
        } else {
            p[i] = __fadd_rn(pi, __fdiv_rn(__fmul_rn(neg_lr, gi), avg));
        }
    }
}

// p, g, m, v, vmax (n) or null (no amsgrad): Adam, and AdamW through decay_factor != 1
extern "C" __global__ void adam_step(float *p, const float *g, float *m, float *v, float *vmax,
                                     float decay_factor, float wd, float beta1, float one_minus_beta1,
                                     float beta2, float one_minus_beta2, float neg_step_size, float bc2_sqrt,
                                     float eps, long long n) {
    GRID_STRIDE(i, n) {
        float pi = p[i];
        if (decay_factor != 1.0f) pi = __fmul_rn(pi, decay_factor);
        float gi = decayed(pi, g[i], wd);
        float mi = __fmaf_rn(gi, one_minus_beta1, __fmul_rn(m[i], beta1));
        float vi = __fmaf_rn(__fmul_rn(one_minus_beta2, gi), gi, __fmul_rn(v[i], beta2));
        m[i] = mi;
        v[i] = vi;
        if (vmax != nullptr) {
            vi = java_maxf(vmax[i], vi);
            vmax[i] = vi;
        }
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
        p[i] = __fadd_rn(pi, __fdiv_rn(__fmul_rn(neg_step_size, mi), denom));
    }
}
