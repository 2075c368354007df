/* atomscope-window-browser.c: the signal browser's toolbar — the montage a
 * page shows and its display filters.  They change what the browser draws,
 * never the data learned from or exported; the view computes each page on
 * its worker.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "as-figure-overview.h"
#include "atomscope-application.h"
#include "atomscope-figure-style.h"
#include "atomscope-window-private.h"

/* Rows of the montage drop-down, in the order of AsDerivationKind. */
#define MONTAGE_FROM_FILE AS_DERIVATION_USER

static void
set_montage_row (AtomscopeWindow *self, guint row)
{
  self->montage_guard = TRUE;
  gtk_drop_down_set_selected (self->montage_dropdown, row);
  self->montage_guard = FALSE;
}

static void
apply_montage (AtomscopeWindow *self, AsDerivationKind kind, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!atomscope_signal_view_set_montage (self->signal_view, kind, path, &error))
    {
      atomscope_window_show_toast (self, error->message);
      set_montage_row (self, AS_DERIVATION_AS_RECORDED);
      return;
    }
  set_montage_row (self, kind);
}

static void
on_montage_file (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        apply_montage (self, AS_DERIVATION_USER, path);
    }
  else
    set_montage_row (self, atomscope_signal_view_get_montage (self->signal_view));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_montage_changed (AtomscopeWindow *self)
{
  guint row = gtk_drop_down_get_selected (self->montage_dropdown);

  if (self->montage_guard)
    return;
  if (row == MONTAGE_FROM_FILE)
    {
      GtkFileChooserNative *chooser =
        gtk_file_chooser_native_new (_("Open a Montage File"), GTK_WINDOW (self),
                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
      GtkFileFilter *filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Montage files (one derivation per line)"));
      gtk_file_filter_add_pattern (filter, "*.txt");
      gtk_file_filter_add_pattern (filter, "*.mon");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
      g_signal_connect (chooser, "response", G_CALLBACK (on_montage_file), g_object_ref (self));
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
      return;
    }
  apply_montage (self, row, NULL);
}

/* The display filters are remembered per kind of recording (GSettings). */
static GSettings *
window_settings (AtomscopeWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return ATOMSCOPE_IS_APPLICATION (app) ? atomscope_application_get_settings (ATOMSCOPE_APPLICATION (app))
                                        : NULL;
}

static const char *
kind_key (const AsRecording *rec)
{
  switch (rec != NULL ? rec->kind : AS_RECORDING_GENERIC)
    {
    case AS_RECORDING_EEG: return "eeg";
    case AS_RECORDING_EYE: return "eye";
    case AS_RECORDING_AUDIO: return "audio";
    default: return "generic";
    }
}

static gboolean
remembered_filters (AtomscopeWindow *self, const AsRecording *rec, AsFilterSpec *spec)
{
  GSettings *settings = window_settings (self);
  g_autoptr (GVariant) dict = settings != NULL ? g_settings_get_value (settings, "display-filters") : NULL;

  return dict != NULL
         && g_variant_lookup (dict, kind_key (rec), "(ddd)", &spec->highpass, &spec->lowpass, &spec->notch);
}

static void
remember_filters (AtomscopeWindow *self, const AsFilterSpec *spec)
{
  GSettings *settings = window_settings (self);
  g_autoptr (GVariant) old = NULL;
  GVariantBuilder b;
  GVariantIter iter;
  const char *key, *kind = kind_key (self->recording);
  double hp, lp, notch;

  if (settings == NULL || self->recording == NULL)
    return;
  old = g_settings_get_value (settings, "display-filters");
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{s(ddd)}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s(ddd)}", &key, &hp, &lp, &notch))
    if (!g_str_equal (key, kind))
      g_variant_builder_add (&b, "{s(ddd)}", key, hp, lp, notch);
  g_variant_builder_add (&b, "{s(ddd)}", kind, spec->highpass, spec->lowpass, spec->notch);
  g_settings_set_value (settings, "display-filters", g_variant_builder_end (&b));
}

