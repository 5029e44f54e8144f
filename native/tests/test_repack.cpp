// Repacked weights (PL_TYPE_Q4_0_X8 / Q4_1_X8): the layout the header documents, the scalar
// reference against the row-major path, every ISA against the scalar reference, decode == prefill,
// thread-count independence, and argument checks.
#include "test_util.h"

using namespace pltest;

namespace {

struct Case {
    int32_t plain, x8;
};
const Case kCases[] = {{PL_TYPE_Q4_0, PL_TYPE_Q4_0_X8}, {PL_TYPE_Q4_1, PL_TYPE_Q4_1_X8}, {PL_TYPE_Q5_0, PL_TYPE_Q5_0_X8},
                       {PL_TYPE_Q5_1, PL_TYPE_Q5_1_X8}, {PL_TYPE_Q4_K, PL_TYPE_Q4_K_X8}, {PL_TYPE_Q5_K, PL_TYPE_Q5_K_X8},
                       {PL_TYPE_Q6_K, PL_TYPE_Q6_K_X8}};

bool kquant(const Case &c) { return pl_type_block_elems(c.plain) == 256; }

std::vector<uint8_t> repack(int32_t type, const std::vector<uint8_t> &w, int64_t rows, int64_t k, int32_t to) {
    std::vector<uint8_t> out((size_t)pl_matrix_bytes(to, rows, k), 0xAB);
    EXPECT_EQ(pl_repack(type, w.data(), (pl_i64)w.size(), rows, k, to, out.data(), (pl_i64)out.size()), PL_OK);
    return out;
}

std::vector<float> matmul(int32_t type, const std::vector<uint8_t> &w, int64_t rows, int64_t k, const std::vector<float> &x,
                          int32_t n_tok, int threads = 2) {
    std::vector<float> y((size_t)(rows * n_tok), NAN);
    EXPECT_EQ(pl_matmul(shared_ctx(threads), type, w.data(), (pl_i64)w.size(), rows, k, x.data(), n_tok, y.data()), PL_OK);
    return y;
}

// random weights (quantized, then repacked) and activations
struct Problem {
    std::vector<uint8_t> w, p;
    std::vector<float> x;
};
Problem problem(const Case &c, int64_t rows, int64_t k, int32_t n_tok, uint32_t seed) {
    Problem q{quantize(c.plain, randn((size_t)(rows * k), seed)), {}, randn((size_t)(k * n_tok), seed + 1)};
    q.p = repack(c.plain, q.w, rows, k, c.x8);
    return q;
}

// the same product on the scalar path (the reference), whatever ISA the test runs under
std::vector<float> matmul_scalar(int32_t type, const std::vector<uint8_t> &w, int64_t rows, int64_t k,
                                 const std::vector<float> &x, int32_t n_tok) {
    UseIsa scalar(PL_ISA_SCALAR);
    return matmul(type, w, rows, k, x, n_tok);
}

// sum_j |w_rj x_tj| per output: the scale of float rounding in the result
std::vector<float> magnitudes(int32_t type, const std::vector<uint8_t> &w, int64_t rows, int64_t k,
                              const std::vector<float> &x, int32_t n_tok) {
    auto wd = dequantize(type, w, (size_t)(rows * k));
    std::vector<float> m((size_t)(rows * n_tok));
    for (int32_t t = 0; t < n_tok; t++)
        for (int64_t r = 0; r < rows; r++) {
            double s = 0;
            for (int64_t j = 0; j < k; j++) s += std::fabs((double)wd[r * k + j] * x[t * k + j]);
            m[t * rows + r] = (float)s;
        }
    return m;
}

// Activations c * s per block with integer codes c (the first one 127) and an f16 scale s with a full
// mantissa: ggml's SIMD and reference quantizers then give the same codes and the same scale, so every
// ISA sees identical inputs, and (dx * dy) * sum is not exact in float (a path that does not fuse the
// multiply-add the way the reference does shows up).
std::vector<float> exact_grid(size_t n, uint32_t seed) {
    std::vector<float> x(n);
    std::mt19937 rng(seed);
    for (size_t i = 0; i < n; i++) {
        float s = 0.0137f * (float)(1 + (i / 32) % 5), r;
        uint16_t h;
        pl_quantize(PL_TYPE_F16, &s, 1, &h, 2);
        pl_dequantize(PL_TYPE_F16, &h, 2, &r, 1);
        x[i] = (float)((i % 32 == 0) ? 127 : (int)(rng() % 255) - 127) * r;
    }
    return x;
}

}  // namespace

