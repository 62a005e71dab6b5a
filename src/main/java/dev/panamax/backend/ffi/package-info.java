/**
 * What every FFM binding of Panamax shares ({@code backend/blas/ffi}, {@code backend/cuda/ffi}): the
 * native linker, the all-names-first symbol check and its exception, the unwrapping of what a
 * downcall handle may throw, and the dynamic linker's diagnostics ({@link dev.panamax.backend.ffi.Dlfcn}:
 * which file a library was loaded from, why one does not open).
 */
package dev.panamax.backend.ffi;