static void
on_filters_changed (AtomscopeWindow *self)
{
  AsDisplayFilters f;
  static const double notch[] = { 0, 50, 60 };
  guint n = gtk_drop_down_get_selected (self->notch_dropdown);

  if (self->montage_guard)
    return;
  atomscope_signal_view_get_filters (self->signal_view, &f);
  f.filter.highpass = gtk_spin_button_get_value (self->highpass_spin);
  f.filter.lowpass = gtk_spin_button_get_value (self->lowpass_spin);
  f.filter.notch = n < G_N_ELEMENTS (notch) ? notch[n] : 0;
  f.filter.notch_harmonics = TRUE;
  atomscope_signal_view_set_filters (self->signal_view, &f);
  remember_filters (self, &f.filter);
  gtk_menu_button_set_label (self->filters_button,
                             f.filter.highpass > 0 || f.filter.lowpass > 0 || f.filter.notch > 0
                               ? _("Display · filtered") : _("Display"));
}

/* ---- the channel list ----------------------------------------------------------- */

#define CHANNEL_LABEL_KEY "atomscope-channel-label"

static GStrv
labels_of (GPtrArray *labels)
{
  GStrvBuilder *b = g_strv_builder_new ();
  GStrv v;

  for (guint i = 0; labels != NULL && i < labels->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (labels, i));
  v = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return v;
}

static void
apply_channel_marks (AtomscopeWindow *self)
{
  g_auto (GStrv) hidden = labels_of (self->hidden_channels);
  g_auto (GStrv) bad = labels_of (self->bad_channels);
  guint n_hidden = self->hidden_channels ? self->hidden_channels->len : 0;
  guint n_bad = self->bad_channels ? self->bad_channels->len : 0;

  atomscope_signal_view_set_channel_marks (self->signal_view, (const char *const *) hidden,
                                           (const char *const *) bad);
  if (n_hidden > 0 || n_bad > 0)
    {
      g_autofree char *tip = g_strdup_printf (_("Channels: %u hidden, %u marked bad"), n_hidden, n_bad);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->channels_button), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->channels_button),
                                 _("Channels: show or hide them, mark bad ones (left out of learning, kept in exports)"));
}

static void
set_mark (GPtrArray **set, const char *label, gboolean on)
{
  guint index;

  if (*set == NULL)
    *set = g_ptr_array_new_with_free_func (g_free);
  if (g_ptr_array_find_with_equal_func (*set, label, g_str_equal, &index))
    {
      if (!on)
        g_ptr_array_remove_index (*set, index);
    }
  else if (on)
    g_ptr_array_add (*set, g_strdup (label));
}

static void
on_channel_shown (GtkCheckButton *check, AtomscopeWindow *self)
{
  set_mark (&self->hidden_channels, g_object_get_data (G_OBJECT (check), CHANNEL_LABEL_KEY),
            !gtk_check_button_get_active (check));
  apply_channel_marks (self);
}

static void
on_channel_bad (GtkToggleButton *toggle, AtomscopeWindow *self)
{
  set_mark (&self->bad_channels, g_object_get_data (G_OBJECT (toggle), CHANNEL_LABEL_KEY),
            gtk_toggle_button_get_active (toggle));
  apply_channel_marks (self);
}

/* The labels of the channel list's rows, top to bottom: the order the view draws them in. */
static void
apply_channel_order (AtomscopeWindow *self)
{
  GStrvBuilder *b = g_strv_builder_new ();
  g_auto (GStrv) order = NULL;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->channels_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      g_strv_builder_add (b, g_object_get_data (G_OBJECT (gtk_widget_get_first_child (box)),
                                                CHANNEL_LABEL_KEY));
    }
  order = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  atomscope_signal_view_set_channel_order (self->signal_view, (const char *const *) order);
}

gboolean
atomscope_window_move_channel (AtomscopeWindow *self, const char *label, int delta)
{
  int index = 0, n = 0;
  GtkListBoxRow *found = NULL;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->channels_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row), n++)
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      if (g_strcmp0 (g_object_get_data (G_OBJECT (gtk_widget_get_first_child (box)), CHANNEL_LABEL_KEY),
                     label) == 0)
        {
          found = GTK_LIST_BOX_ROW (row);
          index = n;
        }
    }
  if (found == NULL || index + delta < 0 || index + delta >= n || delta == 0)
    return FALSE;
  g_object_ref (found);
  gtk_list_box_remove (self->channels_list, GTK_WIDGET (found));
  gtk_list_box_insert (self->channels_list, GTK_WIDGET (found), index + delta);
  g_object_unref (found);
  apply_channel_order (self);
  return TRUE;
}

