/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-etf-private.h"
#include "dgateway-json-private.h"
#include "dgateway-payload-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * A payload holds its own copy of the text, whose strings the parse
 * unescapes in place, plus the tape that dgateway-json.c builds over it
 * (see dgateway-json-private.h). The envelope members are found once, by
 * walking the top-level members only: `d` is skipped in one step whatever
 * its size. A JsonNode of `d` is made only when someone asks, and then
 * kept.
 *
 * A payload read from ETF (dgateway-etf.c) keeps no copy of its bytes:
 * `text` holds the strings of the tape instead, as many bytes as the ETF
 * had, which is room enough unless big integers crowd it, and then `spill`
 * holds the rest.
 *
 * The text, the tape, the spill and the JsonNode are the document; the
 * rest is the envelope. When the client has emitted every signal for a
 * payload, it ends the emission (dgateway_payload_end_emission()), and
 * unless someone kept the payload, the document goes, while the events and
 * views that share the payload read it as released: a JavaScript engine
 * frees a wrapper only when its collector runs, and sizes its collections
 * by its own heap, which does not see the kilobytes behind each event.
 * The text is a block of its own for that reason: the small rest lives on
 * as long as the last event or view.
 */
struct _DGatewayPayload
{
  gatomicrefcount ref_count;
  int op;
  gint64 seq;
  const char *name;      /* in the text, or name_copy once released */
  const DGatewayValue *data;
  DGatewayValue *tape;
  JsonNode *data_node;   /* atomic: made on first use */
  char *spill;           /* ETF only: strings that did not fit in text */
  char *text;
  char *name_copy;
  gsize document_size;   /* for dgateway_payload_get_live_bytes_for_tests() */

  /* The payload may be parsed on another thread, but it is handed to the
   * application's thread before anyone reads these, and keep and
   * end_emission run only there, around the client's emissions: plain
   * fields, no atomics. */
  guint kept : 1;
  guint released : 1;
};

/* Test-only: the bytes of text and tape that live payloads hold. Atomic,
 * since payloads may be parsed on another thread. */
static gsize live_bytes;

/* One warning per process: an application that reads late reads late for
 * every event. */
static gboolean warned_released;

/* Finds op, s, t and d among the top-level members; of two members with
 * the same name, the last one counts. */
static gboolean
read_envelope (DGatewayPayload *self)
{
  const DGatewayValue *root = self->tape;
  const DGatewayValue *name = root + 1;
  const DGatewayValue *op = NULL;

  if (root->type != DGATEWAY_VALUE_OBJECT)
    return FALSE;

  for (guint32 i = 0; i < root->length; i++, name = dgateway_json_next (name + 1))
    {
      if (name->flags & DGATEWAY_JSON_SHADOWED)
        continue;
      if (name->length == 2 && memcmp (name->u.string, "op", 2) == 0)
        op = name + 1;
      else if (name->length == 1 && name->u.string[0] == 's')
        self->seq = dgateway_value_get_int (name + 1, -1);
      else if (name->length == 1 && name->u.string[0] == 't')
        self->name = dgateway_value_get_string (name + 1);
      else if (name->length == 1 && name->u.string[0] == 'd')
        self->data = name + 1;
    }

  if (dgateway_value_get_value_type (op) != DGATEWAY_VALUE_INT)
    return FALSE;

  self->op = (int) op->u.integer;
  return TRUE;
}

/* A payload with @size bytes of room for its text or strings. */
static DGatewayPayload *
payload_new (gsize size)
{
  DGatewayPayload *self = g_new0 (DGatewayPayload, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->seq = -1;
  self->text = g_malloc (size);
  return self;
}

/* Frees the document; the envelope stays. */
static void
free_document (DGatewayPayload *self)
{
  g_atomic_pointer_add (&live_bytes, -(gssize) self->document_size);
  self->document_size = 0;
  self->data = NULL;
  g_clear_pointer (&self->data_node, json_node_unref);
  g_clear_pointer (&self->tape, g_free);
  g_clear_pointer (&self->spill, g_free);
  g_clear_pointer (&self->text, g_free);
}

/* The envelope, once the tape is there. */
static DGatewayPayload *
payload_finish (DGatewayPayload  *self,
                gsize             text_size,
                GError          **error)
{
  if (!read_envelope (self))
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The gateway sent a payload without an opcode"));
      dgateway_payload_unref (self);
      return NULL;
    }

  /* The root is an object, whose span covers the whole tape, array
   * indexes included; what the ETF reader spilled is not counted. */
  self->document_size = text_size + (gsize) self->tape->u.span * sizeof (DGatewayValue);
  g_atomic_pointer_add (&live_bytes, self->document_size);
  return self;
}

DGatewayPayload *
dgateway_payload_parse (const char  *text,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(DGatewayPayload) self = payload_new (length + 1);

  memcpy (self->text, text, length);
  self->text[length] = '\0';

  self->tape = dgateway_json_parse (self->text, length, error);
  if (self->tape == NULL)
    {
      g_prefix_error (error, _("The gateway sent a payload that is not valid JSON: "));
      return NULL;
    }

  return payload_finish (g_steal_pointer (&self), length + 1, error);
}

