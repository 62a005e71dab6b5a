package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorAllocator;

import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b} with {@code weight (out, in)} and {@code bias (out)}.
 *
 * <p>Initialisation is PyTorch's default: weight from kaiming_uniform with {@code a = sqrt(5)}, which
 * works out to U(-1/sqrt(in), 1/sqrt(in)) (gain sqrt(2/(1+a^2)) = sqrt(1/3) times sqrt(3/in)); bias
 * from U(-1/sqrt(in), 1/sqrt(in)). The generator is the caller's, so a seed fixes the weights
 * (the values differ from torch's own generator; the distribution is the same).
 */
public final class Linear implements Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Variable weight;
    private final Variable bias;

    /**
     * PyTorch's initialisation, with the parameters and their gradients in host memory.
     *
     * @param inFeatures  the input width, {@code > 0}
     * @param outFeatures the output width, {@code > 0}
     * @param rng         the generator the weights and then the biases are drawn from
     * @param owner       the arena that owns the parameters and their gradients
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int inFeatures, int outFeatures, RandomGenerator rng, Arena owner) {
        this(inFeatures, outFeatures, rng, owner, TensorAllocator.HOST);
    }

    /**
     * PyTorch's initialisation (uniform in +-1/sqrt(in) for weight, then bias), with the parameters and
     * their gradients in {@code memory}'s memory (a Compute puts them where its backend computes).
     *
     * @param inFeatures  the input width, {@code > 0}
     * @param outFeatures the output width, {@code > 0}
     * @param rng         the generator the weights and then the biases are drawn from
     * @param owner       the arena that owns the parameters and their gradients
     * @param memory      where the parameters and gradients are allocated
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int inFeatures, int outFeatures, RandomGenerator rng, Arena owner, TensorAllocator memory) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear(" + inFeatures + ", " + outFeatures + "): sizes must be positive");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1.0 / Math.sqrt(inFeatures);
        Tensor w = memory.allocate(owner, outFeatures, inFeatures);
        for (long i = 0; i < w.size(); i++) {
            w.set(i, (float) rng.nextDouble(-bound, bound));
        }
        Tensor b = memory.allocate(owner, outFeatures);
        for (long i = 0; i < b.size(); i++) {
            b.set(i, (float) rng.nextDouble(-bound, bound));
        }
        this.weight = Variable.parameter("weight", w, owner, memory);
        this.bias = Variable.parameter("bias", b, owner, memory);
    }

    /**
     * The input width.
     *
     * @return {@code in}
     */
    public int inFeatures() {
        return inFeatures;
    }

    /**
     * The output width.
     *
     * @return {@code out}
     */
    public int outFeatures() {
        return outFeatures;
    }

    /**
     * The weight parameter, named "weight".
     *
     * @return W (out, in)
     */
    public Variable weight() {
        return weight;
    }

    /**
     * The bias parameter, named "bias".
     *
     * @return b (out)
     */
    public Variable bias() {
        return bias;
    }

    // x (B,in) -> (B,out)
    @Override
    public Variable forward(Graph graph, Variable x) {
        return graph.linear(x, weight, bias);
    }

    @Override
    public Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        out.put("weight", weight);
        out.put("bias", bias);
        return out;
    }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=True)";
    }
}