static void
on_channel_up (GtkButton *button, AtomscopeWindow *self)
{
  atomscope_window_move_channel (self, g_object_get_data (G_OBJECT (button), CHANNEL_LABEL_KEY), -1);
}

static void
on_channel_down (GtkButton *button, AtomscopeWindow *self)
{
  atomscope_window_move_channel (self, g_object_get_data (G_OBJECT (button), CHANNEL_LABEL_KEY), 1);
}

/* One row per recorded channel, by type: shown or not, bad or not, moved up or down.
 * A new recording starts with every channel shown, none marked bad, in the montage's order. */
static void
fill_channels (AtomscopeWindow *self, AsRecording *rec)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->channels_list))) != NULL)
    gtk_list_box_remove (self->channels_list, child);
  g_clear_pointer (&self->hidden_channels, g_ptr_array_unref);
  g_clear_pointer (&self->bad_channels, g_ptr_array_unref);
  atomscope_signal_view_set_channel_order (self->signal_view, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->channels_button), rec != NULL && rec->n_channels > 0);
  if (rec == NULL)
    {
      apply_channel_marks (self);
      return;
    }
  for (guint pass = 0; pass < 2; pass++)
    for (guint c = 0; c < rec->n_channels; c++)
      {
        const AsChannel *ch = &rec->channels[c];
        /* EEG first, then the other types, each in recorded order. */
        gboolean first = ch->type == AS_CHANNEL_EEG || ch->type == AS_CHANNEL_MEG;
        GtkWidget *box, *check, *type, *bad, *up, *down;

        if ((pass == 0) != first)
          continue;
        box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        check = gtk_check_button_new_with_label (ch->label);
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
        gtk_widget_set_hexpand (check, TRUE);
        g_object_set_data_full (G_OBJECT (check), CHANNEL_LABEL_KEY, g_strdup (ch->label), g_free);
        g_signal_connect_object (check, "toggled", G_CALLBACK (on_channel_shown), self, 0);
        type = gtk_label_new (as_channel_type_to_string (ch->type));
        gtk_widget_add_css_class (type, "dim-label");
        bad = gtk_toggle_button_new_with_label (_("Bad"));
        gtk_widget_add_css_class (bad, "flat");
        gtk_widget_set_tooltip_text (bad, _("Mark this channel bad: dimmed here, left out of learning, kept in exports"));
        g_object_set_data_full (G_OBJECT (bad), CHANNEL_LABEL_KEY, g_strdup (ch->label), g_free);
        g_signal_connect_object (bad, "toggled", G_CALLBACK (on_channel_bad), self, 0);
        up = gtk_button_new_from_icon_name ("go-up-symbolic");
        down = gtk_button_new_from_icon_name ("go-down-symbolic");
        gtk_widget_set_tooltip_text (up, _("Draw this channel one row higher"));
        gtk_widget_set_tooltip_text (down, _("Draw this channel one row lower"));
        for (guint i = 0; i < 2; i++)
          {
            GtkWidget *button = i == 0 ? up : down;
            gtk_widget_add_css_class (button, "flat");
            g_object_set_data_full (G_OBJECT (button), CHANNEL_LABEL_KEY, g_strdup (ch->label), g_free);
            g_signal_connect_object (button, "clicked", G_CALLBACK (i == 0 ? on_channel_up : on_channel_down),
                                     self, 0);
          }
        gtk_box_append (GTK_BOX (box), check);
        gtk_box_append (GTK_BOX (box), type);
        gtk_box_append (GTK_BOX (box), up);
        gtk_box_append (GTK_BOX (box), down);
        gtk_box_append (GTK_BOX (box), bad);
        gtk_list_box_append (self->channels_list, box);
      }
  apply_channel_marks (self);
}

/* The row widget of @label in the channel list: its check box (@bad FALSE) or its Bad toggle. */
static GtkWidget *
channel_control (AtomscopeWindow *self, const char *label, gboolean bad)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->channels_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *check = gtk_widget_get_first_child (box);
      GtkWidget *toggle = gtk_widget_get_last_child (box);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (check), CHANNEL_LABEL_KEY), label) == 0)
        return bad ? toggle : check;
    }
  return NULL;
}

void
atomscope_window_set_channel_shown (AtomscopeWindow *self, const char *label, gboolean shown)
{
  GtkWidget *check = channel_control (self, label, FALSE);

  if (check != NULL)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), shown);
}

