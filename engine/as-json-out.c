/* as-json-out.c: valid JSON, always.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-json-out"

#include "config.h"

#include <math.h>
#include <string.h>

#include "as-json-out.h"

typedef struct
{
  gboolean object;
  guint    count;
} Level;

struct _AsJsonOut
{
  GString *text;
  GArray  *stack;        /* of Level */
  gboolean after_name;   /* a member name was written, its value comes next */
};

AsJsonOut *
as_json_out_new (void)
{
  AsJsonOut *out = g_new0 (AsJsonOut, 1);

  out->text = g_string_new (NULL);
  out->stack = g_array_new (FALSE, FALSE, sizeof (Level));
  return out;
}

void
as_json_out_free (AsJsonOut *out)
{
  if (out == NULL)
    return;
  g_string_free (out->text, TRUE);
  g_array_unref (out->stack);
  g_free (out);
}

const char *
as_json_out_get_text (AsJsonOut *out, gsize *length)
{
  if (length != NULL)
    *length = out->text->len;
  return out->text->str;
}

static void
newline (AsJsonOut *out)
{
  g_string_append_c (out->text, '\n');
  for (guint i = 0; i < out->stack->len; i++)
    g_string_append (out->text, "  ");
}

/* Separator and indentation before a value (or a member name). */
static void
before_value (AsJsonOut *out)
{
  Level *top;

  if (out->after_name)
    {
      out->after_name = FALSE;
      return;
    }
  if (out->stack->len == 0)
    return;
  top = &g_array_index (out->stack, Level, out->stack->len - 1);
  g_return_if_fail (!top->object);   /* an object's values need a member name */
  if (top->count++ > 0)
    g_string_append_c (out->text, ',');
  newline (out);
}

static void
append_escaped (GString *s, const char *value)
{
  g_string_append_c (s, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      const guchar c = (guchar) *p;
      switch (c)
        {
        case '"':
          g_string_append (s, "\\\"");
          break;
        case '\\':
          g_string_append (s, "\\\\");
          break;
        case '\n':
          g_string_append (s, "\\n");
          break;
        case '\r':
          g_string_append (s, "\\r");
          break;
        case '\t':
          g_string_append (s, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (s, "\\u%04x", c);
          else
            g_string_append_c (s, (char) c);
        }
    }
  g_string_append_c (s, '"');
}

void
as_json_out_member (AsJsonOut *out, const char *name)
{
  Level *top;

  g_return_if_fail (out->stack->len > 0 && !out->after_name);
  top = &g_array_index (out->stack, Level, out->stack->len - 1);
  g_return_if_fail (top->object);
  if (top->count++ > 0)
    g_string_append_c (out->text, ',');
  newline (out);
  if (g_utf8_validate (name, -1, NULL))
    append_escaped (out->text, name);
  else
    {
      g_autofree char *safe = as_json_out_escape_bytes (name, NULL);
      append_escaped (out->text, safe);
    }
  g_string_append (out->text, ": ");
  out->after_name = TRUE;
}

static void
begin (AsJsonOut *out, gboolean object)
{
  Level l = { object, 0 };

  before_value (out);
  g_string_append_c (out->text, object ? '{' : '[');
  g_array_append_val (out->stack, l);
}

static void
end (AsJsonOut *out, gboolean object)
{
  Level top;

  g_return_if_fail (out->stack->len > 0 && !out->after_name);
  top = g_array_index (out->stack, Level, out->stack->len - 1);
  g_return_if_fail (top.object == object);
  g_array_set_size (out->stack, out->stack->len - 1);
  if (top.count > 0)
    newline (out);
  g_string_append_c (out->text, object ? '}' : ']');
  if (out->stack->len == 0)
    g_string_append_c (out->text, '\n');
}

void as_json_out_begin_object (AsJsonOut *out) { begin (out, TRUE); }
void as_json_out_end_object (AsJsonOut *out) { end (out, TRUE); }
void as_json_out_begin_array (AsJsonOut *out) { begin (out, FALSE); }
void as_json_out_end_array (AsJsonOut *out) { end (out, FALSE); }

void
as_json_out_string (AsJsonOut *out, const char *value)
{
  before_value (out);
  if (value == NULL)
    g_string_append (out->text, "null");
  else if (g_utf8_validate (value, -1, NULL))
    append_escaped (out->text, value);
  else
    {
      g_autofree char *safe = as_json_out_escape_bytes (value, NULL);
      append_escaped (out->text, safe);
    }
}

void
as_json_out_int (AsJsonOut *out, gint64 value)
{
  before_value (out);
  g_string_append_printf (out->text, "%" G_GINT64_FORMAT, value);
}

void
as_json_out_bool (AsJsonOut *out, gboolean value)
{
  before_value (out);
  g_string_append (out->text, value ? "true" : "false");
}

void
as_json_out_null (AsJsonOut *out)
{
  before_value (out);
  g_string_append (out->text, "null");
}

const char *
as_json_out_nonfinite_reason (double value)
{
  if (isnan (value))
    return "not a number";
  if (isinf (value))
    return value > 0 ? "infinite (+inf)" : "infinite (-inf)";
  return NULL;
}

void
as_json_out_format_double (char buf[G_ASCII_DTOSTR_BUF_SIZE], double value)
{
  /* %.15g reads back exactly for most values met in practice; %.17g always does. */
  for (int digits = 15; digits <= 17; digits++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, fmt, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  /* "-0" is valid JSON; so are "1e+30" and "5e-324": nothing to append. */
}

void
as_json_out_double (AsJsonOut *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  before_value (out);
  if (!isfinite (value))
    {
      g_string_append (out->text, "null");
      return;
    }
  as_json_out_format_double (buf, value);
  g_string_append (out->text, buf);
}

void
as_json_out_node (AsJsonOut *out, JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      as_json_out_null (out);
      return;
    }
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *o = json_node_get_object (node);
        g_autoptr (GList) members = json_object_get_members (o);

        as_json_out_begin_object (out);
        for (GList *l = members; l != NULL; l = l->next)
          {
            JsonNode *v = json_object_get_member (o, l->data);
            if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_DOUBLE)
              as_json_out_set_double (out, l->data, json_node_get_double (v));
            else
              {
                as_json_out_member (out, l->data);
                as_json_out_node (out, v);
              }
          }
        as_json_out_end_object (out);
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (node);

        as_json_out_begin_array (out);
        for (guint i = 0; i < json_array_get_length (a); i++)
          as_json_out_node (out, json_array_get_element (a, i));
        as_json_out_end_array (out);
        break;
      }
    case JSON_NODE_VALUE:
      {
        GType t = json_node_get_value_type (node);
        if (t == G_TYPE_INT64)
          as_json_out_int (out, json_node_get_int (node));
        else if (t == G_TYPE_DOUBLE)
          as_json_out_double (out, json_node_get_double (node));
        else if (t == G_TYPE_BOOLEAN)
          as_json_out_bool (out, json_node_get_boolean (node));
        else
          as_json_out_string (out, json_node_get_string (node));
        break;
      }
    case JSON_NODE_NULL:
    default:
      as_json_out_null (out);
    }
}

