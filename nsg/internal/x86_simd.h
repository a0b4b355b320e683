// <immintrin.h> for the classifier's engines, without GCC 12's false
// warnings. GCC 12 reports its own _mm512_undefined_* helpers as
// uninitialized when they are inlined; the warning is about the header,
// not the code that includes it. Clang, which builds the fuzzers, has no
// -Wmaybe-uninitialized.
#ifndef PORTCULLIS_NSG_INTERNAL_X86_SIMD_H_
#define PORTCULLIS_NSG_INTERNAL_X86_SIMD_H_

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#pragma GCC diagnostic pop

#endif  // PORTCULLIS_NSG_INTERNAL_X86_SIMD_H_