void
atomscope_window_set_channel_bad (AtomscopeWindow *self, const char *label, gboolean bad)
{
  GtkWidget *toggle = channel_control (self, label, TRUE);

  if (toggle != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), bad);
}

/* ---- channels per page ------------------------------------------------------------ */

/* Rows of the drop-down: all channels, then pages of 8 to 32 rows. */
static const guint channels_per_page[] = { 0, 8, 16, 20, 32 };

static void
on_channels_per_page (GtkDropDown *dropdown, GParamSpec *pspec, AtomscopeWindow *self)
{
  guint row = gtk_drop_down_get_selected (dropdown);

  if (row < G_N_ELEMENTS (channels_per_page))
    atomscope_signal_view_set_channels_per_page (self->signal_view, channels_per_page[row]);
}

/* A drop-down above the channel list (the toolbar stays narrow); the view
 * scrolls through the rows. */
static void
add_channels_per_page (AtomscopeWindow *self)
{
  const char *labels[] = { N_("All channels"), N_("8 per page"), N_("16 per page"), N_("20 per page"),
                           N_("32 per page"), NULL };
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);
  GtkPopover *popover = GTK_POPOVER (gtk_menu_button_get_popover (self->channels_button));
  g_autoptr (GtkWidget) list = g_object_ref (gtk_popover_get_child (popover));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (_("Channels _per page"));
  GtkWidget *dropdown;

  for (guint i = 0; labels[i] != NULL; i++)
    gtk_string_list_append (model, _(labels[i]));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (model)), NULL);
  gtk_widget_set_tooltip_text (dropdown, _("Channels per page: ↑/↓, Shift+PgUp/PgDn or the mouse wheel scroll through the others"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), dropdown);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 6);
  g_signal_connect_object (dropdown, "notify::selected", G_CALLBACK (on_channels_per_page), self, 0);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), dropdown);
  gtk_popover_set_child (popover, NULL);
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), list);
  gtk_popover_set_child (popover, box);
  self->channels_per_page_dropdown = GTK_DROP_DOWN (dropdown);
}

/* ---- the events list ------------------------------------------------------------ */

#define EVENT_ONSET_KEY "atomscope-event-onset"
#define EVENT_TEXT_KEY "atomscope-event-text"

static char *
format_time (const AsRecording *rec, double t)
{
  if (rec->start_time != NULL)
    {
      g_autoptr (GDateTime) at = g_date_time_add (rec->start_time, (GTimeSpan) llround (t * G_TIME_SPAN_SECOND));
      /* To the hundredth: annotations are placed finer than a second. */
      if (at != NULL)
        {
          g_autofree char *clock = g_date_time_format (at, "%H:%M:%S");
          return g_strdup_printf ("%s.%02d", clock, g_date_time_get_microsecond (at) / 10000);
        }
    }
  return g_strdup_printf ("%.2f s", t);
}

/* One row per annotation (the window's list, which starts as the recording's
 * events): its time, text and duration, and buttons to edit or delete it. */
static void
fill_events (AtomscopeWindow *self, AsRecording *rec)
{
  GtkWidget *child;
  GArray *events = self->annotations;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->events_list))) != NULL)
    gtk_list_box_remove (self->events_list, child);
  gtk_widget_set_sensitive (GTK_WIDGET (self->events_button), rec != NULL);
  if (rec == NULL || events == NULL)
    return;
  for (guint i = 0; i < events->len; i++)
    {
      const AsEvent *ev = &g_array_index (events, AsEvent, i);
      g_autofree char *when = format_time (rec, ev->onset);
      g_autofree char *text = ev->duration > 0
                                ? g_strdup_printf ("%s  %s  (%.2f s)", when, ev->label, ev->duration)
                                : g_strdup_printf ("%s  %s", when, ev->label);
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
      GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      double *onset = g_new (double, 1);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_add_css_class (edit, "flat");
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (edit, _("Edit this annotation"));
      gtk_widget_set_tooltip_text (remove, _("Delete this annotation (Ctrl+Z brings it back)"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "win.edit-annotation");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "u", i);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "win.delete-annotation");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), edit);
      gtk_box_append (GTK_BOX (box), remove);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      *onset = ev->onset + ev->duration / 2;
      g_object_set_data_full (G_OBJECT (row), EVENT_ONSET_KEY, onset, g_free);
      g_object_set_data_full (G_OBJECT (row), EVENT_TEXT_KEY, g_utf8_casefold (ev->label, -1), g_free);
      gtk_list_box_append (self->events_list, row);
    }
}