// Byte positions as panllama.h documents them (Q4_0, Q4_1, Q5_0, Q5_1), including the zero rows that pad
// the last panel.
TEST(Repack, LayoutAsDocumented) {
    for (const Case &c : {kCases[0], kCases[1], kCases[2], kCases[3]}) {
        const bool five = c.plain == PL_TYPE_Q5_0 || c.plain == PL_TYPE_Q5_1;
        const int64_t rows = 11, k = 64, nb = k / 32, bb = pl_type_block_bytes(c.plain), hb = five ? 4 : 0, sb = bb - 16 - hb;
        std::vector<uint8_t> w((size_t)(rows * nb * bb));
        for (size_t i = 0; i < w.size(); i++) w[i] = (uint8_t)(i * 7 + 3);
        ASSERT_EQ(pl_matrix_bytes(c.x8, rows, k), 16 * nb * bb);
        ASSERT_EQ(pl_matrix_bytes(c.plain, rows, k), rows * nb * bb);
        auto p = repack(c.plain, w, rows, k, c.x8);
        for (int64_t r = 0; r < 16; r++)
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = r < rows ? &w[(size_t)((r * nb + b) * bb)] : nullptr;
                const uint8_t *pb = &p[(size_t)(((r / 8) * nb + b) * 8 * bb)];
                for (int s = 0; s < sb; s++)  // d (and m) of the 8 rows, one array each
                    ASSERT_EQ(pb[(s / 2) * 16 + 2 * (r % 8) + s % 2], blk ? blk[s] : 0) << c.x8 << " r=" << r;
                for (int j = 0; j < hb; j++)  // Q5: the rows' qh after the scales
                    ASSERT_EQ(pb[8 * sb + 4 * (r % 8) + j], blk ? blk[sb + j] : 0) << pl_type_name(c.x8) << " r=" << r;
                for (int h = 0; h < 4; h++)
                    for (int j = 0; j < 4; j++)
                        ASSERT_EQ(pb[8 * (sb + hb) + 32 * h + 4 * (r % 8) + j], blk ? blk[sb + hb + 4 * h + j] : 0)
                            << pl_type_name(c.x8) << " r=" << r << " b=" << b << " h=" << h;
            }
    }
}

// Q4_K / Q5_K: d and dmin, the 6-bit scales and mins unpacked to bytes (ggml's packing, decoded here from
// its description), the code bytes (and Q5_K's qh), where panllama.h says; padding rows are zero.
TEST(Repack, Q4KLayoutAsDocumented) {
    for (const bool q5 : {false, true}) {
        const int64_t rows = 10, k = 512, nb = k / 256, bb = q5 ? 176 : 144, xb = q5 ? 180 : 148, qs = q5 ? 48 : 16;
        const int32_t type = q5 ? PL_TYPE_Q5_K : PL_TYPE_Q4_K;
        auto w = quantize(type, randn((size_t)(rows * k), 21));
        auto p = repack(type, w, rows, k, q5 ? PL_TYPE_Q5_K_X8 : PL_TYPE_Q4_K_X8);
        ASSERT_EQ(p.size(), (size_t)(16 * nb * xb));
        for (int64_t r = 0; r < 16; r++)
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = r < rows ? &w[(size_t)((r * nb + b) * bb)] : nullptr;
                const uint8_t *pb = &p[(size_t)(((r / 8) * nb + b) * 8 * xb)];
                const int pr = (int)(r % 8);
                for (int i = 0; i < 2; i++) {
                    ASSERT_EQ(pb[2 * pr + i], blk ? blk[i] : 0);
                    ASSERT_EQ(pb[16 + 2 * pr + i], blk ? blk[2 + i] : 0);
                }
                for (int j = 0; j < 8; j++) {
                    const uint8_t *q = blk ? blk + 4 : nullptr;
                    const int sc = !q ? 0 : j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
                    const int mn = !q ? 0 : j < 4 ? q[j + 4] & 63 : (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
                    ASSERT_EQ(pb[32 + 8 * j + pr], sc) << "r=" << r << " j=" << j;
                    ASSERT_EQ(pb[96 + 16 * (j / 2) + 2 * pr + j % 2], mn) << "r=" << r << " j=" << j;
                }
                for (int g = 0; g < 32; g++)
                    for (int i = 0; i < 4; i++) ASSERT_EQ(pb[160 + 32 * g + 4 * pr + i], blk ? blk[qs + 4 * g + i] : 0);
                for (int g = 0; q5 && g < 8; g++)  // Q5_K's qh after the codes
                    for (int i = 0; i < 4; i++) ASSERT_EQ(pb[1184 + 32 * g + 4 * pr + i], blk ? blk[16 + 4 * g + i] : 0);
            }
    }
}

