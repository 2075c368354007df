/* test-io.c: readers and writers: real recordings, round trips, bad input.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <biosig.h>
#include <edflib.h>

#include "as-engine.h"
#include "as-events.h"
#include "as-export.h"
#include "as-image.h"
#include "as-npy.h"
#include "as-reader.h"
#include "as-recording.h"

static char *tmpdir;

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static char *
write_tmp (const char *name, const void *data, gssize len)
{
  char *p = g_build_filename (tmpdir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (p, data, len < 0 ? (gssize) strlen (data) : len, &error);
  g_assert_no_error (error);
  return p;
}

static AsRecording *
load_text (const char *name, const char *text, const AsReadOptions *opts)
{
  g_autofree char *p = write_tmp (name, text, -1);
  g_autoptr (GError) error = NULL;
  AsRecording *rec = as_recording_load_with_options (p, opts, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rec);
  return rec;
}

static guint
count_events (const AsRecording *rec, const char *label)
{
  guint n = 0;

  for (guint i = 0; i < rec->events->len; i++)
    n += strcmp (g_array_index (rec->events, AsEvent, i).label, label) == 0;
  return n;
}

/* ------------------------------------------------------------ real files */

static void
test_real_edf (void)
{
  g_autofree char *p = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);
  const AsEvent *e;

  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "EDF+C");
  g_assert_cmpuint (rec->n_channels, ==, 64);
  g_assert_cmpfloat (rec->sfreq, ==, 160.0);
  g_assert_cmpuint (rec->n_samples, ==, 20000);
  g_assert_cmpfloat_with_epsilon (as_recording_duration (rec), 125.0, 1e-9);
  g_assert_cmpstr (rec->channels[0].label, ==, "Fc5.");
  g_assert_cmpstr (rec->channels[10].label, ==, "Cz..");
  g_assert_cmpstr (rec->channels[63].label, ==, "Iz..");
  for (guint c = 0; c < 64; c++)
    {
      g_assert_cmpstr (rec->channels[c].unit, ==, "uV");
      g_assert_cmpint (rec->channels[c].type, ==, AS_CHANNEL_EEG);
    }
  /* The first samples of channel 1, decoded by hand from the file's bytes
   * (digital × (physmax − physmin)/(digmax − digmin) with this file's ±8092 µV
   * over ±8092 levels: 1 µV per level). */
  {
    const double *x = as_recording_channel (rec, 0);
    g_assert_cmpfloat (x[0], ==, -5.0);
    g_assert_cmpfloat (x[1], ==, -12.0);
    g_assert_cmpfloat (x[2], ==, -77.0);
    g_assert_cmpfloat (x[3], ==, -66.0);
    g_assert_cmpfloat (as_recording_channel (rec, 1)[0], ==, 2.0);
  }
  g_assert_cmpuint (rec->events->len, ==, 30);
  g_assert_cmpuint (count_events (rec, "T0"), ==, 15);
  g_assert_cmpuint (count_events (rec, "T1"), ==, 8);
  g_assert_cmpuint (count_events (rec, "T2"), ==, 7);
  e = &g_array_index (rec->events, AsEvent, 0);
  g_assert_cmpstr (e->label, ==, "T0");
  g_assert_cmpfloat_with_epsilon (e->onset, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (e->duration, 4.2, 1e-9);
  e = &g_array_index (rec->events, AsEvent, 1);
  g_assert_cmpstr (e->label, ==, "T2");
  g_assert_cmpfloat_with_epsilon (e->onset, 4.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (e->duration, 4.1, 1e-9);
  g_assert_nonnull (rec->start_time);
  g_assert_cmpint (g_date_time_get_year (rec->start_time), ==, 2009);
}

/* EDF+D written by hand (tests/data/edfplus_discontinuous.edf): records at
 * 0, 1 and 5 s of 1 s each, 4 samples of Fp1 per record, digital values
 * 1000·(record + 1) + k over ±32768 → ±100 µV; a "blink" at 5.5 s. */
static void
test_edf_discontinuous (void)
{
  g_autofree char *p = data_path ("edfplus_discontinuous.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "EDF+D");
  g_assert_cmpuint (rec->n_channels, ==, 1);
  /* records at 0, 1 and 5 s of 1 s each at 4 Hz: 6 s on the file's clock */
  g_assert_cmpuint (rec->n_samples, ==, 24);
  g_assert_cmpfloat (rec->sfreq, ==, 4);
  for (guint r = 0; r < 3; r++)
    for (guint k = 0; k < 4; k++)
      {
        double d = 1000.0 * (r + 1) + k;
        gsize at = (r == 2 ? 20 : 4 * r) + k;
        g_assert_false (as_recording_is_missing (rec, 0, at));
        g_assert_cmpfloat_with_epsilon (rec->data[at], (d + 32768) * 200.0 / 65535 - 100, 1e-9);
      }
  /* the gap from 2 s to 5 s: missing data, not joined */
  for (gsize i = 8; i < 20; i++)
    g_assert_true (as_recording_is_missing (rec, 0, i) && isnan (rec->data[i]));
  g_assert_cmpuint (as_recording_count_missing (rec), ==, 12);
  /* the annotation kept at its own time */
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "blink");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).onset, 5.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).duration, 0.25, 1e-9);
  g_assert_cmpuint (rec->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "3.000 s"));
  g_assert_cmpint (g_date_time_get_hour (rec->start_time), ==, 10);
}

/* BDF+ with clinical-style labels written with EDFlib here. */
static void
test_bdf_generated (void)
{
  g_autofree char *p = g_build_filename (tmpdir, "clinical.bdf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  const char *labels[] = { "EEG Fp1-Ref", "EEG T3-REF" };
  int h = edfopen_file_writeonly (p, EDFLIB_FILETYPE_BDFPLUS, 2);

  g_assert_cmpint (h, >=, 0);
  for (int s = 0; s < 2; s++)
    {
      edf_set_samplefrequency (h, s, 256);
      edf_set_physical_maximum (h, s, 500);
      edf_set_physical_minimum (h, s, -500);
      edf_set_digital_maximum (h, s, 8388607);
      edf_set_digital_minimum (h, s, -8388608);
      edf_set_label (h, s, labels[s]);
      edf_set_physical_dimension (h, s, "uV");
    }
  for (int r = 0; r < 3; r++)
    for (int s = 0; s < 2; s++)
      {
        double b[256];
        for (int k = 0; k < 256; k++)
          b[k] = 100 * sin (2 * G_PI * (s + 1) * (r * 256 + k) / 256.0);
        g_assert_cmpint (edfwrite_physical_samples (h, b), ==, 0);
      }
  edfwrite_annotation_utf8 (h, 15000, 5000, "seizure?");
  g_assert_cmpint (edfclose_file (h), ==, 0);

  rec = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "BDF+C");
  g_assert_cmpuint (rec->n_channels, ==, 2);
  g_assert_cmpuint (rec->n_samples, ==, 768);
  g_assert_cmpstr (rec->channels[0].label, ==, "EEG Fp1-Ref");
  g_assert_cmpstr (rec->channels[1].unit, ==, "uV");
  g_assert_cmpint (rec->channels[1].type, ==, AS_CHANNEL_EEG);
  for (gsize t = 0; t < 768; t++)  /* 24-bit steps of 1000 µV / 2^24 */
    g_assert_cmpfloat_with_epsilon (rec->data[768 + t], 100 * sin (2 * G_PI * 2 * t / 256.0), 1e-4);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).onset, 1.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).duration, 0.5, 1e-9);
}

/* Signals at 256 and 128 Hz: brought to 256 Hz by default with a note (a
 * ramp survives linear interpolation), refused with the rates named when
 * strict rates are asked for. */
static void
test_edf_mixed_rates (void)
{
  g_autofree char *p = g_build_filename (tmpdir, "mixed.edf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  AsReadOptions opts;
  int h = edfopen_file_writeonly (p, EDFLIB_FILETYPE_EDFPLUS, 2);
  const int rates[2] = { 256, 128 };

  g_assert_cmpint (h, >=, 0);
  for (int s = 0; s < 2; s++)
    {
      edf_set_samplefrequency (h, s, rates[s]);
      edf_set_physical_maximum (h, s, 1000);
      edf_set_physical_minimum (h, s, -1000);
      edf_set_digital_maximum (h, s, 32767);
      edf_set_digital_minimum (h, s, -32768);
      edf_set_label (h, s, s ? "Resp" : "Fp1");
      edf_set_physical_dimension (h, s, s ? "mV" : "uV");
    }
  for (int r = 0; r < 2; r++)
    for (int s = 0; s < 2; s++)
      {
        double b[256];
        for (int k = 0; k < rates[s]; k++)
          b[k] = (r * rates[s] + k) * 2000.0 / 65535 * 8;  /* on the quantisation grid */
        g_assert_cmpint (edfwrite_physical_samples (h, b), ==, 0);
      }
  g_assert_cmpint (edfclose_file (h), ==, 0);

  as_read_options_init (&opts);
  opts.strict_rates = TRUE;
  rec = as_recording_load_with_options (p, &opts, &error);
  g_assert_null (rec);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Resp (128 Hz)"));
  g_assert_nonnull (strstr (error->message, p));
  g_clear_error (&error);

  /* by default: opened, the slower channel brought to the fastest rate with a note */
  rec = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_channels, ==, 2);
  g_assert_cmpfloat (rec->sfreq, ==, 256);
  g_assert_cmpuint (rec->n_samples, ==, 512);
  g_assert_cmpuint (rec->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "interpolated to 256 Hz"));
  /* Resp sample t at 256 Hz is t/2 at 128 Hz: the ramp's value, up to the
   * last sample which is held */
  for (gsize t = 0; t + 2 < 512; t++)
    g_assert_cmpfloat_with_epsilon (rec->data[512 + t], (t / 2.0) * 2000.0 / 65535 * 8, 0.05);
}