void
atomscope_window_browser_update_events (AtomscopeWindow *self, AsRecording *rec)
{
  fill_events (self, rec);
  gtk_widget_queue_draw (GTK_WIDGET (self->overview_area));
}

static gboolean
event_row_visible (GtkListBoxRow *row, gpointer user_data)
{
  AtomscopeWindow *self = user_data;
  const char *text = g_object_get_data (G_OBJECT (row), EVENT_TEXT_KEY);
  g_autofree char *want = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->events_search)), -1);

  return want[0] == '\0' || (text != NULL && strstr (text, want) != NULL);
}

guint
atomscope_window_count_visible_events (AtomscopeWindow *self)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->events_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_get_child_visible (row))
      n++;
  return n;
}

static void
on_event_activated (AtomscopeWindow *self, GtkListBoxRow *row)
{
  double *t = g_object_get_data (G_OBJECT (row), EVENT_ONSET_KEY);

  if (t == NULL)
    return;
  atomscope_signal_view_centre_on (self->signal_view, *t);
  gtk_popover_popdown (self->events_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->signal_view));
}

/* ---- the overview strip ---------------------------------------------------------- */

static void
draw_overview (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  AtomscopeWindow *self = user_data;
  AsFigureStyle style;

  atomscope_figure_style_init (&style);
  as_figure_draw_overview_events (cr, width, height, &style,
                                  atomscope_signal_view_get_recording (self->signal_view),
                                  atomscope_signal_view_get_annotations (self->signal_view),
                                  atomscope_signal_view_get_page_start (self->signal_view),
                                  atomscope_signal_view_get_page_length (self->signal_view));
}

static void
overview_go (AtomscopeWindow *self, double x)
{
  AsRecording *rec = atomscope_signal_view_get_recording (self->signal_view);

  if (rec != NULL)
    atomscope_signal_view_centre_on (self->signal_view,
                                     as_figure_overview_time_at (x, gtk_widget_get_width (GTK_WIDGET (self->overview_area)), rec));
}

static void
on_overview_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  AtomscopeWindow *self = user_data;

  g_object_set_data (G_OBJECT (gesture), "atomscope-x0", GINT_TO_POINTER ((int) x));
  overview_go (self, x);
}

static void
on_overview_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  double x0 = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (gesture), "atomscope-x0"));

  overview_go (user_data, x0 + dx);
}

/* A new recording: the display filters a clinical viewer starts with for its
 * kind, and the montage chosen so far if it can be formed on it. */
void
atomscope_window_browser_set_recording (AtomscopeWindow *self, AsRecording *rec)
{
  AsDisplayFilters f;
  AsDerivationKind kind = atomscope_signal_view_get_montage (self->signal_view);

  atomscope_window_annotations_reset (self, rec, FALSE);
  fill_events (self, rec);
  fill_channels (self, rec);
  gtk_widget_queue_draw (GTK_WIDGET (self->overview_area));
  as_display_filters_default (&f, rec != NULL ? rec->kind : AS_RECORDING_GENERIC);
  remembered_filters (self, rec, &f.filter);
  self->montage_guard = TRUE;
  gtk_spin_button_set_value (self->highpass_spin, f.filter.highpass);
  gtk_spin_button_set_value (self->lowpass_spin, f.filter.lowpass);
  gtk_drop_down_set_selected (self->notch_dropdown,
                              f.filter.notch == 50 ? 1 : f.filter.notch == 60 ? 2 : 0);
  self->montage_guard = FALSE;
  on_filters_changed (self);
  /* A clinical sensitivity for the unit of the first channel, per millimetre. */
  if (rec != NULL && rec->n_channels > 0 && rec->channels[0].unit != NULL)
    {
      const char *unit = rec->channels[0].unit;
      double per_mm = 1.0;

      if (g_str_equal (unit, "uV") || g_str_equal (unit, "µV"))
        per_mm = 7.0;
      else if (g_str_equal (unit, "mV"))
        per_mm = 0.1;
      else if (g_str_has_prefix (unit, "deg") || g_str_equal (unit, "°"))
        per_mm = 0.5;
      gtk_spin_button_set_value (self->sensitivity_spin, per_mm);
    }
  /* EEG is read at a fixed sensitivity, as on paper; other signals fill their rows. */
  gtk_drop_down_set_selected (self->scale_dropdown,
                              rec != NULL && rec->kind == AS_RECORDING_EEG ? 2 : 0);
  if (kind != AS_DERIVATION_AS_RECORDED && kind != AS_DERIVATION_USER)
    apply_montage (self, kind, NULL);
  else
    set_montage_row (self, AS_DERIVATION_AS_RECORDED);
}

