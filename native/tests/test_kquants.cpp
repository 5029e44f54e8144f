// K-quants (Q4_K, Q5_K, Q6_K): reference quantizers bit-exact with llama.cpp's (goldens made by ggml's own
// quantize_row_q*_K_ref, data/make_kquant_goldens.py), and the matmul kernels of every ISA against
// independent references: a double-precision product of the dequantized operands, and a scalar
// model of ggml's AVX2 vec_dot arithmetic that the SIMD decode kernels must equal bit for bit.
#include <cstdlib>
#include <fstream>
#include <string>

#include "test_util.h"

using namespace pltest;

namespace {

const int32_t kKTypes[] = {PL_TYPE_Q4_K, PL_TYPE_Q5_K, PL_TYPE_Q6_K};

std::vector<uint8_t> read_bytes(const std::string &name) {
    const char *dir = std::getenv("PANLLAMA_TEST_DATA");
    std::ifstream f(std::string(dir && *dir ? dir : PL_TEST_DATA_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(f.good()) << "missing golden " << name;
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

float f16_at(const uint8_t *p) {
    float f;
    pl_dequantize(PL_TYPE_F16, p, 2, &f, 1);
    return f;
}

// ggml's block_q8_K, written independently of the library: amax picks the first element of largest
// magnitude (its sign sets the scale's), codes = nearest-even(x * -127/max) capped at 127.
struct Q8K {
    float d;
    int8_t qs[256];
    int16_t bsums[16];
};

std::vector<Q8K> quantize_q8k(const float *x, int64_t k) {
    std::vector<Q8K> out((size_t)(k / 256));
    for (auto &b : out) {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++)
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        b = Q8K{};
        if (amax != 0) {
            const float iscale = -127.f / max;
            for (int j = 0; j < 256; j++) b.qs[j] = (int8_t)std::min(127, (int)std::nearbyint(iscale * x[j]));
            for (int j = 0; j < 16; j++) {
                int s = 0;
                for (int l = 0; l < 16; l++) s += b.qs[16 * j + l];
                b.bsums[j] = (int16_t)s;
            }
            b.d = 1 / iscale;
        }
        x += 256;
    }
    return out;
}

// Q4_K 6-bit scale (min = 0) or min (min = 1) of sub-block j, from the format description.
int q4k_scale(const uint8_t *s, int j, int min) {
    if (j < 4) return s[j + 4 * min] & 63;
    return min ? (s[j + 4] >> 4) | ((s[j] >> 6) << 4) : (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
}
int q4k_code(const uint8_t *blk, int e) { return (blk[16 + 32 * (e / 64) + e % 32] >> (4 * ((e / 32) % 2))) & 15; }
// Q5_K: Q4_K's nibble layout at byte 48, plus 16 x bit (e / 32) of qh[e % 32]
int q5k_code(const uint8_t *blk, int e) {
    return ((blk[48 + 32 * (e / 64) + e % 32] >> (4 * ((e / 32) % 2))) & 15) | (((blk[16 + e % 32] >> (e / 32)) & 1) << 4);
}
int q6k_code(const uint8_t *blk, int e) {
    const int h = e / 128, n = (e % 128) / 32, p = e % 32;
    const int lo = (blk[64 * h + 32 * (n & 1) + p] >> (4 * (n >> 1))) & 15;
    return lo | (((blk[128 + 32 * h + p] >> (2 * n)) & 3) << 4);  // 0..63, value = code - 32
}

float hsum8(const float v[8]) {
    float r[4];
    for (int i = 0; i < 4; i++) r[i] = v[i + 4] + v[i];
    return (r[0] + r[2]) + (r[1] + r[3]);
}

// ggml's AVX2 vec_dot_q{4,5,6}_K_q8_K, one scalar step per vector lane: 8 int32 lanes (lane l: codes
// at bytes 4l..4l+3 of each 32-element group, times its sub-block scale), converted, FMA-accumulated
// with d_w * d_a; Q4_K mins in 4 lanes (two sub-blocks each), Q5_K mins summed to one integer per
// super-block and FMA-accumulated in a scalar float; ggml's final reduction.
float ggml_avx2_model(int32_t type, int64_t k, const uint8_t *w, const std::vector<Q8K> &a) {
    float acc[8] = {}, accm[4] = {}, summs = 0;
    for (int64_t b = 0; b < k / 256; b++) {
        const Q8K &y = a[(size_t)b];
        long long lane[8] = {};
        if (type == PL_TYPE_Q4_K) {
            const uint8_t *blk = w + b * 144;
            for (int e = 0; e < 256; e++) lane[(e % 32) / 4] += q4k_scale(blk + 4, e / 32, 0) * q4k_code(blk, e) * y.qs[e];
            for (int p = 0; p < 4; p++) {
                const int s0 = y.bsums[4 * p] + y.bsums[4 * p + 1], s1 = y.bsums[4 * p + 2] + y.bsums[4 * p + 3];
                const int prod = q4k_scale(blk + 4, 2 * p, 1) * s0 + q4k_scale(blk + 4, 2 * p + 1, 1) * s1;
                accm[p] = std::fma(-y.d * f16_at(blk + 2), (float)prod, accm[p]);
            }
            for (int l = 0; l < 8; l++) acc[l] = std::fma(y.d * f16_at(blk), (float)(int32_t)lane[l], acc[l]);
        } else if (type == PL_TYPE_Q5_K) {
            const uint8_t *blk = w + b * 176;
            for (int e = 0; e < 256; e++) lane[(e % 32) / 4] += q4k_scale(blk + 4, e / 32, 0) * q5k_code(blk, e) * y.qs[e];
            int mins = 0;
            for (int j = 0; j < 8; j++) mins += q4k_scale(blk + 4, j, 1) * (y.bsums[2 * j] + y.bsums[2 * j + 1]);
            summs = std::fma(-y.d * f16_at(blk + 2), (float)mins, summs);  // ggml's build contracts it to an FMA
            for (int l = 0; l < 8; l++) acc[l] = std::fma(y.d * f16_at(blk), (float)(int32_t)lane[l], acc[l]);
        } else {
            const uint8_t *blk = w + b * 210;
            const int8_t *sc = (const int8_t *)(blk + 192);
            for (int e = 0; e < 256; e++) lane[(e % 32) / 4] += sc[e / 16] * q6k_code(blk, e) * y.qs[e];
            for (int l = 0; l < 8; l++)
                lane[l] -= 32 * (y.bsums[2 * l] * sc[2 * l] + y.bsums[2 * l + 1] * sc[2 * l + 1]);
            for (int l = 0; l < 8; l++) acc[l] = std::fma(y.d * f16_at(blk + 208), (float)(int32_t)lane[l], acc[l]);
        }
    }
    if (type == PL_TYPE_Q5_K) return hsum8(acc) + summs;
    return hsum8(acc) + ((accm[0] + accm[2]) + (accm[1] + accm[3]));
}

struct KProblem {
    int32_t type;
    int64_t rows, k;
    int32_t n_tok;
    std::vector<uint8_t> w;
    std::vector<float> x, want, mag;  // double product of the dequantized operands, sum |w_j a_j|
};

KProblem make_kproblem(int32_t type, int64_t rows, int64_t k, int32_t n_tok, uint32_t seed) {
    KProblem p{type, rows, k, n_tok, quantize(type, randn((size_t)(rows * k), seed, 0.05f)),
               randn((size_t)(k * n_tok), seed + 1), {}, {}};
    auto wd = dequantize(type, p.w, (size_t)(rows * k));
    p.want.resize((size_t)(rows * n_tok));
    p.mag.resize(p.want.size());
    for (int32_t t = 0; t < n_tok; t++) {
        auto a = quantize_q8k(p.x.data() + t * k, k);
        for (int64_t r = 0; r < rows; r++) {
            double s = 0, m = 0;
            for (int64_t j = 0; j < k; j++) {
                const double pr = (double)wd[r * k + j] * ((double)a[j / 256].d * a[j / 256].qs[j % 256]);
                s += pr;
                m += std::fabs(pr);
            }
            p.want[t * rows + r] = (float)s;
            p.mag[t * rows + r] = (float)m;
        }
    }
    return p;
}

std::vector<float> run(const KProblem &p, int threads = 2) {
    std::vector<float> y((size_t)(p.rows * p.n_tok), NAN);
    EXPECT_EQ(pl_matmul(shared_ctx(threads), p.type, p.w.data(), (pl_i64)p.w.size(), p.rows, p.k, p.x.data(), p.n_tok,
                        y.data()),
              PL_OK);
    return y;
}

// The x86 SIMD paths, whose K-quant decode follows ggml's AVX2 arithmetic (NEON follows the scalar path's).
bool simd_active() { return pl_isa_active() == PL_ISA_AVX2 || pl_isa_active() == PL_ISA_AVX512; }

}  // namespace

TEST(KQuants, QuantizeMatchesGgmlReferenceBitForBit) {
    auto raw = read_bytes("quant_input.f32");
    std::vector<float> x(raw.size() / 4);
    std::memcpy(x.data(), raw.data(), x.size() * 4);
    ASSERT_EQ(x.size(), 4096u);
    for (auto c : {std::pair{PL_TYPE_Q4_K, "quant_q4_k.bin"}, std::pair{PL_TYPE_Q5_K, "quant_q5_k.bin"},
                   std::pair{PL_TYPE_Q6_K, "quant_q6_k.bin"}}) {
        auto want = read_bytes(c.second);
        auto got = quantize(c.first, x);
        ASSERT_EQ(got.size(), want.size()) << c.second;
        size_t diffs = 0, first = 0;
        for (size_t i = 0; i < got.size(); i++)
            if (got[i] != want[i] && diffs++ == 0) first = i;
        EXPECT_EQ(diffs, 0u) << c.second << " first differing byte " << first;
    }
}

// Round trip of Gaussian data: RMS error / sigma. Q4_K (4-bit codes with a 6-bit scale and min per
// 32) lands near 0.06-0.07 in llama.cpp's own measurements, Q6_K near 0.015; the bounds leave
// headroom but fail for a broken scale/min packing (errors of order sigma) or a lost sub-block.
TEST(KQuants, RoundTripErrorIsSmall) {
    const size_t n = 256 * 64;
    auto x = randn(n, 3);
    for (auto c : {std::pair{PL_TYPE_Q4_K, 0.09}, std::pair{PL_TYPE_Q5_K, 0.045}, std::pair{PL_TYPE_Q6_K, 0.025}}) {
        auto y = dequantize(c.first, quantize(c.first, x), n);
        double e = 0;
        for (size_t i = 0; i < n; i++) e += (double)(x[i] - y[i]) * (x[i] - y[i]);
        EXPECT_LT(std::sqrt(e / n), c.second) << pl_type_name(c.first);
        EXPECT_GT(std::sqrt(e / n), c.second / 20) << pl_type_name(c.first);  // really quantized
    }
    // an all-zero super-block stays exactly zero
    std::vector<float> z(256, 0.0f);
    for (int32_t t : kKTypes) EXPECT_EQ(max_abs_diff(dequantize(t, quantize(t, z), 256), z), 0.0f);
}

// Scalar path vs the double reference: per super-block the integer sums are exact and only the float
// scaling rounds (a few roundings of terms <= ~3 x sum|w_j a_j| with Q4_K's min cancellation), plus
// k/256 accumulations: <= 2e-6 of sum|w_j a_j| for k <= 2304; 1e-5 leaves headroom, while one lost
// sub-block (1/72 of the terms at k = 2304) is three orders above it.
TEST(KQuants, ScalarMatchesDoubleReference) {
    UseIsa scalar(PL_ISA_SCALAR);
    for (int32_t type : kKTypes)
        for (int64_t k : {256, 512, 2304})
            for (int64_t rows : {1, 7, 33})
                for (int32_t n_tok : {1, 5}) {
                    auto p = make_kproblem(type, rows, k, n_tok, 11);
                    auto y = run(p);
                    for (size_t i = 0; i < y.size(); i++)
                        ASSERT_NEAR(y[i], p.want[i], 1e-5f * p.mag[i] + 1e-7f)
                            << pl_type_name(type) << " k=" << k << " rows=" << rows << " n_tok=" << n_tok << " i=" << i;
                }
}

// The ISA under test vs the scalar path: the same activation codes (one quantizer for every ISA), so
// the only difference is float accumulation (8 lanes vs one sum): the same 1e-5 bound.
TEST(KQuants, ActiveIsaMatchesScalar) {
    for (int32_t type : kKTypes)
        for (int64_t k : {256, 512, 2304})
            for (int64_t rows : {1, 7, 33, 100})
                for (int32_t n_tok : {1, 2, 5, 70}) {
                    auto p = make_kproblem(type, rows, k, n_tok, 21);
                    std::vector<float> ref;
                    {
                        UseIsa scalar(PL_ISA_SCALAR);
                        ref = run(p);
                    }
                    auto y = run(p);
                    for (size_t i = 0; i < y.size(); i++)
                        ASSERT_NEAR(y[i], ref[i], 1e-5f * p.mag[i] + 1e-7f)
                            << pl_type_name(type) << " k=" << k << " rows=" << rows << " n_tok=" << n_tok << " i=" << i;
                }
}

// SIMD decode follows ggml's AVX2 vec_dot arithmetic exactly: equal, bit for bit, to the scalar model
// of it (so to llama.cpp's CPU results; ggml_parity checks against ggml itself).
TEST(KQuants, SimdDecodeEqualsGgmlAvx2ArithmeticBitForBit) {
    if (!simd_active()) GTEST_SKIP() << "not an x86 SIMD path: its own summation order";
    for (int32_t type : kKTypes)
        for (int64_t k : {256, 512, 2304})
            for (int32_t n_tok : {1}) {
                auto p = make_kproblem(type, 37, k, n_tok, 41);
                auto y = run(p);
                const int64_t rb = pl_type_row_bytes(type, k);
                for (int32_t t = 0; t < n_tok; t++) {
                    auto a = quantize_q8k(p.x.data() + t * k, k);
                    for (int64_t r = 0; r < p.rows; r++) {
                        const float want = ggml_avx2_model(type, k, p.w.data() + r * rb, a);
                        const float got = y[t * p.rows + r];
                        ASSERT_EQ(0, std::memcmp(&want, &got, 4)) << pl_type_name(type) << " k=" << k << " n_tok=" << n_tok
                                                                  << " r=" << r << " t=" << t << ": " << got << " vs " << want;
                    }
                }
            }
}

// NEON computes the scalar path's exact integer super-block sums and the same float steps after them.
TEST(KQuants, NeonEqualsScalarBitForBit) {
    if (pl_isa_active() != PL_ISA_NEON) GTEST_SKIP() << "NEON path only";
    for (int32_t type : kKTypes)
        for (int64_t k : {256, 2048})
            for (int64_t rows : {1, 6, 33})
                for (int32_t n_tok : {1, 3}) {
                    auto p = make_kproblem(type, rows, k, n_tok, 71);
                    expect_scalar_bits([&] { return run(p); }, std::string(pl_type_name(type)) + " k=" + std::to_string(k) +
                                                                   " rows=" + std::to_string(rows) + " n_tok=" + std::to_string(n_tok));
                }
}

TEST(KQuants, BitIdenticalForAnyThreadCount) {
    for (int32_t type : kKTypes)
        for (int32_t n_tok : {1, 70}) {
            auto p = make_kproblem(type, 100, 512, n_tok, 31);
            auto y1 = run(p, 1);
            for (int threads : {2, 3, 4}) {
                auto yn = run(p, threads);
                ASSERT_EQ(0, std::memcmp(y1.data(), yn.data(), y1.size() * 4))
                    << pl_type_name(type) << " n_tok=" << n_tok << " threads=" << threads;
            }
        }
}

// A token's prefill outputs do not depend on its batch (bit for bit: 9 tokens vs 2 of them), and
// decode agrees with prefill up to float summation order (the 1e-5 bound above).
TEST(KQuants, BatchIndependenceAndDecodeAgreement) {
    for (int32_t type : kKTypes) {
        auto p = make_kproblem(type, 37, 768, 9, 43);
        auto all = run(p);
        KProblem two = p;
        two.n_tok = 2;
        two.x.assign(p.x.begin() + 4 * p.k, p.x.begin() + 6 * p.k);
        auto y2 = run(two);
        ASSERT_EQ(0, std::memcmp(y2.data(), all.data() + 4 * p.rows, (size_t)(2 * p.rows) * 4)) << pl_type_name(type);
        for (int32_t t = 0; t < p.n_tok; t++) {
            KProblem one = p;
            one.n_tok = 1;
            one.x.assign(p.x.begin() + t * p.k, p.x.begin() + (t + 1) * p.k);
            auto y = run(one);
            for (int64_t r = 0; r < p.rows; r++)
                ASSERT_NEAR(y[r], all[t * p.rows + r], 1e-5f * p.mag[t * p.rows + r] + 1e-7f) << pl_type_name(type) << " t=" << t;
        }
    }
}

TEST(KQuants, MisalignedBuffersAndFusedSwiglu) {
    for (int32_t type : kKTypes) {
        auto p = make_kproblem(type, 21, 512, 5, 51);
        auto ref = run(p);
        std::vector<uint8_t> wbuf(p.w.size() + 64);
        std::memcpy(wbuf.data() + 1, p.w.data(), p.w.size());
        std::vector<float> xbuf(p.x.size() + 16), ybuf(ref.size() + 16);
        std::memcpy(xbuf.data() + 1, p.x.data(), p.x.size() * 4);
        ASSERT_EQ(pl_matmul(shared_ctx(2), type, wbuf.data() + 1, (pl_i64)p.w.size(), p.rows, p.k, xbuf.data() + 1,
                            p.n_tok, ybuf.data() + 3),
                  PL_OK);
        ASSERT_EQ(0, std::memcmp(ref.data(), ybuf.data() + 3, ref.size() * 4)) << pl_type_name(type);

        auto up = make_kproblem(type, 21, 512, 5, 52);
        auto u = run(KProblem{type, 21, 512, 5, up.w, p.x, {}, {}});
        std::vector<float> want(ref.size()), y(ref.size());
        ASSERT_EQ(pl_swiglu(shared_ctx(2), ref.data(), u.data(), want.data(), (pl_i64)ref.size()), PL_OK);
        ASSERT_EQ(pl_matmul_swiglu(shared_ctx(3), type, p.w.data(), up.w.data(), (pl_i64)p.w.size(), p.rows, p.k,
                                   p.x.data(), p.n_tok, y.data()),
                  PL_OK);
        ASSERT_EQ(0, std::memcmp(want.data(), y.data(), y.size() * 4)) << pl_type_name(type);
    }
}

// Q5_K dequantization of ggml's own bytes (make_q5_goldens.py) equals gguf-py's (an independent port).
TEST(KQuants, Q5KDequantizeMatchesGgufPy) {
    auto raw = read_bytes("quant_q5_k.bin");
    auto want = read_bytes("quant_q5_k.f32");
    ASSERT_EQ(want.size(), 4096u * 4);
    auto got = dequantize(PL_TYPE_Q5_K, raw, 4096);
    ASSERT_EQ(0, std::memcmp(got.data(), want.data(), want.size()));
}

// Extreme codes: every Q5_K code 31, every scale and min 63, activations all at +127: the largest
// integer sums the SIMD paths see (a 16-bit pair-sum overflow shows up here, not with Gaussian data).
TEST(KQuants, Q5KExtremeCodesEqualScalar) {
    const int64_t rows = 9, k = 512;
    std::vector<uint8_t> w((size_t)(rows * k / 256 * 176), 0xff);
    for (int64_t b = 0; b < rows * k / 256; b++) {
        const uint16_t d = 0x2000, dmin = 0;  // d = 2^-7, no min
        std::memcpy(&w[(size_t)(b * 176)], &d, 2);
        std::memcpy(&w[(size_t)(b * 176 + 2)], &dmin, 2);
    }
    for (int32_t n_tok : {1, 6}) {
        KProblem p{PL_TYPE_Q5_K, rows, k, n_tok, w, std::vector<float>((size_t)(k * n_tok), 1.0f), {}, {}};
        std::vector<float> ref;
        {
            UseIsa scalar(PL_ISA_SCALAR);
            ref = run(p);
        }
        auto y = run(p);
        for (size_t i = 0; i < y.size(); i++) {
            ASSERT_EQ(ref[i], (float)(31 * 63 * 127 * k) / 128 / 127) << i;  // d_a = 1/127
            ASSERT_EQ(y[i], ref[i]) << "n_tok=" << n_tok << " i=" << i;
        }
    }
}

TEST(KQuants, RejectsKNotMultipleOf256) {
    std::vector<uint8_t> w(4096);
    std::vector<float> x(512), y(8);
    EXPECT_EQ(pl_matmul(shared_ctx(1), PL_TYPE_Q4_K, w.data(), (pl_i64)w.size(), 2, 128, x.data(), 1, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul(shared_ctx(1), PL_TYPE_Q6_K, w.data(), (pl_i64)w.size(), 2, 384, x.data(), 1, y.data()), PL_ERR_ARG);
    EXPECT_EQ(pl_matmul(shared_ctx(1), PL_TYPE_Q6_K, w.data(), 209, 1, 256, x.data(), 1, y.data()), PL_ERR_SIZE);
    float f[256] = {};
    uint8_t q[144];
    EXPECT_EQ(pl_quantize(PL_TYPE_Q4_K, f, 128, q, sizeof(q)), PL_ERR_ARG);
    EXPECT_EQ(pl_quantize(PL_TYPE_Q4_K, f, 256, q, 143), PL_ERR_SIZE);
}

// On an AVX-512 VNNI CPU, vpdpwssd computes the AVX2 path's integers: bit-identical results.
TEST(KQuants, Avx512EqualsAvx2BitForBit) {
    if (pl_isa_for_features(pl_cpu_features()) != PL_ISA_AVX512) GTEST_SKIP() << "no AVX-512 on this CPU";
    for (int32_t type : kKTypes)
        for (int32_t n_tok : {1, 13}) {
            auto p = make_kproblem(type, 45, 768, n_tok, 81);
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