/* BrainVision (another libbiosig format): header, markers, float32 data,
 * written here. */
static void
test_brainvision (void)
{
  const char *vhdr =
    "Brain Vision Data Exchange Header File Version 1.0\r\n\r\n"
    "[Common Infos]\r\nCodepage=UTF-8\r\nDataFile=bv.eeg\r\nMarkerFile=bv.vmrk\r\n"
    "DataFormat=BINARY\r\nDataOrientation=MULTIPLEXED\r\nNumberOfChannels=2\r\n"
    "SamplingInterval=4000\r\n\r\n[Binary Infos]\r\nBinaryFormat=IEEE_FLOAT_32\r\n\r\n"
    "[Channel Infos]\r\nCh1=Fp1,,1,\xc2\xb5V\r\nCh2=Cz,,1,\xc2\xb5V\r\n";
  const char *vmrk =
    "Brain Vision Data Exchange Marker File, Version 1.0\r\n\r\n"
    "[Common Infos]\r\nCodepage=UTF-8\r\nDataFile=bv.eeg\r\n\r\n[Marker Infos]\r\n"
    "Mk1=New Segment,,1,1,0,20200101100000000000\r\n"
    "Mk2=Stimulus,S  1,251,1,0\r\nMk3=Stimulus,S  2,376,25,0\r\n";
  float data[2 * 500];
  g_autofree char *ph = NULL, *pm = NULL, *pd = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;

  for (int t = 0; t < 500; t++)
    {
      data[2 * t] = t * 0.5f;
      data[2 * t + 1] = -t * 0.25f;
    }
  ph = write_tmp ("bv.vhdr", vhdr, -1);
  pm = write_tmp ("bv.vmrk", vmrk, -1);
  pd = write_tmp ("bv.eeg", data, sizeof data);
  rec = as_recording_load (ph, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "BrainVision");
  g_assert_cmpuint (rec->n_channels, ==, 2);
  g_assert_cmpfloat (rec->sfreq, ==, 250);
  g_assert_cmpuint (rec->n_samples, ==, 500);
  g_assert_cmpstr (rec->channels[1].label, ==, "Cz");
  g_assert_cmpstr (rec->channels[1].unit, ==, "uV");
  for (int t = 0; t < 500; t++)
    {
      g_assert_cmpfloat (rec->data[t], ==, t * 0.5);
      g_assert_cmpfloat (rec->data[500 + t], ==, -t * 0.25);
    }
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "S  1");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).onset, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).duration, 0.1, 1e-9);
}

/* GDF 3 written with libbiosig itself (float64 samples, 1:1 scaling). */
/* BrainVision as other programs write it (read by our reader, not
 * libbiosig): version 2.0 header, a comment section, vectorized INT_16 with
 * a resolution, a name with an escaped comma; a marker file with a segment
 * date; a data file cut inside a sample; header faults named with the line. */
static void
test_brainvision_own (void)
{
  const char *vhdr =
    "BrainVision Data Exchange Header File Version 2.0\r\n; Data created by a recorder\r\n\r\n"
    "[Common Infos]\r\nCodepage=UTF-8\r\nDataFile=v2.eeg\r\nMarkerFile=v2.vmrk\r\n"
    "DataFormat=BINARY\r\n; Data orientation: VECTORIZED=ch1,pt1, ch1,pt2..., MULTIPLEXED=ch1,pt1, ch2,pt1 ...\r\n"
    "DataOrientation=VECTORIZED\r\nNumberOfChannels=3\r\nSamplingInterval=1000\r\n\r\n"
    "[Binary Infos]\r\nBinaryFormat=INT_16\r\n\r\n"
    "[Channel Infos]\r\n; Each entry: Ch<Channel number>=<Name>,<Reference channel name>,\r\n"
    "Ch1=Fp1,,0.1,\xc2\xb5V\r\nCh2=EOG\1left,,0.5,\xc2\xb5V\r\nCh3=Resp,,1,mV\r\n\r\n"
    "[Comment]\r\n\r\nA m p l i f i e r  S e t u p\r\n============================\r\nNumber of channels: 3\r\n";
  const char *vmrk =
    "Brain Vision Data Exchange Marker File Version 2.0\r\n\r\n[Common Infos]\r\nDataFile=v2.eeg\r\n\r\n"
    "[Marker Infos]\r\n; Each entry: Mk<Marker number>=<Type>,<Description>,<Position in data points>,\r\n"
    "Mk1=New Segment,,1,1,0,20240315083000123456\r\nMk2=Stimulus,S 11,101,1,0\r\nMk3=Comment,eyes\1 closed,201,100,0\r\n";
  gint16 data[3 * 400];
  g_autofree char *ph = NULL, *pd = NULL, *pm = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;

  for (int c = 0; c < 3; c++)
    for (int t = 0; t < 400; t++)
      data[c * 400 + t] = (gint16) ((c + 1) * (t - 200));
  ph = write_tmp ("v2.vhdr", vhdr, -1);
  pm = write_tmp ("v2.vmrk", vmrk, -1);
  pd = write_tmp ("v2.eeg", data, sizeof data);
  rec = as_recording_load (ph, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "BrainVision");
  g_assert_cmpuint (rec->n_channels, ==, 3);
  g_assert_cmpuint (rec->n_samples, ==, 400);
  g_assert_cmpfloat (rec->sfreq, ==, 1000);
  g_assert_cmpstr (rec->channels[1].label, ==, "EOG,left");
  g_assert_cmpstr (rec->channels[0].unit, ==, "uV");
  g_assert_cmpstr (rec->channels[2].unit, ==, "mV");
  g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 0)[0], -200 * 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 1)[300], 2 * 100 * 0.5, 1e-12);
  g_assert_cmpfloat (as_recording_channel (rec, 2)[399], ==, 3 * 199);
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "S 11");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).onset, 0.1, 1e-12);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 1).label, ==, "eyes, closed");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).duration, 0.1, 1e-12);
  g_assert_nonnull (rec->start_time);
  g_assert_cmpint (g_date_time_get_minute (rec->start_time), ==, 30);
  g_assert_cmpuint (rec->warnings->len, ==, 0);
  g_clear_pointer (&rec, as_recording_unref);

  /* the data file cut inside a sample: whole samples read, the rest said */
  g_free (pd);
  pd = write_tmp ("v2.eeg", data, sizeof data - 1);
  rec = as_recording_load (ph, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_samples, ==, 399);  /* vectorized: 1199 values, 399 per channel */
  g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "truncated"));
  g_clear_pointer (&rec, as_recording_unref);

  /* faults: the file and the line */
  {
    struct { const char *from, *to, *why; } faults[] = {
      { "NumberOfChannels=3", "NumberOfChannels=4", "line 11: NumberOfChannels is 4 but [Channel Infos] lists 3" },
      { "SamplingInterval=1000", "SamplingInterval=fast", "line 12: SamplingInterval is not" },
      { "Ch2=", "Ch5=", "numbered Ch1, Ch2" },
      { "BinaryFormat=INT_16", "BinaryFormat=IEEE_FLOAT_64", "BinaryFormat IEEE_FLOAT_64 is not read" },
      { "DataFile=v2.eeg", "DataFile=gone.eeg", "gone.eeg" },
    };
    for (guint k = 0; k < G_N_ELEMENTS (faults); k++)
      {
        GString *h = g_string_new (vhdr);
        g_autofree char *p = NULL;
        g_string_replace (h, faults[k].from, faults[k].to, 1);
        p = write_tmp ("bad.vhdr", h->str, -1);
        g_string_free (h, TRUE);
        rec = as_recording_load (p, &error);
        g_assert_null (rec);
        if (strstr (error->message, faults[k].why) == NULL
            || (strstr (error->message, "bad.vhdr") == NULL && strstr (error->message, "gone.eeg") == NULL))
          g_error ("fault %u: %s", k, error->message);
        g_clear_error (&error);
      }
  }
}

/* Annotation-only files added to an open recording as events. */
static void
test_add_events (void)
{
  g_autofree char *edf_path = data_path ("edfplus_discontinuous.edf");
  g_autoptr (AsRecording) rec = as_recording_new (1, 4000, 100);
  g_autoptr (GError) error = NULL;
  g_autofree char *tsv = write_tmp ("ev_events.tsv", "onset\tduration\ttrial_type\n1.5\t0.5\tgo\n12.25\tn/a\tstop\n", -1);
  g_autofree char *vmrk = write_tmp ("ev.vmrk",
    "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Marker Infos]\nMk1=Stimulus,S  7,251,1,0\n", -1);
  g_autofree char *junk = write_tmp ("ev.txt", "hello\n", -1);

  g_assert_cmpint (as_recording_add_events_from_file (rec, tsv, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (as_recording_add_events_from_file (rec, vmrk, &error), ==, 1);
  g_assert_no_error (error);
  /* an EDF+ file's annotations (its records' time-keeping ones excluded) */
  g_assert_cmpint (as_recording_add_events_from_file (rec, edf_path, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (rec->events->len, ==, 4);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "go");
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 1).label, ==, "S  7");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).onset, 2.5, 1e-12);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 2).label, ==, "blink");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 2).onset, 5.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 3).onset, 12.25, 1e-12);
  g_assert_cmpint (as_recording_add_events_from_file (rec, junk, &error), ==, -1);
  g_assert_nonnull (strstr (error->message, "ev.txt"));
  g_clear_error (&error);

  /* an annotation-only EDF+ file, as hypnograms are written: one signal,
   * "EDF Annotations", two records of 30 s */
  {
    GString *h = g_string_new (NULL);
    g_autofree char *p = NULL;
    g_autoptr (AsRecording) r2 = as_recording_new (1, 100, 1);
    const char *tals[2] = { "+0\x14\x14\0+0\x15" "30\x14Sleep stage W\x14\0",
                            "+30\x14\x14\0+30\x15" "30\x14Sleep stage 1\x14\0" };
    const gsize tal_len[2] = { 4 + 23, 5 + 24 };
#define F(str, w) g_string_append_printf (h, "%-*s", w, str)
    F ("0", 8); F ("X X X X", 80); F ("Startdate 01-JAN-2020 X X X", 80); F ("01.01.20", 8);
    F ("22.00.00", 8); F ("512", 8); F ("EDF+C", 44); F ("2", 8); F ("30", 8); F ("1", 4);
    F ("EDF Annotations", 16); F ("", 80); F ("", 8); F ("-1", 8); F ("1", 8); F ("-32768", 8);
    F ("32767", 8); F ("", 80); F ("30", 8); F ("", 32);
#undef F
    g_assert_cmpuint (h->len, ==, 512);
    for (int r = 0; r < 2; r++)
      {
        gsize at = h->len;
        g_string_append_len (h, tals[r], tal_len[r]);
        while (h->len < at + 60)
          g_string_append_c (h, '\0');
      }
    p = write_tmp ("hypnogram.edf", h->str, h->len);
    g_string_free (h, TRUE);
    g_assert_cmpint (as_recording_add_events_from_file (r2, p, &error), ==, 2);
    g_assert_no_error (error);
    g_assert_cmpstr (g_array_index (r2->events, AsEvent, 1).label, ==, "Sleep stage 1");
    g_assert_cmpfloat (g_array_index (r2->events, AsEvent, 1).onset, ==, 30.0);
    g_assert_cmpfloat (g_array_index (r2->events, AsEvent, 1).duration, ==, 30.0);
  }
}

