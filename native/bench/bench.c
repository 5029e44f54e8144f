/*
 * panllama_bench: throughput of the kernels on this machine (not a test; prints numbers).
 *
 *   panllama_bench [--threads 1,2] [--gib 1.0] [--seconds 1.5] [--formats q4_0,q8_0,...] [--rounds 3]
 *                  [--matvec-only 1]
 *
 * For each thread count: a STREAM triad (a = b + s*c, 12 bytes/element as STREAM counts them) over
 * arrays far larger than the last-level cache; matrix-vector products cycling through >= --gib GiB
 * of weights per format (a synthetic stack of 4096x4096 matrices, so the figure is memory-bound);
 * a 64-token GEMM on the same matrices; RMSNorm and decode attention. Per format, --rounds rounds
 * interleave a triad, the matvec and the GEMM at each thread count (best of each), so ratios compare
 * figures taken seconds apart. PANLLAMA_ISA picks the path.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panllama.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xmalloc(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 64, n) != 0) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(1);
    }
    memset(p, 0, n); /* fault the pages in before timing */
    return p;
}

static unsigned rng_state = 12345;
static float frand(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void check(int st, const char *what) {
    if (st != PL_OK) {
        fprintf(stderr, "%s failed: %s\n", what, pl_strerror(st));
        exit(1);
    }
}

static double g_seconds = 1.5;
static int g_rounds = 3;
static int g_matvec_only = 0;

/* STREAM triad arrays (3 x 256 MiB), allocated once */
static float *g_ta, *g_tb, *g_tc;
static const int64_t g_tn = (int64_t)64 << 20;

/* best triad GB/s over `seconds` */
static double bench_triad(pl_ctx *ctx, double seconds) {
    if (g_ta == NULL) {
        g_ta = xmalloc((size_t)g_tn * 4);
        g_tb = xmalloc((size_t)g_tn * 4);
        g_tc = xmalloc((size_t)g_tn * 4);
        for (int64_t i = 0; i < g_tn; i++) {
            g_tb[i] = 1.0f;
            g_tc[i] = 2.0f;
        }
    }
    check(pl_bench_triad(ctx, g_ta, g_tb, g_tc, g_tn, 3.0f), "triad");
    double best = 0;
    const double t_end = now() + seconds;
    while (now() < t_end) {
        const double t0 = now();
        check(pl_bench_triad(ctx, g_ta, g_tb, g_tc, g_tn, 3.0f), "triad");
        const double gbs = 12.0 * (double)g_tn / (now() - t0) / 1e9;
        if (gbs > best) best = gbs;
    }
    return best;
}

typedef struct {
    int32_t type;  /* the layout multiplied */
    int32_t quant; /* the file format it comes from (repacked layouts: quantized to this, then repacked) */
    const char *name;
} fmt;

static const fmt FORMATS[] = {{PL_TYPE_Q4_0, PL_TYPE_Q4_0, "q4_0"}, {PL_TYPE_Q4_0_X8, PL_TYPE_Q4_0, "q4_0_x8"},
                              {PL_TYPE_Q4_1, PL_TYPE_Q4_1, "q4_1"}, {PL_TYPE_Q4_1_X8, PL_TYPE_Q4_1, "q4_1_x8"},
                              {PL_TYPE_Q5_0, PL_TYPE_Q5_0, "q5_0"}, {PL_TYPE_Q5_0_X8, PL_TYPE_Q5_0, "q5_0_x8"}, {PL_TYPE_Q5_1, PL_TYPE_Q5_1, "q5_1"}, {PL_TYPE_Q5_1_X8, PL_TYPE_Q5_1, "q5_1_x8"},
                              {PL_TYPE_Q8_0, PL_TYPE_Q8_0, "q8_0"}, {PL_TYPE_Q4_K, PL_TYPE_Q4_K, "q4_k"},
                              {PL_TYPE_Q4_K_X8, PL_TYPE_Q4_K, "q4_k_x8"},
                              {PL_TYPE_Q5_K, PL_TYPE_Q5_K, "q5_k"}, {PL_TYPE_Q5_K_X8, PL_TYPE_Q5_K, "q5_k_x8"},
                              {PL_TYPE_Q6_K, PL_TYPE_Q6_K, "q6_k"},
                              {PL_TYPE_Q6_K_X8, PL_TYPE_Q6_K, "q6_k_x8"},
                              {PL_TYPE_F16, PL_TYPE_F16, "f16"}, {PL_TYPE_BF16, PL_TYPE_BF16, "bf16"},
                              {PL_TYPE_F32, PL_TYPE_F32, "f32"}};

/* Whether the comma-separated list names this format exactly. */
static int listed(const char *list, const char *name) {
    const size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

/* Prints matvec and GEMM figures for one format; returns matvec GB/s. */
static void bench_matmul(const int *threads, int n_threads_list, const fmt *fm, double gib) {
    const int32_t type = fm->type;
    const char *name = fm->name;
    const int64_t rows = 4096, k = 4096;
    const int64_t mat_bytes = pl_matrix_bytes(type, rows, k);
    const int64_t n_mats = (int64_t)ceil(gib * 1073741824.0 / (double)mat_bytes);
    const int64_t total = mat_bytes * n_mats;
    uint8_t *w = xmalloc((size_t)total);
    {
        /* quantize one matrix from random floats, replicate it (distinct memory: still cache-busting) */
        float *f = xmalloc((size_t)(rows * k) * 4);
        for (int64_t i = 0; i < rows * k; i++) f[i] = frand();
        check(pl_quantize(fm->quant, f, rows * k, w, mat_bytes), "quantize");
        if (fm->quant != type) {
            uint8_t *plain = xmalloc((size_t)mat_bytes);
            memcpy(plain, w, (size_t)mat_bytes);
            check(pl_repack(fm->quant, plain, mat_bytes, rows, k, type, w, mat_bytes), "repack");
            free(plain);
        }
        free(f);
        for (int64_t m = 1; m < n_mats; m++) memcpy(w + m * mat_bytes, w, (size_t)mat_bytes);
    }
    const int32_t n_tok = 64;
    float *x = xmalloc((size_t)(k * n_tok) * 4), *y = xmalloc((size_t)(rows * n_tok) * 4);
    for (int64_t i = 0; i < k * n_tok; i++) x[i] = frand();
    /* Rounds of triad, matvec and GEMM, at every thread count in turn, best of each: on a shared machine
     * the available bandwidth drifts over seconds, and ratios (to the triad, between thread counts) of
     * figures taken minutes apart would drift with it. */
    const int64_t g_mats = n_mats < 4 ? n_mats : 4; /* GEMM: a few matrices, so weights also stream from memory */
    pl_ctx *ctxs[16];
    double triad[16], best[16], gbest[16];
    for (int ti = 0; ti < n_threads_list; ti++) {
        ctxs[ti] = pl_ctx_create(threads[ti]);
        for (int64_t m = 0; m < n_mats; m++)
            check(pl_matmul(ctxs[ti], type, w + m * mat_bytes, mat_bytes, rows, k, x, 1, y), "matvec");
        triad[ti] = 0;
        best[ti] = gbest[ti] = 1e30;
    }
    for (int round = 0; round < g_rounds; round++)
        for (int ti = 0; ti < n_threads_list; ti++) {
            pl_ctx *ctx = ctxs[ti];
            const double tr = bench_triad(ctx, g_seconds / g_rounds / 2);
            if (tr > triad[ti]) triad[ti] = tr;
            const double t_end = now() + g_seconds / g_rounds;
            for (int passes = 0; now() < t_end || passes < 2; passes++) { /* decode: one pass = every matrix once */
                const double t0 = now();
                for (int64_t m = 0; m < n_mats; m++) pl_matmul(ctx, type, w + m * mat_bytes, mat_bytes, rows, k, x, 1, y);
                const double dt = now() - t0;
                if (dt < best[ti]) best[ti] = dt;
            }
            if (g_matvec_only) continue;
            const double g_end = now() + g_seconds / g_rounds;
            for (int passes = 0; now() < g_end || passes < 2; passes++) {
                const double t0 = now();
                for (int64_t m = 0; m < g_mats; m++) pl_matmul(ctx, type, w + m * mat_bytes, mat_bytes, rows, k, x, n_tok, y);
                const double dt = now() - t0;
                if (dt < gbest[ti]) gbest[ti] = dt;
            }
        }
    for (int ti = 0; ti < n_threads_list; ti++) {
        const double mv_gbs = (double)total / best[ti] / 1e9;
        const double mv_gflops = 2.0 * (double)(rows * k * n_mats) / best[ti] / 1e9;
        printf("%-7s threads=%d  matvec %7.2f GB/s %7.2f GFLOP/s (%5.1f%% of triad %5.2f)", name, threads[ti], mv_gbs,
               mv_gflops, 100.0 * mv_gbs / triad[ti], triad[ti]);
        if (!g_matvec_only) {
            const double gemm_gflops = 2.0 * (double)(rows * k * g_mats) * n_tok / gbest[ti] / 1e9;
            printf("   gemm(64 tok) %7.2f GFLOP/s  gemm/matvec %5.2fx", gemm_gflops, gemm_gflops / mv_gflops);
            if (ti > 0) printf("  gemm x%.2f vs %d thr", gbest[0] / gbest[ti], threads[0]);
        }
        printf("\n");
        pl_ctx_destroy(ctxs[ti]);
    }
    fflush(stdout);
    free(w);
    free(x);
    free(y);
}

static void bench_ops(const int *threads, int n_threads_list) {
    const int64_t n = 4096;
    const int32_t rows = 512;
    float *x = xmalloc((size_t)(n * rows) * 4), *w = xmalloc((size_t)n * 4), *y = xmalloc((size_t)(n * rows) * 4);
    for (int64_t i = 0; i < n * rows; i++) x[i] = frand();
    for (int64_t i = 0; i < n; i++) w[i] = frand();
    /* decode attention: 32 heads / 8 KV heads, head_dim 128, 4096 positions in an F16 cache */
    const int32_t n_kv = 8, n_heads = 32, hd = 128, ctx_len = 4096;
    const pl_i64 cb = pl_kv_cache_bytes(PL_TYPE_F16, n_kv, hd, ctx_len);
    uint8_t *kc = xmalloc((size_t)cb), *vc = xmalloc((size_t)cb);
    float *kv = xmalloc((size_t)(n_kv * hd) * 4), *q = xmalloc((size_t)(n_heads * hd) * 4), *o = xmalloc((size_t)(n_heads * hd) * 4);
    for (int64_t i = 0; i < n_kv * hd; i++) kv[i] = frand();
    for (int64_t i = 0; i < n_heads * hd; i++) q[i] = frand();
    for (int ti = 0; ti < n_threads_list; ti++) {
        pl_ctx *ctx = pl_ctx_create(threads[ti]);
        for (int32_t p = 0; p < ctx_len; p++)
            check(pl_kv_store(ctx, PL_TYPE_F16, kc, vc, cb, n_kv, hd, ctx_len, p, kv, kv, 1), "kv_store");
        double best = 1e30;
        for (int it = 0; it < 20; it++) {
            const double t0 = now();
            check(pl_rmsnorm(ctx, x, w, y, n, rows, 1e-5f), "rmsnorm");
            const double dt = now() - t0;
            if (dt < best) best = dt;
        }
        printf("rmsnorm threads=%d  %7.2f GB/s (%d rows x %lld)\n", threads[ti], 8.0 * (double)(n * rows) / best / 1e9,
               rows, (long long)n);
        best = 1e30;
        for (int it = 0; it < 20; it++) {
            const double t0 = now();
            check(pl_attention(ctx, PL_TYPE_F16, kc, vc, cb, n_kv, hd, ctx_len, q, n_heads, 1, ctx_len - 1,
                               1.0f / sqrtf((float)hd), o),
                  "attention");
            const double dt = now() - t0;
            if (dt < best) best = dt;
        }
        printf("attention(decode, f16 cache, ctx %d, %d/%d heads, hd %d) threads=%d  %7.2f GB/s of cache  %.3f ms\n",
               ctx_len, n_heads, n_kv, hd, threads[ti], 2.0 * (double)cb / best / 1e9, best * 1e3);
        fflush(stdout);
        pl_ctx_destroy(ctx);
    }
    free(x);
    free(w);
    free(y);
    free(kc);
    free(vc);
    free(kv);
    free(q);
    free(o);
}

int main(int argc, char **argv) {
    int threads[16] = {1, 2};
    int n_threads_list = 2;
    double gib = 1.0;
    const char *formats = "q4_0,q4_0_x8,q4_1,q4_1_x8,q5_0,q5_0_x8,q5_1,q5_1_x8,q8_0,q4_k,q4_k_x8,q5_k,q5_k_x8,q6_k,q6_k_x8,f16,bf16,f32";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--threads") == 0) {
            n_threads_list = 0;
            for (char *s = strtok(argv[i + 1], ","); s && n_threads_list < 16; s = strtok(NULL, ","))
                threads[n_threads_list++] = atoi(s);
        } else if (strcmp(argv[i], "--gib") == 0) {
            gib = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            g_seconds = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--rounds") == 0) {
            g_rounds = atoi(argv[i + 1]) > 0 ? atoi(argv[i + 1]) : 1;
        } else if (strcmp(argv[i], "--matvec-only") == 0) {
            g_matvec_only = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--formats") == 0) {
            formats = argv[i + 1];
        } else {
            fprintf(stderr, "usage: %s [--threads 1,2] [--gib 1.0] [--seconds 1.5] [--formats q4_0,...] [--rounds 3] [--matvec-only 1]\n", argv[0]);
            return 2;
        }
    }
    printf("panllama %s, kernel path %s, %s\n", pl_version(), pl_isa_name(pl_isa_active()), pl_build_info());
    for (int ti = 0; ti < n_threads_list; ti++) {
        pl_ctx *ctx = pl_ctx_create(threads[ti]);
        printf("triad  threads=%d  %7.2f GB/s\n", threads[ti], bench_triad(ctx, g_seconds));
        fflush(stdout);
        pl_ctx_destroy(ctx);
    }
    for (size_t f = 0; f < sizeof(FORMATS) / sizeof(FORMATS[0]); f++)
        if (listed(formats, FORMATS[f].name)) bench_matmul(threads, n_threads_list, &FORMATS[f], gib);
    if (!g_matvec_only) bench_ops(threads, n_threads_list);
    return 0;
}
