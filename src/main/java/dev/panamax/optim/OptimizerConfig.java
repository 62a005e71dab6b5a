package dev.panamax.optim;

import dev.panamax.backend.Compute;

import java.util.List;

/** The hyperparameters of one optimizer, able to check themselves and build the optimizer. */
public interface OptimizerConfig {

    /**
     * PyTorch's class name: SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW.
     *
     * @return the name of the optimizer this config builds
     */
    String optimizerName();

    /**
     * Throws {@link IllegalArgumentException} naming the first invalid hyperparameter.
     *
     * @throws IllegalArgumentException if a hyperparameter is out of its range (PyTorch's ranges)
     */
    void validate();

    /**
     * A new optimizer over {@code parameters}, computing through {@code compute}.
     *
     * @param parameters the parameters to update, at least one, names unique
     * @param compute    the kernels the updates run on; not owned
     * @return the optimizer, owned by the caller (close it to free its state)
     * @throws IllegalArgumentException if the config is invalid, or the parameters are empty or repeat a name
     */
    Optimizer create(List<Parameter> parameters, Compute compute);
}
