/**
 * What every FFM binding of Panamax shares ({@code backend/blas/ffi}, {@code backend/cuda/ffi}): the
 * native linker, the all-names-first symbol check and its exception, and the unwrapping of what a
 * downcall handle may throw.
 */
package dev.panamax.backend.ffi;
