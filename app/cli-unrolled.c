/* cli-unrolled.c: `atomscope-cli train` and `bench unrolled` (option parsing only).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-bench-unrolled.h"
#include "as-engine.h"
#include "as-job.h"
#include "as-npy.h"
#include "as-unrolled.h"
#include "as-unrolled-io.h"
#include "as-unrolled-train.h"
#include "cli-commands.h"

/* Prints the epochs published since @last_epoch. */
static guint
print_progress (const AsUnrolledSnapshot *s, guint last_epoch)
{
  guint T = s->n_layers;

  for (guint e = last_epoch; e < s->epoch && e < s->n_epochs; e++)
    {
      if (e + 1 == s->epoch)
        printf (_("epoch %5u  train loss %.8g  test gap (layer %u) mean %.4e median %.4e  lr %.3g\n"),
                e + 1, s->train_loss[e], T, s->gap_mean[T], s->gap_median[T], s->learning_rate);
      else
        printf (_("epoch %5u  train loss %.8g\n"), e + 1, s->train_loss[e]);
    }
  fflush (stdout);
  return MAX (last_epoch, s->epoch);
}

int
as_cli_train (int argc, char **argv)
{
  const char *command = argv[0];
  AsUnrolledTrainConfig c;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *kind = NULL, *loss = NULL, *optimizer = NULL, *schedule = NULL;
  g_autofree char *dict = NULL, *out_dir = NULL;
  gint layers, n, m, epochs = 100, train_size, test_size, batch, layerwise = 0, eval_every;
  gint64 seed = 0;
  double fraction, lr;
  gboolean force = FALSE, positive = FALSE, every_layer = FALSE, single = FALSE;
  gint threads = 1;
  AsNpyArray D = { 0 };
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsUnrolledSnapshot) final = NULL;
  guint printed = 0;
  guint64 seen = 0;

  as_unrolled_train_config_init (&c);
  layers = c.n_layers;
  n = c.n;
  m = c.m;
  train_size = c.train_size;
  test_size = c.test_size;
  batch = c.batch_size;
  fraction = c.lambda_fraction;
  lr = c.learning_rate;
  eval_every = c.eval_every;
  {
    const GOptionEntry entries[] = {
      { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, N_("lista, lista-cp, alista or slista (default slista)"), "KIND" },
      { "layers", 0, 0, G_OPTION_ARG_INT, &layers, N_("Number of layers T, default 10"), "T" },
      { "n", 0, 0, G_OPTION_ARG_INT, &n, N_("Signal dimension, default 16"), "N" },
      { "m", 0, 0, G_OPTION_ARG_INT, &m, N_("Number of atoms, default 64"), "M" },
      { "lambda-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction, N_("λ / λ_max, default 0.1"), "FRACTION" },
      { "loss", 0, 0, G_OPTION_ARG_STRING, &loss,
        N_("supervised, semi-supervised or unsupervised (default unsupervised)"), "LOSS" },
      { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, N_("adam or sgd (default adam)"), "NAME" },
      { "schedule", 0, 0, G_OPTION_ARG_STRING, &schedule,
        N_("Learning-rate schedule: backtrack (default), adaptive (backtrack, and double the rate after a good epoch), step or constant"), "NAME" },
      { "every-layer", 0, 0, G_OPTION_ARG_NONE, &every_layer,
        N_("Train on the mean of the loss over every layer, not the last layer alone"), NULL },
      { "float32", 0, 0, G_OPTION_ARG_NONE, &single, N_("Train in float32 (the evaluation stays in float64)"), NULL },
      { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads sharing every minibatch, 1 or 2 (default 1)"), "COUNT" },
      { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("Epochs to train, default 100"), "COUNT" },
      { "train-size", 0, 0, G_OPTION_ARG_INT, &train_size, N_("Training samples, default 1000"), "COUNT" },
      { "test-size", 0, 0, G_OPTION_ARG_INT, &test_size, N_("Held-out test samples, default 500"), "COUNT" },
      { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Minibatch size, 0 for full batch (default)"), "SIZE" },
      { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate, default 0.01"), "RATE" },
      { "layerwise-epochs", 0, 0, G_OPTION_ARG_INT, &layerwise,
        N_("Train layer t alone (layers < t fixed) for that many epochs each, then all layers"), "COUNT" },
      { "eval-every", 0, 0, G_OPTION_ARG_INT, &eval_every, N_("Evaluate the test set every that many epochs, default 1"), "COUNT" },
      { "positive", 0, 0, G_OPTION_ARG_NONE, &positive, N_("Non-negative codes"), NULL },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the dictionary and samples, default 0"), "SEED" },
      { "dict", 0, 0, G_OPTION_ARG_FILENAME, &dict, N_("Dictionary n × m in a .npy file (default: random atoms)"), "FILE.npy" },
      { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save the trained network into this folder"), "DIR" },
      { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Overwrite a network already saved in --out"), NULL },
      { NULL }
    };

    g_option_context_set_summary (context,
        _("Trains an unrolled Lasso solver on signals drawn on the equiregularization set "
          "(‖Dᵀx‖_∞ = 1), prints the training loss per epoch and a table of test gaps "
          "F(z^t) − F(z*) per layer next to ISTA and FISTA with as many iterations."));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!as_cli_parse_options (context, &argc, &argv, command))
      return 2;
  }
  if (argc != 1)
    {
      as_cli_error (command, _("unexpected argument “%s” (see --help)"), argv[1]);
      return 2;
    }
  if (kind != NULL && !as_unrolled_kind_from_string (kind, &c.kind))
    {
      as_cli_error (command, _("unknown network kind “%s” (lista, lista-cp, alista or slista)"), kind);
      return 2;
    }
  if (loss != NULL && !as_unrolled_loss_from_string (loss, &c.loss))
    {
      as_cli_error (command, _("unknown loss “%s” (supervised, semi-supervised or unsupervised)"), loss);
      return 2;
    }
  if (optimizer != NULL && !as_unrolled_optimizer_from_string (optimizer, &c.optimizer))
    {
      as_cli_error (command, _("unknown optimizer “%s” (adam or sgd)"), optimizer);
      return 2;
    }
  if (schedule != NULL)
    {
      if (g_strcmp0 (schedule, "backtrack") == 0)
        c.schedule = AS_UNROLLED_SCHEDULE_BACKTRACK;
      else if (g_strcmp0 (schedule, "adaptive") == 0)
        c.schedule = AS_UNROLLED_SCHEDULE_ADAPTIVE;
      else if (g_strcmp0 (schedule, "step") == 0)
        c.schedule = AS_UNROLLED_SCHEDULE_STEP;
      else if (g_strcmp0 (schedule, "constant") == 0)
        c.schedule = AS_UNROLLED_SCHEDULE_CONSTANT;
      else
        {
          as_cli_error (command, _("unknown schedule “%s” (backtrack, adaptive, step or constant)"), schedule);
          return 2;
        }
    }
  if (layers <= 0 || n <= 0 || m <= 0 || epochs < 0 || train_size <= 0 || test_size <= 0
      || batch < 0 || layerwise < 0 || eval_every <= 0 || seed < 0 || threads < 1 || threads > 2)
    {
      as_cli_error (command, "%s", _("layers, sizes, counts and the seed must be positive"));
      return 2;
    }
  if (!(fraction > 0.0 && fraction < 1.0) || !(lr > 0.0))
    {
      as_cli_error (command, "%s", _("--lambda-fraction must be in (0, 1) and --lr positive"));
      return 2;
    }
  if (dict != NULL)
    {
      if (!as_npy_read (dict, &D, &error))
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
      if (D.ndim != 2)
        {
          as_cli_error (command, _("%s: a dictionary must be a 2-D array n × m"), dict);
          as_npy_array_clear (&D);
          return 1;
        }
      n = D.shape[0];
      m = D.shape[1];
    }
  c.n_layers = layers;
  c.n = n;
  c.m = m;
  c.lambda_fraction = fraction;
  c.learning_rate = lr;
  c.train_size = train_size;
  c.test_size = test_size;
  c.batch_size = batch;
  c.layerwise_epochs = layerwise;
  c.eval_every = eval_every;
  c.positive = positive;
  c.seed = (guint64) seed;
  c.every_layer = every_layer;
  c.precision = single ? AS_UNROLLED_FLOAT32 : AS_UNROLLED_FLOAT64;
  c.n_threads = threads;

  printf (_("Training %s: T = %u layers, n = %u, m = %u, λ = %g λ_max, %s loss, %s (lr %g), "
            "%u training / %u test samples, batch %u\n"),
          as_unrolled_kind_to_string (c.kind), c.n_layers, c.n, c.m, c.lambda_fraction,
          as_unrolled_loss_to_string (c.loss), as_unrolled_optimizer_to_string (c.optimizer),
          c.learning_rate, c.train_size, c.test_size, c.batch_size ? c.batch_size : c.train_size);
  fflush (stdout);
  tr = as_unrolled_trainer_new (&c, D.data, &error);
  as_npy_array_clear (&D);
  if (tr == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }

  /* The same job the window runs; here we just poll its snapshots. */
  job = as_unrolled_trainer_new_job (tr, epochs);
  as_job_start (job);
  while (!as_job_is_done (job))
    {
      guint64 gen = as_job_get_generation (job);

      if (gen != seen)
        {
          AsUnrolledSnapshot *s = as_job_dup_snapshot (job, &seen);

          if (s != NULL)
            printed = print_progress (s, printed);
          as_job_release_snapshot (job, s);
        }
      g_usleep (20000);
    }
  if (!as_job_wait (job, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  final = as_unrolled_trainer_snapshot (tr);
  printed = print_progress (final, printed);
  printf ("\n");
  as_unrolled_snapshot_print_table (final, stdout);
  as_unrolled_trainer_print_step_analysis (tr, stdout);

  if (out_dir != NULL)
    {
      AsUnrolledInfo info;
      gboolean ok;

      as_unrolled_info_from_snapshot (&info, final, &c);
      ok = as_unrolled_save (as_unrolled_trainer_get_network (tr), &info, out_dir, force, &error);
      as_unrolled_info_clear (&info);
      if (!ok)
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
      printf (_("Saved the network in %s\n"), out_dir);
    }
  return 0;
}

int
as_cli_bench_unrolled (int argc, char **argv)
{
  const char *command = argv[0];
  AsBenchUnrolledParams p;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  gint epochs, train_size, test_size, layers;
  gint64 seed = 0;
  gboolean quick = FALSE, check = FALSE, goals_met = TRUE;
  g_autofree char *peer = NULL;
  double seconds;

  as_bench_unrolled_params_init (&p);
  epochs = p.epochs;
  train_size = p.train_size;
  test_size = p.test_size;
  layers = p.n_layers;
  seconds = p.seconds;
  {
    const GOptionEntry entries[] = {
      { "layers", 0, 0, G_OPTION_ARG_INT, &layers, N_("Number of layers T, default 20"), "T" },
      { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("Epochs of the full-batch SLISTA runs of Ablin et al. 2019, default 150"), "COUNT" },
      { "train-size", 0, 0, G_OPTION_ARG_INT, &train_size, N_("Training samples of the runs of Ablin et al. 2019, default 1000"), "COUNT" },
      { "test-size", 0, 0, G_OPTION_ARG_INT, &test_size, N_("Test samples, default 1000"), "COUNT" },
      { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, N_("Time spent on each throughput measurement, default 2"), "SECONDS" },
      { "peer", 0, 0, G_OPTION_ARG_FILENAME, &peer, N_("Folder holding adopty: run PyTorch on the same problem and print the ratios"), "DIR" },
      { "check", 0, 0, G_OPTION_ARG_NONE, &check, N_("Exit with status 1 when a throughput goal against the peer is missed"), NULL },
      { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Throughput only, skip the runs of Ablin et al. 2019"), NULL },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed, default 0"), "SEED" },
      { NULL }
    };

    g_option_context_set_summary (context,
        _("Times forward passes and training steps (forward, backward, Adam) of LISTA, LISTA-CP, "
          "ALISTA and SLISTA (m = 256, n = 64, T = 20, batch 256), beside PyTorch with --peer, and "
          "runs the checks of Ablin et al. 2019: learned networks against ISTA and FISTA at equal depth."));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!as_cli_parse_options (context, &argc, &argv, command))
      return 2;
  }
  if (argc != 1)
    {
      as_cli_error (command, _("unexpected argument “%s” (see --help)"), argv[1]);
      return 2;
    }
  if (epochs <= 0 || train_size <= 0 || test_size < 10 || layers <= 0 || !(seconds > 0) || seed < 0)
    {
      as_cli_error (command, "%s", _("counts must be positive (at least 10 test samples)"));
      return 2;
    }
  p.epochs = epochs;
  p.train_size = train_size;
  p.test_size = test_size;
  p.n_layers = layers;
  p.seconds = seconds;
  p.peer_dir = peer;
  p.skip_checks = quick;
  p.seed = (guint64) seed;
  if (!as_bench_unrolled_run (&p, stdout, &goals_met, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  if (check && !goals_met)
    {
      as_cli_error (command, "%s", _("a throughput goal against the peer was missed"));
      return 1;
    }
  return 0;
}
