/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* fuzz-inflater: the inflater on hostile and on honest streams.
 *
 * The first byte of an input picks the mode (bit 0: zlib-stream or
 * zstd-stream; bit 1: raw or round trip), the second the payload cap.
 *
 * Raw: the rest is a series of binary messages, each a length byte and
 * that many bytes, fed as they are. Nothing may crash or leak, a payload
 * never passes the cap, and once the stream fails it stays failed.
 *
 * Round trip: the rest is a series of payloads separated by newlines,
 * each compressed as Discord does (one zlib stream with Z_SYNC_FLUSH, or
 * one zstd stream with ZSTD_e_flush) and sent as one message, or for zlib
 * split into two or three at places the next input bytes choose. Each must
 * come out exactly as it went in, or fail only for passing the cap. Every
 * payload that comes out is also given to dgateway_payload_parse(). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "dgateway-error.h"
#include "dgateway-inflater-private.h"
#include "dgateway-payload-private.h"

static G_NORETURN void
report (const char *what)
{
  fprintf (stderr, "fuzz-inflater: %s\n", what);
  abort ();
}

/* Checks what one feed gave, and parses it. */
static void
check_output (gboolean      ok,
              GError       *error,
              const char   *payload,
              gsize         length,
              gsize         cap)
{
  g_autoptr(DGatewayPayload) parsed = NULL;

  if (!ok)
    {
      /* A corrupt stream, or a payload over the cap. */
      if ((!g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL) &&
           !g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE)) ||
          payload != NULL)
        report ("a failure without a protocol or size error, or with a payload");
      return;
    }
  if (payload == NULL)
    return;
  if (length == 0 || length > cap || payload[length] != '\0')
    report ("a payload that is empty, too large or not NUL-terminated");

  parsed = dgateway_payload_parse (payload, length, NULL);
}

static void
run_raw (DGatewayInflater *inflater,
         const guint8     *data,
         size_t            size,
         gsize             cap)
{
  gboolean failed = FALSE;

  while (size > 0)
    {
      gsize length = MIN (data[0], size - 1);
      g_autoptr(GError) error = NULL;
      const char *payload;
      gsize payload_length;
      gboolean ok = dgateway_inflater_feed (inflater, data + 1, length, &payload, &payload_length,
                                            &error);

      check_output (ok, error, payload, payload_length, cap);
      if (failed && ok)
        report ("a failed stream went on");
      failed |= !ok;
      data += 1 + length;
      size -= 1 + length;
    }
}

/* The compressing end of a connection. */
typedef struct
{
  gboolean zstd;
  z_stream zlib;
  ZSTD_CStream *cstream;
} Deflater;

