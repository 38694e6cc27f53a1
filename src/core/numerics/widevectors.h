/*
 * widevectors.h: a second copy of a hot loop compiled for AVX2.
 *
 * The per-row loops of training in passes run up to twice as fast on four
 * doubles at a time: where the processor has AVX2, a copy of a function
 * marked MM_WIDE_VECTORS compiled for it is chosen when the library loads.
 * Both copies give the same bits, since the loops neither reorder a sum nor
 * contract a product and a sum (the core is built with -ffp-contract=off),
 * and AVX2 without FMA adds no instruction that rounds differently.  Builds
 * by clang (the fuzzing harness, the JIT's bitcode) and other targets keep
 * the one portable copy.
 */
#ifndef MM_WIDEVECTORS_H
#define MM_WIDEVECTORS_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MM_WIDE_VECTORS __attribute__((target_clones("avx2", "default")))
#else
#define MM_WIDE_VECTORS
#endif

#endif							/* MM_WIDEVECTORS_H */