static void
on_scale_changed (AtomscopeWindow *self)
{
  guint mode = gtk_drop_down_get_selected (self->scale_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->sensitivity_spin), mode == 2);
  g_object_set (self->signal_view,
                "common-scale", mode == 1,
                "sensitivity", mode == 2 ? gtk_spin_button_get_value (self->sensitivity_spin) : 0.0,
                NULL);
}

/* The + and − keys change the view's sensitivity: the spin button follows. */
static void
on_view_sensitivity (AtomscopeWindow *self)
{
  double value;

  g_object_get (self->signal_view, "sensitivity", &value, NULL);
  if (value > 0)
    gtk_spin_button_set_value (self->sensitivity_spin, value);
}

/* Millimetres on the monitor the window is on, so that µV/mm means what it
 * says on paper (96 dpi when the monitor does not tell its size). */
static void
update_pixels_per_mm (AtomscopeWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));
  GdkMonitor *monitor = surface != NULL ? gdk_display_get_monitor_at_surface (display, surface) : NULL;
  double per_mm = 96.0 / 25.4;

  if (monitor != NULL && gdk_monitor_get_width_mm (monitor) > 0)
    {
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      per_mm = geometry.width / (double) gdk_monitor_get_width_mm (monitor);
    }
  g_object_set (self->signal_view, "pixels-per-mm", per_mm, NULL);
}

/* Scrolling over a spin button in a popover pages the trace, not the value. */
static gboolean
swallow_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer user_data)
{
  return TRUE;
}

static void
protect_from_scroll (GtkWidget *widget)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (swallow_scroll), NULL);
  gtk_widget_add_controller (widget, scroll);
}

/* PgUp/PgDn, arrows, Home/End and ± page the trace from anywhere in the
 * browser, not only when the trace has the focus. */
static gboolean
on_browser_key (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  AtomscopeWindow *self = user_data;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  return atomscope_signal_view_handle_key_state (self->signal_view, keyval, state);
}

void
atomscope_window_browser_init (AtomscopeWindow *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkWidget *browser = gtk_widget_get_ancestor (GTK_WIDGET (self->signal_view), GTK_TYPE_BOX);

  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_browser_key), self);
  gtk_widget_add_controller (browser, keys);
  g_signal_connect_object (self->montage_dropdown, "notify::selected",
                           G_CALLBACK (on_montage_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->highpass_spin, "value-changed", G_CALLBACK (on_filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lowpass_spin, "value-changed", G_CALLBACK (on_filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->notch_dropdown, "notify::selected",
                           G_CALLBACK (on_filters_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scale_dropdown, "notify::selected",
                           G_CALLBACK (on_scale_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sensitivity_spin, "value-changed",
                           G_CALLBACK (on_scale_changed), self, G_CONNECT_SWAPPED);
  gtk_drawing_area_set_draw_func (self->overview_area, draw_overview, self, NULL);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_overview_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_overview_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self->overview_area), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect_object (self->signal_view, "notify::page-start", G_CALLBACK (gtk_widget_queue_draw),
                           self->overview_area, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->signal_view, "notify::page-length", G_CALLBACK (gtk_widget_queue_draw),
                           self->overview_area, G_CONNECT_SWAPPED);
  gtk_list_box_set_filter_func (self->events_list, event_row_visible, self, NULL);
  g_signal_connect_object (self->events_search, "search-changed",
                           G_CALLBACK (gtk_list_box_invalidate_filter), self->events_list, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->events_list, "row-activated", G_CALLBACK (on_event_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->signal_view, "notify::sensitivity",
                           G_CALLBACK (on_view_sensitivity), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (update_pixels_per_mm), NULL);
  add_channels_per_page (self);
  protect_from_scroll (GTK_WIDGET (self->highpass_spin));
  protect_from_scroll (GTK_WIDGET (self->lowpass_spin));
  protect_from_scroll (GTK_WIDGET (self->sensitivity_spin));
}