// Q6_K: d, the int8 scales by sub-block and row, and the ql / qh bytes by group, where panllama.h says.
TEST(Repack, Q6KLayoutAsDocumented) {
    const int64_t rows = 9, k = 256;
    auto w = quantize(PL_TYPE_Q6_K, randn((size_t)(rows * k), 22));
    auto p = repack(PL_TYPE_Q6_K, w, rows, k, PL_TYPE_Q6_K_X8);
    ASSERT_EQ(p.size(), (size_t)(16 * 210));
    for (int64_t r = 0; r < 16; r++) {
        const uint8_t *blk = r < rows ? &w[(size_t)(r * 210)] : nullptr;
        const uint8_t *pb = &p[(size_t)((r / 8) * 8 * 210)];
        const int pr = (int)(r % 8);
        for (int i = 0; i < 2; i++) ASSERT_EQ(pb[2 * pr + i], blk ? blk[208 + i] : 0);
        for (int sb = 0; sb < 16; sb++) ASSERT_EQ(pb[16 + 8 * sb + pr], blk ? blk[192 + sb] : 0) << "r=" << r;
        for (int g = 0; g < 48; g++)  // 32 groups of ql, then 16 of qh: the first 192 bytes of the block
            for (int i = 0; i < 4; i++) ASSERT_EQ(pb[144 + 32 * g + 4 * pr + i], blk ? blk[4 * g + i] : 0) << "r=" << r;
    }
}

// The scalar reference of the repacked layout vs the scalar row-major path (itself checked against a
// double reference in test_matmul): the same integer block sums, float accumulation order aside
// (fma vs multiply-add), so within 1e-5 of sum |w x| at k <= 4096.
TEST(Repack, ScalarMatchesRowMajorScalar) {
    UseIsa scalar(PL_ISA_SCALAR);
    for (const Case &c : kCases)
        for (int64_t k : kquant(c) ? std::vector<int64_t>{256, 512, 4096} : std::vector<int64_t>{32, 96, 4096})
            for (int64_t rows : {1, 7, 8, 13, 33})
                for (int32_t n_tok : {1, 5}) {
                    auto w = quantize(c.plain, randn((size_t)(rows * k), 3));
                    auto x = randn((size_t)(k * n_tok), 4);
                    auto want = matmul(c.plain, w, rows, k, x, n_tok);
                    auto y = matmul(c.x8, repack(c.plain, w, rows, k, c.x8), rows, k, x, n_tok);
                    auto mag = magnitudes(c.plain, w, rows, k, x, n_tok);
                    for (size_t i = 0; i < y.size(); i++)
                        ASSERT_NEAR(y[i], want[i], 1e-5f * mag[i] + 1e-6f)
                            << pl_type_name(c.x8) << " k=" << k << " rows=" << rows << " n_tok=" << n_tok << " i=" << i;
                }
}

