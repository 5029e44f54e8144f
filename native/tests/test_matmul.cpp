// Matrix multiplication: every weight format, decode (n_tok = 1) and GEMM, against an independent
// double-precision reference (scalar path) and against the scalar path (the ISA under test).
#include "test_util.h"

using namespace pltest;

namespace {

const int32_t kTypes[] = {PL_TYPE_F32,  PL_TYPE_F16,  PL_TYPE_BF16, PL_TYPE_Q8_0,
                           PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q5_0, PL_TYPE_Q5_1};

bool is_quant(int32_t t) { return pl_type_block_elems(t) > 1; }

// The activations as the kernels see them: rounded to the type ggml pairs with the weights.
std::vector<float> paired_activations(int32_t wtype, const std::vector<float> &x, int64_t k) {
    const int32_t at = wtype == PL_TYPE_Q4_0 || wtype == PL_TYPE_Q8_0 || wtype == PL_TYPE_Q5_0 ? PL_TYPE_Q8_0
                     : wtype == PL_TYPE_Q4_1 || wtype == PL_TYPE_Q5_1                            ? PL_TYPE_Q8_1
                     : wtype;
    std::vector<float> out(x.size());
    for (size_t t = 0; t < x.size() / k; t++) {
        std::vector<float> row(x.begin() + t * k, x.begin() + (t + 1) * k);
        auto r = dequantize(at, quantize(at, row), k);
        std::copy(r.begin(), r.end(), out.begin() + t * k);
    }
    return out;
}

float f16_at(const uint8_t *p) {
    float f;
    pl_dequantize(PL_TYPE_F16, p, 2, &f, 1);
    return f;
}

// ggml's Q4_1 (Q5_1) x Q8_1 product adds min * s per block, where Q8_1 stores s = d * sum(q) rounded
// to f16: the exact product of the dequantized rows differs by min * (s - d * sum(q)) per block.
double q4_1_sum_correction(int32_t type, const std::vector<uint8_t> &w, int64_t r, int64_t k, const std::vector<float> &x,
                           int32_t t) {
    const int64_t bb = pl_type_block_bytes(type);
    std::vector<float> row(x.begin() + t * k, x.begin() + (t + 1) * k);
    auto a = quantize(PL_TYPE_Q8_1, row);
    double c = 0;
    for (int64_t b = 0; b < k / 32; b++) {
        const uint8_t *ab = a.data() + b * 36;
        int sum = 0;
        for (int j = 0; j < 32; j++) sum += (int8_t)ab[4 + j];
        const double m = f16_at(w.data() + (r * (k / 32) + b) * bb + 2);
        c += m * ((double)f16_at(ab + 2) - (double)f16_at(ab) * sum);
    }
    return c;
}

struct Problem {
    int32_t type;
    int64_t rows, k;
    int32_t n_tok;
    std::vector<uint8_t> w;
    std::vector<float> x, want, mag;  // double reference rounded to float, and sum |w_j x_j| per output
};

Problem make_problem(int32_t type, int64_t rows, int64_t k, int32_t n_tok, uint32_t seed) {
    Problem p{type, rows, k, n_tok, {}, randn((size_t)(k * n_tok), seed + 1), {}, {}};
    p.w = quantize(type, randn((size_t)(rows * k), seed));
    auto wd = dequantize(type, p.w, (size_t)(rows * k));
    auto xa = paired_activations(type, p.x, k);
    p.want.resize((size_t)(rows * n_tok));
    p.mag.resize(p.want.size());
    for (int32_t t = 0; t < n_tok; t++)
        for (int64_t r = 0; r < rows; r++) {
            double s = 0, m = 0;
            for (int64_t j = 0; j < k; j++) {
                const double pr = (double)wd[r * k + j] * xa[t * k + j];
                s += pr;
                m += std::fabs(pr);
            }
            if (type == PL_TYPE_Q4_1 || type == PL_TYPE_Q5_1) s += q4_1_sum_correction(type, p.w, r, k, p.x, t);
            p.want[t * rows + r] = (float)s;
            p.mag[t * rows + r] = (float)m;
        }
    return p;
}

std::vector<float> run(const Problem &p, int threads = 2) {
    pl_ctx *ctx = shared_ctx(threads);
    std::vector<float> y((size_t)(p.rows * p.n_tok), NAN);
    EXPECT_EQ(pl_matmul(ctx, p.type, p.w.data(), (pl_i64)p.w.size(), p.rows, p.k, p.x.data(), p.n_tok, y.data()), PL_OK);
    return y;
}

std::vector<int64_t> ks(int32_t type) {
    if (is_quant(type)) return {32, 96, 4096};
    return {1, 7, 67, 300};  // not multiples of 8 or 16 lanes
}

}  // namespace

