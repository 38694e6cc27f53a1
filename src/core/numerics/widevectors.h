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

/*
 * MM_WIDEST_VECTORS adds an AVX-512 copy too, for loops that run over
 * blocks of eight or more independent lanes (a kernel SVM's support
 * vectors); the per-row loops above are too short to gain from it.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MM_WIDE_VECTORS __attribute__((target_clones("avx2", "default")))
#define MM_WIDEST_VECTORS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MM_WIDE_VECTORS
#define MM_WIDEST_VECTORS
#endif

#endif							/* MM_WIDEVECTORS_H */
