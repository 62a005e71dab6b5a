/**
 * Optimizers reproducing {@code torch.optim} (PyTorch 1.13) bit for bit: {@link dev.panamax.optim.SGD}
 * (plain, momentum, Nesterov), {@link dev.panamax.optim.Adagrad}, {@link dev.panamax.optim.Adadelta},
 * {@link dev.panamax.optim.RMSprop}, {@link dev.panamax.optim.Adam}, {@link dev.panamax.optim.AdamW};
 * {@link dev.panamax.optim.OptimizerSpec} builds them from text such as {@code adam(lr=1e-3,betas=0.9:0.999)}.
 */
package dev.panamax.optim;