static void
test_gdf (void)
{
  g_autofree char *p = g_build_filename (tmpdir, "t.gdf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  HDRTYPE *h = constructHDR (2, 0);
  double data[2 * 100];

  h->TYPE = GDF;
  h->VERSION = 3.0;
  h->SampleRate = 100;
  h->NRec = 10;
  h->SPR = 10;
  for (int c = 0; c < 2; c++)
    {
      CHANNEL_TYPE *ch = &h->CHANNEL[c];
      ch->OnOff = 1;
      strcpy (ch->Label, c ? "Cz" : "Fp1");
      ch->PhysDimCode = PhysDimCode ("uV");
      ch->SPR = 10;
      ch->GDFTYP = 17;  /* float64 */
      ch->PhysMin = ch->DigMin = -1000;
      ch->PhysMax = ch->DigMax = 1000;
      ch->Cal = 1;
      ch->Off = 0;
    }
  for (int c = 0; c < 2; c++)
    for (int t = 0; t < 100; t++)
      data[c * 100 + t] = (c + 1) * t * 0.5;
  h = sopen (p, "w", h);
  g_assert_cmpint (h->AS.B4C_ERRNUM, ==, 0);
  g_assert_cmpuint (swrite (data, 10, h), ==, 10);
  sclose (h);
  destructHDR (h);

  rec = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "GDF");
  g_assert_cmpuint (rec->n_channels, ==, 2);
  g_assert_cmpuint (rec->n_samples, ==, 100);
  g_assert_cmpfloat (rec->sfreq, ==, 100);
  g_assert_cmpstr (rec->channels[1].label, ==, "Cz");
  g_assert_cmpstr (rec->channels[0].unit, ==, "uV");
  g_assert_cmpmem (rec->data, sizeof data, data, sizeof data);
  g_assert_cmpuint (rec->warnings->len, ==, 0);

  /* cut after 4 whole records and a half: the amount missing is said */
  {
    g_autofree char *contents = NULL;
    gsize len, hb;
    g_assert_true (g_file_get_contents (p, &contents, &len, NULL));
    hb = (guint8) contents[184] * 256 + (guint8) contents[185] * 65536;
    {
      g_autofree char *q = write_tmp ("cut.gdf", contents, hb + 4 * 2 * 10 * 8 + 50);
      g_autoptr (AsRecording) cut = as_recording_load (q, &error);
      gboolean said = FALSE;
      g_assert_no_error (error);
      for (guint i = 0; i < cut->warnings->len; i++)
        said = said || strstr (g_ptr_array_index (cut->warnings, i),
                               "announces 10 data records, the file holds 4 whole ones; the last 0.600 s") != NULL;
      g_assert_true (said);
    }
  }
}

static void
test_real_csv (void)
{
  g_autofree char *p = data_path ("nystagmus_infantile_avramidis_200Hz.csv");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_channels, ==, 1);
  g_assert_cmpfloat_with_epsilon (rec->sfreq, 200.0, 1e-9);
  g_assert_cmpuint (rec->n_samples, ==, 2501);
  g_assert_cmpstr (rec->channels[0].label, ==, "eye_position");
  g_assert_cmpstr (rec->channels[0].unit, ==, "deg");
  g_assert_cmpint (rec->channels[0].type, ==, AS_CHANNEL_GAZE);
  g_assert_cmpint (rec->kind, ==, AS_RECORDING_EYE);
  g_assert_cmpfloat (rec->data[0], ==, -8.9970);
  g_assert_cmpfloat (rec->data[1], ==, -8.1720);
  g_assert_cmpuint (rec->warnings->len, ==, 0);
}

static void
test_real_wav (void)
{
  g_autofree char *p = data_path ("mitdb100_ecg_10s_360Hz.wav");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "WAV");
  g_assert_cmpuint (rec->n_channels, ==, 2);
  g_assert_cmpfloat (rec->sfreq, ==, 360.0);
  g_assert_cmpuint (rec->n_samples, ==, 3600);
  /* int16 −29 and −13 as fractions of full scale */
  g_assert_cmpfloat_with_epsilon (rec->data[0], -29.0 / 32768, 1e-12);
  g_assert_cmpfloat_with_epsilon (rec->data[3600], -13.0 / 32768, 1e-12);
}

static void
test_image (void)
{
  static const guint8 grey_png_head[] = { 0x89, 'P', 'N', 'G' };
  g_autoptr (AsImage) img = as_image_new (7, 5, 3);
  g_autoptr (AsImage) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *p = g_build_filename (tmpdir, "img.png", NULL);

  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < 35; i++)
      as_image_plane (img, c)[i] = ((i * 37 + c * 11) % 256) / 255.0;
  g_assert_true (as_image_write_png (img, p, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (as_file_is_image (p));
  back = as_image_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->width, ==, 7);
  g_assert_cmpuint (back->height, ==, 5);
  g_assert_cmpuint (back->n_channels, ==, 3);
  g_assert_cmpstr (back->format, ==, "PNG");
  for (gsize i = 0; i < 3 * 35; i++)
    g_assert_cmpfloat_with_epsilon (back->data[i], img->data[i], 0.5 / 255 + 1e-12);
  /* A recording loader refuses images with a clear message. */
  {
    g_autoptr (AsRecording) rec = as_recording_load (p, &error);
    g_assert_null (rec);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
  /* Grey stays grey */
  {
    g_autoptr (AsImage) g = as_image_new (4, 4, 1);
    g_autoptr (AsImage) gb = NULL;
    g_autofree char *gp = g_build_filename (tmpdir, "grey.png", NULL);
    for (guint i = 0; i < 16; i++)
      g->data[i] = i / 15.0;
    g_assert_true (as_image_write_png (g, gp, FALSE, &error));
    gb = as_image_load (gp, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (gb->n_channels, ==, 1);
  }
  {
    g_autoptr (AsImage) bad = as_image_load_bytes ("broken.png", grey_png_head, 4, &error);
    g_assert_null (bad);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "broken.png"));
  }
}

/* ------------------------------------------------------------ text files */

