/* AVX-512 F/BW/VL kernels (VNNI vpdpbusd when present). */
#include <immintrin.h>

#include "pl_internal.h"

void pl_kernels_fill_avx512(pl_kernels *k, int vnni) {
    pl_kernels_fill_avx2(k);
    k->isa = PL_ISA_AVX512;
    k->variant = vnni ? "avx512-vnni" : "avx512";
}
