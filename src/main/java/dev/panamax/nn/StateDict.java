package dev.panamax.nn;

import dev.panamax.autograd.Variable;
import dev.panamax.io.DType;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.io.TensorInfo;
import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain PyTorch state dict of {@code Linear} layers, as {@code safetensors.torch.save_file(model.state_dict(), f)}
 * writes it for an {@code nn.Sequential} of {@code Linear} and activation layers: {@code N.weight}
 * ({@code [out, in]}) and {@code N.bias} ({@code [out]}) for the Linear at Sequential index N. The
 * layer sizes are read from the shapes, in index order (activations hold no tensors, so the indices
 * need not be consecutive); the activation is not in the file and comes from the caller.
 *
 * <p>{@link #read} checks every tensor before anything is copied: an unexpected name, a missing
 * weight or bias, a shape that does not chain to the previous layer, a dtype that is not floating
 * point, or a non-finite value is an {@link IOException} naming the file and the tensor. F16, BF16
 * and F64 are converted to F32 (F16 and BF16 exactly, F64 rounded to nearest; a value beyond
 * float32's range is refused, since it would become infinite).
 */
public final class StateDict {
    private static final Pattern NAME = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(weight|bias)");
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One Linear layer of the file: its Sequential index and its sizes.
     *
     * @param index the layer's index N in the nn.Sequential (the N of {@code N.weight})
     * @param in    its input width (the weight's second dimension)
     * @param out   its output width (the weight's first dimension)
     */
    public record LinearLayer(int index, int in, int out) {
        String weight() {
            return index + ".weight";
        }

        String bias() {
            return index + ".bias";
        }
    }

    private final String source;
    private final List<LinearLayer> layers;
    private final Map<String, float[]> values;

    private StateDict(String source, List<LinearLayer> layers, Map<String, float[]> values) {
        this.source = source;
        this.layers = layers;
        this.values = values;
    }

    /**
     * Reads and checks the whole state dict of {@code r} (values converted to float32).
     *
     * @param r an open safetensors file; read here, not closed
     * @return the layers and their values, held on the heap (independent of {@code r} afterwards)
     * @throws IOException naming the file and the tensor if the file is not such a state dict (see the class
     *         comment)
     */
    public static StateDict read(SafetensorsReader r) throws IOException {
        String source = r.file().toString();
        if (r.names().isEmpty()) {
            throw new IOException(source + " holds no tensors: not a state dict");
        }
        TreeMap<Integer, String[]> byIndex = new TreeMap<>();
        for (String name : r.names()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new IOException(source + ": unexpected tensor '" + name + "' (a state dict of Linear layers holds"
                        + " only N.weight and N.bias, N the layer's index in the nn.Sequential)");
            }
            String[] pair = byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new String[2]);
            pair[m.group(2).equals("weight") ? 0 : 1] = name;
        }
        List<LinearLayer> layers = new ArrayList<>();
        Map<String, float[]> values = new TreeMap<>();
        int previousOut = -1;
        for (Map.Entry<Integer, String[]> e : byIndex.entrySet()) {
            int index = e.getKey();
            if (e.getValue()[0] == null) {
                throw new IOException(source + ": missing tensor " + index + ".weight (" + index + ".bias is there)");
            }
            if (e.getValue()[1] == null) {
                throw new IOException(source + ": missing tensor " + index + ".bias (Linear layers without a bias"
                        + " are not supported: every Panamax layer has one)");
            }
            int[] w = r.shape(index + ".weight");
            if (w.length != 2 || w[0] < 1 || w[1] < 1) {
                throw new IOException(source + ": " + index + ".weight has shape " + Arrays.toString(w)
                        + ", expected [out_features, in_features]");
            }
            if (previousOut >= 0 && w[1] != previousOut) {
                throw new IOException(source + ": " + index + ".weight has shape " + Arrays.toString(w) + ", expected ["
                        + w[0] + ", " + previousOut + "]: its inputs must be the previous layer's " + previousOut + " outputs");
            }
            int[] b = r.shape(index + ".bias");
            if (b.length != 1 || b[0] != w[0]) {
                throw new IOException(source + ": " + index + ".bias has shape " + Arrays.toString(b) + ", expected [" + w[0] + "]");
            }
            LinearLayer layer = new LinearLayer(index, w[1], w[0]);
            values.put(layer.weight(), floats(r, layer.weight()));
            values.put(layer.bias(), floats(r, layer.bias()));
            layers.add(layer);
            previousOut = w[0];
        }
        return new StateDict(source, List.copyOf(layers), values);
    }

    /**
     * The Linear layers in index order.
     *
     * @return the layers, at least one; unmodifiable
     */
    public List<LinearLayer> layers() {
        return layers;
    }

    /**
     * The MLP's sizes: the first layer's inputs, then every layer's outputs (e.g. 784, 256, 10).
     *
     * @return a new array of {@code layers().size() + 1} widths
     */
    public int[] sizes() {
        int[] sizes = new int[layers.size() + 1];
        sizes[0] = layers.getFirst().in();
        for (int i = 0; i < layers.size(); i++) {
            sizes[i + 1] = layers.get(i).out();
        }
        return sizes;
    }

    /**
     * Copies the weights into {@code mlp}'s parameters (Panamax's layer k takes the file's k-th Linear,
     * whatever its index). The sizes must be equal; nothing is copied when they are not.
     *
     * @param mlp a model in host memory (the values are written with plain stores)
     * @throws IOException if {@code mlp}'s sizes are not {@link #sizes()}
     */
    public void loadInto(Mlp mlp) throws IOException {
        if (!Arrays.equals(mlp.sizes(), sizes())) {
            throw new IOException(source + " holds a " + sizesText(sizes()) + " model, not the " + sizesText(mlp.sizes())
                    + " one asked for");
        }
        Map<String, Variable> params = mlp.namedParameters();
        for (int k = 0; k < layers.size(); k++) {
            LinearLayer layer = layers.get(k);
            copy(values.get(layer.weight()), params.get(2 * k + ".weight").value());
            copy(values.get(layer.bias()), params.get(2 * k + ".bias").value());
        }
    }

    private static void copy(float[] from, Tensor to) {
        MemorySegment.copy(from, 0, to.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, from.length);
    }

    private static String sizesText(int[] sizes) {
        return String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toList());
    }

    /** The tensor converted to float32, every value checked. */
    private static float[] floats(SafetensorsReader r, String name) throws IOException {
        TensorInfo t = r.info(name);
        MemorySegment raw = r.rawBytes(name);
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        DType dtype = t.dtype();
        for (int i = 0; i < n; i++) {
            float v;
            switch (dtype) {
                case F32 -> v = raw.getAtIndex(F32, i);
                case F16 -> v = Float.float16ToFloat(raw.getAtIndex(U16, i));
                case BF16 -> v = Float.intBitsToFloat((raw.getAtIndex(U16, i) & 0xffff) << 16);
                case F64 -> {
                    double d = raw.getAtIndex(F64, i);
                    v = (float) d;
                    if (Double.isFinite(d) && Float.isInfinite(v)) {
                        throw new IOException(r.file() + ": " + name + " (F64) holds " + d + " at " + position(t, i)
                                + ", beyond float32's range");
                    }
                }
                default -> throw new IOException(r.file() + ": " + name + " is " + dtype
                        + ": not a floating-point tensor (F32, F16, BF16 or F64)");
            }
            if (!Float.isFinite(v)) {
                throw new IOException(r.file() + ": " + name + " holds a non-finite value (" + v + ") at " + position(t, i));
            }
            out[i] = v;
        }
        return out;
    }

    private static String position(TensorInfo t, long flat) {
        return Tensor.indexString(t.shape(), flat);
    }
}