/*
 * dgateway_payload_parse_etf:
 * @data: the payload as one external term (`?encoding=etf`), version byte
 *   first
 * @length: its length in bytes
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * As dgateway_payload_parse(), from ETF: see dgateway-etf-private.h for
 * how terms read. @data is not kept.
 *
 * Returns: (transfer full) (nullable): the payload
 */
DGatewayPayload *
dgateway_payload_parse_etf (const guint8  *data,
                            gsize          length,
                            GError       **error)
{
  g_autoptr(DGatewayPayload) self = payload_new (length + 1);

  self->tape = dgateway_etf_parse (data, length, self->text, length + 1, &self->spill, error);
  if (self->tape == NULL)
    {
      g_prefix_error (error, _("The gateway sent a payload that is not valid ETF: "));
      return NULL;
    }

  return payload_finish (g_steal_pointer (&self), length + 1, error);
}

DGatewayPayload *
dgateway_payload_ref (DGatewayPayload *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dgateway_payload_unref (DGatewayPayload *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  free_document (self);
  g_free (self->name_copy);
  g_free (self);
}

static void
warn_released (const char *reader)
{
  if (warned_released)
    return;

  warned_released = TRUE;
  g_warning ("A %s was read after the signal emission that handed it over had ended, "
             "so its payload was released and it reads as empty. To read an event or a typed "
             "payload later, call dgateway_event_keep() or dgateway_object_keep() "
             "(keep() in bindings) on it during the emission. This warning is shown once.",
             reader);
}

/*
 * dgateway_payload_end_emission:
 * @self: a payload
 * @static_name: (nullable): the event name as a string that is never
 *   freed, such as that of the typed event, or `NULL` to copy it
 *
 * Called by the client once every handler of every signal it emitted for
 * @self has returned: unless dgateway_payload_keep() was called, the
 * document goes. A JsonNode of it that someone else holds a reference on
 * lives on through that reference.
 */
void
dgateway_payload_end_emission (DGatewayPayload *self,
                               const char      *static_name)
{
  if (self->kept || self->released)
    return;

  g_assert (static_name == NULL || g_strcmp0 (static_name, self->name) == 0);

  self->released = TRUE;
  /* The name points into the text, and the event still answers with it:
   * most events are known ones, whose name costs no copy. */
  if (static_name != NULL)
    self->name = static_name;
  else if (self->name != NULL)
    self->name = self->name_copy = g_strdup (self->name);
  free_document (self);
}

/*
 * dgateway_payload_keep:
 * @self: a payload
 * @reader: the type name of the object kept, for the warning
 *
 * Keeps the document of @self for as long as the payload lives, past the
 * end of its emission. Too late, once it is released: that warns as a
 * read would.
 */
void
dgateway_payload_keep (DGatewayPayload *self,
                       const char      *reader)
{
  if (self->released)
    warn_released (reader);
  else
    self->kept = TRUE;
}

/*
 * dgateway_payload_check_released:
 * @self: a payload
 * @reader: the type name of the object read, for the warning
 *
 * Whether the document of @self was released, for the readers of events
 * and views, which then answer with their defaults. The first time in the
 * process that a reader finds it released, it warns.
 *
 * Returns: `TRUE` if the document is gone
 */
gboolean
dgateway_payload_check_released (DGatewayPayload *self,
                                 const char      *reader)
{
  if (G_LIKELY (!self->released))
    return FALSE;

  warn_released (reader);
  return TRUE;
}

gsize
dgateway_payload_get_live_bytes_for_tests (void)
{
  return (gsize) g_atomic_pointer_get (&live_bytes);
}

void
dgateway_payload_reset_warning_for_tests (void)
{
  warned_released = FALSE;
}

int
dgateway_payload_get_op (DGatewayPayload *self)
{
  return self->op;
}

gint64
dgateway_payload_get_seq (DGatewayPayload *self)
{
  return self->seq;
}

const char *
dgateway_payload_get_name (DGatewayPayload *self)
{
  return self->name;
}

const DGatewayValue *
dgateway_payload_get_data (DGatewayPayload *self)
{
  return self->data;
}

/* Made at most once: threads that race here each build a tree, and all
 * but the first to publish theirs drop it. */
JsonNode *
dgateway_payload_get_data_node (DGatewayPayload *self)
{
  JsonNode *node = g_atomic_pointer_get (&self->data_node);

  if (node != NULL || self->data == NULL)
    return node;

  node = dgateway_value_to_json_node (self->data);
  if (!g_atomic_pointer_compare_and_exchange (&self->data_node, NULL, node))
    {
      json_node_unref (node);
      node = g_atomic_pointer_get (&self->data_node);
    }

  return node;
}

/* Written from the document: no JsonNode is made for it. */
char *
dgateway_payload_dup_data_json (DGatewayPayload *self)
{
  GString *out = g_string_sized_new (128);

  dgateway_json_write (self->data, out);
  return g_string_free (out, FALSE);
}