void
as_json_out_set_string (AsJsonOut *out, const char *name, const char *value)
{
  as_json_out_member (out, name);
  as_json_out_string (out, value);
}

void
as_json_out_set_int (AsJsonOut *out, const char *name, gint64 value)
{
  as_json_out_member (out, name);
  as_json_out_int (out, value);
}

void
as_json_out_set_bool (AsJsonOut *out, const char *name, gboolean value)
{
  as_json_out_member (out, name);
  as_json_out_bool (out, value);
}

void
as_json_out_set_double (AsJsonOut *out, const char *name, double value)
{
  const char *reason = as_json_out_nonfinite_reason (value);

  as_json_out_member (out, name);
  as_json_out_double (out, value);
  if (reason != NULL)
    {
      g_autofree char *key = g_strconcat (name, "_reason", NULL);
      as_json_out_set_string (out, key, reason);
    }
}

char *
as_json_out_escape_bytes (const char *bytes, gboolean *escaped)
{
  GString *s;
  const char *p = bytes, *end_valid;
  gboolean any = FALSE;

  if (bytes == NULL)
    {
      if (escaped != NULL)
        *escaped = FALSE;
      return NULL;
    }
  if (g_utf8_validate (bytes, -1, NULL))
    {
      if (escaped != NULL)
        *escaped = FALSE;
      return g_strdup (bytes);
    }
  s = g_string_new (NULL);
  while (*p != '\0')
    {
      g_utf8_validate (p, -1, &end_valid);
      for (const char *q = p; q < end_valid; q++)
        {
          if (*q == '\\')
            g_string_append (s, "\\\\");
          else
            g_string_append_c (s, *q);
        }
      p = end_valid;
      if (*p != '\0')
        {
          g_string_append_printf (s, "\\x%02X", (guchar) *p);
          p++;
          any = TRUE;
        }
    }
  if (escaped != NULL)
    *escaped = any;
  return g_string_free (s, FALSE);
}

char *
as_json_out_unescape_bytes (const char *text)
{
  GString *s;

  if (text == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] == '\\')
        {
          g_string_append_c (s, '\\');
          p++;
        }
      else if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          g_string_append_c (s, (char) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3])));
          p += 3;
        }
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}