// Every ISA computes the repacked layout with the scalar reference's arithmetic: on exact-grid
// activations (identical codes and scales on every path) the results are identical bit for bit, for decode
// and prefill, with rows that leave the last panel partly empty.
TEST(Repack, ActiveIsaEqualsScalarBitForBit) {
    for (const Case &c : kCases)
        for (int64_t rows : {5, 16, 37})
            for (int32_t n_tok : {1, 3, 9}) {
                const int64_t k = 256;
                auto w = quantize(c.plain, randn((size_t)(rows * k), 7));
                auto p = repack(c.plain, w, rows, k, c.x8);
                auto x = exact_grid((size_t)(k * n_tok), 8);
                auto ref = matmul_scalar(c.x8, p, rows, k, x, n_tok);
                auto y = matmul(c.x8, p, rows, k, x, n_tok);
                ASSERT_EQ(0, std::memcmp(ref.data(), y.data(), y.size() * 4))
                    << pl_type_name(c.x8) << " rows=" << rows << " n_tok=" << n_tok;
            }
}

// Random activations: the ISA under test vs the scalar path (codes may differ at quantization
// near-ties between ggml's SIMD and reference rules, as in test_matmul: 1e-4 of sum |w x|).
TEST(Repack, ActiveIsaMatchesScalar) {
    for (const Case &c : kCases)
        for (int32_t n_tok : {1, 70}) {
            const int64_t rows = 45, k = 4096;
            const Problem q = problem(c, rows, k, n_tok, 9);
            auto ref = matmul_scalar(c.x8, q.p, rows, k, q.x, n_tok);
            auto y = matmul(c.x8, q.p, rows, k, q.x, n_tok);
            auto mag = magnitudes(c.plain, q.w, rows, k, q.x, n_tok);
            for (size_t i = 0; i < y.size(); i++)
                ASSERT_NEAR(y[i], ref[i], 1e-4f * mag[i] + 1e-6f) << pl_type_name(c.x8) << " n_tok=" << n_tok << " i=" << i;
        }
}

// Decode of a token gives exactly its row of a prefill, on every path: the point of the layout. (29 rows:
// prefill tiles of two panels, the second partly empty; 24: two panels, then one panel alone.)
TEST(Repack, DecodeEqualsPrefillBitForBit) {
    for (const Case &c : kCases)
        for (const int64_t rows : {29, 24}) {
            const int64_t k = 512;
            const int32_t n_tok = 7;
            const Problem q = problem(c, rows, k, n_tok, 11);
            auto all = matmul(c.x8, q.p, rows, k, q.x, n_tok);
            for (int32_t t = 0; t < n_tok; t++) {
                std::vector<float> xt(q.x.begin() + t * k, q.x.begin() + (t + 1) * k);
                auto one = matmul(c.x8, q.p, rows, k, xt, 1);
                ASSERT_EQ(0, std::memcmp(one.data(), all.data() + t * rows, (size_t)rows * 4))
                    << pl_type_name(c.x8) << " rows=" << rows << " t=" << t;
            }
        }
}

// On the x86 SIMD paths the row-major prefill GEMM already uses the panel arithmetic: repacking changes
// nothing there, bit for bit (the scalar row-major path follows ggml's vec_dot order instead, and NEON,
// which repacks nothing, follows the scalar path's).
TEST(Repack, SimdPrefillUnchangedByRepacking) {
    if (pl_isa_active() != PL_ISA_AVX2 && pl_isa_active() != PL_ISA_AVX512)
        GTEST_SKIP() << "not an x86 SIMD path: row-major prefill follows its own order";
    for (const Case &c : kCases) {
        const int64_t rows = 40, k = 512;
        auto w = quantize(c.plain, randn((size_t)(rows * k), 13));
        auto x = randn((size_t)(k * 6), 14);
        auto a = matmul(c.plain, w, rows, k, x, 6);
        auto b = matmul(c.x8, repack(c.plain, w, rows, k, c.x8), rows, k, x, 6);
        ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4)) << pl_type_name(c.x8);
    }
}

TEST(Repack, BitIdenticalForAnyThreadCount) {
    for (const Case &c : kCases)
        for (int32_t n_tok : {1, 70}) {
            const int64_t rows = 1000, k = 256;  // over the size below which a product runs on one thread
            const Problem q = problem(c, rows, k, n_tok, 15);
            auto y1 = matmul(c.x8, q.p, rows, k, q.x, n_tok, 1);
            for (int threads : {2, 3, 4}) {
                auto yn = matmul(c.x8, q.p, rows, k, q.x, n_tok, threads);
                ASSERT_EQ(0, std::memcmp(y1.data(), yn.data(), y1.size() * 4))
                    << pl_type_name(c.x8) << " n_tok=" << n_tok << " threads=" << threads;
            }
        }
}