// Scalar path vs the double reference. Quantized formats: integer block sums are exact, so only
// the float scaling/accumulation of nb = k/32 block results rounds: <= nb * 2^-24 * sum|terms|,
// and 1e-5 covers k <= 4096 (128 blocks: 7.6e-6). Float formats accumulate in double: 1e-6.
TEST(Matmul, ScalarMatchesDoubleReference) {
    UseIsa scalar(PL_ISA_SCALAR);
    for (int32_t type : kTypes)
        for (int64_t k : ks(type))
            for (int64_t rows : {1, 7, 33})
                for (int32_t n_tok : {1, 5}) {
                    auto p = make_problem(type, rows, k, n_tok, 11);
                    auto y = run(p);
                    const float rel = is_quant(type) ? 1e-5f : 1e-6f;
                    for (size_t i = 0; i < y.size(); i++)
                        ASSERT_NEAR(y[i], p.want[i], rel * p.mag[i] + 1e-6f)
                            << pl_type_name(type) << " k=" << k << " rows=" << rows << " n_tok=" << n_tok << " i=" << i;
                }
}

// The ISA under test vs the scalar path.
// - Float formats: the same (rounded) inputs, float accumulation in 8/16 lanes vs double: worst case
//   (k/8 + 8) * 2^-24 * sum|terms|. Dropping or doubling one of k terms (~sum/k) exceeds it.
// - Quantized formats: SIMD paths quantize activations with ggml's SIMD rule (x * 127/amax, round half
//   to even) instead of the reference (x / (amax/127), round half away); codes can differ only at
//   near-ties, which these seeds never hit, so the residual is float accumulation order: 1e-4 of
//   sum|terms| (one lost block of 3, 128 is 1/3 .. 1/128 >> 1e-4).
TEST(Matmul, ActiveIsaMatchesScalar) {
    for (int32_t type : kTypes)
        for (int64_t k : ks(type))
            for (int64_t rows : {1, 7, 33, 100})
                for (int32_t n_tok : {1, 2, 5, 70}) {
                    auto p = make_problem(type, rows, k, n_tok, 21);
                    std::vector<float> ref;
                    {
                        UseIsa scalar(PL_ISA_SCALAR);
                        ref = run(p);
                    }
                    auto y = run(p);
                    const float rel = is_quant(type) ? 1e-4f : (float)(k / 8 + 8) * 6e-8f;
                    for (size_t i = 0; i < y.size(); i++)
                        ASSERT_NEAR(y[i], ref[i], rel * p.mag[i] + 1e-6f)
                            << pl_type_name(type) << " k=" << k << " rows=" << rows << " n_tok=" << n_tok << " i=" << i;
                }
}

