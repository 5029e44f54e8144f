/* CPUID + XGETBV: which x86 SIMD features this CPU and OS support (compiled without ISA flags). */
#include "pl_internal.h"

#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    for (int i = 0; i < 4; i++) r[i] = (uint32_t)v[i];
}
static uint64_t xgetbv0(void) { return _xgetbv(0); }
#else
#include <cpuid.h>
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    if (!__get_cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3])) r[0] = r[1] = r[2] = r[3] = 0;
}
static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

int32_t pl_cpu_detect_x86(void) {
    uint32_t r1[4], r7[4];
    cpuid(0, 0, r1);
    uint32_t max_leaf = r1[0];
    cpuid(1, 0, r1);
    int32_t f = 0;
    int osxsave = (r1[2] >> 27) & 1, avx = (r1[2] >> 28) & 1;
    if (!osxsave || !avx) return 0;
    uint64_t xcr0 = xgetbv0();
    int ymm_os = (xcr0 & 0x6) == 0x6;    /* SSE + AVX state saved by the OS */
    int zmm_os = (xcr0 & 0xe6) == 0xe6;  /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (!ymm_os) return 0;
    if ((r1[2] >> 12) & 1) f |= PL_CPU_FMA;
    if ((r1[2] >> 29) & 1) f |= PL_CPU_F16C;
    if (max_leaf >= 7) {
        cpuid(7, 0, r7);
        if ((r7[1] >> 5) & 1) f |= PL_CPU_AVX2;
        if (zmm_os) {
            if ((r7[1] >> 16) & 1) f |= PL_CPU_AVX512F;
            if ((r7[1] >> 30) & 1) f |= PL_CPU_AVX512BW;
            if ((r7[1] >> 31) & 1) f |= PL_CPU_AVX512VL;
            if ((r7[2] >> 11) & 1) f |= PL_CPU_AVX512VNNI;
        }
    }
    return f;
}
