package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.nn.StateDict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The weights a new training run starts from ({@code train --init-from FILE}): a plain PyTorch state
 * dict of Linear layers ({@link StateDict}) or a Panamax checkpoint, whose optimizer state is left
 * behind (a new run starts its optimizer afresh). Read and checked whole before the run starts.
 */
public final class InitialWeights {
    private final Path file;
    private final int[] sizes;
    private final StateDict stateDict;
    private final ModelSpec checkpointSpec;

    private InitialWeights(Path file, int[] sizes, StateDict stateDict, ModelSpec checkpointSpec) {
        this.file = file;
        this.sizes = sizes;
        this.stateDict = stateDict;
        this.checkpointSpec = checkpointSpec;
    }

    /**
     * Reads and checks {@code file}: a Panamax checkpoint (its metadata names the model's sizes, checked
     * against its tensors) or else a PyTorch state dict ({@link StateDict#read}).
     *
     * @param file the safetensors file
     * @return the weights, held on the heap or re-read from {@code file} by {@link #loadInto}
     * @throws IOException if the file cannot be read or is neither kind, naming the file and the tensor
     * @throws IllegalArgumentException if a checkpoint's model metadata is malformed
     */
    public static InitialWeights read(Path file) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            if (ModelSpec.isCheckpoint(r.metadata())) {
                ModelSpec spec = ModelSpec.fromMetadata(r.metadata(), file.toString());
                Checkpoint.requireShapes(r, spec.sizes());
                return new InitialWeights(file, spec.sizes(), null, spec);
            }
            StateDict sd = StateDict.read(r);
            return new InitialWeights(file, sd.sizes(), sd, null);
        }
    }

    /**
     * Input size, hidden sizes, classes.
     *
     * @return a copy of the model sizes the file holds
     */
    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * The sizes for messages.
     *
     * @return e.g. {@code 784-256-10}
     */
    public String describeSizes() {
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    /**
     * The activation the file records (a Panamax checkpoint's); empty for a state dict, which has none.
     *
     * @return the recorded activation, or empty
     */
    public Optional<Activation> activation() {
        return checkpointSpec == null ? Optional.empty() : Optional.of(checkpointSpec.activation());
    }

    /**
     * What kind of file this is, for messages.
     *
     * @return "a PyTorch state dict" or "a Panamax checkpoint's weights"
     */
    public String kind() {
        return stateDict != null ? "a PyTorch state dict" : "a Panamax checkpoint's weights";
    }

    /**
     * Copies the weights into {@code model}, which must have the file's sizes.
     *
     * @param model the model to overwrite, in host memory
     * @throws IOException if the sizes differ (nothing copied) or a checkpoint cannot be re-read
     */
    public void loadInto(Mlp model) throws IOException {
        if (stateDict != null) {
            stateDict.loadInto(model);
        } else {
            Checkpoint.load(file, model, null);
        }
    }
}