static void
test_csv_variants (void)
{
  g_autoptr (AsRecording) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  AsReadOptions opts;

  /* semicolons, decimal commas, units in brackets, a comment, time in ms */
  a = load_text ("a.csv", "# exported\ntime [ms];Fp1 [µV];Fp2 (uV)\n0;1,5;-2\n4;2,5;-3\n8;3,5;-4\n", NULL);
  g_assert_cmpuint (a->n_channels, ==, 2);
  g_assert_cmpfloat_with_epsilon (a->sfreq, 250.0, 1e-9);
  g_assert_cmpstr (a->channels[0].label, ==, "Fp1");
  g_assert_cmpstr (a->channels[0].unit, ==, "uV");
  g_assert_cmpstr (a->channels[1].unit, ==, "uV");
  g_assert_cmpfloat (as_recording_channel (a, 0)[2], ==, 3.5);
  g_assert_cmpfloat (as_recording_channel (a, 1)[1], ==, -3.0);

  /* tabs, missing values filled by interpolation */
  b = load_text ("b.tsv", "t\tx\ty\n0.0\t1\t10\n0.5\tNaN\t20\n1.0\t3\t\n1.5\t4\t40\n", NULL);
  g_assert_cmpfloat_with_epsilon (b->sfreq, 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (as_recording_channel (b, 0)[1], 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (as_recording_channel (b, 1)[2], 30.0, 1e-12);
  g_assert_cmpuint (b->warnings->len, >=, 1);

  /* whitespace, no header: no time column, the rate from the options */
  as_read_options_init (&opts);
  opts.sfreq = 100;
  c = load_text ("c.txt", "1 2 3\n4 5 6\n7 8 9\n", &opts);
  g_assert_cmpuint (c->n_channels, ==, 3);
  g_assert_cmpuint (c->n_samples, ==, 3);
  g_assert_cmpfloat (c->sfreq, ==, 100.0);
  g_assert_cmpfloat (as_recording_channel (c, 2)[1], ==, 6.0);

  /* whitespace with bracketed units, a sample-number column */
  {
    g_autoptr (AsRecording) f = load_text ("f.txt", "sample Fp1 [uV] Cz (uV)\n0 1 2\n1 3 4\n2 5 6\n", &opts);
    g_assert_cmpuint (f->n_channels, ==, 2);
    g_assert_cmpstr (f->channels[1].label, ==, "Cz");
    g_assert_cmpstr (f->channels[1].unit, ==, "uV");
    g_assert_cmpfloat (as_recording_channel (f, 0)[2], ==, 5.0);
    g_assert_cmpuint (f->warnings->len, ==, 1);
  }

  /* without a rate: 1 Hz and a warning */
  d = load_text ("d.txt", "1 2\n3 4\n", NULL);
  g_assert_cmpfloat (d->sfreq, ==, 1.0);
  g_assert_cmpuint (d->warnings->len, ==, 1);

  /* irregular time: resampled onto the median step with a note of the
   * rate; refused with strict rates */
  as_read_options_init (&opts);
  opts.strict_rates = TRUE;
  {
    g_autofree char *pe = write_tmp ("e.csv", "time,x\n0,0\n1,1\n2,2\n4,4\n5,5\n", -1);
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) r = as_recording_load_with_options (pe, &opts, &error);
    g_assert_null (r);
    g_assert_nonnull (strstr (error->message, "irregular sampling"));
  }
  e = load_text ("e.csv", "time,x\n0,0\n1,1\n2,2\n4,4\n5,5\n", NULL);
  g_assert_nonnull (strstr (g_ptr_array_index (e->warnings, 0), "resampled to 1 Hz"));
  g_assert_cmpfloat_with_epsilon (e->sfreq, 1.0, 1e-12);
  g_assert_cmpuint (e->n_samples, ==, 6);
  for (guint i = 0; i < 6; i++)  /* x = t is reproduced by linear interpolation */
    g_assert_cmpfloat_with_epsilon (e->data[i], i, 1e-12);
}

/* A vestibular test system's export (tests/data/make-vestibular-export.py):
 * metadata lines, then one row per signal, ';' and decimal commas; read
 * with no option. */
static void
test_text_rows_export (void)
{
  g_autofree char *path = data_path ("vestibular_export_rows.csv");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_channels, ==, 3);
  g_assert_cmpuint (rec->n_samples, ==, 200);
  g_assert_cmpfloat_with_epsilon (rec->sfreq, 250.0, 1e-6);
  g_assert_cmpstr (rec->channels[0].label, ==, "Eye horizontal");
  g_assert_cmpstr (rec->channels[0].unit, ==, "deg");
  g_assert_cmpstr (rec->channels[2].unit, ==, "deg/s");
  /* sample 10: t = 0.04 s: 4·((2t) mod 1) − 2 = −1.68; 60 sin(2π·0.04) = 14.921…
   * printed with two decimals */
  g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 0)[10], -1.68, 1e-9);
  g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 2)[10], 14.92, 1e-9);
}

/* The cheap preview of a text file (the import assistant's): the layout the
 * full reader uses and the same first samples; names and units given. */
static void
test_text_preview (void)
{
  g_autofree char *path = data_path ("vestibular_export_rows.csv");
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) full = as_recording_load (path, &error);
  AsTextLayout layout;
  AsReadOptions opts;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  {
    g_autoptr (AsRecording) head = as_text_preview (path, text, len, NULL, 12, &layout, &error);
    g_assert_no_error (error);
    g_assert_cmpint (layout.separator, ==, ';');
    g_assert_cmpint (layout.decimal, ==, ',');
    g_assert_cmpuint (layout.skip, ==, 6);
    g_assert_cmpuint (layout.first_line, ==, 0);
    g_assert_cmpint (layout.orientation, ==, AS_TEXT_ORIENTATION_ROWS);
    g_assert_cmpuint (g_strv_length (layout.columns), ==, 4);
    g_assert_cmpstr (layout.columns[0], ==, "Time [s]");
    g_assert_cmpstr (layout.columns[3], ==, "Head velocity [deg/s]");
    g_assert_cmpint (layout.time_column, ==, 0);
    g_assert_cmpuint (head->n_channels, ==, 3);
    g_assert_cmpuint (head->n_samples, ==, 12);
    g_assert_cmpfloat_with_epsilon (head->sfreq, 250.0, 1e-6);
    for (guint c = 0; c < 3; c++)
      {
        g_assert_cmpstr (head->channels[c].label, ==, full->channels[c].label);
        for (guint i = 0; i < 12; i++)
          g_assert_cmpfloat (as_recording_channel (head, c)[i], ==, as_recording_channel (full, c)[i]);
      }
    as_text_layout_clear (&layout);
  }
  /* a line more to skip: the time row goes, three rows are left */
  as_read_options_init (&opts);
  g_assert_true (as_text_options_set (&opts.text, NULL, NULL, 7, FALSE, NULL, &error));
  opts.sfreq = 250;
  opts.text.names = g_strsplit ("Horizontal,,Head", ",", -1);
  opts.text.units = g_strsplit (",,°/s", ",", -1);
  {
    g_autoptr (AsRecording) head = as_text_preview (path, text, len, &opts, 5, &layout, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (layout.skip, ==, 7);
    g_assert_cmpint (layout.time_column, ==, -1);
    g_assert_cmpuint (g_strv_length (layout.columns), ==, 3);
    g_assert_cmpuint (head->n_channels, ==, 3);
    g_assert_cmpuint (head->n_samples, ==, 5);
    g_assert_cmpstr (head->channels[0].label, ==, "Horizontal");
    g_assert_cmpstr (head->channels[1].label, ==, "Eye vertical");
    g_assert_cmpstr (head->channels[2].label, ==, "Head");
    g_assert_cmpstr (head->channels[2].unit, ==, "°/s");
    g_assert_cmpfloat (as_recording_channel (head, 0)[4], ==, as_recording_channel (full, 0)[4]);
    as_text_layout_clear (&layout);
  }
  /* a separator that makes no table: the error names the file */
  g_clear_pointer (&opts.text.names, g_strfreev);
  g_assert_true (as_text_options_set (&opts.text, "tab", NULL, -1, FALSE, NULL, &error));
  opts.text.skip_given = FALSE;
  {
    g_autoptr (AsRecording) head = as_text_preview (path, text, len, &opts, 5, &layout, &error);
    g_assert_null (head);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "vestibular_export_rows.csv"));
    g_clear_error (&error);
    as_text_layout_clear (&layout);
  }
  as_text_options_clear (&opts.text);
}

/* A deep copy: the same samples, channels, events and warnings; events
 * added to it leave the original as it was. */
static void
test_recording_copy (void)
{
  g_autofree char *path = data_path ("edfplus_discontinuous.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);
  g_autoptr (AsRecording) copy = NULL;
  guint n_events;

  g_assert_no_error (error);
  n_events = rec->events->len;
  copy = as_recording_copy (rec);
  g_assert_true (copy->data != rec->data);
  g_assert_cmpuint (copy->n_channels, ==, rec->n_channels);
  g_assert_cmpuint (copy->n_samples, ==, rec->n_samples);
  g_assert_cmpfloat (copy->sfreq, ==, rec->sfreq);
  g_assert_cmpint (memcmp (copy->data, rec->data, rec->n_channels * rec->n_samples * sizeof (double)), ==, 0);
  g_assert_cmpuint (as_recording_count_missing (copy), ==, as_recording_count_missing (rec));
  for (guint c = 0; c < rec->n_channels; c++)
    {
      g_assert_cmpstr (copy->channels[c].label, ==, rec->channels[c].label);
      g_assert_true (copy->channels[c].label != rec->channels[c].label);
    }
  g_assert_cmpuint (copy->events->len, ==, n_events);
  g_assert_cmpuint (copy->warnings->len, ==, rec->warnings->len);
  as_recording_add_event (copy, 0.5, 0, "added");
  g_assert_cmpuint (rec->events->len, ==, n_events);
  g_assert_cmpuint (copy->events->len, ==, n_events + 1);
}

/* The layout guessed or given: a rate in the preamble, rows without a time
 * row, options for what cannot be guessed, bad option values named. */
static void
test_text_layout_options (void)
{
  AsReadOptions opts;
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (AsRecording) r = load_text ("pre.csv",
      "Subject;S01\nSampling rate;200 Hz\n\nLeft;1,5;2,5;3,5;4,5\nRight;0;-1;-2;-3\n", NULL);
    g_assert_cmpuint (r->n_channels, ==, 2);
    g_assert_cmpuint (r->n_samples, ==, 4);
    g_assert_cmpfloat (r->sfreq, ==, 200.0);
    g_assert_cmpfloat (as_recording_channel (r, 0)[3], ==, 4.5);
    g_assert_cmpfloat (as_recording_channel (r, 1)[2], ==, -2.0);
  }
  /* two signals of two samples: looks like columns; --rows says otherwise */
  as_read_options_init (&opts);
  g_assert_true (as_text_options_set (&opts.text, "tab", ",", 1, TRUE, NULL, &error));
  {
    g_autoptr (AsRecording) r = load_text ("rows.txt", "exported by X\nA\t1,5\t2\nB\t3\t4,25\n", &opts);
    g_assert_cmpuint (r->n_channels, ==, 2);
    g_assert_cmpuint (r->n_samples, ==, 2);
    g_assert_cmpstr (r->channels[1].label, ==, "B");
    g_assert_cmpfloat (as_recording_channel (r, 1)[1], ==, 4.25);
  }
  as_text_options_clear (&opts.text);
  /* the time column by number: the second column holds milliseconds */
  as_read_options_init (&opts);
  g_assert_true (as_text_options_set (&opts.text, NULL, NULL, -1, FALSE, "2", &error));
  {
    g_autoptr (AsRecording) r = load_text ("tc.csv", "x,clock_ms [ms]\n1,0\n2,10\n3,20\n", &opts);
    g_assert_cmpuint (r->n_channels, ==, 1);
    g_assert_cmpfloat_with_epsilon (r->sfreq, 100.0, 1e-9);
  }
  as_text_options_clear (&opts.text);
  /* "none": a column named time is a signal */
  as_read_options_init (&opts);
  g_assert_true (as_text_options_set (&opts.text, NULL, NULL, -1, FALSE, "none", &error));
  opts.sfreq = 10;
  {
    g_autoptr (AsRecording) r = load_text ("tn.csv", "time,x\n0,1\n1,2\n", &opts);
    g_assert_cmpuint (r->n_channels, ==, 2);
  }
  as_text_options_clear (&opts.text);
  as_read_options_init (&opts);
  g_assert_false (as_text_options_set (&opts.text, "|", NULL, -1, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "--separator"));
  g_clear_error (&error);
  g_assert_false (as_text_options_set (&opts.text, NULL, "x", -1, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "--decimal"));
  g_clear_error (&error);
  g_assert_true (as_text_options_set (&opts.text, NULL, NULL, -1, FALSE, "missing", &error));
  {
    g_autofree char *p = write_tmp ("tm.csv", "time,x\n0,1\n1,2\n", -1);
    g_autoptr (AsRecording) r = as_recording_load_with_options (p, &opts, &error);
    g_assert_null (r);
    g_assert_nonnull (strstr (error->message, "no column “missing”"));
  }
  as_text_options_clear (&opts.text);
}