// On a grid where every activation block has amax 127 and integer values, both quantization rules
// give the same codes with scale 1, so quantized paths must agree with the scalar path up to the
// float accumulation order only.
TEST(Matmul, IntegerGridActivationsAgreeTightly) {
    for (int32_t type : {PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q8_0, PL_TYPE_Q5_0, PL_TYPE_Q5_1}) {
        const int64_t rows = 9, k = 256;
        const int32_t n_tok = 6;
        std::vector<float> x((size_t)(k * n_tok));
        std::mt19937 rng(5);
        for (size_t i = 0; i < x.size(); i++) x[i] = (i % 32 == 0) ? 127.0f : (float)((int)(rng() % 255) - 127);
        Problem p{type, rows, k, n_tok, quantize(type, randn((size_t)(rows * k), 3)), x, {}, {}};
        std::vector<float> ref;
        {
            UseIsa scalar(PL_ISA_SCALAR);
            ref = run(p);
        }
        auto y = run(p);
        for (size_t i = 0; i < y.size(); i++) ASSERT_NEAR(y[i], ref[i], 1e-5f * (std::fabs(ref[i]) + 100.0f));
    }
}

// Extreme codes: every weight code at the top of its range (Q5: 31) and every activation code at
// +-127, so SIMD integer block sums take their largest values (a 16-bit intermediate that overflows
// shows up here, not with Gaussian data). With d = 1 (and min 0) and activations of 127 (d_a = 1) the
// exact answer is (top value) x 127 x k; every ISA must give the scalar path's result exactly, also
// with blocks of alternating sign.
TEST(Matmul, ExtremeCodesExact) {
    for (int32_t type : {PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q5_0, PL_TYPE_Q5_1, PL_TYPE_Q8_0})
        for (int32_t n_tok : {1, 6}) {
            const int64_t rows = 11, k = 256, bb = pl_type_block_bytes(type);
            std::vector<uint8_t> w((size_t)(rows * k / 32 * bb), 0xff);  // codes at their maximum
            for (int64_t b = 0; b < rows * k / 32; b++) {
                const uint16_t one = 0x3c00, zero = 0;  // d = 1; Q4_1/Q5_1 min = 0
                std::memcpy(&w[(size_t)(b * bb)], &one, 2);
                if (type == PL_TYPE_Q4_1 || type == PL_TYPE_Q5_1) std::memcpy(&w[(size_t)(b * bb + 2)], &zero, 2);
                if (type == PL_TYPE_Q8_0) std::memset(&w[(size_t)(b * bb + 2)], 127, 32);
            }
            std::vector<float> x((size_t)(k * n_tok));
            for (size_t i = 0; i < x.size(); i++) x[i] = (i / 32) % 2 ? -127.0f : 127.0f;  // d = 1, codes +-127
            Problem p{type, rows, k, n_tok, w, x, {}, {}};
            const double code = type == PL_TYPE_Q4_0 ? 7 : type == PL_TYPE_Q4_1 ? 15 : type == PL_TYPE_Q5_0 ? 15
                              : type == PL_TYPE_Q5_1 ? 31 : 127;
            // blocks alternate +127 / -127 activations (they cancel unless one block is mishandled)
            std::vector<float> ref;
            {
                UseIsa scalar(PL_ISA_SCALAR);
                ref = run(p);
            }
            auto y = run(p);
            ASSERT_EQ(0, std::memcmp(ref.data(), y.data(), y.size() * 4)) << pl_type_name(type) << " n_tok=" << n_tok;
            for (float &v : p.x) v = 127.0f;
            {
                UseIsa scalar(PL_ISA_SCALAR);
                ref = run(p);
            }
            y = run(p);
            for (size_t i = 0; i < y.size(); i++) {
                ASSERT_EQ(ref[i], (float)(code * 127 * k)) << pl_type_name(type);
                ASSERT_EQ(y[i], ref[i]) << pl_type_name(type) << " n_tok=" << n_tok << " i=" << i;
            }
        }
}

// Each output is computed with the same instruction sequence whatever the tile or thread: bit-identical.
TEST(Matmul, BitIdenticalForAnyThreadCount) {
    for (int32_t type : kTypes)
        for (int32_t n_tok : {1, 70}) {
            auto p = make_problem(type, 1000, is_quant(type) ? 256 : 67, n_tok, 31);  // >= 128 KiB: threaded
            auto y1 = run(p, 1);
            for (int threads : {2, 3, 4}) {
                auto yn = run(p, threads);
                ASSERT_EQ(0, std::memcmp(y1.data(), yn.data(), y1.size() * 4))
                    << pl_type_name(type) << " n_tok=" << n_tok << " threads=" << threads;
            }
        }
}

