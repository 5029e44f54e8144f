/*
 * ggml_parity: compares panllama's matrix-vector products with llama.cpp's own CPU kernels, loaded
 * from a libggml-cpu build (e.g. node-llama-cpp's prebuilt libggml-cpu-haswell.so). Built and run
 * by ctest only when -DPANLLAMA_GGML_DIR=<dir with libggml-base.so, libggml-cpu-haswell.so> is given.
 * Also checks the Q4_K / Q6_K / Q5_0 / Q5_1 reference quantizers against ggml's quantize_row_*_ref, byte for byte.
 *
 * For each weight format: weights quantized by pl_quantize (bit-exact with ggml's reference), F32
 * activations converted by ggml's from_float for its vec_dot_type, then ggml's vec_dot per row,
 * against pl_matmul on the AVX2 path. Decode (one token) must agree bit for bit (same activation
 * conversion, same integer lane sums, same float operations in the same order); prefill GEMM
 * differs only in float summation order: its largest difference, relative to the outputs' RMS,
 * must stay below 1e-5.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panllama.h"

typedef void (*from_float_t)(const float *x, void *y, long long k);
typedef void (*vec_dot_t)(int n, float *s, size_t bs, const void *x, size_t bx, const void *y, size_t by, int nrc);
typedef struct {
    from_float_t from_float;
    vec_dot_t vec_dot;
    int vec_dot_type;
    long long nrows;
} traits_cpu;

/*
 * The K-quant reference quantizers against ggml's own quantize_row_q4_K_ref / quantize_row_q6_K_ref
 * (exported by libggml-base): byte equality over rows of several magnitudes and shapes.
 */
static int quantize_parity(const char *base_lib) {
    void *base = dlopen(base_lib, RTLD_NOW | RTLD_GLOBAL);
    struct {
        int type;
        const char *fn;
    } cases[] = {{PL_TYPE_Q4_K, "quantize_row_q4_K_ref"}, {PL_TYPE_Q6_K, "quantize_row_q6_K_ref"},
                 {PL_TYPE_Q5_0, "quantize_row_q5_0_ref"}, {PL_TYPE_Q5_1, "quantize_row_q5_1_ref"},
                 {PL_TYPE_Q5_K, "quantize_row_q5_K_ref"}};
    const int n_cases = (int)(sizeof(cases) / sizeof(cases[0]));
    const long long n = 256 * 512;
    float *x = malloc(sizeof(float) * n);
    unsigned char *a = malloc((size_t)n), *b = malloc((size_t)n);
    int failures = 0;
    for (int ci = 0; ci < n_cases; ci++) {
        void (*ref)(const float *, void *, long long) = (void (*)(const float *, void *, long long))dlsym(base, cases[ci].fn);
        if (!ref) {
            printf("%s not exported: quantize parity not checked\n", cases[ci].fn);
            continue;
        }
        srand(11);
        long long diffs = 0;
        const long long rb = pl_type_row_bytes(cases[ci].type, n);
        for (int trial = 0; trial < 4; trial++) {
            /* uniform, gaussian-ish (sum of 4), sparse with outliers, tiny magnitudes */
            for (long long i = 0; i < n; i++) {
                float u = (float)rand() / RAND_MAX * 2 - 1;
                if (trial == 1) u = u + (float)rand() / RAND_MAX + (float)rand() / RAND_MAX + (float)rand() / RAND_MAX - 1.5f;
                if (trial == 2) u = rand() % 16 == 0 ? u * 40.0f : (rand() % 3 == 0 ? 0.0f : u * 0.1f);
                if (trial == 3) u *= 1e-4f;
                x[i] = u;
            }
            memset(a, 0, (size_t)rb);
            memset(b, 0, (size_t)rb);
            ref(x, a, n);
            pl_quantize(cases[ci].type, x, n, b, rb);
            for (long long i = 0; i < rb; i++) diffs += a[i] != b[i];
        }
        printf("%-5s quantize vs ggml %s: %lld of %lld bytes differ %s\n", pl_type_name(cases[ci].type), cases[ci].fn, diffs,
               4 * rb, diffs ? "FAIL" : "ok");
        failures += diffs != 0;
    }
    free(x);
    free(a);
    free(b);
    return failures;
}

