package dev.panamax.optim;

import dev.panamax.backend.Compute;

import java.util.List;

/** The hyperparameters of one optimizer, able to check themselves and build the optimizer. */
public interface OptimizerConfig {

    /** PyTorch's class name: SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW. */
    String optimizerName();

    /** Throws {@link IllegalArgumentException} naming the first invalid hyperparameter. */
    void validate();

    /** A new optimizer over {@code parameters}, computing through {@code compute}. */
    Optimizer create(List<Parameter> parameters, Compute compute);
}
