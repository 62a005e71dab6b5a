package dev.panamax.spark;

import dev.panamax.optim.Optimizer;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A model's parameters as one float[] in their registration order: what a step sends and sums; and an
 * optimizer's state the same way, in its state's order.
 */
final class FlatParameters {
    private FlatParameters() {
    }

    static int size(List<Parameter> params) {
        long n = 0;
        for (Parameter p : params) {
            n += p.value().size();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a model of " + n + " parameters does not fit one float[]");
        }
        return (int) n;
    }

    static float[] values(List<Parameter> params) {
        float[] out = new float[size(params)];
        int at = 0;
        for (Parameter p : params) {
            at = copyOut(p.value(), out, at);
        }
        return out;
    }

    static float[] gradients(List<Parameter> params) {
        float[] out = new float[size(params)];
        gradientsInto(params, out);
        return out;
    }

    /** The gradients into the first {@link #size} floats of {@code out}, which may be longer. */
    static void gradientsInto(List<Parameter> params, float[] out) {
        int at = 0;
        for (Parameter p : params) {
            at = copyOut(p.grad(), out, at);
        }
    }

    static void setValues(List<Parameter> params, float[] flat) {
        requireSize(params, flat, "weights");
        int at = 0;
        for (Parameter p : params) {
            at = copyIn(flat, at, p.value());
        }
    }

    static void setGradients(List<Parameter> params, float[] flat) {
        requireSize(params, flat, "gradient");
        setGradientsFrom(params, flat);
    }

    /** The gradients from the first {@link #size} floats of {@code flat}, which may be longer: gradientsInto's inverse. */
    static void setGradientsFrom(List<Parameter> params, float[] flat) {
        int at = 0;
        for (Parameter p : params) {
            at = copyIn(flat, at, p.grad());
        }
    }

    /** Floats in the optimizer's state tensors together. */
    static int stateSize(Optimizer optimizer) {
        long n = 0;
        for (Tensor t : optimizer.state().values()) {
            n += t.size();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an optimizer state of " + n + " floats does not fit one float[]");
        }
        return (int) n;
    }

    /** The optimizer's state tensors, one after another in {@link Optimizer#state()}'s order. */
    static float[] stateValues(Optimizer optimizer) {
        float[] out = new float[stateSize(optimizer)];
        int at = 0;
        for (Tensor t : optimizer.state().values()) {
            at = copyOut(t, out, at);
        }
        return out;
    }

    /** The inverse of {@link #stateValues}, with the step count the state belongs to. */
    static void setState(Optimizer optimizer, float[] flat, long stepCount) {
        int size = stateSize(optimizer);
        if (flat.length != size) {
            throw new IllegalArgumentException("optimizer state of " + flat.length + " floats for "
                    + optimizer.name() + " over this model, which keeps " + size);
        }
        int at = 0;
        for (Tensor t : optimizer.state().values()) {
            at = copyIn(flat, at, t);
        }
        optimizer.loadState(optimizer.state(), stepCount); // the values are in place already: this sets the count
    }

    /**
     * Throws, naming {@code step}, if the first {@code length} floats of a summed gradient hold a NaN or an
     * infinity: no optimizer step is then taken, so the weights stay as they were.
     */
    static void requireFinite(float[] gradient, int length, String step) {
        for (int i = 0; i < length; i++) {
            if (!Float.isFinite(gradient[i])) {
                throw new IllegalStateException(step + ": the gradient is not finite (NaN or infinity in the data,"
                        + " or a learning rate that diverged); weights left as they were");
            }
        }
    }

    /** FNV-1a over the raw bits: equal for bitwise-equal weights (and, in practice, only for them). */
    static long checksum(float[] flat) {
        long h = 0xcbf29ce484222325L;
        for (float v : flat) {
            h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }

    private static void requireSize(List<Parameter> params, float[] flat, String what) {
        if (flat.length != size(params)) {
            throw new IllegalArgumentException(what + " of " + flat.length + " floats for a model of " + size(params)
                    + " parameters");
        }
    }

    private static int copyOut(Tensor t, float[] out, int at) {
        MemorySegment.copy(t.segment(), ValueLayout.JAVA_FLOAT, 0, out, at, (int) t.size());
        return at + (int) t.size();
    }

    private static int copyIn(float[] flat, int at, Tensor t) {
        MemorySegment.copy(flat, at, t.segment(), ValueLayout.JAVA_FLOAT, 0, (int) t.size());
        return at + (int) t.size();
    }
}