// A token's GEMM outputs do not depend on the batch it is in (prefill of 9 tokens vs 2 of them), and
// a matrix-vector product agrees with its GEMM row up to summation order (decode and prefill paths
// may order the float accumulation differently; the same 1e-4 / k-scaled bounds as above).
TEST(Matmul, BatchIndependenceAndDecodeAgreement) {
    for (int32_t type : kTypes) {
        auto p = make_problem(type, 37, is_quant(type) ? 128 : 67, 9, 41);
        auto all = run(p);
        Problem two = p;
        two.n_tok = 2;
        two.x.assign(p.x.begin() + 4 * p.k, p.x.begin() + 6 * p.k);
        auto y2 = run(two);
        ASSERT_EQ(0, std::memcmp(y2.data(), all.data() + 4 * p.rows, (size_t)(2 * p.rows) * 4)) << pl_type_name(type);
        Problem one = two;
        one.n_tok = 1;
        one.x.resize((size_t)p.k);
        auto y1 = run(one);
        const float rel = is_quant(type) ? 1e-4f : (float)(p.k / 8 + 8) * 6e-8f;
        for (int64_t r = 0; r < p.rows; r++)
            ASSERT_NEAR(y1[r], all[4 * p.rows + r], rel * p.mag[4 * p.rows + r] + 1e-6f) << pl_type_name(type);
    }
}

// Misaligned pointers (GGUF rows sit at 2-byte offsets; Java slices anywhere) give the same results.
TEST(Matmul, MisalignedBuffers) {
    for (int32_t type : kTypes) {
        auto p = make_problem(type, 21, is_quant(type) ? 96 : 67, 5, 51);
        auto ref = run(p);
        const size_t woff = type == PL_TYPE_F32 ? 4 : (type == PL_TYPE_F16 || type == PL_TYPE_BF16) ? 2 : 1;
        std::vector<uint8_t> wbuf(p.w.size() + 64);
        std::memcpy(wbuf.data() + woff, p.w.data(), p.w.size());
        std::vector<float> xbuf(p.x.size() + 16), ybuf(ref.size() + 16);
        std::memcpy(xbuf.data() + 1, p.x.data(), p.x.size() * 4);
        Ctx ctx(2);
        ASSERT_EQ(pl_matmul(ctx, type, wbuf.data() + woff, (pl_i64)p.w.size(), p.rows, p.k, xbuf.data() + 1, p.n_tok,
                            ybuf.data() + 3),
                  PL_OK);
        ASSERT_EQ(0, std::memcmp(ref.data(), ybuf.data() + 3, ref.size() * 4)) << pl_type_name(type);
    }
}

// The fused SwiGLU equals silu(gate matmul) * (up matmul) through the same kernels, bit for bit.
TEST(Matmul, FusedSwigluEqualsSeparateCalls) {
    for (int32_t type : kTypes)
        for (int32_t n_tok : {1, 7}) {
            const int64_t rows = 45, k = is_quant(type) ? 192 : 67;
            auto gate = make_problem(type, rows, k, n_tok, 61);
            auto up = make_problem(type, rows, k, n_tok, 71);
            up.x = gate.x;
            auto g = run(gate), u = run(up);
            Ctx ctx(3);
            std::vector<float> want(g.size()), y(g.size());
            ASSERT_EQ(pl_swiglu(ctx, g.data(), u.data(), want.data(), (pl_i64)g.size()), PL_OK);
            ASSERT_EQ(pl_matmul_swiglu(ctx, type, gate.w.data(), up.w.data(), (pl_i64)gate.w.size(), rows, k,
                                       gate.x.data(), n_tok, y.data()),
                      PL_OK);
            ASSERT_EQ(0, std::memcmp(want.data(), y.data(), y.size() * 4)) << pl_type_name(type) << " n_tok=" << n_tok;
        }
}