/* Truncated files, handled alike: whole records/frames read with a warning
 * saying how much is missing, or refused where nothing trustworthy remains. */
static void
test_truncation (void)
{
  g_autofree char *edf_path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autofree char *png_path = data_path ("grass.png");
  g_autofree guint8 *edf = NULL, *png = NULL;
  gsize edf_len, png_len;
  g_autoptr (GError) error = NULL;

  /* EDF missing half of its last record: 124 whole records of 1 s */
  g_assert_true (g_file_get_contents (edf_path, (char **) &edf, &edf_len, NULL));
  {
    /* 64 signals × 160 samples × 2 bytes + the annotation signal per record */
    g_autofree char *p = write_tmp ("cut.edf", edf, edf_len - 5000);
    g_autoptr (AsRecording) rec = as_recording_load (p, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rec->n_samples, ==, 124 * 160);
    g_assert_cmpuint (rec->warnings->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0),
                              "announces 125 data records, the file holds 124 whole ones; the last 1.000 s"));
    /* the records read are the file's: the same samples as the whole file */
    {
      g_autoptr (AsRecording) whole = as_recording_load (edf_path, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (rec->data, 100 * sizeof (double), whole->data, 100 * sizeof (double));
      /* and the annotations within the records read */
      g_assert_cmpuint (rec->events->len, <=, whole->events->len);
      g_assert_cmpuint (rec->events->len, >=, whole->events->len - 1);
    }
  }
  /* PNG and JPEG: a cut image is refused, with the byte */
  g_assert_true (g_file_get_contents (png_path, (char **) &png, &png_len, NULL));
  {
    g_autoptr (AsImage) img = as_image_load_bytes ("cut.png", png, 100, &error);
    g_assert_null (img);
    g_assert_nonnull (strstr (error->message, "cut.png: byte 100: the PNG file is truncated"));
    g_clear_error (&error);
  }
  {
    g_autoptr (AsImage) img = as_image_load_bytes ("whole.png", png, png_len, &error);
    g_assert_no_error (error);
  }
  {
    static const guint8 jpeg_head[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0 };
    g_autoptr (AsImage) img = as_image_load_bytes ("cut.jpg", jpeg_head, sizeof jpeg_head, &error);
    g_assert_null (img);
    g_assert_nonnull (strstr (error->message, "JPEG file is truncated"));
    g_clear_error (&error);
  }
}

static void
test_eyelink (void)
{
  const char *bino =
    "** CONVERTED FROM test.edf using edfapi\n"
    "** DATE: Tue Nov 24 2026\n"
    "MSG\t1000 DISPLAY_COORDS 0 0 1023 767\n"
    "START\t1000 \tLEFT\tRIGHT\tSAMPLES\tEVENTS\n"
    "PRE-SCALER\t1\n"
    "EVENTS\tGAZE\tLEFT\tRIGHT\tRATE\t 500.00\tTRACKING\tCR\tFILTER\t2\n"
    "SAMPLES\tGAZE\tLEFT\tRIGHT\tRATE\t 500.00\tTRACKING\tCR\tFILTER\t2\n"
    "1000\t  500.0\t  400.0\t 1000.0\t  510.0\t  401.0\t 1010.0\t.....\n"
    "1002\t  502.0\t  402.0\t 1002.0\t  512.0\t  403.0\t 1012.0\t.....\n"
    "SBLINK L 1004\n"
    "1004\t   .\t   .\t    0.0\t  514.0\t  405.0\t 1014.0\t.....\n"
    "1006\t  506.0\t  406.0\t 1006.0\t  516.0\t  407.0\t 1016.0\t.....\n"
    "EBLINK L 1004\t1004\t2\n"
    "MSG\t1006 TRIALID 1\n"
    "1008\t  508.0\t  408.0\t 1008.0\t  518.0\t  409.0\t 1018.0\t.....\n"
    "EFIX R   1000\t1008\t10\t  515.0\t  405.0\t   1014\n"
    "ESACC L  1006\t1008\t4\t  506.0\t  406.0\t  508.0\t  408.0\t   0.05\t     20\n"
    "END\t1010 \tSAMPLES\tEVENTS\tRES\t  38.54\t  31.12\n";
  const char *mono =
    "SAMPLES\tGAZE\tRIGHT\tRATE\t1000.00\tTRACKING\tCR\tFILTER\t2\n"
    "20\t1.0\t2.0\t3.0\t...\n"
    "21\t1.5\t2.5\t3.5\t...\n"
    "23\t2.5\t3.5\t4.5\t...\n";
  g_autofree char *pb = write_tmp ("bino.asc", bino, -1);
  g_autofree char *pm = write_tmp ("mono.asc", mono, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) b = as_recording_load (pb, &error);
  g_autoptr (AsRecording) m = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (b->format, ==, "EyeLink ASC");
  g_assert_cmpuint (b->n_channels, ==, 6);
  g_assert_cmpfloat (b->sfreq, ==, 500.0);
  g_assert_cmpuint (b->n_samples, ==, 5);
  g_assert_cmpstr (b->channels[0].label, ==, "gaze_x_left");
  g_assert_cmpstr (b->channels[5].label, ==, "pupil_right");
  g_assert_cmpint (b->channels[2].type, ==, AS_CHANNEL_PUPIL);
  /* the blink's '.' is missing data, for the whole left eye (pupil 0.0 too) */
  g_assert_true (isnan (as_recording_channel (b, 0)[2]));
  g_assert_true (as_recording_is_missing (b, 0, 2));
  g_assert_true (as_recording_is_missing (b, 2, 2));
  g_assert_false (as_recording_is_missing (b, 0, 1));
  g_assert_cmpuint (as_recording_count_missing (b), ==, 3);
  g_assert_cmpfloat (as_recording_channel (b, 3)[2], ==, 514.0);
  g_assert_cmpuint (b->events->len, ==, 5);
  g_assert_cmpuint (count_events (b, "blink L"), ==, 1);
  g_assert_cmpuint (count_events (b, "fixation R"), ==, 1);
  g_assert_cmpuint (count_events (b, "saccade L"), ==, 1);
  g_assert_cmpuint (count_events (b, "TRIALID 1"), ==, 1);
  for (guint i = 0; i < b->events->len; i++)
    {
      const AsEvent *e = &g_array_index (b->events, AsEvent, i);
      if (strcmp (e->label, "saccade L") == 0)
        {
          g_assert_cmpfloat_with_epsilon (e->onset, 0.006, 1e-12);
          g_assert_cmpfloat_with_epsilon (e->duration, 0.002, 1e-12);
        }
    }

  m = as_recording_load (pm, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->n_channels, ==, 3);
  g_assert_cmpstr (m->channels[0].label, ==, "gaze_x_right");
  g_assert_cmpfloat (m->sfreq, ==, 1000.0);
  g_assert_cmpuint (m->n_samples, ==, 4);  /* 20, 21, (22 missing), 23 */
  g_assert_true (isnan (m->data[2]) && as_recording_is_missing (m, 0, 2));
}

/* An ASC file laid out as edf2asc writes a binocular EyeLink recording
 * (tests/data/make-eyelink-binocular.py): the calibration report's indented
 * coefficients are not samples, two START … END blocks share one time line
 * with the time between them missing, a blink's samples are missing for
 * both eyes, the resolution columns are channels, the set-up and
 * calibration messages before the first block are left out. */
