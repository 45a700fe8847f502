/*
 * bytelm-train: trains the byte-level transformer of docs/MODEL.md on the CPU (OpenBLAS),
 * evaluates it the way the codec codes, checkpoints, resumes and exports .blmm weights.
 * See docs/TRAINING.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU parts of libc (mmap, strdup, clock_gettime, M_PI) */
#endif
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "data.h"
#include "eval.h"
#include "export.h"
#include "gradcheck.h"
#include "model.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_LN2
#define M_LN2 0.69314718055994530942
#endif

static const char usage_text[] =
"usage: bytelm-train --train LIST [options]          train (and export)\n"
"       bytelm-train --resume CKPT [--train LIST] ...  continue a run exactly\n"
"       bytelm-train --resume CKPT --export OUT.blmm   export (or --dev: evaluate) only\n"
"       bytelm-train --gradcheck                       float gradient check\n"
"\n"
"data (list lines: '<path> <period 1..16> <group> [<frame_bytes>]'):\n"
"  --train LIST           training files\n"
"  --mix G=W,...          mixture weights per group (default: by size; unnamed groups: 0)\n"
"  --dev LIST             dev-eval files (never trained on)\n"
"  --dev-every N          dev-eval every N steps (default 1000; 0: only at the end)\n"
"  --frame BYTES          dev-eval frame size where the list gives none; each frame from\n"
"                         a cold start (default 65536)\n"
"  --dev-max-bytes N      dev-eval only the first N bytes of each file (default 0: all)\n"
"model (ignored on --resume: the checkpoint's shape is used):\n"
"  --layers L             (default 2)\n"
"  --d-model D            multiple of 8 (default 64)\n"
"  --heads H              divides D (default 4)\n"
"  --d-ff F               multiple of 8 (default 256)\n"
"  --window W             positions attended, the current one included (default 128)\n"
"  --norm-eps E           RMSNorm epsilon (default 1e-5)\n"
"training (taken from the checkpoint on --resume, except --steps):\n"
"  --seq-len T            (default 256)\n"
"  --batch B              (default 16)\n"
"  --lr LR                peak learning rate (default 2e-3)\n"
"  --min-lr-frac X        cosine decays to LR*X (default 0.1)\n"
"  --warmup N             linear warm-up steps (default 200)\n"
"  --steps N              total steps of the schedule (default 5000)\n"
"  --hours H              fix --steps from the measured speed to fit H hours; with\n"
"                         --steps or --resume only a wall-clock limit for this process\n"
"  --weight-decay X       AdamW decay of the matrices (default 0.1)\n"
"  --beta1 X, --beta2 X   (default 0.9, 0.95)\n"
"  --adam-eps X           (default 1e-8)\n"
"  --clip X               gradient-norm clipping, 0 = off (default 1.0)\n"
"  --seed N               (default 1)\n"
"output:\n"
"  --checkpoint PATH      checkpoint file (default: the --resume file)\n"
"  --checkpoint-every N   (default 500; a checkpoint is also written at the end)\n"
"  --log-every N          (default 10)\n"
"  --export OUT.blmm      write the weights file at the end\n"
"  --name S, --modality S, --description S   metadata of the weights file\n"
"threads: OPENBLAS_NUM_THREADS (e.g. 1 on a shared machine)\n";

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double lr_at(const TrainHyper *h, int64_t step) /* step counts from 1 */
{
    if (h->warmup > 0 && step <= h->warmup) return h->lr * (double)step / (double)h->warmup;
    double span = (double)(h->steps - h->warmup);
    double frac = span > 0 ? (double)(step - h->warmup) / span : 1;
    if (frac > 1) frac = 1;
    double lo = h->lr * h->min_lr_frac;
    return lo + 0.5 * (h->lr - lo) * (1 + cos(M_PI * frac));
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "bytelm-train: %s expects an integer in %ld..%ld, got '%s'\n", opt, lo,
                hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_real(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "bytelm-train: %s expects a number in %g..%g, got '%s'\n", opt, lo, hi,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    O_TRAIN = 256, O_MIX, O_DEV, O_DEV_EVERY, O_FRAME, O_DEV_MAX, O_LAYERS, O_DMODEL, O_HEADS,
    O_DFF, O_WINDOW, O_EPS, O_SEQ, O_BATCH, O_LR, O_MINLR, O_WARMUP, O_STEPS, O_HOURS, O_WD,
    O_BETA1, O_BETA2, O_AEPS, O_CLIP, O_SEED, O_CKPT, O_CKPT_EVERY, O_RESUME, O_LOG_EVERY,
    O_EXPORT, O_NAME, O_MODALITY, O_DESC, O_GRADCHECK, O_HELP,
};

static const struct option long_opts[] = {
    { "train", 1, 0, O_TRAIN }, { "mix", 1, 0, O_MIX }, { "dev", 1, 0, O_DEV },
    { "dev-every", 1, 0, O_DEV_EVERY }, { "frame", 1, 0, O_FRAME },
    { "dev-max-bytes", 1, 0, O_DEV_MAX }, { "layers", 1, 0, O_LAYERS },
    { "d-model", 1, 0, O_DMODEL }, { "heads", 1, 0, O_HEADS }, { "d-ff", 1, 0, O_DFF },
    { "window", 1, 0, O_WINDOW }, { "norm-eps", 1, 0, O_EPS }, { "seq-len", 1, 0, O_SEQ },
    { "batch", 1, 0, O_BATCH }, { "lr", 1, 0, O_LR }, { "min-lr-frac", 1, 0, O_MINLR },
    { "warmup", 1, 0, O_WARMUP }, { "steps", 1, 0, O_STEPS }, { "hours", 1, 0, O_HOURS },
    { "weight-decay", 1, 0, O_WD }, { "beta1", 1, 0, O_BETA1 }, { "beta2", 1, 0, O_BETA2 },
    { "adam-eps", 1, 0, O_AEPS }, { "clip", 1, 0, O_CLIP }, { "seed", 1, 0, O_SEED },
    { "checkpoint", 1, 0, O_CKPT }, { "checkpoint-every", 1, 0, O_CKPT_EVERY },
    { "resume", 1, 0, O_RESUME }, { "log-every", 1, 0, O_LOG_EVERY },
    { "export", 1, 0, O_EXPORT }, { "name", 1, 0, O_NAME }, { "modality", 1, 0, O_MODALITY },
    { "description", 1, 0, O_DESC }, { "gradcheck", 0, 0, O_GRADCHECK },
    { "help", 0, 0, O_HELP }, { 0, 0, 0, 0 },
};

typedef struct Options {
    const char *train, *mix, *dev, *ckpt, *resume, *export_path, *name, *modality, *desc;
    long dev_every, frame, dev_max, ckpt_every, log_every;
    double hours;
    int steps_given;
} Options;

static void print_hash(const uint8_t h[32])
{
    for (int i = 0; i < 32; i++) printf("%02x", h[i]);
}

static int run_eval(const TrainModel *m, const DataSet *dev, const Options *o, int64_t step)
{
    double t0 = now_s();
    EvalResult res;
    if (eval_dataset(m, dev, (size_t)o->frame, (size_t)o->dev_max, &res)) {
        fprintf(stderr, "bytelm-train: out of memory in dev-eval\n");
        return -1;
    }
    eval_print(dev, &res, (long)step);
    double dt = now_s() - t0;
    printf("dev step %ld  %.1f s, %.0f bytes/s (frame %ld)\n", (long)step, dt,
           (double)res.total_bytes / (dt > 0 ? dt : 1), o->frame);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    TrainModelConfig cfg = { .n_layer = 2, .d_model = 64, .n_head = 4, .d_ff = 256,
                             .window = 128, .norm_eps = 1e-5f };
    TrainHyper hp = { .batch = 16, .seq_len = 256, .lr = 2e-3, .min_lr_frac = 0.1,
                      .weight_decay = 0.1, .beta1 = 0.9, .beta2 = 0.95, .adam_eps = 1e-8,
                      .clip = 1.0, .warmup = 200, .steps = 5000, .seed = 1 };
    Options o = { .dev_every = 1000, .frame = 65536, .ckpt_every = 500, .log_every = 10 };
    long v;
    double x;
    int c;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_TRAIN: o.train = optarg; break;
        case O_MIX: o.mix = optarg; break;
        case O_DEV: o.dev = optarg; break;
        case O_DEV_EVERY: bad = parse_int("--dev-every", optarg, 0, 1L << 40, &o.dev_every); break;
        case O_FRAME: bad = parse_int("--frame", optarg, 1, 1L << 40, &o.frame); break;
        case O_DEV_MAX: bad = parse_int("--dev-max-bytes", optarg, 0, 1L << 50, &o.dev_max); break;
        case O_LAYERS: bad = parse_int("--layers", optarg, 1, 32, &v); cfg.n_layer = (int)v; break;
        case O_DMODEL: bad = parse_int("--d-model", optarg, 8, 1024, &v); cfg.d_model = (int)v; break;
        case O_HEADS: bad = parse_int("--heads", optarg, 1, 1024, &v); cfg.n_head = (int)v; break;
        case O_DFF: bad = parse_int("--d-ff", optarg, 8, 4096, &v); cfg.d_ff = (int)v; break;
        case O_WINDOW: bad = parse_int("--window", optarg, 1, 4096, &v); cfg.window = (int)v; break;
        case O_EPS: bad = parse_real("--norm-eps", optarg, 1e-30, 1, &x); cfg.norm_eps = (float)x; break;
        case O_SEQ: bad = parse_int("--seq-len", optarg, 2, 1 << 20, &v); hp.seq_len = (int)v; break;
        case O_BATCH: bad = parse_int("--batch", optarg, 1, 1 << 16, &v); hp.batch = (int)v; break;
        case O_LR: bad = parse_real("--lr", optarg, 0, 10, &hp.lr); break;
        case O_MINLR: bad = parse_real("--min-lr-frac", optarg, 0, 1, &hp.min_lr_frac); break;
        case O_WARMUP: bad = parse_int("--warmup", optarg, 0, 1L << 40, &v); hp.warmup = v; break;
        case O_STEPS: bad = parse_int("--steps", optarg, 0, 1L << 40, &v); hp.steps = v; o.steps_given = 1; break;
        case O_HOURS: bad = parse_real("--hours", optarg, 1e-6, 1e6, &o.hours); break;
        case O_WD: bad = parse_real("--weight-decay", optarg, 0, 10, &hp.weight_decay); break;
        case O_BETA1: bad = parse_real("--beta1", optarg, 0, 0.999999, &hp.beta1); break;
        case O_BETA2: bad = parse_real("--beta2", optarg, 0, 0.999999999, &hp.beta2); break;
        case O_AEPS: bad = parse_real("--adam-eps", optarg, 0, 1, &hp.adam_eps); break;
        case O_CLIP: bad = parse_real("--clip", optarg, 0, 1e30, &hp.clip); break;
        case O_SEED: bad = parse_int("--seed", optarg, 0, 0x7fffffffffffffffL, &v); hp.seed = (uint64_t)v; break;
        case O_CKPT: o.ckpt = optarg; break;
        case O_CKPT_EVERY: bad = parse_int("--checkpoint-every", optarg, 0, 1L << 40, &o.ckpt_every); break;
        case O_RESUME: o.resume = optarg; break;
        case O_LOG_EVERY: bad = parse_int("--log-every", optarg, 1, 1L << 40, &o.log_every); break;
        case O_EXPORT: o.export_path = optarg; break;
        case O_NAME: o.name = optarg; break;
        case O_MODALITY: o.modality = optarg; break;
        case O_DESC: o.desc = optarg; break;
        case O_GRADCHECK: {
            int passed = 0, failed = tm_gradcheck(1, &passed);
            printf("train_grad (float): %d passed, %d failed\n", passed, failed);
            return failed ? 1 : 0;
        }
        case O_HELP: fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
        if (bad) return 2;
    }
    if (optind != argc || (!o.train && !o.resume)) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (!o.ckpt) o.ckpt = o.resume;

    /* model and state: fresh or from the checkpoint */
    TrainModel m;
    TrainProgress prog = { 0 };
    if (o.resume) {
        int64_t steps = hp.steps;
        if (checkpoint_load(o.resume, &m, &hp, &prog)) return 1;
        cfg = m.cfg;
        if (o.steps_given && steps != hp.steps) {
            printf("resume: schedule length changed from %lld to %lld steps\n",
                   (long long)hp.steps, (long long)steps);
            hp.steps = steps;
        }
        printf("resumed %s at step %lld of %lld\n", o.resume, (long long)prog.step,
               (long long)hp.steps);
    } else {
        const char *err = tm_config_check(&cfg);
        if (err) {
            fprintf(stderr, "bytelm-train: %s\n", err);
            return 2;
        }
        if (tm_init(&m, &cfg)) {
            fprintf(stderr, "bytelm-train: out of memory\n");
            return 1;
        }
        uint64_t init_rng = hp.seed ^ 0x5DEECE66Dull;
        tm_init_params(&m, &init_rng);
        rng_seed(&prog.rng, hp.seed);
    }
    printf("model: L=%d d=%d H=%d F=%d W=%d eps=%g, %zu parameters\n", cfg.n_layer,
           cfg.d_model, cfg.n_head, cfg.d_ff, cfg.window, (double)cfg.norm_eps, m.n_params);

    DataSet train = { 0 }, dev = { 0 };
    int have_train = 0, have_dev = 0, rc = 1;
    if (o.train) {
        if (data_open(&train, o.train) || data_set_mix(&train, o.mix)) goto out;
        have_train = 1;
        prog.train_bytes = data_sampled_bytes(&train);
        for (int g = 0; g < train.n_groups; g++)
            printf("train group %-10s %4d files %12llu bytes  weight %.3f\n",
                   train.groups[g].name, train.groups[g].n_files,
                   (unsigned long long)train.groups[g].bytes, train.groups[g].weight);
    }
    if (o.dev) {
        if (data_open(&dev, o.dev)) goto out;
        have_dev = 1;
    }

    int B = hp.batch, T = hp.seq_len;
    int64_t todo = hp.steps - prog.step;
    if (todo > 0 && !have_train) {
        fprintf(stderr, "bytelm-train: %lld steps to go: --train LIST is needed\n",
                (long long)todo);
        goto out;
    }
    int32_t *tok = malloc((size_t)B * T * sizeof(int32_t));
    int32_t *ph = malloc((size_t)B * T * sizeof(int32_t));
    int32_t *tgt = malloc((size_t)B * T * sizeof(int32_t));
    if (!tok || !ph || !tgt) {
        fprintf(stderr, "bytelm-train: out of memory\n");
        goto out_buf;
    }

    double wall_limit = o.hours > 0 ? o.hours * 3600 : 0, t_start = now_s();
    if (todo > 0 && o.hours > 0 && !o.resume && !o.steps_given) {
        /* fix the schedule length from the measured speed of a few steps on a side batch */
        TrainRng side;
        rng_seed(&side, hp.seed + 1);
        data_sample_batch(&train, &side, B, T, tok, ph, tgt);
        tm_forward(&m, tok, ph, tgt, B, T); /* warm-up: allocation, first touch */
        tm_zero_grad(&m);
        tm_backward(&m, tok, ph);
        double t0 = now_s();
        for (int i = 0; i < 3; i++) {
            tm_forward(&m, tok, ph, tgt, B, T);
            tm_zero_grad(&m);
            tm_backward(&m, tok, ph);
        }
        double per_step = (now_s() - t0) / 3 * 1.02; /* + optimiser and logging */
        hp.steps = (int64_t)(wall_limit / per_step);
        if (hp.steps < 1) hp.steps = 1;
        todo = hp.steps;
        printf("--hours %g: %.3f s/step measured, schedule fixed at %lld steps\n", o.hours,
               per_step, (long long)hp.steps);
    }
    if (todo > 0)
        printf("training: B=%d T=%d lr=%g (min x%g) warmup=%lld steps=%lld wd=%g clip=%g "
               "seed=%llu\n", B, T, hp.lr, hp.min_lr_frac, (long long)hp.warmup,
               (long long)hp.steps, hp.weight_decay, hp.clip, (unsigned long long)hp.seed);
    fflush(stdout);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    AdamWParams opt = { hp.beta1, hp.beta2, hp.adam_eps, hp.weight_decay };
    double train_time = 0, log_loss = 0, log_time = 0;
    long log_n = 0;
    uint64_t log_tokens = 0, session_tokens = 0;
    int64_t last_ckpt = prog.step, last_eval = -1;
    while (prog.step < hp.steps && !g_stop) {
        double t0 = now_s();
        data_sample_batch(&train, &prog.rng, B, T, tok, ph, tgt);
        double loss = tm_forward(&m, tok, ph, tgt, B, T);
        tm_zero_grad(&m);
        tm_backward(&m, tok, ph);
        double gn = tm_grad_norm(&m);
        if (!isfinite(gn) || !isfinite(loss)) {
            fprintf(stderr, "bytelm-train: step %lld: loss %g, gradient norm %g: stopping "
                    "(the last checkpoint is intact)\n", (long long)prog.step + 1, loss, gn);
            goto out_buf;
        }
        double scale = hp.clip > 0 && gn > hp.clip ? hp.clip / gn : 1;
        prog.step++;
        double lr = lr_at(&hp, prog.step);
        tm_adamw_update(&m, &opt, lr, scale, prog.step);
        prog.tokens_seen += (uint64_t)m.n_scored;
        double dt = now_s() - t0;
        train_time += dt;
        log_time += dt;
        log_loss += loss;
        log_n++;
        log_tokens += (uint64_t)B * T;
        session_tokens += (uint64_t)B * T;

        if (prog.step % o.log_every == 0 || prog.step == hp.steps) {
            printf("step %6lld/%lld  loss %.4f bits/byte  lr %.3e  |g| %.3f  %.0f tok/s  "
                   "%.0f s\n", (long long)prog.step, (long long)hp.steps,
                   log_loss / log_n / M_LN2, lr, gn, (double)log_tokens / log_time,
                   now_s() - t_start);
            fflush(stdout);
            log_loss = log_time = 0;
            log_n = 0;
            log_tokens = 0;
        }
        if (o.ckpt && o.ckpt_every > 0 && prog.step % o.ckpt_every == 0) {
            if (checkpoint_save(o.ckpt, &m, &hp, &prog)) goto out_buf;
            last_ckpt = prog.step;
        }
        if (have_dev && o.dev_every > 0 && prog.step % o.dev_every == 0) {
            if (run_eval(&m, &dev, &o, prog.step)) goto out_buf;
            last_eval = prog.step;
        }
        if (wall_limit > 0 && now_s() - t_start > wall_limit) {
            printf("--hours %g reached at step %lld\n", o.hours, (long long)prog.step);
            break;
        }
    }
    if (session_tokens)
        printf("trained %llu tokens in %.1f s: %.0f tokens/s (OPENBLAS_NUM_THREADS=%s)\n",
               (unsigned long long)session_tokens, train_time,
               (double)session_tokens / train_time,
               getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "default");
    if (g_stop) printf("interrupted at step %lld\n", (long long)prog.step);
    if (o.ckpt && last_ckpt != prog.step) {
        if (checkpoint_save(o.ckpt, &m, &hp, &prog)) goto out_buf;
        printf("checkpoint %s at step %lld\n", o.ckpt, (long long)prog.step);
    }
    if (have_dev && last_eval != prog.step && !g_stop)
        if (run_eval(&m, &dev, &o, prog.step)) goto out_buf;

    if (o.export_path) {
        char modality[256] = "", desc[512], name[128];
        if (o.modality) snprintf(modality, sizeof modality, "%s", o.modality);
        else if (have_train)
            for (int g = 0; g < train.n_groups; g++)
                if (train.groups[g].weight > 0) {
                    if (*modality) strncat(modality, "+", sizeof modality - strlen(modality) - 1);
                    strncat(modality, train.groups[g].name, sizeof modality - strlen(modality) - 1);
                }
        if (!*modality) snprintf(modality, sizeof modality, "unspecified");
        if (o.name) snprintf(name, sizeof name, "%s", o.name);
        else {
            const char *b = strrchr(o.export_path, '/');
            snprintf(name, sizeof name, "%s", b ? b + 1 : o.export_path);
            char *dot = strrchr(name, '.');
            if (dot && dot != name) *dot = 0;
        }
        snprintf(desc, sizeof desc,
                 "bytelm-train: L=%d d=%d H=%d F=%d W=%d, %lld steps of %dx%d, %llu bytes seen, "
                 "lr %g, seed %llu%s%s", cfg.n_layer, cfg.d_model, cfg.n_head, cfg.d_ff,
                 cfg.window, (long long)prog.step, B, T, (unsigned long long)prog.tokens_seen,
                 hp.lr, (unsigned long long)hp.seed, o.desc ? "; " : "", o.desc ? o.desc : "");
        ExportMeta meta = { name, modality, desc, prog.train_bytes };
        uint8_t hash[32];
        if (export_blmm(&m, &meta, o.export_path, hash)) goto out_buf;
        printf("exported %s (name '%s', modality '%s'), model hash ", o.export_path, name,
               modality);
        print_hash(hash);
        printf("\n");
    }
    rc = 0;
out_buf:
    free(tok);
    free(ph);
    free(tgt);
out:
    if (have_train) data_close(&train);
    if (have_dev) data_close(&dev);
    tm_free(&m);
    return rc;
}
