/* test-annotations.c: the annotation list a user edits (add, edit, delete,
 * find, sorted order) and its files (EDF+ annotations, BIDS events.tsv),
 * read back with the readers.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-annotations.h"
#include "as-engine.h"
#include "as-events.h"
#include "as-export.h"
#include "as-reader.h"

static const AsEvent *
at (const GArray *events, guint i)
{
  return &g_array_index (events, AsEvent, i);
}

static void
assert_sorted (const GArray *events)
{
  for (guint i = 1; i < events->len; i++)
    g_assert_cmpfloat (at (events, i - 1)->onset, <=, at (events, i)->onset);
}

static void
test_operations (void)
{
  g_autoptr (GArray) events = as_annotations_new ();
  g_autoptr (GArray) copy = NULL;
  g_autoptr (GError) error = NULL;
  gint i;

  g_assert_cmpint (as_annotations_add (events, 5, 0, "spike", 60, &error), ==, 0);
  g_assert_cmpint (as_annotations_add (events, 2, 1.5, "  eyes closed ", 60, &error), ==, 0);
  g_assert_cmpint (as_annotations_add (events, 9, 0, "artefact", 60, &error), ==, 2);
  /* Equal onsets keep the order they were added in. */
  g_assert_cmpint (as_annotations_add (events, 5, 0, "second at 5", 60, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 4);
  assert_sorted (events);
  g_assert_cmpstr (at (events, 0)->label, ==, "eyes closed");
  g_assert_cmpstr (at (events, 1)->label, ==, "spike");
  g_assert_cmpstr (at (events, 2)->label, ==, "second at 5");

  copy = as_annotations_copy (events);
  g_assert_true (as_annotations_equal (copy, events));

  /* An edit moves the annotation to its place and changes nothing else. */
  i = as_annotations_edit (events, 0, 20, 2, "eyes open", 60, &error);
  g_assert_no_error (error);
  g_assert_cmpint (i, ==, 3);
  assert_sorted (events);
  g_assert_cmpfloat (at (events, 3)->onset, ==, 20);
  g_assert_cmpfloat (at (events, 3)->duration, ==, 2);
  g_assert_cmpstr (at (events, 3)->label, ==, "eyes open");
  g_assert_false (as_annotations_equal (copy, events));
  /* The copy is deep: its texts did not change. */
  g_assert_cmpstr (at (copy, 0)->label, ==, "eyes closed");

  /* A refused edit leaves the list as it was. */
  g_assert_cmpint (as_annotations_edit (events, 3, 59, 5, "too long", 60, &error), ==, -1);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (as_annotations_edit (events, 7, 1, 0, "none", 60, &error), ==, -1);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (at (events, 3)->label, ==, "eyes open");
  g_assert_cmpuint (events->len, ==, 4);

  /* Found under the pointer: the nearest onset within the tolerance, not
   * anywhere in a span. */
  g_assert_cmpint (as_annotations_find (events, 20.05, 0.1), ==, 3);
  g_assert_cmpint (as_annotations_find (events, 21.5, 0.1), ==, -1);
  g_assert_cmpint (as_annotations_find (events, 8.95, 0.1), ==, 2);
  g_assert_cmpint (as_annotations_find (events, 15, 0.1), ==, -1);
  g_assert_cmpint (as_annotations_find (events, 5.01, 0.1), ==, 0);
  g_assert_cmpint (as_annotations_find (events, 8, 5), ==, 2);

  g_assert_true (as_annotations_remove (events, 2));
  g_assert_false (as_annotations_remove (events, 3));
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (at (events, 2)->label, ==, "eyes open");

  /* Sorting an unsorted list is stable. */
  {
    g_autoptr (GArray) u = as_annotations_new ();
    AsEvent e[] = { { 3, 0, g_strdup ("c") }, { 1, 0, g_strdup ("a") }, { 3, 0, g_strdup ("d") },
                    { 2, 0, g_strdup ("b") } };
    g_array_append_vals (u, e, G_N_ELEMENTS (e));
    as_annotations_sort (u);
    g_assert_cmpstr (at (u, 0)->label, ==, "a");
    g_assert_cmpstr (at (u, 1)->label, ==, "b");
    g_assert_cmpstr (at (u, 2)->label, ==, "c");
    g_assert_cmpstr (at (u, 3)->label, ==, "d");
  }
}