static void
test_eyelink_real_layout (void)
{
  g_autofree char *path = data_path ("eyelink_binocular_500Hz.asc");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);
  const double *xl, *xr, *res;

  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_channels, ==, 8);
  g_assert_cmpfloat (rec->sfreq, ==, 500.0);
  /* 2000000 … 2001998 ms every 2 ms */
  g_assert_cmpuint (rec->n_samples, ==, 1000);
  g_assert_cmpstr (rec->channels[6].label, ==, "resolution_x");
  g_assert_cmpstr (rec->channels[6].unit, ==, "px/deg");
  xl = as_recording_channel (rec, 0);
  xr = as_recording_channel (rec, 3);
  res = as_recording_channel (rec, 6);
  g_assert_cmpfloat (xl[0], ==, 760.0);
  g_assert_cmpfloat (xr[0], ==, 762.0);
  g_assert_cmpfloat (res[0], ==, 37.52);
  /* after the saccade (2000400–2000418 ms): x = 1060 */
  g_assert_cmpfloat (xl[220], ==, 1060.0);
  /* the blink 2000700–2000778 ms: samples 350–389 missing for both eyes,
   * the resolution still recorded */
  for (gsize i = 350; i < 390; i++)
    {
      g_assert_true (as_recording_is_missing (rec, 0, i) && as_recording_is_missing (rec, 5, i));
      g_assert_false (as_recording_is_missing (rec, 6, i));
    }
  g_assert_false (as_recording_is_missing (rec, 0, 349));
  g_assert_false (as_recording_is_missing (rec, 0, 390));
  /* between the blocks (2001000–2001398 ms): samples 500–699 missing */
  for (gsize i = 500; i < 700; i++)
    for (guint c = 0; c < 8; c++)
      g_assert_true (as_recording_is_missing (rec, c, i) && isnan (as_recording_channel (rec, c)[i]));
  g_assert_false (as_recording_is_missing (rec, 0, 700));
  g_assert_cmpfloat (xl[700], ==, 760.0);
  g_assert_cmpuint (as_recording_count_missing (rec), ==, 200 * 8 + 40 * 6);
  /* events: the tracker's and the trial messages; no calibration message */
  g_assert_cmpuint (count_events (rec, "TRIALID 1"), ==, 1);
  g_assert_cmpuint (count_events (rec, "TRIALID 2"), ==, 1);
  g_assert_cmpuint (count_events (rec, "blink L"), ==, 1);
  g_assert_cmpuint (count_events (rec, "blink R"), ==, 1);
  g_assert_cmpuint (count_events (rec, "saccade L"), ==, 2);
  g_assert_cmpuint (count_events (rec, "fixation R"), ==, 4);
  g_assert_cmpuint (rec->events->len, ==, 18);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      g_assert_null (strstr (e->label, "!CAL"));
      if (strcmp (e->label, "blink L") == 0)
        {
          g_assert_cmpfloat_with_epsilon (e->onset, 0.700, 1e-9);
          g_assert_cmpfloat_with_epsilon (e->duration, 0.078, 1e-9);
        }
      if (strcmp (e->label, "TRIALID 2") == 0)
        g_assert_cmpfloat_with_epsilon (e->onset, 1.402, 1e-9);
    }
}

