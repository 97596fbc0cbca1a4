/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-inflater-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* Discord ends every zlib-stream payload with a Z_SYNC_FLUSH, whose empty
 * stored block is these four bytes. */
static const guint8 zlib_suffix[4] = { 0x00, 0x00, 0xff, 0xff };

#define INITIAL_OUTPUT_SIZE 16384
/* Buffers are reused between payloads up to this size; after a larger
 * payload (a GUILD_CREATE of many MiB) they go back to their initial size,
 * so an idle shard does not keep the largest payload it ever saw. */
#define MAX_KEPT_SIZE       (1024 * 1024)

struct _DGatewayInflater
{
  DGatewayCompression compression;
  gsize max_payload_size;
  z_stream zlib;
  ZSTD_DStream *zstd;
  GByteArray *pending;   /* zlib-stream: messages waiting for the suffix */
  guint8 *output;        /* reused between payloads */
  gsize output_size;
  gboolean broken;
};

DGatewayInflater *
dgateway_inflater_new (DGatewayCompression compression,
                       gsize               max_payload_size)
{
  DGatewayInflater *self = g_new0 (DGatewayInflater, 1);

  g_assert (compression != DGATEWAY_COMPRESSION_NONE);

  self->compression = compression;
  self->max_payload_size = max_payload_size;
  self->pending = g_byte_array_new ();
  self->output_size = INITIAL_OUTPUT_SIZE;
  self->output = g_malloc (self->output_size);

  if (compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    {
      if (inflateInit (&self->zlib) != Z_OK)
        self->broken = TRUE;
    }
  else
    {
      self->zstd = ZSTD_createDStream ();
      if (self->zstd == NULL || ZSTD_isError (ZSTD_initDStream (self->zstd)))
        self->broken = TRUE;
    }

  return self;
}

void
dgateway_inflater_free (DGatewayInflater *self)
{
  if (self == NULL)
    return;

  if (self->compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    inflateEnd (&self->zlib);
  g_clear_pointer (&self->zstd, ZSTD_freeDStream);
  g_byte_array_unref (self->pending);
  g_free (self->output);
  g_free (self);
}

/* Grows the output buffer so that at least one more byte fits past @used,
 * or fails once a payload is past the size cap. The buffer may hold one
 * byte more than the cap (plus the NUL), so a payload of exactly the cap
 * fits and one byte more is caught. */
static gboolean
grow_output (DGatewayInflater  *self,
             gsize              used,
             GError           **error)
{
  gsize new_size;

  if (used > self->max_payload_size)
    {
      g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE,
                   _("A payload is larger than the limit of %lu bytes"),
                   (gulong) self->max_payload_size);
      return FALSE;
    }

  if (used < self->output_size - 1)
    return TRUE;

  new_size = self->output_size <= G_MAXSIZE / 2 ? self->output_size * 2 : G_MAXSIZE;
  if (self->max_payload_size <= G_MAXSIZE - 2)
    new_size = MIN (new_size, self->max_payload_size + 2);
  self->output = g_realloc (self->output, new_size);
  self->output_size = new_size;
  return TRUE;
}

static gboolean
stream_error (DGatewayInflater  *self,
              const char        *detail,
              GError           **error)
{
  self->broken = TRUE;
  g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
               _("The compressed stream from the gateway is corrupt: %s"),
               detail ? detail : _("unknown error"));
  return FALSE;
}

static gboolean
inflate_zlib (DGatewayInflater  *self,
              const guint8      *data,
              gsize              length,
              gsize             *out_length,
              GError           **error)
{
  gsize used = 0;
  int status;

  self->zlib.next_in = (Bytef *) data;
  self->zlib.avail_in = length;

  do
    {
      if (!grow_output (self, used, error))
        return (self->broken = TRUE, FALSE);

      self->zlib.next_out = self->output + used;
      self->zlib.avail_out = self->output_size - used - 1;
      status = inflate (&self->zlib, Z_SYNC_FLUSH);
      used = self->output_size - 1 - self->zlib.avail_out;

      if (status != Z_OK && status != Z_BUF_ERROR)
        return stream_error (self, self->zlib.msg, error);
      /* Z_BUF_ERROR with room left means no progress is possible. */
      if (status == Z_BUF_ERROR && self->zlib.avail_out > 0)
        break;
    }
  while (self->zlib.avail_in > 0 || self->zlib.avail_out == 0);

  *out_length = used;
  return TRUE;
}