TEST(Matmul, ValidatesArguments) {
    Ctx ctx(1);
    std::vector<uint8_t> w(1024);
    std::vector<float> x(64), y(64);
    EXPECT_EQ(pl_matmul(nullptr, PL_TYPE_F32, w.data(), 1024, 2, 8, x.data(), 1, y.data()), PL_ERR_NULL);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_F32, nullptr, 1024, 2, 8, x.data(), 1, y.data()), PL_ERR_NULL);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_F32, w.data(), 63, 2, 8, x.data(), 1, y.data()), PL_ERR_SIZE);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_Q4_0, w.data(), 1024, 2, 48, x.data(), 1, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_Q8_1, w.data(), 1024, 1, 32, x.data(), 1, y.data()), PL_ERR_TYPE);  // no Q8_1 weights
    EXPECT_EQ(pl_matmul(ctx, 77, w.data(), 1024, 1, 32, x.data(), 1, y.data()), PL_ERR_TYPE);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_F32, w.data(), 1024, 0, 8, x.data(), 1, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_F32, w.data(), 1024, 2, 8, x.data(), 0, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul(ctx, PL_TYPE_F32, w.data(), 1024, (pl_i64)1 << 62, 8, x.data(), 1, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul_swiglu(ctx, PL_TYPE_F32, w.data(), nullptr, 1024, 2, 8, x.data(), 1, y.data()), PL_ERR_NULL);
}

// On an AVX-512 VNNI CPU the quantized kernels produce the same int32 block sums as AVX2's
// (vpdpbusd vs maddubs+madd) and the same float operations per output, so the two paths agree bit
// for bit. Skipped where the CPU has no AVX-512.
TEST(Matmul, Avx512QuantizedEqualsAvx2BitForBit) {
    if (pl_isa_for_features(pl_cpu_features()) != PL_ISA_AVX512) GTEST_SKIP() << "no AVX-512 on this CPU";
    for (int32_t type : {PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q8_0, PL_TYPE_Q5_0, PL_TYPE_Q5_1})
        for (int32_t n_tok : {1, 13}) {
            auto p = make_problem(type, 45, 160, n_tok, 81);
            std::vector<float> a, b;
            {
                UseIsa avx2(PL_ISA_AVX2);
                a = run(p);
            }
            {
                UseIsa avx512(PL_ISA_AVX512);
                b = run(p);
            }
            ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4)) << pl_type_name(type) << " n_tok=" << n_tok;
        }
}

// NEON: the Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 kernels (baseline and dotprod) follow the scalar path step for
// step (exact integer block sums, then the same float operations per block, blocks ascending, one row
// per lane) and the activation quantizers the reference's float steps, so decode and prefill equal the
// scalar path bit for bit. F32/F16 sum in float lanes: not held to it.
TEST(Matmul, NeonQuantizedEqualsScalarBitForBit) {
    if (pl_isa_active() != PL_ISA_NEON) GTEST_SKIP() << "NEON path only";
    for (int32_t type : {PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q8_0, PL_TYPE_Q5_0, PL_TYPE_Q5_1})
        for (int64_t k : {32, 96, 2048})
            for (int64_t rows : {1, 6, 33})
                for (int32_t n_tok : {1, 3, 70}) {
                    Problem p{type, rows, k, n_tok, quantize(type, randn((size_t)(rows * k), 61)),
                              randn((size_t)(k * n_tok), 62, 3.0f), {}, {}};
                    expect_scalar_bits([&] { return run(p); }, std::string(pl_type_name(type)) + " k=" + std::to_string(k) +
                                                                   " rows=" + std::to_string(rows) + " n_tok=" + std::to_string(n_tok));
                }
}