static void
test_npy (void)
{
  double x[6] = { 1, 2, 3, 4, 5, 6 };
  gsize shape[2] = { 2, 3 };
  g_autofree char *p = g_build_filename (tmpdir, "x.npy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) a = NULL, b = NULL;
  AsReadOptions opts;

  g_assert_true (as_npy_write (p, x, 2, shape, FALSE, &error));
  a = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->n_channels, ==, 2);
  g_assert_cmpuint (a->n_samples, ==, 3);
  g_assert_cmpfloat (a->sfreq, ==, 1.0);
  g_assert_cmpuint (a->warnings->len, ==, 1);
  g_assert_cmpfloat (as_recording_channel (a, 1)[0], ==, 4.0);
  as_read_options_init (&opts);
  opts.sfreq = 250;
  b = as_recording_load_with_options (p, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (b->sfreq, ==, 250.0);
  g_assert_cmpuint (b->warnings->len, ==, 0);
}

/* ------------------------------------------------------------ round trips */

static double *
test_signal (guint n_ch, gsize n, double sfreq)
{
  double *x = g_new (double, (gsize) n_ch * n);

  for (guint c = 0; c < n_ch; c++)
    for (gsize t = 0; t < n; t++)
      x[(gsize) c * n + t] = (c + 1) * 37.5 * sin (2 * G_PI * (3 + c) * t / sfreq) + 0.123456789 * c;
  return x;
}

static void
test_roundtrip_csv_npy (void)
{
  const guint nc = 3;
  const gsize n = 500;
  g_autofree double *x = test_signal (nc, n, 250);
  const char *names[] = { "Fp1", "eye_x", "a,b" };
  const char *units[] = { "uV", "deg", "" };
  g_autofree char *p = g_build_filename (tmpdir, "rt.csv", NULL);
  g_autofree char *pn = g_build_filename (tmpdir, "rt.npy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL, recn = NULL;
  AsReadOptions opts;

  g_assert_true (as_export_csv (p, x, nc, n, names, units, 250, FALSE, &error));
  g_assert_no_error (error);
  rec = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rec->n_channels, ==, nc);
  g_assert_cmpuint (rec->n_samples, ==, n);
  g_assert_cmpfloat_with_epsilon (rec->sfreq, 250, 1e-9);
  g_assert_cmpstr (rec->channels[0].label, ==, "Fp1");
  g_assert_cmpstr (rec->channels[0].unit, ==, "uV");
  g_assert_cmpstr (rec->channels[1].unit, ==, "deg");
  g_assert_cmpstr (rec->channels[2].label, ==, "a_b");
  for (gsize i = 0; i < nc * n; i++)  /* shortest round-trip decimal: exact */
    g_assert_cmpfloat (rec->data[i], ==, x[i]);
  /* no overwrite unless asked, and the old file is kept */
  g_assert_false (as_export_csv (p, x, 1, 2, NULL, NULL, 0, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  {
    g_autoptr (AsRecording) again = as_recording_load (p, &error);
    g_assert_cmpuint (again->n_samples, ==, n);
  }
  /* NaN is refused before anything is written */
  x[5] = NAN;
  g_assert_false (as_export_csv (p, x, nc, n, NULL, NULL, 0, TRUE, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC);
  g_clear_error (&error);
  x[5] = 0;
  /* nothing half-written is left behind (no .part files) */
  {
    g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_suffix (name, ".part"));
  }

  g_assert_true (as_export_npy (pn, x, nc, n, FALSE, &error));
  as_read_options_init (&opts);
  opts.sfreq = 250;
  recn = as_recording_load_with_options (pn, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (recn->data, nc * n * sizeof (double), x, nc * n * sizeof (double));
}

static void
test_roundtrip_sound (void)
{
  const guint nc = 2;
  const gsize n = 1000;
  g_autofree double *x = test_signal (nc, n, 500);
  g_autofree char *pw = g_build_filename (tmpdir, "atom.wav", NULL);
  g_autofree char *pf = g_build_filename (tmpdir, "atom.flac", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) w = NULL, f = NULL;
  double peak = 0;

  for (gsize i = 0; i < nc * n; i++)
    peak = MAX (peak, fabs (x[i]));
  g_assert_true (as_export_sound (pw, x, nc, n, 500, "uV", AS_SOUND_WAV_FLOAT, FALSE, &error));
  g_assert_no_error (error);
  w = as_recording_load (pw, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w->n_channels, ==, nc);
  g_assert_cmpuint (w->n_samples, ==, n);
  g_assert_cmpfloat (w->sfreq, ==, 500);
  g_assert_cmpstr (w->channels[0].unit, ==, "uV");
  for (gsize i = 0; i < nc * n; i++)  /* float32 */
    g_assert_cmpfloat_with_epsilon (w->data[i], x[i], 1e-6 * peak);

  g_assert_true (as_export_sound (pf, x, nc, n, 500, "uV", AS_SOUND_FLAC, FALSE, &error));
  g_assert_no_error (error);
  f = as_recording_load (pf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->format, ==, "FLAC");
  g_assert_cmpstr (f->channels[1].unit, ==, "uV");
  for (gsize i = 0; i < nc * n; i++)  /* 24 bits of the stored scale */
    g_assert_cmpfloat_with_epsilon (f->data[i], x[i], 2.0 * peak / (1 << 23));
}

static void
test_roundtrip_edf (void)
{
  const guint nc = 3;
  const gsize n = 256 * 4;
  g_autofree double *x = test_signal (nc, n, 256);
  const char *names[] = { "Fp1", "Cz", "O2" };
  const char *units[] = { "uV", "uV", "mV" };
  AsOccurrence occ[] = { { 0.5, 0.25, "atom 1", 3.0 }, { 2.125, 0.0, "atom 2", 1.5 },
                         { 3.0, 0.5, "atom 1", 2.0 } };
  g_autofree char *p = g_build_filename (tmpdir, "occ.edf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;

  g_assert_true (as_export_edf (p, x, nc, n, 256, names, units, occ, 3, FALSE, &error));
  g_assert_no_error (error);
  rec = as_recording_load (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->format, ==, "EDF+C");
  g_assert_cmpuint (rec->n_channels, ==, nc);
  g_assert_cmpuint (rec->n_samples, ==, n);
  g_assert_cmpfloat (rec->sfreq, ==, 256);
  g_assert_cmpstr (rec->channels[1].label, ==, "Cz");
  g_assert_cmpstr (rec->channels[2].unit, ==, "mV");
  for (guint c = 0; c < nc; c++)
    {
      double lo = INFINITY, hi = -INFINITY;
      for (gsize t = 0; t < n; t++)
        lo = MIN (lo, x[c * n + t]), hi = MAX (hi, x[c * n + t]);
      for (gsize t = 0; t < n; t++)  /* 16-bit quantisation of the range */
        g_assert_cmpfloat_with_epsilon (rec->data[c * n + t], x[c * n + t], 2.0 * 1.002 * (hi - lo) / 65535);
    }
  g_assert_cmpuint (rec->events->len, ==, 3);
  g_assert_cmpuint (count_events (rec, "atom 1"), ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).onset, 2.125, 1e-4);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 2).duration, 0.5, 1e-4);

  /* a rate that is not a whole number: records of 201 samples lasting
   * 201/200.5 s (in EDF's 10-µs units) */
  {
    g_autofree char *q = g_build_filename (tmpdir, "odd-rate.edf", NULL);
    g_autofree double *y = test_signal (1, 1000, 200.5);
    g_autoptr (AsRecording) r = NULL;
    g_assert_true (as_export_edf (q, y, 1, 1000, 200.5, NULL, NULL, NULL, 0, FALSE, &error));
    r = as_recording_load (q, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (r->sfreq, 200.5, 1e-3);
    g_assert_cmpuint (r->n_samples, ==, 1005);  /* 5 records, the last padded */
  }

  /* and the real recording through EDF+ again: events and labels survive */
  {
    g_autofree char *src = data_path ("eegmmi_S001R04_motor_imagery.edf");
    g_autofree char *dst = g_build_filename (tmpdir, "copy.edf", NULL);
    g_autoptr (AsRecording) a = as_recording_load (src, &error);
    g_autoptr (AsRecording) b = NULL;
    g_assert_true (as_export_recording_edf (dst, a, FALSE, &error));
    g_assert_no_error (error);
    b = as_recording_load (dst, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (b->n_channels, ==, 64);
    g_assert_cmpuint (b->events->len, ==, 30);
    g_assert_cmpstr (b->channels[0].label, ==, "Fc5.");
    for (gsize i = 0; i < 64 * a->n_samples; i += 97)
      g_assert_cmpfloat_with_epsilon (b->data[i], a->data[i], 0.5);
  }
}

static void
test_channel_types (void)
{
  static const struct { const char *label, *unit; AsChannelType type; } cases[] = {
    { "Fc5.", "uV", AS_CHANNEL_EEG }, { "EEG Fp1-Ref", "uV", AS_CHANNEL_EEG },
    { "T3", "uV", AS_CHANNEL_EEG }, { "AFF1h", "", AS_CHANNEL_EEG }, { "Cz..", "uV", AS_CHANNEL_EEG },
    { "Resp", "mV", AS_CHANNEL_OTHER }, { "Status", "", AS_CHANNEL_STIM },
    { "ECG", "mV", AS_CHANNEL_ECG }, { "MLII", "mV", AS_CHANNEL_ECG },
    { "EOG left", "uV", AS_CHANNEL_EOG }, { "pupil_left", "", AS_CHANNEL_PUPIL },
    { "eye_position", "deg", AS_CHANNEL_GAZE }, { "Temp", "degC", AS_CHANNEL_OTHER },
    { "Fp1", "mmHg", AS_CHANNEL_OTHER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (as_channel_guess_type (cases[i].label, cases[i].unit) != cases[i].type)
      g_error ("%s [%s]: type %s, expected %s", cases[i].label, cases[i].unit,
               as_channel_type_to_string (as_channel_guess_type (cases[i].label, cases[i].unit)),
               as_channel_type_to_string (cases[i].type));
}

static void
test_export_channels (void)
{
  g_autoptr (AsRecording) rec = as_recording_new (2, 10, 5);
  g_autoptr (AsExportChannels) ch = NULL;
  AsExportMeta meta;

  as_recording_set_channel (rec, 1, "Cz", "uV", AS_CHANNEL_EEG);
  rec->channels[1].has_position = TRUE;
  rec->channels[1].position[2] = 0.1;
  ch = as_export_channels_new (rec);
  as_export_meta_init (&meta);
  as_export_meta_set_channels (&meta, ch, rec);
  g_assert_cmpuint (meta.n_channels, ==, 2);
  g_assert_cmpstr (meta.channel_names[1], ==, "Cz");
  g_assert_cmpstr (meta.channel_units[1], ==, "uV");
  g_assert_false (meta.has_position[0]);
  g_assert_cmpfloat (meta.positions[5], ==, 0.1);
  g_assert_cmpfloat (meta.sfreq, ==, 5);
}

static void
test_events_tsv (void)
{
  AsOccurrence occ[] = { { 0.5, 0.25, "atom 1", 3.0 }, { 2.125, 0.0, "atom\t2", NAN } };
  g_autofree char *p = g_build_filename (tmpdir, "events.tsv", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (as_export_events_tsv (p, occ, 2, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
  g_assert_cmpstr (text, ==,
                   "onset\tduration\ttrial_type\tvalue\n"
                   "0.500000\t0.250000\tatom 1\t3\n"
                   "2.125000\t0.000000\tatom 2\tn/a\n");
  /* and back */
  {
    g_autoptr (AsRecording) rec = as_recording_new (1, 10, 1);
    g_autofree char *bad = write_tmp ("bad_events.tsv", "onset\tduration\n1.0\t0.5\nsoon\t1\n", -1);
    g_assert_cmpint (as_recording_add_events_tsv (rec, p, &error), ==, 2);
    g_assert_no_error (error);
    g_assert_cmpstr (g_array_index (rec->events, AsEvent, 1).label, ==, "atom 2");
    g_assert_cmpfloat (g_array_index (rec->events, AsEvent, 1).onset, ==, 2.125);
    g_assert_cmpfloat (g_array_index (rec->events, AsEvent, 0).duration, ==, 0.25);
    g_assert_cmpint (as_recording_add_events_tsv (rec, bad, &error), ==, -1);
    g_assert_nonnull (strstr (error->message, "line 3, column 1"));
    g_assert_cmpuint (rec->events->len, ==, 2);  /* nothing added on error */
  }
}

static void
test_json_sidecar (void)
{
  AsExportMeta meta;
  const char *names[] = { "Fp1", "Cz" };
  const char *units[] = { "uV", "uV" };
  double pos[] = { -0.03, 0.08, 0.0, 0.0, 0.0, 0.1 };
  double obj[] = { 3.0, 2.0, 1.5 };
  const char *files[] = { "atoms.npy", NULL };
  g_autoptr (JsonObject) params = json_object_new ();
  g_autofree char *p = g_build_filename (tmpdir, "atoms.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonArray *ch;

  json_object_set_int_member (params, "n_atoms", 5);
  json_object_set_double_member (params, "atom_duration_s", 0.5);
  as_export_meta_init (&meta);
  meta.source = "x.edf";
  meta.method = "CDL rank-1";
  meta.sfreq = 160;
  meta.n_channels = 2;
  meta.channel_names = names;
  meta.channel_units = units;
  meta.positions = pos;
  meta.lambda = 0.1;
  meta.lambda_max = 2.0;
  meta.objective = obj;
  meta.n_objective = 3;
  meta.parameters = params;
  meta.files = files;
  g_assert_true (as_export_json_sidecar (p, &meta, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, p, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, as_engine_version ());
  g_assert_cmpfloat (json_object_get_double_member (root, "sampling_rate_hz"), ==, 160);
  g_assert_cmpfloat (json_object_get_double_member (root, "lambda_max"), ==, 2.0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "lambda_ratio"), 0.05, 1e-15);
  ch = json_object_get_array_member (root, "channels");
  g_assert_cmpuint (json_array_get_length (ch), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ch, 1), "name"), ==, "Cz");
  g_assert_cmpfloat (json_array_get_double_element (json_object_get_array_member (json_array_get_object_element (ch, 1), "position_m"), 2), ==, 0.1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "objective_history")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "parameters"), "n_atoms"), ==, 5);
}

/* ------------------------------------------------------------- bad input */

typedef struct
{
  const char *name;
  const char *place;   /* must appear in the message */
} Expect;

static void
expect_error (const char *path, const char *place)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);

  if (rec != NULL)
    g_error ("%s: read without error", path);
  g_assert_nonnull (error);
  if (strstr (error->message, path) == NULL || (place && strstr (error->message, place) == NULL))
    g_error ("%s: message “%s” should name the file and “%s”", path, error->message, place);
}

static void
test_malformed (void)
{
  g_autofree char *edf_path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autofree char *wav_path = data_path ("mitdb100_ecg_10s_360Hz.wav");
  g_autofree guint8 *edf = NULL, *wav = NULL;
  gsize edf_len, wav_len;
  struct { const char *name; const char *text; const char *place; } texts[] = {
    { "empty.csv", "", "empty" },
    { "comments.csv", "# nothing\n\n", "no data" },
    { "badnum.csv", "time,x\n0,1\n1,abc\n", "line 3, column 2" },
    { "inf.csv", "time,x\n0,1\n1,inf\n", "line 3, column 2" },
    { "fields.csv", "time,x,y\n0,1,2\n1,2\n", "line 3" },
    { "backwards.csv", "time,x\n0,1\n2,2\n1,3\n", "line 4" },
    { "onerow.csv", "time,x\n0,1\n", "fewer than two" },
    { "timemissing.csv", "time,x\n0,1\n,2\n", "line 3, column 1" },
    { "badsample.asc", "SAMPLES\tGAZE\tLEFT\tRATE\t500\n1000\t1\t2\n", "line 2" },
    { "badrate.asc", "SAMPLES\tGAZE\tLEFT\tRATE\tfast\n1000\t1\t2\t3\n", "line 1" },
    { "nosamples.asc", "** CONVERTED FROM x\nMSG\t10 hello\n", "fewer than two" },
    { "badfix.asc", "** x\nEFIX L 10\n", "line 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *p = write_tmp (texts[i].name, texts[i].text, -1);
      expect_error (p, texts[i].place);
    }
  /* binary inside a text file, invalid UTF-8 */
  {
    g_autofree char *p = write_tmp ("nul.csv", "time,x\n0,1\0\n", 12);
    g_autofree char *q = write_tmp ("latin.csv", "time,x\n0,\xe9\n", 10);
    expect_error (p, "byte 10");
    expect_error (q, "byte 9");
  }
  /* a folder; an unreadable file (unless we are root) */
  expect_error (tmpdir, "folder");
  if (geteuid () != 0)
    {
      g_autofree char *p = write_tmp ("secret.csv", "time,x\n0,1\n1,2\n", -1);
      g_chmod (p, 0);
      expect_error (p, NULL);
    }
  {
    g_autofree char *missing = g_build_filename (tmpdir, "missing.edf", NULL);
    expect_error (missing, NULL);
  }

  /* EDF: truncated, header fields broken one at a time, garbage */
  g_assert_true (g_file_get_contents (edf_path, (char **) &edf, &edf_len, NULL));
  {
    g_autofree char *p = write_tmp ("truncated.edf", edf, 16896 + 100);  /* no whole record */
    g_autofree char *q = write_tmp ("headonly.edf", edf, 300);
    g_autofree char *r = write_tmp ("tiny.edf", edf, 100);
    expect_error (p, "truncated");
    expect_error (q, "signal headers");
    expect_error (r, "byte 100");
  }
  {
    struct { gsize off; const char *value; const char *place; } patches[] = {
      { 184, "12345   ", "byte 184" },          /* header size */
      { 252, "abc ", "byte 252" },              /* number of signals */
      { 236, "-5      ", "byte 236" },          /* records */
      { 256 + 65 * 216, "-3      ", "samples per data record" },
      { 256 + 65 * 216, "9000000 ", "truncated" },  /* not one whole record */
    };
    /* one signal's faults leave that signal out, with a warning naming it */
    struct { gsize off; const char *value; const char *place; } lenient[] = {
      { 256 + 65 * 120 + 8, "99999999", "digital minimum" },
      { 256 + 65 * 104 + 8, "1.0e9999", "physical minimum" },
      { 256 + 65 * 112 + 8, "-8092   ", "equal to the physical minimum" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (patches); i++)
      {
        g_autofree guint8 *copy = g_memdup2 (edf, edf_len);
        g_autofree char *name = g_strdup_printf ("patched%u.edf", i);
        g_autofree char *p = NULL;
        memcpy (copy + patches[i].off, patches[i].value, strlen (patches[i].value));
        p = write_tmp (name, copy, edf_len);
        expect_error (p, patches[i].place);
      }
    for (guint i = 0; i < G_N_ELEMENTS (lenient); i++)
      {
        g_autofree guint8 *copy = g_memdup2 (edf, edf_len);
        g_autofree char *name = g_strdup_printf ("lenient%u.edf", i);
        g_autofree char *p = NULL;
        g_autoptr (GError) error = NULL;
        g_autoptr (AsRecording) rec = NULL;
        memcpy (copy + lenient[i].off, lenient[i].value, strlen (lenient[i].value));
        p = write_tmp (name, copy, edf_len);
        rec = as_recording_load (p, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (rec->n_channels, ==, 63);
        g_assert_cmpstr (rec->channels[0].label, ==, "Fc5.");
        g_assert_cmpstr (rec->channels[1].label, ==, "Fc1.");  /* Fc3. (signal 2) left out */
        g_assert_cmpuint (rec->warnings->len, ==, 1);
        g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "Fc3."));
        g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), lenient[i].place));
        /* the strict check still names the fault */
        g_assert_false (as_edf_check_header (p, copy, edf_len, edf_len, NULL, &error));
        g_assert_nonnull (strstr (error->message, lenient[i].place));
      }
  }
  {
    /* random bytes with an EDF-family extension go to libbiosig, guarded */
    guint8 junk[4096];
    GRand *r = g_rand_new_with_seed (7);
    for (guint i = 0; i < sizeof junk; i++)
      junk[i] = g_rand_int_range (r, 0, 256);
    g_rand_free (r);
    {
      g_autofree char *p = write_tmp ("junk.gdf", junk, sizeof junk);
      expect_error (p, NULL);
    }
    memcpy (junk, "GDF 2.20", 8);
    {
      g_autofree char *p = write_tmp ("junk2.gdf", junk, sizeof junk);
      expect_error (p, NULL);
    }
  }

  /* WAV: truncated header, truncated data */
  g_assert_true (g_file_get_contents (wav_path, (char **) &wav, &wav_len, NULL));
  {
    g_autofree char *p = write_tmp ("head.wav", wav, 20);
    expect_error (p, NULL);
  }
  {
    g_autofree char *p = write_tmp ("short.wav", wav, 44 + 400);
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) rec = as_recording_load (p, &error);
    /* readable, shorter: a warning says how much is missing */
    g_assert_no_error (error);
    g_assert_cmpuint (rec->n_samples, ==, 100);
    g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "3600 frames, the file holds 100 (9.722 s missing)"));
  }

  /* NPY: bad magic, truncated, absurd shape, 3-D, infinite value */
  {
    double x[4] = { 1, 2, INFINITY, 4 };
    gsize shape[3] = { 2, 2, 1 };
    g_autoptr (GBytes) ok = as_npy_encode (x, 1, (gsize[]) { 4 });
    g_autoptr (GBytes) three = as_npy_encode (x, 3, shape);
    gsize n;
    const guint8 *d = g_bytes_get_data (ok, &n);
    const char *absurd = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }                                                    \n";
    g_autofree char *p1 = write_tmp ("magic.npy", "\x93NUMPX\x01\x00", 8);
    g_autofree char *p2 = write_tmp ("trunc.npy", d, n - 3);
    g_autofree char *p3 = write_tmp ("absurd.npy", absurd, strlen (absurd));
    g_autofree char *p4 = write_tmp ("three.npy", g_bytes_get_data (three, NULL), g_bytes_get_size (three));
    g_autofree char *p5 = write_tmp ("inf.npy", d, n);
    expect_error (p1, "byte");
    expect_error (p2, NULL);
    expect_error (p3, NULL);
    expect_error (p4, "3 dimensions");
    expect_error (p5, "element 2");
  }
  /* unknown binary */
  {
    g_autofree char *p = write_tmp ("blob.bin", "\x01\x02\x00\x03", 4);
    expect_error (p, "unknown file format");
  }
}

