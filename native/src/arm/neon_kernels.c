/*
 * The NEON table (baseline ARMv8.0-A Advanced SIMD): the scalar table, then NEON kernels where
 * they exist. Anything not overridden here runs the scalar reference.
 */
#include <arm_neon.h>

#include "pl_internal.h"

void pl_kernels_fill_neon(pl_kernels *k, int dotprod) {
    pl_kernels_fill_scalar(k);
    k->isa = PL_ISA_NEON;
    k->variant = "neon";
    (void)dotprod;
}
