package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateKernel;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Updates parameters in place from their gradients, reproducing {@code torch.optim} (1.13, single-tensor
 * path) bit for bit: hyperparameter arithmetic in double rounded once to float, kernels through
 * {@link Compute} (see the golden README for the three exactness rules).
 *
 * <p>State tensors are allocated once, at construction, in an arena the optimizer owns (shared, so
 * multi-threaded backends may touch them); {@link #step()} allocates nothing. Each state tensor is
 * registered under {@code <parameter name>.<torch state key>} (e.g. {@code fc1.weight.exp_avg}) and
 * exposed by {@link #state()}; together with {@link #stepCount()} (torch's {@code step}) that is
 * everything a checkpoint must save to resume exactly with {@link #loadState}.
 *
 * <p>A subclass is one optimizer: its constructor allocates its state ({@link #newState}) and names its
 * rule ({@link #useRule}); its {@link #update} fills {@link #ruleScalars()} and calls {@link #applyRule()}.
 * An optimizer is not thread-safe: one thread steps it.
 */
public abstract class Optimizer implements AutoCloseable {
    /** Parameters in the order given; an array so that the step loop needs no iterator. */
    protected final Parameter[] params;
    /** The kernels the updates run on (not owned: {@link #close()} leaves it open). */
    protected final Compute compute;

    private final List<Parameter> parameterList;
    private final Arena stateArena;
    private final Map<String, Tensor> state = new LinkedHashMap<>();
    private final Map<String, Tensor> stateView = Collections.unmodifiableMap(state);
    private long steps;
    private boolean closed;
    private UpdateKernel kernel;
    /** Per parameter, the operands of {@link #kernel}: value, grad, then the state tensors (null where off). */
    private Tensor[][] operands;
    private float[] scalars;

    /**
     * Checks the parameters and creates the state arena; the subclass allocates its state next.
     *
     * @param parameters the parameters to update, at least one, names unique; copied
     * @param compute    the kernels the updates run on; not owned
     * @throws IllegalArgumentException if the parameters are null or empty, a name repeats, or compute is null
     */
    protected Optimizer(List<Parameter> parameters, Compute compute) {
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter");
        }
        if (compute == null) {
            throw new IllegalArgumentException("compute must not be null");
        }
        Set<String> names = new HashSet<>();
        for (Parameter p : parameters) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("parameter name " + p.name() + " appears twice; state is keyed by"
                        + " parameter name, so names must be unique");
            }
        }
        this.parameterList = List.copyOf(parameters);
        this.params = parameterList.toArray(new Parameter[0]);
        this.compute = compute;
        this.stateArena = Arena.ofShared(); // last: nothing above may throw and leak it
    }

    /**
     * PyTorch's class name of this optimizer.
     *
     * @return e.g. "SGD" or "AdamW"
     */
    public abstract String name();

    /**
     * Applies one update to every parameter (t = {@link #stepCount()} after the increment), from the
     * gradients as they are now.
     *
     * @throws IllegalStateException if the optimizer is closed
     */
    public final void step() {
        if (closed) {
            throw new IllegalStateException(name() + " optimizer is closed");
        }
        steps++;
        update(steps);
    }

    /**
     * One update of every parameter at 1-based step {@code t}; must not allocate.
     *
     * @param t the step number, 1 for the first step
     */
    protected abstract void update(long t);

    /**
     * Steps taken so far (torch's {@code state["step"]}).
     *
     * @return the count, 0 before the first step
     */
    public final long stepCount() {
        return steps;
    }

    /**
     * The parameters this optimizer updates.
     *
     * @return the parameters in the order given, unmodifiable
     */
    public final List<Parameter> parameters() {
        return parameterList;
    }

    /**
     * The live state tensors by {@code <parameter>.<state key>}, in registration order. Read-only map.
     *
     * @return the state, the tensors themselves (in the backend's memory; freed by {@link #close()})
     */
    public final Map<String, Tensor> state() {
        return stateView;
    }

    /**
     * The key of a parameter's state tensor in {@link #state()}.
     *
     * @param parameterName the parameter's name, e.g. {@code 0.weight}
     * @param stateName     torch's state key, e.g. {@code exp_avg}
     * @return {@code parameterName + "." + stateName}
     */
    public static String stateKey(String parameterName, String stateName) {
        return parameterName + "." + stateName;
    }

    /**
     * Restores a saved state: every key of {@link #state()} must be present with the same shape, no
     * other key may be, and {@code stepCount} becomes the step count (the next step is stepCount + 1).
     * The values are copied; nothing changes when any check fails.
     *
     * @param values    the saved tensors by state key; still the caller's
     * @param stepCount the saved {@link #stepCount()}, {@code >= 0}
     * @throws IllegalArgumentException if stepCount is negative, a key is missing or unknown, or a shape differs
     */
    public final void loadState(Map<String, Tensor> values, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException(name() + ": step count must be >= 0, got " + stepCount);
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor v = values.get(e.getKey());
            if (v == null) {
                missing.add(e.getKey());
            } else if (!v.sameShape(e.getValue())) {
                throw new IllegalArgumentException(name() + ": state " + e.getKey() + " has shape " + v.shapeString()
                        + ", expected " + e.getValue().shapeString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(name() + ": state is missing " + missing + " (expected keys: "
                    + state.keySet() + ")");
        }
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(state.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(name() + ": unknown state keys " + unknown + " (expected keys: "
                    + state.keySet() + ")");
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            compute.copy(values.get(e.getKey()), e.getValue());
        }
        steps = stepCount;
    }

    /**
     * Allocates one state tensor per parameter, shaped like it and filled with {@code initial}, and
     * registers it under torch's key {@code stateName}. Call from subclass constructors only.
     *
     * @param stateName torch's state key, e.g. {@code exp_avg}
     * @param initial   the value of every element
     * @return the state tensors, one per parameter in parameter order
     */
    protected final Tensor[] newState(String stateName, float initial) {
        Tensor[] out = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) {
            out[i] = compute.allocate(stateArena, params[i].value().shape());
            if (initial != 0f) {
                compute.fill(out[i], initial);
            }
            state.put(stateKey(params[i].name(), stateName), out[i]);
        }
        return out;
    }

    /**
     * Makes {@code rule} this optimizer's update: resolves the backend's kernel for it once and lays out,
     * for every parameter, its operands {@code value, grad, states[0][i], states[1][i], ...} (a null
     * {@code states[j]}: that optional state is off). Call once from the subclass constructor, with the
     * states in the order the rule names them after param and grad.
     *
     * @param rule   the update rule
     * @param states the state tensors per parameter ({@link #newState}), in the rule's order; null for an
     *               optional state that is off
     * @throws IllegalArgumentException if the rule does not take param, grad and {@code states.length} tensors
     */
    protected final void useRule(UpdateRule rule, Tensor[]... states) {
        if (rule.tensors().size() != 2 + states.length) {
            throw new IllegalArgumentException(name() + ": rule " + rule + " takes " + rule.tensors().size()
                    + " tensors, given param, grad and " + states.length + " states");
        }
        this.kernel = compute.updateKernel(rule);
        this.operands = new Tensor[params.length][2 + states.length];
        for (int i = 0; i < params.length; i++) {
            for (int j = 0; j < states.length; j++) {
                operands[i][2 + j] = states[j] == null ? null : states[j][i];
            }
        }
        this.scalars = new float[rule.scalars().size()];
    }

    /**
     * The rule's scalars for the next {@link #applyRule()}, in the rule's order; the same array every step.
     *
     * @return the array to fill before {@link #applyRule()}
     */
    protected final float[] ruleScalars() {
        return scalars;
    }

    /** Runs the rule's kernel once per parameter with the current values, gradients and {@link #ruleScalars()}. */
    protected final void applyRule() {
        for (int i = 0; i < params.length; i++) {
            Tensor[] row = operands[i];
            row[0] = params[i].value(); // read every step: a parameter's tensors are the module's, not ours
            row[1] = params[i].grad();
            kernel.apply(row, scalars);
        }
    }

    /** Frees the state tensors. Idempotent. The parameters and the compute are not the optimizer's to close. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                compute.synchronize(); // queued updates may still use the state
            } finally {
                stateArena.close(); // even after a failed wait (a faulted GPU runs nothing more)
            }
        }
    }
}
