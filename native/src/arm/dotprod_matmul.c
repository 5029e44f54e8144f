/*
 * The dotprod variant (ARMv8.2-A SDOT, FEAT_DotProd) of the NEON Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 matmul: the tiles of
 * neon_matmul.c with each block's integer dot product as two SDOTs instead of widening multiplies
 * and pairwise adds. Integer sums are exact either way, so the results are the same bits. This file
 * alone is compiled with +dotprod; the dispatcher installs it only where AT_HWCAP reports ASIMDDP.
 */
#define PL_Q8_DOT 1
#include "neon_q8_tiles.h"

/* Only the kernels: the activation quantizers stay the baseline ones installed before this. */
void pl_neon_install_matmul_dotprod(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_0].gemv = gemv_q4_0;
    k->mm[PL_TYPE_Q4_0].gemm = gemm_q4_0;
    k->mm[PL_TYPE_Q4_1].gemv = gemv_q4_1;
    k->mm[PL_TYPE_Q4_1].gemm = gemm_q4_1;
    k->mm[PL_TYPE_Q8_0].gemv = gemv_q8_0;
    k->mm[PL_TYPE_Q8_0].gemm = gemm_q8_0;
    k->mm[PL_TYPE_Q5_0].gemv = gemv_q5_0;
    k->mm[PL_TYPE_Q5_0].gemm = gemm_q5_0;
    k->mm[PL_TYPE_Q5_1].gemv = gemv_q5_1;
    k->mm[PL_TYPE_Q5_1].gemm = gemm_q5_1;
}
