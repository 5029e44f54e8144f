/* What the NEON files share: the installers each file provides to pl_kernels_fill_neon. */
#ifndef PL_NEON_INTERNAL_H
#define PL_NEON_INTERNAL_H

#include <arm_neon.h>

#include "pl_internal.h"

#define PL_AI static inline __attribute__((always_inline))

/* Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 matmul (decode and prefill) and their activation quantizers (neon_matmul.c) */
PL_INTERNAL void pl_neon_install_matmul(pl_kernels *k);
/* their SDOT variant (dotprod_matmul.c, compiled with +dotprod: call only where the CPU has it) */
PL_INTERNAL void pl_neon_install_matmul_dotprod(pl_kernels *k);
/* Q4_K / Q5_K / Q6_K matmul, bit for bit the scalar path's (neon_kquants.c) */
PL_INTERNAL void pl_neon_install_kquants(pl_kernels *k);
/* attention scores and weights x V (neon_attention.c) */
PL_INTERNAL void pl_neon_install_attention(pl_kernels *k);

#endif /* PL_NEON_INTERNAL_H */