int main(int argc, char **argv) {
    int failures_q;
    if (argc < 3) {
        fprintf(stderr, "usage: %s libggml-base.so libggml-cpu-<variant>.so\n", argv[0]);
        return 2;
    }
    if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    void *cpu = dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL);
    if (!cpu) {
        fprintf(stderr, "cannot load %s: %s\n", argv[2], dlerror());
        return 1;
    }
    void (*cpu_init)(void) = (void (*)(void))dlsym(cpu, "ggml_cpu_init");
    const traits_cpu *(*get_traits)(int) = (const traits_cpu *(*)(int))dlsym(cpu, "ggml_get_type_traits_cpu");
    if (!cpu_init || !get_traits) {
        fprintf(stderr, "ggml symbols not found\n");
        return 1;
    }
    cpu_init();
    if (pl_isa_force(PL_ISA_AVX2) != PL_OK) {
        printf("SKIP: no AVX2 on this CPU\n");
        return 77;
    }
    printf("panllama path %s vs %s\n", pl_isa_name(pl_isa_active()), argv[2]);
    failures_q = quantize_parity(argv[1]);
    const int types[] = {PL_TYPE_Q4_0, PL_TYPE_Q4_1, PL_TYPE_Q5_0, PL_TYPE_Q5_1, PL_TYPE_Q8_0, PL_TYPE_Q4_K, PL_TYPE_Q5_K, PL_TYPE_Q6_K, PL_TYPE_F16, PL_TYPE_BF16, PL_TYPE_F32};
    const int rows = 64, n_tok = 8;
    const int ks[] = {96, 4096, 100}; /* 100: float formats only (leftover elements) */
    int failures = failures_q;
    pl_ctx *ctx = pl_ctx_create(2);
    for (int ki = 0; ki < 3; ki++) {
        const int k = ks[ki];
        float *w = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * k * n_tok);
        float *y = malloc(sizeof(float) * rows * n_tok), *yg = malloc(sizeof(float) * rows * n_tok);
        srand(7);
        for (int i = 0; i < rows * k; i++) w[i] = (float)rand() / RAND_MAX * 2 - 1;
        for (int i = 0; i < k * n_tok; i++) x[i] = (float)rand() / RAND_MAX * 2 - 1;
        for (size_t ti = 0; ti < sizeof(types) / sizeof(types[0]); ti++) {
            const int t = types[ti];
            if (k % pl_type_block_elems(t)) continue;
            const long long rb = pl_type_row_bytes(t, k);
            unsigned char *wq = malloc((size_t)(rb * rows)), *xq = malloc((size_t)k * 4 * n_tok);
            pl_quantize(t, w, (long long)rows * k, wq, rb * rows);
            const traits_cpu *tr = get_traits(t), *at = get_traits(tr->vec_dot_type);
            /* ggml's Q8_K (type 15, K-quant activations) is no panllama type: 292 bytes per 256 */
            const long long xrb = tr->vec_dot_type == 15 ? k / 256 * 292 : pl_type_row_bytes(tr->vec_dot_type, k);
            for (int tok = 0; tok < n_tok; tok++) {
                at->from_float(x + (size_t)tok * k, xq + xrb * tok, k);
                for (int r = 0; r < rows; r++)
                    tr->vec_dot(k, &yg[tok * rows + r], 0, wq + rb * r, 0, xq + xrb * tok, 0, 1);
            }
            /* decode: token by token */
            int diff_dec = 0;
            double rel_dec = 0, rel_gemm = 0, rms = 0;
            for (int i = 0; i < rows * n_tok; i++) rms += (double)yg[i] * yg[i];
            rms = sqrt(rms / (rows * n_tok));
            for (int tok = 0; tok < n_tok; tok++) {
                pl_matmul(ctx, t, wq, rb * rows, rows, k, x + (size_t)tok * k, 1, y + tok * rows);
                for (int r = 0; r < rows; r++) {
                    const float a = y[tok * rows + r], b = yg[tok * rows + r];
                    if (memcmp(&a, &b, 4) != 0) diff_dec++;
                    rel_dec = fmax(rel_dec, fabs(a - b) / rms);
                }
            }
            /* prefill: all tokens in one GEMM */
            pl_matmul(ctx, t, wq, rb * rows, rows, k, x, n_tok, y);
            for (int i = 0; i < rows * n_tok; i++) rel_gemm = fmax(rel_gemm, fabs(y[i] - yg[i]) / rms);
            const int must_match = 1;
            const int float_type = pl_type_block_elems(t) == 1; /* float prefill must match too */
            const int bad = (must_match && diff_dec) || rel_dec > 1e-5 || rel_gemm > 1e-5 || (float_type && rel_gemm != 0);
            printf("%-5s k=%-5d decode: %3d/%d outputs differ from ggml (max diff/rms %.1e)%s  prefill GEMM: max diff/rms %.1e  %s\n",
                   pl_type_name(t), k, diff_dec, rows * n_tok, rel_dec, must_match ? " [must be 0]" : "", rel_gemm,
                   bad ? "FAIL" : "ok");
            failures += bad;
            free(wq);
            free(xq);
        }
        free(w);
        free(x);
        free(y);
        free(yg);
    }
    pl_ctx_destroy(ctx);
    return failures ? 1 : 0;
}
