/* AVX2 + FMA + F16C kernels. */
#include <immintrin.h>

#include "pl_internal.h"

void pl_kernels_fill_avx2(pl_kernels *k) {
    pl_kernels_fill_scalar(k);
    k->isa = PL_ISA_AVX2;
    k->variant = "avx2";
}
