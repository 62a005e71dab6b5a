package dev.panamax.backend;

import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * An elementwise update, in place, of tensors of one size: an optimizer's step. The class that defines a
 * rule gives its {@link #reference} loop, which is the rule's definition (what every backend must
 * produce bit for bit), and a {@link #name} under which a backend may carry a kernel of its own that does
 * the same in one fast pass. A backend that carries none runs the reference ({@link Backend#updateKernel}),
 * so a new optimizer is one file: its rule, its state and its hyperparameters; an accelerated kernel per
 * backend is optional and can come later.
 *
 * <p>The operands are positional: {@link #tensors()} names the tensors in the order a call passes them
 * (the parameter first), {@link #scalars()} the float scalars (a flag is 0 or 1). A backend's kernel
 * declares the same two lists ({@link AcceleratedUpdate}) and is refused if they differ, so reordering a
 * rule's operands without its kernels fails at once instead of computing the wrong thing.
 */
public abstract class UpdateRule {
    private final String name;
    private final List<String> tensors;
    private final Set<String> optionalTensors;
    private final List<String> scalars;

    /**
     * Declares a rule's name and operands; the subclass supplies the {@link #reference} loop.
     *
     * @param name            the key backends carry kernels under, e.g. {@code torch.optim.Adagrad}
     * @param tensors         operand tensors in call order, the updated parameter first
     * @param optionalTensors those of {@code tensors} that a call may pass as null (state a setting turns off)
     * @param scalars         float scalars in call order
     * @throws IllegalArgumentException if {@code tensors} is empty, or {@code optionalTensors} names a tensor not
     *         in {@code tensors} or the parameter
     */
    protected UpdateRule(String name, List<String> tensors, Set<String> optionalTensors, List<String> scalars) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(name + ": an update rule needs at least the parameter tensor");
        }
        if (!tensors.containsAll(optionalTensors) || optionalTensors.contains(tensors.getFirst())) {
            throw new IllegalArgumentException(name + ": optional tensors " + optionalTensors
                    + " must be among " + tensors + " and must not include the parameter");
        }
        this.name = name;
        this.tensors = List.copyOf(tensors);
        this.optionalTensors = Set.copyOf(optionalTensors);
        this.scalars = List.copyOf(scalars);
    }

    /**
     * The key backends carry kernels under.
     *
     * @return the rule's name, e.g. {@code torch.optim.Adagrad}
     */
    public final String name() {
        return name;
    }

    /**
     * The tensor operands by name, in call order.
     *
     * @return the names, the updated parameter first; unmodifiable
     */
    public final List<String> tensors() {
        return tensors;
    }

    /**
     * Whether a call may pass null for a tensor.
     *
     * @param tensorIndex a position in {@link #tensors()}
     * @return true when that tensor is optional (state a setting turns off)
     * @throws IndexOutOfBoundsException if the index is not a position in {@link #tensors()}
     */
    public final boolean optional(int tensorIndex) {
        return optionalTensors.contains(tensors.get(tensorIndex));
    }

    /**
     * The float scalars by name, in call order (a flag is 0 or 1).
     *
     * @return the names; unmodifiable
     */
    public final List<String> scalars() {
        return scalars;
    }

    /**
     * The definition: updates the tensors in place, element by element, reading and writing host memory
     * ({@link Tensor#get}, {@link Tensor#set}). Called with arguments already checked: the counts match
     * the lists above, every tensor present has the parameter's size, absent ones are optional.
     *
     * @param tensors the tensors in {@link #tensors()} order, updated in place
     * @param scalars the scalars in {@link #scalars()} order
     */
    public abstract void reference(Tensor[] tensors, float[] scalars);

    @Override
    public String toString() {
        return name + tensors + scalars;
    }
}