// Codes at their maximum (15, or 31 with the 5th bit) and activations at 127 give the largest integer
// sums (an int16 intermediate that overflowed would show here): d = 1, m = 0, so the answer is exact.
TEST(Repack, ExtremeCodesExact) {
    for (const Case &c : {kCases[0], kCases[1], kCases[2], kCases[3]})  // Q4_0, Q4_1, Q5_0, Q5_1: 5th bits all set
        for (int32_t n_tok : {1, 6}) {
            const int64_t rows = 11, k = 256, bb = pl_type_block_bytes(c.plain);
            const bool mins = c.plain == PL_TYPE_Q4_1 || c.plain == PL_TYPE_Q5_1;
            std::vector<uint8_t> w((size_t)(rows * k / 32 * bb), 0xff);
            for (int64_t b = 0; b < rows * k / 32; b++) {
                const uint16_t one = 0x3c00, zero = 0;
                std::memcpy(&w[(size_t)(b * bb)], &one, 2);
                if (mins) std::memcpy(&w[(size_t)(b * bb + 2)], &zero, 2);
            }
            std::vector<float> x((size_t)(k * n_tok), 127.0f);
            auto y = matmul(c.x8, repack(c.plain, w, rows, k, c.x8), rows, k, x, n_tok);
            const int code = c.plain == PL_TYPE_Q4_0 ? 7 : c.plain == PL_TYPE_Q5_0 ? 15 : c.plain == PL_TYPE_Q4_1 ? 15 : 31;
            const float want = (float)(code * 127 * k);
            for (size_t i = 0; i < y.size(); i++) ASSERT_EQ(y[i], want) << pl_type_name(c.x8) << " i=" << i;
        }
}

// The fused SwiGLU reads repacked gate/up matrices through the same kernels.
TEST(Repack, FusedSwigluEqualsSeparateCalls) {
    for (const Case &c : kCases) {
        const int64_t rows = 24, k = 256;
        auto g = repack(c.plain, quantize(c.plain, randn((size_t)(rows * k), 17)), rows, k, c.x8);
        auto u = repack(c.plain, quantize(c.plain, randn((size_t)(rows * k), 18)), rows, k, c.x8);
        auto x = randn((size_t)(k * 3), 19);
        auto yg = matmul(c.x8, g, rows, k, x, 3), yu = matmul(c.x8, u, rows, k, x, 3);
        std::vector<float> want(yg.size()), y(yg.size());
        Ctx ctx(2);
        ASSERT_EQ(pl_swiglu(ctx, yg.data(), yu.data(), want.data(), (pl_i64)yg.size()), PL_OK);
        ASSERT_EQ(pl_matmul_swiglu(ctx, c.x8, g.data(), u.data(), (pl_i64)g.size(), rows, k, x.data(), 3, y.data()), PL_OK);
        ASSERT_EQ(0, std::memcmp(want.data(), y.data(), y.size() * 4)) << pl_type_name(c.x8);
    }
}

// The SIMD paths ask for the repacked layouts of Q4_0/Q4_1; the scalar path and other types keep theirs.
TEST(Repack, PreferredLayoutPerPath) {
    const bool simd = pl_isa_active() == PL_ISA_AVX2 || pl_isa_active() == PL_ISA_AVX512;
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q4_0), simd ? PL_TYPE_Q4_0_X8 : PL_TYPE_Q4_0);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q4_1), simd ? PL_TYPE_Q4_1_X8 : PL_TYPE_Q4_1);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q5_0), simd ? PL_TYPE_Q5_0_X8 : PL_TYPE_Q5_0);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q5_1), simd ? PL_TYPE_Q5_1_X8 : PL_TYPE_Q5_1);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q4_K), simd ? PL_TYPE_Q4_K_X8 : PL_TYPE_Q4_K);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q5_K), simd ? PL_TYPE_Q5_K_X8 : PL_TYPE_Q5_K);
    EXPECT_EQ(pl_repack_type(PL_TYPE_Q6_K), simd ? PL_TYPE_Q6_K_X8 : PL_TYPE_Q6_K);
    for (int32_t t : {PL_TYPE_F32, PL_TYPE_F16, PL_TYPE_BF16, PL_TYPE_Q8_0, PL_TYPE_Q4_0_X8, -1, 999})
        EXPECT_EQ(pl_repack_type(t), t);
    EXPECT_STREQ(pl_type_name(PL_TYPE_Q4_0_X8), "q4_0_x8");
}

