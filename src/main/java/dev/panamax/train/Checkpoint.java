package dev.panamax.train;

import dev.panamax.autograd.Variable;
import dev.panamax.io.DType;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.io.SafetensorsWriter;
import dev.panamax.nn.Module;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model and optimizer state in one safetensors file.
 *
 * <p>Parameters are stored under PyTorch's names ("0.weight", "0.bias", "2.weight", ...), so
 * {@code model.load_state_dict(safetensors.torch.load_file(path), strict=False)} loads them into the same
 * {@code nn.Sequential}; optimizer state goes under {@value #OPTIMIZER_PREFIX}{@code <param>.<torch key>}
 * with the step count in the metadata, which is what an exact resume needs. Writes are atomic (temp
 * file + rename): a crash mid-write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    /** The prefix of every optimizer state tensor's name, e.g. {@code optimizer.0.weight.exp_avg}. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    /** The metadata key of the optimizer's step count. */
    public static final String STEP_KEY = "optimizer_step";
    /** The metadata key of the file format's name. */
    public static final String FORMAT_KEY = "format";
    /** The format this version writes and reads under {@link #FORMAT_KEY}. */
    public static final String FORMAT = "panamax-checkpoint-1";

    private Checkpoint() {
    }

    /**
     * Saves parameters, optimizer state (if an optimizer is given) and {@code metadata}, atomically. The
     * tensors are read on the host: with an asynchronous backend, synchronize first.
     *
     * @param file      the checkpoint to write (replaced if it exists)
     * @param model     the model whose parameters are saved under their PyTorch names
     * @param optimizer the optimizer whose state and step count are saved, or null for the weights alone
     * @param metadata  more string metadata to store (for example {@link ModelSpec#toMetadata()})
     * @throws IOException if the file cannot be written; the previous file is then left as it was
     */
    public static void save(Path file, Module model, Optimizer optimizer, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata(FORMAT_KEY, FORMAT);
        w.metadata(metadata);
        for (Map.Entry<String, Variable> e : model.namedParameters().entrySet()) {
            w.addF32(e.getKey(), e.getValue().value());
        }
        if (optimizer != null) {
            w.metadata(STEP_KEY, Long.toString(optimizer.stepCount()));
            w.metadata("optimizer", optimizer.name());
            for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
                w.addF32(OPTIMIZER_PREFIX + e.getKey(), e.getValue());
            }
        }
        w.write(file);
    }

    /**
     * Loads parameters (and optimizer state when {@code optimizer} is not null) from {@code file}.
     * Every name and shape is checked before anything is copied, so a mismatching file changes nothing.
     * Returns the file's metadata.
     *
     * @param file      the checkpoint to read
     * @param model     the model whose parameters are overwritten; its names and shapes must be the file's
     * @param optimizer the optimizer whose state and step count are restored, or null to read the weights
     *                  alone (the file's optimizer state is then ignored)
     * @return the file's string metadata
     * @throws IOException if the file cannot be read, is malformed, or does not fit the model (and optimizer):
     *         the message lists every mismatch, and nothing has been copied
     */
    public static Map<String, String> load(Path file, Module model, Optimizer optimizer) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file); Arena scratch = Arena.ofConfined()) {
            Map<String, Variable> params = model.namedParameters();
            List<String> problems = new ArrayList<>();
            String format = r.metadata().get(FORMAT_KEY);
            if (format != null && !format.equals(FORMAT)) {
                problems.add("its format is '" + format + "', this version reads '" + FORMAT + "'");
            }
            for (String name : r.names()) {
                // optimizer state is Panamax's own and may be left unread (eval, --init-from); anything else is not ours
                if (!params.containsKey(name) && !name.startsWith(OPTIMIZER_PREFIX)) {
                    problems.add("unexpected tensor " + name);
                }
            }
            for (Map.Entry<String, Variable> e : params.entrySet()) {
                checkTensor(r, e.getKey(), e.getValue().value(), problems);
            }
            Map<String, Tensor> state = new LinkedHashMap<>();
            long step = 0;
            if (optimizer != null) {
                String stepText = r.metadata().get(STEP_KEY);
                if (stepText == null) {
                    problems.add("metadata has no " + STEP_KEY + " (was it saved without an optimizer?)");
                } else {
                    step = parseStep(file, stepText);
                }
                for (String name : r.names()) {
                    if (name.startsWith(OPTIMIZER_PREFIX)
                            && !optimizer.state().containsKey(name.substring(OPTIMIZER_PREFIX.length()))) {
                        problems.add("unexpected optimizer state " + name + " (not " + optimizer.name() + "'s)");
                    }
                }
                for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
                    String name = OPTIMIZER_PREFIX + e.getKey();
                    if (checkTensor(r, name, e.getValue(), problems)) {
                        state.put(e.getKey(), r.readF32(name, scratch));
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new IOException(file + " does not fit this model" + (optimizer != null ? " and optimizer" : "")
                        + ": " + String.join("; ", problems));
            }
            if (optimizer != null) {
                optimizer.loadState(state, step);
            }
            for (Map.Entry<String, Variable> e : params.entrySet()) {
                r.readF32Into(e.getKey(), e.getValue().value());
            }
            return r.metadata();
        }
    }

    /**
     * Checks, before any model is built, that the checkpoint's tensors have the shapes its metadata's
     * {@code sizes} imply, as float32: the sizes come from a header anyone can write, and building the
     * model they claim (784,1500000,10) would allocate gigabytes before the tensors are found to be
     * otherwise; tensors of the right shapes in 1-byte elements (U8) would still claim a model four
     * times the file's size.
     *
     * @param r     the open checkpoint
     * @param sizes the MLP sizes its metadata claims
     * @throws IOException listing every tensor that is missing, of another shape or not F32
     */
    public static void requireShapes(SafetensorsReader r, int[] sizes) throws IOException {
        List<String> problems = new ArrayList<>();
        for (int k = 0; k + 1 < sizes.length; k++) {
            int[][] expected = {{sizes[k + 1], sizes[k]}, {sizes[k + 1]}};
            String[] names = {2 * k + ".weight", 2 * k + ".bias"};
            for (int i = 0; i < 2; i++) {
                if (!r.contains(names[i])) {
                    problems.add("missing tensor " + names[i]);
                } else if (!Arrays.equals(r.shape(names[i]), expected[i])) {
                    problems.add(names[i] + " has shape " + Arrays.toString(r.shape(names[i])) + ", the metadata's model_sizes "
                            + Arrays.toString(sizes) + " say " + Arrays.toString(expected[i]));
                } else if (r.dtype(names[i]) != DType.F32) {
                    problems.add(names[i] + " is " + r.dtype(names[i]) + ", expected F32");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(r.file() + " does not hold the model its metadata describes: " + String.join("; ", problems));
        }
    }

    private static boolean checkTensor(SafetensorsReader r, String name, Tensor expected, List<String> problems) {
        if (!r.contains(name)) {
            problems.add("missing tensor " + name);
            return false;
        }
        if (r.dtype(name) != DType.F32) {
            problems.add(name + " is " + r.dtype(name) + ", expected F32");
            return false;
        }
        if (!Arrays.equals(r.shape(name), expected.shape())) {
            problems.add(name + " has shape " + Arrays.toString(r.shape(name)) + ", expected " + expected.shapeString());
            return false;
        }
        // Panamax writes finite models only; a NaN here is damage, and training on from it fails at once
        // with a message about the learning rate, which would be wrong advice
        float[] values = r.readFloats(name);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                problems.add(name + " holds a non-finite value (" + values[i] + ") at "
                        + Tensor.indexString(expected.shape(), i) + ": the file is damaged, not a model to continue from");
                return false;
            }
        }
        return true;
    }

    private static long parseStep(Path file, String text) throws IOException {
        try {
            long step = Long.parseLong(text);
            if (step < 0) {
                throw new NumberFormatException("negative");
            }
            return step;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata " + STEP_KEY + " = '" + text + "' is not a step count");
        }
    }
}
