/*
 * CPU detection and the kernel table: one table per ISA, chosen once from CPUID / AT_HWCAP (or from
 * PANLLAMA_ISA=scalar|avx2|avx512|neon read at first use), replaceable with pl_isa_force.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pl_internal.h"

#define AVX2_SET (PL_CPU_AVX2 | PL_CPU_FMA | PL_CPU_F16C)
#define AVX512_SET (PL_CPU_AVX512F | PL_CPU_AVX512BW | PL_CPU_AVX512VL)

static pl_kernels g_scalar;
#if defined(PL_HAVE_X86)
static pl_kernels g_avx2, g_avx512, g_avx512_vnni;
#endif
#if defined(PL_HAVE_NEON)
static pl_kernels g_neon, g_neon_dot;
#endif
static atomic_int g_tables_ready;
static _Atomic(const pl_kernels *) g_active;
static atomic_int g_features = -1;

int32_t pl_cpu_features(void) {
    int32_t f = atomic_load(&g_features);
    if (f < 0) {
#if defined(PL_HAVE_X86)
        f = pl_cpu_detect_x86();
#elif defined(PL_HAVE_NEON)
        f = pl_cpu_detect_arm();
#else
        f = 0;
#endif
        atomic_store(&g_features, f);
    }
    return f;
}

int32_t pl_isa_for_features(int32_t features) {
#if defined(PL_HAVE_X86)
    if ((features & AVX512_SET) == AVX512_SET && (features & AVX2_SET) == AVX2_SET) return PL_ISA_AVX512;
    if ((features & AVX2_SET) == AVX2_SET) return PL_ISA_AVX2;
#elif defined(PL_HAVE_NEON)
    if (features & PL_CPU_NEON) return PL_ISA_NEON; /* dotprod only picks a variant of it */
#else
    (void)features;
#endif
    return PL_ISA_SCALAR;
}

const char *pl_isa_name(int32_t isa) {
    switch (isa) {
    case PL_ISA_SCALAR: return "scalar";
    case PL_ISA_AVX2: return "avx2";
    case PL_ISA_AVX512: return "avx512";
    case PL_ISA_NEON: return "neon";
    default: return "unknown";
    }
}

static void build_tables(void) {
    /* Idempotent: two threads racing here write identical tables. */
    if (atomic_load(&g_tables_ready)) return;
    pl_fp16_table_init();
    pl_kernels_fill_scalar(&g_scalar);
#if defined(PL_HAVE_X86)
    /* The fill functions are compiled with their ISA's flags (the compiler may use its vector
     * instructions even to copy a struct), so only a CPU that has the ISA runs them. */
    const int32_t best = pl_isa_for_features(pl_cpu_features());
    if (best >= PL_ISA_AVX2) pl_kernels_fill_avx2(&g_avx2);
    if (best >= PL_ISA_AVX512) {
        pl_kernels_fill_avx512(&g_avx512, 0);
        pl_kernels_fill_avx512(&g_avx512_vnni, 1);
    }
#endif
#if defined(PL_HAVE_NEON)
    const int32_t cpu = pl_cpu_features();
    if (pl_isa_for_features(cpu) == PL_ISA_NEON) {
        pl_kernels_fill_neon(&g_neon, 0);
        if (cpu & PL_CPU_DOTPROD) pl_kernels_fill_neon(&g_neon_dot, 1);
    }
#endif
    atomic_store(&g_tables_ready, 1);
}

const pl_kernels *pl_kernels_for(int32_t isa, int32_t features) {
    build_tables();
    (void)features;
    switch (isa) {
    case PL_ISA_SCALAR: return &g_scalar;
#if defined(PL_HAVE_X86)
    case PL_ISA_AVX2: return &g_avx2;
    case PL_ISA_AVX512: return (features & PL_CPU_AVX512VNNI) ? &g_avx512_vnni : &g_avx512;
#endif
#if defined(PL_HAVE_NEON)
    /* the dotprod table exists only where this CPU has the instructions */
    case PL_ISA_NEON:
        return (features & PL_CPU_DOTPROD) && (pl_cpu_features() & PL_CPU_DOTPROD) ? &g_neon_dot : &g_neon;
#endif
    default: return NULL;
    }
}

/* Can this CPU run `isa` (and does this build have it)? */
static int isa_available(int32_t isa) {
    int32_t best = pl_isa_for_features(pl_cpu_features());
    if (isa == PL_ISA_SCALAR) return 1;
    if (isa == PL_ISA_AVX2) return best == PL_ISA_AVX2 || best == PL_ISA_AVX512;
    if (isa == PL_ISA_AVX512) return best == PL_ISA_AVX512;
    if (isa == PL_ISA_NEON) return best == PL_ISA_NEON;
    return 0;
}

static int32_t isa_from_env(void) {
    const char *s = getenv("PANLLAMA_ISA");
    int32_t best = pl_isa_for_features(pl_cpu_features());
    if (s == NULL || *s == 0 || strcmp(s, "auto") == 0) return best;
    for (int32_t isa = PL_ISA_SCALAR; isa <= PL_ISA_NEON; isa++) {
        if (strcmp(s, pl_isa_name(isa)) == 0) {
            if (isa_available(isa)) return isa;
            fprintf(stderr, "panllama: PANLLAMA_ISA=%s is not available on this CPU; using %s\n", s,
                    pl_isa_name(best));
            return best;
        }
    }
    fprintf(stderr, "panllama: PANLLAMA_ISA=%s is not one of scalar, avx2, avx512, neon; using %s\n", s,
            pl_isa_name(best));
    return best;
}

const pl_kernels *pl_kernels_active(void) {
    const pl_kernels *k = atomic_load(&g_active);
    if (k == NULL) {
        const pl_kernels *chosen = pl_kernels_for(isa_from_env(), pl_cpu_features());
        const pl_kernels *expected = NULL;
        /* a concurrent pl_isa_force wins */
        if (!atomic_compare_exchange_strong(&g_active, &expected, chosen)) return expected;
        k = chosen;
    }
    return k;
}

int32_t pl_isa_active(void) { return pl_kernels_active()->isa; }

int32_t pl_isa_force(int32_t isa) {
    if (isa < PL_ISA_SCALAR || isa > PL_ISA_NEON) return PL_ERR_ARG;
    if (!isa_available(isa)) return PL_ERR_ISA;
    const pl_kernels *k = pl_kernels_for(isa, pl_cpu_features());
    if (k == NULL) return PL_ERR_ISA;
    atomic_store(&g_active, k);
    return PL_OK;
}