/* A block of a C-order array read alone equals the same block of the whole array; a block
 * outside the array or past the end of a cut file is an error naming the file. */
static void
test_npy_region (void)
{
  g_autofree char *dir = g_dir_make_tmp ("as-npy-region-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "a.npy", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.npy", NULL);
  const gsize shape[3] = { 3, 7, 11 };
  double data[3 * 7 * 11];
  AsNpyArray head = { 0 }, part = { 0 };
  GError *error = NULL;
  g_autofree char *bytes = NULL;
  gsize len;

  for (gsize i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = (double) i * 0.5 - 3.0;
  g_assert_true (as_npy_write (path, data, 3, shape, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (as_npy_read_header (path, &head, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (head.ndim, ==, 3);
  g_assert_cmpuint (head.shape[2], ==, 11);
  g_assert_null (head.data);
  {
    const gsize start[3] = { 1, 2, 3 }, size[3] = { 2, 4, 5 };
    g_assert_true (as_npy_read_region (path, 3, start, size, &part, &error));
    g_assert_no_error (error);
    for (gsize a = 0; a < 2; a++)
      for (gsize b = 0; b < 4; b++)
        for (gsize c = 0; c < 5; c++)
          g_assert_cmpfloat (part.data[(a * 4 + b) * 5 + c], ==,
                             data[((a + 1) * 7 + b + 2) * 11 + c + 3]);
    as_npy_array_clear (&part);
  }
  {
    const gsize start[3] = { 0, 5, 0 }, size[3] = { 1, 3, 11 };
    g_assert_false (as_npy_read_region (path, 3, start, size, &part, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "a.npy"));
    g_clear_error (&error);
  }
  /* The last 100 values are missing: the first rows still read, the last ones do not. */
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len - 800), NULL));
  {
    const gsize start[3] = { 0, 0, 0 }, size[3] = { 1, 7, 11 };
    const gsize late[3] = { 2, 6, 0 };
    g_assert_true (as_npy_read_region (cut, 3, start, size, &part, &error));
    g_assert_no_error (error);
    as_npy_array_clear (&part);
    g_assert_false (as_npy_read_region (cut, 3, late, (gsize[]) { 1, 1, 11 }, &part, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "truncated"));
    g_clear_error (&error);
  }
  g_unlink (path);
  g_unlink (cut);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  int rc;
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  tmpdir = g_dir_make_tmp ("atomscope-io-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/io/npy/region", test_npy_region);
  g_test_add_func ("/io/real/edf", test_real_edf);
  g_test_add_func ("/io/real/csv", test_real_csv);
  g_test_add_func ("/io/edf/discontinuous", test_edf_discontinuous);
  g_test_add_func ("/io/edf/bdf-generated", test_bdf_generated);
  g_test_add_func ("/io/edf/mixed-rates", test_edf_mixed_rates);
  g_test_add_func ("/io/brainvision", test_brainvision);
  g_test_add_func ("/io/brainvision-own", test_brainvision_own);
  g_test_add_func ("/io/add-events", test_add_events);
  g_test_add_func ("/io/gdf", test_gdf);
  g_test_add_func ("/io/real/wav", test_real_wav);
  g_test_add_func ("/io/image", test_image);
  g_test_add_func ("/io/text/variants", test_csv_variants);
  g_test_add_func ("/io/text/rows-export", test_text_rows_export);
  g_test_add_func ("/io/text/layout-options", test_text_layout_options);
  g_test_add_func ("/io/truncation", test_truncation);
  g_test_add_func ("/io/text/eyelink", test_eyelink);
  g_test_add_func ("/io/text/eyelink-real-layout", test_eyelink_real_layout);
  g_test_add_func ("/io/npy", test_npy);
  g_test_add_func ("/io/roundtrip/csv-npy", test_roundtrip_csv_npy);
  g_test_add_func ("/io/roundtrip/sound", test_roundtrip_sound);
  g_test_add_func ("/io/roundtrip/edf", test_roundtrip_edf);
  g_test_add_func ("/io/events-tsv", test_events_tsv);
  g_test_add_func ("/io/export-channels", test_export_channels);
  g_test_add_func ("/io/channel-types", test_channel_types);
  g_test_add_func ("/io/json-sidecar", test_json_sidecar);
  g_test_add_func ("/io/malformed", test_malformed);
  g_test_add_func ("/io/text-preview", test_text_preview);
  g_test_add_func ("/io/recording-copy", test_recording_copy);
  rc = g_test_run ();
  {
    g_autoptr (GFile) dir = g_file_new_for_path (tmpdir);
    g_autoptr (GFileEnumerator) en = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);
    GFileInfo *info;
    while (en && (info = g_file_enumerator_next_file (en, NULL, NULL)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, g_file_info_get_name (info), NULL);
        g_unlink (p);
        g_object_unref (info);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