static gboolean
feed_zlib (DGatewayInflater  *self,
           const guint8      *data,
           gsize              length,
           gsize             *out_length,
           GError           **error)
{
  gboolean complete = length >= 4 && memcmp (data + length - 4, zlib_suffix, 4) == 0;

  if (!complete || self->pending->len > 0)
    {
      if (self->pending->len + length > self->max_payload_size)
        return stream_error (self, _("a partial payload is too large"), error);
      g_byte_array_append (self->pending, data, length);
      /* The suffix may itself be split: a last message shorter than four
       * bytes ends the payload too. */
      complete = self->pending->len >= 4 &&
                 memcmp (self->pending->data + self->pending->len - 4, zlib_suffix, 4) == 0;
    }

  if (!complete)
    {
      *out_length = 0;
      return TRUE;
    }

  /* A payload split over several messages is inflated from the buffer;
   * the common single-message payload goes straight from the frame. */
  if (self->pending->len > 0)
    {
      gboolean ok = inflate_zlib (self, self->pending->data, self->pending->len,
                                  out_length, error);

      if (self->pending->len > MAX_KEPT_SIZE)
        {
          g_byte_array_unref (self->pending);
          self->pending = g_byte_array_new ();
        }
      else
        g_byte_array_set_size (self->pending, 0);
      return ok;
    }

  return inflate_zlib (self, data, length, out_length, error);
}

static gboolean
feed_zstd (DGatewayInflater  *self,
           const guint8      *data,
           gsize              length,
           gsize             *out_length,
           GError           **error)
{
  ZSTD_inBuffer input = { data, length, 0 };
  ZSTD_outBuffer output = { self->output, 0, 0 };
  size_t status;

  /* An empty message carries nothing, and breaks nothing. */
  if (length == 0)
    {
      *out_length = 0;
      return TRUE;
    }

  do
    {
      if (!grow_output (self, output.pos, error))
        return (self->broken = TRUE, FALSE);

      output.dst = self->output;
      output.size = self->output_size - 1;
      status = ZSTD_decompressStream (self->zstd, &output, &input);
      if (ZSTD_isError (status))
        return stream_error (self, ZSTD_getErrorName (status), error);
    }
  while (input.pos < input.size || output.pos == output.size);

  *out_length = output.pos;
  return TRUE;
}

/*
 * dgateway_inflater_feed:
 *
 * Feeds one binary WebSocket message. Returns TRUE with @payload set when a
 * whole payload is ready (NUL-terminated, valid until the next call), TRUE
 * with @payload NULL when more messages are needed, and FALSE with @error
 * when the stream is corrupt or a payload passes the size cap; after an
 * error the stream cannot continue and the connection must be replaced.
 */
gboolean
dgateway_inflater_feed (DGatewayInflater  *self,
                        const guint8      *data,
                        gsize              length,
                        const char       **payload,
                        gsize             *payload_length,
                        GError           **error)
{
  gsize out_length = 0;
  gboolean ok;

  *payload = NULL;
  *payload_length = 0;

  if (self->broken)
    return stream_error (self, _("the stream already failed"), error);

  /* The last payload, valid until this call, is no longer in use. */
  if (self->output_size > MAX_KEPT_SIZE)
    {
      g_free (self->output);
      self->output_size = INITIAL_OUTPUT_SIZE;
      self->output = g_malloc (self->output_size);
    }

  if (self->compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    ok = feed_zlib (self, data, length, &out_length, error);
  else
    ok = feed_zstd (self, data, length, &out_length, error);

  if (!ok || out_length == 0)
    return ok;
  /* The initial buffer may be larger than a small cap. */
  if (!grow_output (self, out_length, error))
    return (self->broken = TRUE, FALSE);

  self->output[out_length] = '\0';
  *payload = (const char *) self->output;
  *payload_length = out_length;
  return TRUE;
}

/* What the inflater holds between payloads, for the tests. */
gsize
dgateway_inflater_get_kept_size (DGatewayInflater *self)
{
  return self->output_size;
}