TEST(Repack, ValidatesArguments) {
    const int64_t rows = 9, k = 64;
    auto w = quantize(PL_TYPE_Q4_0, randn((size_t)(rows * k), 20));
    std::vector<uint8_t> dst((size_t)pl_matrix_bytes(PL_TYPE_Q4_0_X8, rows, k));
    const pl_i64 n = (pl_i64)w.size(), d = (pl_i64)dst.size();
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, nullptr, n, rows, k, PL_TYPE_Q4_0_X8, dst.data(), d), PL_ERR_NULL);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, rows, k, PL_TYPE_Q4_1_X8, dst.data(), d), PL_ERR_TYPE);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0_X8, w.data(), n, rows, k, PL_TYPE_Q4_0_X8, dst.data(), d), PL_ERR_TYPE);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n - 1, rows, k, PL_TYPE_Q4_0_X8, dst.data(), d), PL_ERR_SIZE);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, rows, k, PL_TYPE_Q4_0_X8, dst.data(), d - 1), PL_ERR_SIZE);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, rows, 48, PL_TYPE_Q4_0_X8, dst.data(), d), PL_ERR_ARG);
    EXPECT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, 0, k, PL_TYPE_Q4_0_X8, dst.data(), d), PL_ERR_ARG);
    EXPECT_EQ(pl_matrix_bytes(PL_TYPE_Q4_0_X8, (pl_i64)1 << 62, 64), PL_ERR_ARG);
    EXPECT_EQ(pl_matrix_bytes(77, 8, 64), PL_ERR_TYPE);
    // the copy to the same type is a plain copy
    std::vector<uint8_t> same(w.size());
    ASSERT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, rows, k, PL_TYPE_Q4_0, same.data(), n), PL_OK);
    EXPECT_EQ(same, w);
    // matmul wants the padded panel: 9 rows need 16 rows' bytes
    ASSERT_EQ(pl_repack(PL_TYPE_Q4_0, w.data(), n, rows, k, PL_TYPE_Q4_0_X8, dst.data(), d), PL_OK);
    std::vector<float> x((size_t)k, 1.0f), y((size_t)rows);
    Ctx ctx(1);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_Q4_0_X8, dst.data(), n, rows, k, x.data(), 1, y.data()), PL_ERR_SIZE);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_Q4_0_X8, dst.data(), d, rows, k, x.data(), 1, y.data()), PL_OK);
    // repacked matrices have no rows to convert or look up
    std::vector<float> f((size_t)k);
    const int32_t id = 0;
    EXPECT_EQ(pl_dequantize(PL_TYPE_Q4_0_X8, dst.data(), d, f.data(), k), PL_ERR_TYPE);
    EXPECT_EQ(pl_quantize(PL_TYPE_Q4_0_X8, f.data(), k, dst.data(), d), PL_ERR_TYPE);
    EXPECT_EQ(pl_get_rows(PL_TYPE_Q4_0_X8, dst.data(), d, rows, k, &id, 1, f.data()), PL_ERR_TYPE);
}

// Weight memory: aligned, writable over its whole length, freed without complaint; bad sizes give NULL.
TEST(Repack, AllocatesWeightMemory) {
    for (pl_i64 n : {(pl_i64)1, (pl_i64)4096, (pl_i64)5 << 20}) {
        auto *p = (uint8_t *)pl_alloc(n);
        ASSERT_NE(p, nullptr) << n;
        EXPECT_EQ((uintptr_t)p % 64, 0u);
        std::memset(p, 0x5a, (size_t)n);
        EXPECT_EQ(p[n - 1], 0x5a);
        pl_free(p);
    }
    EXPECT_EQ(pl_alloc(0), nullptr);
    EXPECT_EQ(pl_alloc(-1), nullptr);
    pl_free(nullptr);
}
