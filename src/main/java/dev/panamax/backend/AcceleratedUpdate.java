package dev.panamax.backend;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A backend's own kernel for the {@link UpdateRule} of a given name, with the operand lists it was written
 * for. {@link #resolve} hands it out only for a rule whose lists are the same, and falls back to the rule's
 * reference for a rule the backend carries no kernel for.
 *
 * @param rule    the {@link UpdateRule#name() name} of the rule the kernel computes
 * @param tensors the tensor operands the kernel takes, in call order, as the rule's {@link UpdateRule#tensors()}
 * @param scalars the float scalars the kernel takes, in call order, as the rule's {@link UpdateRule#scalars()}
 * @param kernel  the kernel itself
 */
public record AcceleratedUpdate(String rule, List<String> tensors, List<String> scalars, UpdateKernel kernel) {

    /** Copies both operand lists (they are immutable from then on). */
    public AcceleratedUpdate {
        tensors = List.copyOf(tensors);
        scalars = List.copyOf(scalars);
    }

    /**
     * The kernels of one backend by rule name.
     *
     * @param kernels the backend's kernels, at most one per rule name
     * @return an unmodifiable map from {@link #rule()} to the kernel
     * @throws IllegalStateException if two kernels carry the same rule name
     */
    public static Map<String, AcceleratedUpdate> byRule(List<AcceleratedUpdate> kernels) {
        return kernels.stream().collect(Collectors.toUnmodifiableMap(AcceleratedUpdate::rule, Function.identity()));
    }

    /**
     * The kernel in {@code known} for {@code rule}, or {@code fallback} when there is none.
     *
     * @param rule     the rule an optimizer applies
     * @param known    the backend's kernels by rule name ({@link #byRule})
     * @param backend  the backend's name, for the message
     * @param fallback what runs the rule when the backend has no kernel for it (usually its reference)
     * @return the backend's kernel for the rule, or {@code fallback}
     * @throws IllegalStateException when the backend's kernel was written for other operands than the rule
     *                               declares now (a rule changed without its kernels)
     */
    public static UpdateKernel resolve(UpdateRule rule, Map<String, AcceleratedUpdate> known, String backend,
                                       UpdateKernel fallback) {
        AcceleratedUpdate k = known.get(rule.name());
        if (k == null) {
            return fallback;
        }
        if (!k.tensors.equals(rule.tensors()) || !k.scalars.equals(rule.scalars())) {
            throw new IllegalStateException("the " + backend + " backend's kernel for " + rule.name()
                    + " takes tensors " + k.tensors + " and scalars " + k.scalars + ", but the rule declares "
                    + rule.tensors() + " and " + rule.scalars() + ": update the kernel with the rule");
        }
        return k.kernel;
    }
}