static void
test_checks (void)
{
  static const struct { double onset, duration; const char *text; } bad[] = {
    { -1, 0, "before" }, { 61, 0, "after" }, { NAN, 0, "nan" }, { 1, -2, "negative" },
    { 1, INFINITY, "inf" }, { 50, 20, "past the end" }, { 1, 0, "   " }, { 1, 0, "a\tb" },
    { 1, 0, "a\nb" }, { 1, 0, "a\x14" "b" }, { 1, 0, "\xff\xfe" }, { 1, 0, NULL },
  };
  g_autoptr (GArray) events = as_annotations_new ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_cmpint (as_annotations_add (events, bad[i].onset, bad[i].duration, bad[i].text, 60, &error),
                       ==, -1);
      g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
  g_assert_cmpuint (events->len, ==, 0);
  /* At the very end, and with no recording length to check against. */
  g_assert_cmpint (as_annotations_add (events, 60, 0, "end", 60, NULL), ==, 0);
  g_assert_cmpint (as_annotations_add (events, 1e4, 3, "anywhere", 0, NULL), ==, 1);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

/* The 64-channel EEG with its annotations edited, saved as EDF+ and as
 * events.tsv, read back by the readers the window uses. */
static void
test_files (void)
{
  g_autofree char *src = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autofree char *dir = g_dir_make_tmp ("annotations-XXXXXX", NULL);
  g_autofree char *edf = g_build_filename (dir, "edited.edf", NULL);
  g_autofree char *tsv = g_build_filename (dir, "edited_events.tsv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (src, &error);
  g_autoptr (AsRecording) back = NULL;
  g_autoptr (AsRecording) holder = NULL;
  g_autoptr (GArray) events = NULL;
  double duration;

  g_assert_no_error (error);
  duration = as_recording_duration (rec);
  events = as_annotations_copy (rec->events);
  g_assert_cmpuint (events->len, ==, 30);
  g_assert_true (as_annotations_remove (events, 0));
  g_assert_cmpint (as_annotations_edit (events, 0, 4.25, 0.5, "edited T1", duration, NULL), >=, 0);
  g_assert_cmpint (as_annotations_add (events, 12.3456, 2.5, "spike-wave é", duration, NULL), >=, 0);
  g_assert_cmpint (as_annotations_add (events, 100.5, 0, "instant", duration, NULL), >=, 0);

  g_assert_true (as_annotations_write_edf (edf, rec, events, FALSE, &error));
  g_assert_no_error (error);
  /* Never replaced unless asked. */
  g_assert_false (as_annotations_write_edf (edf, rec, events, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  back = as_recording_load (edf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_channels, ==, 64);
  /* The clock keeps its time: the start is the recording's, not the save's. */
  g_assert_nonnull (rec->start_time);
  g_assert_nonnull (back->start_time);
  g_assert_cmpint (g_date_time_compare (back->start_time, rec->start_time), ==, 0);
  g_assert_cmpuint (back->events->len, ==, events->len);
  for (guint i = 0; i < events->len; i++)
    {
      g_assert_cmpfloat_with_epsilon (at (back->events, i)->onset, at (events, i)->onset, 1e-4);
      g_assert_cmpfloat_with_epsilon (at (back->events, i)->duration, at (events, i)->duration, 1e-4);
      g_assert_cmpstr (at (back->events, i)->label, ==, at (events, i)->label);
    }
  /* The EDF+ reader of the annotation signal agrees. */
  {
    g_autoptr (GArray) onsets = NULL;
    g_autoptr (GArray) read = NULL;
    double rd;
    g_assert_true (as_edf_read_annotations (edf, &onsets, &read, &rd, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (read->len, ==, events->len);
    for (guint i = 0; i < read->len; i++)
      g_assert_cmpstr (at (read, i)->label, ==, at (events, i)->label);
  }

  g_assert_true (as_annotations_write_tsv (tsv, events, FALSE, &error));
  g_assert_no_error (error);
  holder = as_recording_new (1, 10, 1.0);
  g_assert_cmpint (as_recording_add_events_tsv (holder, tsv, &error), ==, events->len);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      g_assert_cmpfloat_with_epsilon (at (holder->events, i)->onset, at (events, i)->onset, 1e-6);
      g_assert_cmpfloat_with_epsilon (at (holder->events, i)->duration, at (events, i)->duration, 1e-6);
      g_assert_cmpstr (at (holder->events, i)->label, ==, at (events, i)->label);
    }

  /* A recording with no samples in memory is refused by name. */
  {
    g_autoptr (AsRecording) empty = as_recording_new (1, 10, 1.0);
    g_autofree char *other = g_build_filename (dir, "paged.edf", NULL);
    g_clear_pointer (&empty->data, g_free);
    g_assert_false (as_annotations_write_edf (other, empty, events, FALSE, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "paged.edf"));
    g_clear_error (&error);
    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
  }
  g_unlink (edf);
  g_unlink (tsv);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/annotations/operations", test_operations);
  g_test_add_func ("/annotations/checks", test_checks);
  g_test_add_func ("/annotations/files", test_files);
  return g_test_run ();
}
