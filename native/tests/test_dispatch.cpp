// ISA selection from injected CPU feature masks, and the force switch.
#include "test_util.h"

TEST(Dispatch, PicksIsaFromFeatureMask) {
#if defined(__x86_64__) || defined(_M_X64)
    const int avx2 = PL_CPU_AVX2 | PL_CPU_FMA | PL_CPU_F16C;
    const int avx512 = avx2 | PL_CPU_AVX512F | PL_CPU_AVX512BW | PL_CPU_AVX512VL;
    EXPECT_EQ(pl_isa_for_features(0), PL_ISA_SCALAR);
    EXPECT_EQ(pl_isa_for_features(avx2), PL_ISA_AVX2);
    EXPECT_EQ(pl_isa_for_features(avx512), PL_ISA_AVX512);
    EXPECT_EQ(pl_isa_for_features(avx512 | PL_CPU_AVX512VNNI), PL_ISA_AVX512);
    // AVX2 without FMA or F16C is not enough for the AVX2 path.
    EXPECT_EQ(pl_isa_for_features(PL_CPU_AVX2 | PL_CPU_FMA), PL_ISA_SCALAR);
    EXPECT_EQ(pl_isa_for_features(PL_CPU_AVX2 | PL_CPU_F16C), PL_ISA_SCALAR);
    // AVX-512F alone (no BW/VL) falls back to AVX2.
    EXPECT_EQ(pl_isa_for_features(avx2 | PL_CPU_AVX512F), PL_ISA_AVX2);
    EXPECT_EQ(pl_isa_for_features(avx2 | PL_CPU_AVX512F | PL_CPU_AVX512BW), PL_ISA_AVX2);
    // ARM bits mean nothing to an x86 build.
    EXPECT_EQ(pl_isa_for_features(PL_CPU_NEON | PL_CPU_DOTPROD), PL_ISA_SCALAR);
#elif defined(__aarch64__) || defined(_M_ARM64)
    EXPECT_EQ(pl_isa_for_features(0), PL_ISA_SCALAR);
    EXPECT_EQ(pl_isa_for_features(PL_CPU_NEON), PL_ISA_NEON);
    EXPECT_EQ(pl_isa_for_features(PL_CPU_NEON | PL_CPU_DOTPROD), PL_ISA_NEON);
    // dotprod without Advanced SIMD is not a NEON CPU; x86 bits mean nothing here.
    EXPECT_EQ(pl_isa_for_features(PL_CPU_DOTPROD), PL_ISA_SCALAR);
    EXPECT_EQ(pl_isa_for_features(PL_CPU_AVX2 | PL_CPU_FMA | PL_CPU_F16C | PL_CPU_AVX512F | PL_CPU_AVX512BW |
                                  PL_CPU_AVX512VL),
              PL_ISA_SCALAR);
#else
    EXPECT_EQ(pl_isa_for_features(0), PL_ISA_SCALAR);
#endif
}

// Every AArch64 CPU has Advanced SIMD: the detected features pick the NEON path there.
TEST(Dispatch, DetectsNeonOnAarch64) {
#if defined(__aarch64__) || defined(_M_ARM64)
    EXPECT_NE(pl_cpu_features() & PL_CPU_NEON, 0);
    EXPECT_EQ(pl_isa_for_features(pl_cpu_features()), PL_ISA_NEON);
#else
    GTEST_SKIP() << "not an AArch64 build";
#endif
}

TEST(Dispatch, ForceRespectsTheCpu) {
    const int32_t saved = pl_isa_active();
    const int32_t best = pl_isa_for_features(pl_cpu_features());
    EXPECT_EQ(pl_isa_force(PL_ISA_SCALAR), PL_OK);
    EXPECT_EQ(pl_isa_active(), PL_ISA_SCALAR);
    EXPECT_EQ(pl_isa_force(best), PL_OK);
    EXPECT_EQ(pl_isa_active(), best);
    if (best != PL_ISA_AVX512) EXPECT_EQ(pl_isa_force(PL_ISA_AVX512), PL_ERR_ISA);
    if (best != PL_ISA_AVX512 && best != PL_ISA_AVX2) EXPECT_EQ(pl_isa_force(PL_ISA_AVX2), PL_ERR_ISA);
    if (best != PL_ISA_NEON) EXPECT_EQ(pl_isa_force(PL_ISA_NEON), PL_ERR_ISA);
    EXPECT_EQ(pl_isa_force(42), PL_ERR_ARG);
    EXPECT_EQ(pl_isa_force(saved), PL_OK);
}

TEST(Dispatch, Names) {
    EXPECT_STREQ(pl_isa_name(PL_ISA_SCALAR), "scalar");
    EXPECT_STREQ(pl_isa_name(PL_ISA_AVX2), "avx2");
    EXPECT_STREQ(pl_isa_name(PL_ISA_AVX512), "avx512");
    EXPECT_STREQ(pl_isa_name(PL_ISA_NEON), "neon");
    EXPECT_STREQ(pl_isa_name(99), "unknown");
}

TEST(Context, CreateAndDestroy) {
    for (int n = 1; n <= 4; n++) {
        pl_ctx *c = pl_ctx_create(n);
        ASSERT_NE(c, nullptr);
        EXPECT_EQ(pl_ctx_n_threads(c), n);
        pl_ctx_destroy(c);
    }
    EXPECT_EQ(pl_ctx_create(0), nullptr);
    EXPECT_EQ(pl_ctx_n_threads(nullptr), 0);
    pl_ctx_destroy(nullptr);
}
