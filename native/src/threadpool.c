/*
 * pl_ctx: a persistent thread pool plus scratch memory. Workers spin briefly on a generation
 * counter after each task (so back-to-back kernel calls start fast), then sleep on a condition
 * variable. The caller is thread 0 and works too. Nothing is allocated per call; scratch grows only
 * when a call needs more than any call before it.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#if defined(_WIN32)
#include <malloc.h>
#define pl_free_aligned _aligned_free
#else
#define pl_free_aligned free
#endif

#include "pl_internal.h"

#define PL_SPIN_ITERS 20000 /* pause-loop iterations (~50-100 us) before a worker sleeps */
#define PL_MAX_THREADS 512

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/*
 * Joining a task: `join` packs (generation << 32) | CLOSED | active-count. A worker joins the current
 * task only while it is open; the caller closes it when it has run out of work itself and then waits
 * only for the workers that joined (and are therefore running). A worker that wakes late finds the
 * task closed and goes back to waiting, so the caller never waits for a thread the OS has not
 * scheduled: task functions claim work dynamically and any subset of threads completes them.
 */
#define JOIN_CLOSED ((uint64_t)1 << 31)
#define JOIN_ACTIVE ((uint64_t)0x7fffffff)

struct pl_ctx {
    int32_t n_threads;
    pthread_t *threads;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint generation; /* bumped for each task (wraps around harmlessly) */
    atomic_int n_sleeping;
    atomic_int stop;
    pl_task_fn fn;
    void *arg;
    _Atomic uint64_t join;
    atomic_int joined; /* workers that joined this generation: gives each a distinct ith */

    void *shared;
    int64_t shared_bytes;
    void **tscratch;
    int64_t tscratch_bytes;
};

static void run_if_open(pl_ctx *ctx, unsigned gen) {
    uint64_t w = atomic_load(&ctx->join);
    for (;;) {
        if ((unsigned)(w >> 32) != gen || (w & JOIN_CLOSED)) return;
        if (atomic_compare_exchange_weak(&ctx->join, &w, w + 1)) break;
    }
    const int32_t ith = 1 + atomic_fetch_add(&ctx->joined, 1);
    ctx->fn(ith, ctx->n_threads, ctx->arg);
    atomic_fetch_sub(&ctx->join, 1);
}

static void *worker_main(void *p) {
    pl_ctx *ctx = (pl_ctx *)p;
    unsigned seen = 0;
    for (;;) {
        unsigned gen = atomic_load_explicit(&ctx->generation, memory_order_acquire);
        for (int i = 0; gen == seen && i < PL_SPIN_ITERS; i++) {
            cpu_relax();
            gen = atomic_load_explicit(&ctx->generation, memory_order_acquire);
        }
        if (gen == seen) {
            pthread_mutex_lock(&ctx->mu);
            atomic_fetch_add(&ctx->n_sleeping, 1);
            while ((gen = atomic_load(&ctx->generation)) == seen && !atomic_load(&ctx->stop))
                pthread_cond_wait(&ctx->cv, &ctx->mu);
            atomic_fetch_sub(&ctx->n_sleeping, 1);
            pthread_mutex_unlock(&ctx->mu);
        }
        if (atomic_load(&ctx->stop)) return NULL;
        seen = gen;
        run_if_open(ctx, gen);
    }
}

pl_ctx *pl_ctx_create(int32_t n_threads) {
    if (n_threads < 1 || n_threads > PL_MAX_THREADS) return NULL;
    pl_ctx *ctx = (pl_ctx *)calloc(1, sizeof(pl_ctx));
    if (ctx == NULL) return NULL;
    ctx->n_threads = n_threads;
    ctx->tscratch = (void **)calloc((size_t)n_threads, sizeof(void *));
    ctx->threads = (pthread_t *)calloc((size_t)n_threads, sizeof(pthread_t));
    if (!ctx->tscratch || !ctx->threads) {
        free(ctx->tscratch);
        free(ctx->threads);
        free(ctx);
        return NULL;
    }
    pthread_mutex_init(&ctx->mu, NULL);
    pthread_cond_init(&ctx->cv, NULL);
    for (int32_t i = 1; i < n_threads; i++) {
        if (pthread_create(&ctx->threads[i], NULL, worker_main, ctx) != 0) {
            ctx->n_threads = i; /* destroy joins only the ones started */
            pl_ctx_destroy(ctx);
            return NULL;
        }
    }
    return ctx;
}