static GByteArray *
deflate_payload (Deflater     *self,
                 const guint8 *text,
                 gsize         length)
{
  GByteArray *out = g_byte_array_new ();
  guint8 chunk[16384];

  self->zlib.next_in = (Bytef *) text;
  self->zlib.avail_in = length;
  do
    {
      self->zlib.next_out = chunk;
      self->zlib.avail_out = sizeof chunk;
      if (deflate (&self->zlib, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
        report ("deflate failed");
      g_byte_array_append (out, chunk, sizeof chunk - self->zlib.avail_out);
    }
  while (self->zlib.avail_out == 0);

  return out;
}

static GByteArray *
zstd_payload (Deflater     *self,
              const guint8 *text,
              gsize         length)
{
  GByteArray *out = g_byte_array_new ();
  guint8 chunk[16384];
  ZSTD_inBuffer input = { text, length, 0 };
  size_t remaining;

  do
    {
      ZSTD_outBuffer output = { chunk, sizeof chunk, 0 };

      remaining = ZSTD_compressStream2 (self->cstream, &output, &input, ZSTD_e_flush);
      if (ZSTD_isError (remaining))
        report ("zstd compression failed");
      g_byte_array_append (out, chunk, output.pos);
    }
  while (remaining > 0);

  return out;
}

/* Where to cut the message, from @from on. As Discord does, and as its
 * documentation expects: the last message holds the whole zlib suffix,
 * and no other message ends with bytes that look like one, since the
 * inflater would take them for the end. */
static gsize
split_point (const GByteArray *message,
             gsize             from,
             guint8            choice)
{
  gsize point;

  if (message->len < from + 4)
    return from;
  point = from + choice % (message->len - 4 - from + 1);

  if (point >= 4 && memcmp (message->data + point - 4, "\x00\x00\xff\xff", 4) == 0)
    return from;
  return point;
}

/* Sends one compressed payload as one to three messages; the last one
 * must give @text back. */
static gboolean
send_payload (DGatewayInflater *inflater,
              const GByteArray *message,
              const guint8     *choices,
              const guint8     *text,
              gsize             length,
              gsize             cap)
{
  gsize cuts[3] = { 0, 0, message->len };
  gsize from = 0;

  /* The compressor may have nothing to send for an empty payload, and
   * then nothing goes on the wire. */
  if (message->len == 0)
    return TRUE;

  if (choices != NULL && message->len > 4)
    {
      cuts[0] = split_point (message, 0, choices[0]);
      cuts[1] = split_point (message, cuts[0], choices[1]);
    }

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *payload;
      gsize payload_length;
      gboolean ok;

      if (cuts[i] == from && i < 2)
        continue;
      ok = dgateway_inflater_feed (inflater, message->data + from, cuts[i] - from,
                                   &payload, &payload_length, &error);
      check_output (ok, error, payload, payload_length, cap);
      from = cuts[i];

      if (!ok)
        {
          /* Only a payload past the cap may fail, or one whose
           * compressed form is past it. */
          if (length <= cap && message->len <= cap)
            report ("an honest stream failed");
          return FALSE;
        }
      if (i < 2 && payload != NULL)
        report ("a payload came out before its end");
      if (i == 2 && length > cap)
        report ("a payload past the cap came out");
      if (i == 2 && (payload_length != length || (length > 0 && memcmp (payload, text, length) != 0)))
        report ("a payload came out changed");
    }

  return TRUE;
}

/* One compressor of each kind for the whole run, reset for each input:
 * making them costs more than the rest of an input. */
static Deflater *
get_deflater (gboolean zstd)
{
  static Deflater zlib_deflater, zstd_deflater = { .zstd = TRUE };

  if (zstd)
    {
      if (zstd_deflater.cstream == NULL)
        zstd_deflater.cstream = ZSTD_createCStream ();
      ZSTD_CCtx_reset (zstd_deflater.cstream, ZSTD_reset_session_only);
      return &zstd_deflater;
    }

  if (zlib_deflater.zlib.state == NULL && deflateInit (&zlib_deflater.zlib, Z_DEFAULT_COMPRESSION) != Z_OK)
    report ("deflateInit failed");
  deflateReset (&zlib_deflater.zlib);
  return &zlib_deflater;
}

static void
run_round_trip (DGatewayInflater *inflater,
                gboolean          zstd,
                const guint8     *data,
                size_t            size,
                gsize             cap)
{
  Deflater *deflater = get_deflater (zstd);
  gboolean ok = TRUE;

  while (ok && size > 0)
    {
      const guint8 *newline = memchr (data, '\n', size);
      gsize length = newline ? (gsize) (newline - data) : size;
      g_autoptr(GByteArray) message = zstd ? zstd_payload (deflater, data, length)
                                           : deflate_payload (deflater, data, length);
      const guint8 *choices = !zstd && newline && size - length > 2 ? newline + 1 : NULL;

      ok = send_payload (inflater, message, choices, data, length, cap);
      length += newline ? 1 : 0;
      data += length;
      size -= length;
      if (choices != NULL)
        data += 2, size -= 2;
    }
}

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  DGatewayCompression compression;
  g_autoptr(DGatewayInflater) inflater = NULL;
  gsize cap;

  if (size < 2)
    return 0;

  compression = data[0] & 1 ? DGATEWAY_COMPRESSION_ZSTD_STREAM : DGATEWAY_COMPRESSION_ZLIB_STREAM;
  /* From 1 byte to 64 MiB, most of them small enough to be reached. */
  cap = data[1] < 200 ? (gsize) data[1] * 64 + 1 : (gsize) 1 << (14 + (data[1] - 200) % 13);
  inflater = dgateway_inflater_new (compression, cap);

  if (data[0] & 2)
    run_round_trip (inflater, compression == DGATEWAY_COMPRESSION_ZSTD_STREAM,
                    data + 2, size - 2, cap);
  else
    run_raw (inflater, data + 2, size - 2, cap);
  return 0;
}