void pl_ctx_destroy(pl_ctx *ctx) {
    if (ctx == NULL) return;
    pthread_mutex_lock(&ctx->mu);
    atomic_store(&ctx->stop, 1);
    pthread_cond_broadcast(&ctx->cv);
    pthread_mutex_unlock(&ctx->mu);
    for (int32_t i = 1; i < ctx->n_threads; i++) pthread_join(ctx->threads[i], NULL);
    pthread_mutex_destroy(&ctx->mu);
    pthread_cond_destroy(&ctx->cv);
    for (int32_t i = 0; i < ctx->n_threads; i++) pl_free_aligned(ctx->tscratch[i]);
    pl_free_aligned(ctx->shared);
    free(ctx->tscratch);
    free(ctx->threads);
    free(ctx);
}

int32_t pl_ctx_n_threads(const pl_ctx *ctx) { return ctx == NULL ? 0 : ctx->n_threads; }

void pl_pool_run(pl_ctx *ctx, pl_task_fn fn, void *arg) {
    if (ctx->n_threads == 1) {
        fn(0, 1, arg);
        return;
    }
    const unsigned gen = atomic_load(&ctx->generation) + 1u;
    ctx->fn = fn;
    ctx->arg = arg;
    atomic_store(&ctx->joined, 0);
    atomic_store(&ctx->join, (uint64_t)gen << 32); /* open, nobody active */
    atomic_store(&ctx->generation, gen);
    if (atomic_load(&ctx->n_sleeping) > 0) {
        pthread_mutex_lock(&ctx->mu);
        pthread_cond_broadcast(&ctx->cv);
        pthread_mutex_unlock(&ctx->mu);
    }
    fn(0, ctx->n_threads, arg);
    atomic_fetch_or(&ctx->join, JOIN_CLOSED);
    int spins = 0;
    while ((atomic_load(&ctx->join) & JOIN_ACTIVE) != 0) {
        if (++spins < PL_SPIN_ITERS) cpu_relax();
        else sched_yield();
    }
}

void pl_pool_wait_count(atomic_llong *counter, int64_t target) {
    int spins = 0;
    while (atomic_load_explicit(counter, memory_order_acquire) < target) {
        if (++spins < PL_SPIN_ITERS) cpu_relax();
        else sched_yield();
    }
}

static void *aligned_alloc64(int64_t bytes) {
    size_t n = (size_t)((bytes + 63) & ~(int64_t)63);
#if defined(_WIN32)
    return _aligned_malloc(n, 64);
#else
    void *p = NULL;
    if (posix_memalign(&p, 64, n) != 0) return NULL;
    return p;
#endif
}

int pl_ctx_reserve(pl_ctx *ctx, int64_t shared, int64_t per_thread) {
    if (shared > ctx->shared_bytes) {
        void *p = aligned_alloc64(shared);
        if (p == NULL) return PL_ERR_NOMEM;
        pl_free_aligned(ctx->shared);
        ctx->shared = p;
        ctx->shared_bytes = shared;
    }
    if (per_thread > ctx->tscratch_bytes) {
        for (int32_t i = 0; i < ctx->n_threads; i++) {
            void *p = aligned_alloc64(per_thread);
            if (p == NULL) return PL_ERR_NOMEM;
            pl_free_aligned(ctx->tscratch[i]);
            ctx->tscratch[i] = p;
        }
        ctx->tscratch_bytes = per_thread;
    }
    return PL_OK;
}

void *pl_ctx_shared_scratch(pl_ctx *ctx) { return ctx->shared; }

void *pl_ctx_thread_scratch(pl_ctx *ctx, int32_t ith) { return ctx->tscratch[ith]; }
