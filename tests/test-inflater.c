/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <glib.h>

#include "dgateway-error.h"
#include "dgateway-inflater-private.h"

#define DEFAULT_MAX (64 * 1024 * 1024)

static const guint8 zlib_suffix[4] = { 0x00, 0x00, 0xff, 0xff };

/* The compressing end of one connection, as the Gateway runs it: one zlib
 * stream flushed with Z_SYNC_FLUSH after each payload, or one zstd stream
 * flushed with ZSTD_e_flush and never ended. */
typedef struct
{
  DGatewayCompression compression;
  z_stream zlib;
  ZSTD_CStream *zstd;
} Compressor;

static Compressor *
compressor_new (DGatewayCompression compression)
{
  Compressor *self = g_new0 (Compressor, 1);

  self->compression = compression;
  if (compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    {
      g_assert_cmpint (deflateInit (&self->zlib, Z_DEFAULT_COMPRESSION), ==, Z_OK);
    }
  else
    {
      self->zstd = ZSTD_createCStream ();
      g_assert_nonnull (self->zstd);
      g_assert_false (ZSTD_isError (ZSTD_CCtx_setParameter (self->zstd,
                                                            ZSTD_c_compressionLevel,
                                                            ZSTD_CLEVEL_DEFAULT)));
    }

  return self;
}

static void
compressor_free (Compressor *self)
{
  if (self->compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    deflateEnd (&self->zlib);
  g_clear_pointer (&self->zstd, ZSTD_freeCStream);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Compressor, compressor_free)

static GBytes *
compress_zlib (Compressor *self,
               const char *text,
               gsize       length)
{
  GByteArray *out = g_byte_array_new ();
  guint8 chunk[65536];

  self->zlib.next_in = (Bytef *) text;
  self->zlib.avail_in = length;
  do
    {
      self->zlib.next_out = chunk;
      self->zlib.avail_out = sizeof chunk;
      g_assert_cmpint (deflate (&self->zlib, Z_SYNC_FLUSH), ==, Z_OK);
      g_byte_array_append (out, chunk, sizeof chunk - self->zlib.avail_out);
    }
  while (self->zlib.avail_out == 0);
  g_assert_cmpuint (self->zlib.avail_in, ==, 0);

  /* What the inflater relies on to find the end of a payload. */
  g_assert_cmpuint (out->len, >=, 4);
  g_assert_cmpmem (out->data + out->len - 4, 4, zlib_suffix, 4);

  return g_byte_array_free_to_bytes (out);
}

static GBytes *
compress_zstd (Compressor *self,
               const char *text,
               gsize       length)
{
  GByteArray *out = g_byte_array_new ();
  ZSTD_inBuffer input = { text, length, 0 };
  guint8 chunk[65536];
  size_t remaining;

  do
    {
      ZSTD_outBuffer output = { chunk, sizeof chunk, 0 };

      remaining = ZSTD_compressStream2 (self->zstd, &output, &input, ZSTD_e_flush);
      g_assert_false (ZSTD_isError (remaining));
      g_byte_array_append (out, chunk, output.pos);
    }
  while (remaining != 0);
  g_assert_cmpuint (input.pos, ==, length);

  return g_byte_array_free_to_bytes (out);
}

static GBytes *
compress_text (Compressor *self,
               const char *text)
{
  if (self->compression == DGATEWAY_COMPRESSION_ZLIB_STREAM)
    return compress_zlib (self, text, strlen (text));
  else
    return compress_zstd (self, text, strlen (text));
}

/* A dispatch much like those Discord sends; consecutive ones share most of
 * their text, so later compressed payloads refer back to earlier ones. */
static char *
make_dispatch (guint seq,
               gsize padding)
{
  g_autofree char *pad = g_strnfill (padding, 'x');

  return g_strdup_printf ("{\"op\":0,\"s\":%u,\"t\":\"MESSAGE_CREATE\",\"d\":"
                          "{\"id\":\"11223344556677%04u\",\"channel_id\":\"998877665544332211\","
                          "\"content\":\"hello gateway number %u%s\",\"tts\":false,"
                          "\"author\":{\"id\":\"123456789012345678\",\"username\":\"tester\"}}}",
                          seq, seq % 10000, seq, pad);
}

/* About @size bytes of guild member JSON that does not compress to nothing:
 * every member has its own id and name. */
static char *
make_large_payload (gsize size)
{
  GString *text = g_string_sized_new (size + 256);
  guint i;

  g_string_append (text, "{\"op\":0,\"s\":1,\"t\":\"GUILD_CREATE\",\"d\":{\"members\":[");
  for (i = 0; text->len < size; i++)
    {
      guint32 mix = g_int_hash (&i) * 2654435761u;

      g_string_append_printf (text, "%s{\"user\":{\"id\":\"%u%010u\",\"username\":\"member%08x\"},"
                              "\"roles\":[\"%u\"],\"deaf\":%s}",
                              i ? "," : "", i, mix, mix ^ 0x5a5a5a5a, mix % 977,
                              mix & 1 ? "true" : "false");
    }
  g_string_append (text, "]}}");

  return g_string_free (text, FALSE);
}

/* Feeds one message that must complete @expected exactly. */
static void
assert_feed_payload (DGatewayInflater *inflater,
                     const guint8     *data,
                     gsize             length,
                     const char       *expected)
{
  g_autoptr(GError) error = NULL;
  const char *payload = (const char *) 0x1;
  gsize payload_length = 12345;
  gboolean ok;

  ok = dgateway_inflater_feed (inflater, data, length, &payload, &payload_length, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_nonnull (payload);
  g_assert_cmpuint (payload_length, ==, strlen (expected));
  g_assert_cmpmem (payload, payload_length, expected, strlen (expected));
  g_assert_cmpint (payload[payload_length], ==, '\0');
}

static void
assert_feed_bytes_payload (DGatewayInflater *inflater,
                           GBytes           *message,
                           const char       *expected)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);

  assert_feed_payload (inflater, data, length, expected);
}

/* Feeds one message that must complete no payload yet. */
static void
assert_feed_incomplete (DGatewayInflater *inflater,
                        const guint8     *data,
                        gsize             length)
{
  g_autoptr(GError) error = NULL;
  const char *payload = (const char *) 0x1;
  gsize payload_length = 12345;
  gboolean ok;

  ok = dgateway_inflater_feed (inflater, data, length, &payload, &payload_length, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_null (payload);
  g_assert_cmpuint (payload_length, ==, 0);
}

/* Feeds one message that must fail with @code. */
static void
assert_feed_error (DGatewayInflater *inflater,
                   const guint8     *data,
                   gsize             length,
                   int               code)
{
  g_autoptr(GError) error = NULL;
  const char *payload = (const char *) 0x1;
  gsize payload_length = 12345;

  g_assert_false (dgateway_inflater_feed (inflater, data, length,
                                          &payload, &payload_length, &error));
  g_assert_error (error, DGATEWAY_ERROR, code);
  g_assert_nonnull (error->message);
  g_assert_null (payload);
  g_assert_cmpuint (payload_length, ==, 0);
}

static void
assert_feed_protocol_error (DGatewayInflater *inflater,
                            const guint8     *data,
                            gsize             length)
{
  assert_feed_error (inflater, data, length, DGATEWAY_ERROR_PROTOCOL);
}

static void
assert_feed_bytes_protocol_error (DGatewayInflater *inflater,
                                  GBytes           *message)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);

  assert_feed_protocol_error (inflater, data, length);
}

/* A payload over the cap: the same error as libsoup's limit gives in the
 * uncompressed mode. */
static void
assert_feed_bytes_too_large (DGatewayInflater *inflater,
                             GBytes           *message)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);

  assert_feed_error (inflater, data, length, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE);
}

/* Several payloads through one stream: each comes back whole, and the later
 * ones could not be inflated without the earlier ones' history. */
static void
test_sequence (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, DEFAULT_MAX);
  g_autoptr(DGatewayInflater) fresh = dgateway_inflater_new (compression, DEFAULT_MAX);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint i;

  g_ptr_array_add (texts, g_strdup ("{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}"));
  for (i = 1; i <= 5; i++)
    g_ptr_array_add (texts, make_dispatch (i, 0));
  g_ptr_array_add (texts, g_strdup ("{\"op\":11}"));

  for (i = 0; i < texts->len; i++)
    g_ptr_array_add (messages, compress_text (compressor, texts->pdata[i]));

  /* The test data must really use the shared context: a repeated dispatch
   * compresses to much less than the first one did. */
  g_assert_cmpuint (g_bytes_get_size (messages->pdata[2]), <,
                    g_bytes_get_size (messages->pdata[1]) * 2 / 3);

  for (i = 0; i < texts->len; i++)
    assert_feed_bytes_payload (inflater, messages->pdata[i], texts->pdata[i]);

  /* A stream that did not see the earlier payloads cannot decode a later
   * one: the inflater must keep one context for the whole connection. */
  assert_feed_bytes_protocol_error (fresh, messages->pdata[2]);
}

/* Feeds @message split at @cuts (offsets, ascending), checking that only the
 * last piece completes the payload. */
static void
feed_split (DGatewayInflater *inflater,
            GBytes           *message,
            const gsize      *cuts,
            guint             n_cuts,
            const char       *expected)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (message, &length);
  gsize start = 0;
  guint i;

  for (i = 0; i < n_cuts; i++)
    {
      g_assert_cmpuint (cuts[i], >, start);
      g_assert_cmpuint (cuts[i], <=, length - 4);
      /* A piece ending with the suffix would be a whole payload. */
      g_assert_false (cuts[i] - start >= 4 &&
                      memcmp (data + cuts[i] - 4, zlib_suffix, 4) == 0);
      assert_feed_incomplete (inflater, data + start, cuts[i] - start);
      start = cuts[i];
    }

  assert_feed_payload (inflater, data + start, length - start, expected);
}

/* Feeds a dispatch in @pieces messages of about equal size, or with 0, in
 * one-byte messages but for a last one that holds the suffix. */
static void
feed_in_pieces (DGatewayInflater *inflater,
                Compressor       *compressor,
                guint             seq,
                guint             pieces)
{
  g_autofree char *text = make_dispatch (seq, 300);
  g_autoptr(GBytes) message = compress_text (compressor, text);
  gsize length = g_bytes_get_size (message);
  g_autofree gsize *cuts = NULL;
  guint n_cuts;
  guint i;

  g_assert_cmpuint (length, >, 20);
  n_cuts = pieces ? pieces - 1 : length - 8;
  cuts = g_new (gsize, MAX (n_cuts, 1));
  for (i = 0; i < n_cuts; i++)
    cuts[i] = pieces ? (i + 1) * length / pieces : i + 1;

  feed_split (inflater, message, cuts, n_cuts, text);
}

static void
test_zlib_split (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);
  /* Split ones between whole ones: the buffer of a split payload must be
   * emptied once it is used. The first split also cuts the zlib header. */
  static const guint pieces[] = { 2, 1, 3, 1, 0, 1, 0, 2 };

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    feed_in_pieces (inflater, compressor, i + 1, pieces[i]);
}

/* The suffix itself may be cut: a last message of one to three bytes still
 * ends the payload, and the stream goes on. */
static void
test_zlib_split_suffix (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);

  for (gsize tail = 1; tail <= 3; tail++)
    {
      g_autofree char *text = make_dispatch (tail, 300);
      g_autoptr(GBytes) message = compress_text (compressor, text);
      gsize length;
      const guint8 *data = g_bytes_get_data (message, &length);

      assert_feed_incomplete (inflater, data, length - tail);
      assert_feed_payload (inflater, data + length - tail, tail, text);
    }
}

/* An empty binary message in zstd-stream carries nothing and breaks nothing. */
static void
test_zstd_empty_message (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZSTD_STREAM,
                                                                DEFAULT_MAX);
  g_autofree char *text = make_dispatch (1, 300);
  g_autoptr(GBytes) message = compress_text (compressor, text);

  assert_feed_incomplete (inflater, (const guint8 *) "", 0);
  assert_feed_bytes_payload (inflater, message, text);
}

/* A payload larger than the initial output buffer comes back whole, and the
 * stream goes on afterwards. */
static void
test_large (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, DEFAULT_MAX);
  g_autofree char *small = make_dispatch (1, 0);
  g_autofree char *medium = make_large_payload (100 * 1024);
  g_autofree char *large = make_large_payload (1024 * 1024 + 17);
  g_autofree char *larger = make_large_payload (3 * 1024 * 1024);
  g_autofree char *after = make_dispatch (2, 0);
  g_autoptr(GBytes) small_message = compress_text (compressor, small);
  g_autoptr(GBytes) medium_message = compress_text (compressor, medium);
  g_autoptr(GBytes) large_message = compress_text (compressor, large);
  g_autoptr(GBytes) larger_message = compress_text (compressor, larger);
  g_autoptr(GBytes) after_message = compress_text (compressor, after);

  g_assert_cmpuint (strlen (large), >, 1024 * 1024);
  /* Not a run of repeats that compresses to nothing: the message itself
   * is large, and it spans many zstd blocks of at most 128 KiB each. */
  g_assert_cmpuint (g_bytes_get_size (large_message), >, 128 * 1024);

  assert_feed_bytes_payload (inflater, small_message, small);
  /* All of this message fits one zstd block: the decoder takes in the
   * whole input at once, and the output still waits in its buffer. */
  assert_feed_bytes_payload (inflater, medium_message, medium);
  assert_feed_bytes_payload (inflater, large_message, large);
  assert_feed_bytes_payload (inflater, larger_message, larger);
  assert_feed_bytes_payload (inflater, after_message, after);
}

/* A large payload split over three messages, as Discord sends READY. */
static void
test_zlib_large_split (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);
  g_autofree char *large = make_large_payload (2 * 1024 * 1024);
  g_autoptr(GBytes) message = compress_text (compressor, large);
  gsize length = g_bytes_get_size (message);

  feed_split (inflater, message, (gsize[]) { length / 3, 2 * length / 3 }, 2, large);
}

/* Payloads of alternating lengths through one reused buffer: a short one
 * after a long one must not carry the long one's tail. */
static void
test_many (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, DEFAULT_MAX);
  guint i;

  for (i = 0; i < 1000; i++)
    {
      g_autofree char *text = make_dispatch (i, (i * 37) % 200 + (i % 2) * 500);
      g_autoptr(GBytes) message = compress_text (compressor, text);

      assert_feed_bytes_payload (inflater, message, text);
    }
}

static const guint8 zlib_garbage[] = {
  'n', 'o', 't', ' ', 'z', 'l', 'i', 'b', 0x00, 0x00, 0xff, 0xff,
};

/* Once the stream is broken, every later message fails too, whether it is
 * valid, partial or empty. */
static void
assert_stays_broken (DGatewayInflater *inflater,
                     Compressor       *compressor)
{
  g_autofree char *text = make_dispatch (99, 0);
  g_autoptr(GBytes) valid = compress_text (compressor, text);
  gsize length;
  const guint8 *data = g_bytes_get_data (valid, &length);

  assert_feed_bytes_protocol_error (inflater, valid);
  assert_feed_protocol_error (inflater, data, length / 2);
  assert_feed_protocol_error (inflater, data, 0);
  assert_feed_bytes_protocol_error (inflater, valid);
}

static void
test_zlib_corrupt (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);

  /* Not even a zlib header. */
  assert_feed_protocol_error (inflater, zlib_garbage, sizeof zlib_garbage);
  assert_stays_broken (inflater, compressor);
}

static void
test_zlib_corrupt_midstream (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(Compressor) other = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);
  g_autofree char *text = make_dispatch (1, 0);
  g_autoptr(GBytes) message = compress_text (compressor, text);
  /* A deflate block of the reserved type 3, then the suffix. */
  static const guint8 bad_block[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff };

  assert_feed_bytes_payload (inflater, message, text);
  assert_feed_protocol_error (inflater, bad_block, sizeof bad_block);
  assert_stays_broken (inflater, other);
}

/* A corrupt payload split over messages fails on the last one. */
static void
test_zlib_corrupt_split (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZLIB_STREAM,
                                                                DEFAULT_MAX);

  assert_feed_incomplete (inflater, zlib_garbage, 5);
  assert_feed_protocol_error (inflater, zlib_garbage + 5, sizeof zlib_garbage - 5);
  assert_stays_broken (inflater, compressor);
}

static void
test_zstd_corrupt (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZSTD_STREAM,
                                                                DEFAULT_MAX);
  static const guint8 garbage[] = "this is not a zstd frame at all";

  assert_feed_protocol_error (inflater, garbage, sizeof garbage);
  assert_stays_broken (inflater, compressor);
}

static void
test_zstd_corrupt_midstream (void)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_autoptr(Compressor) other = compressor_new (DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZSTD_STREAM,
                                                                DEFAULT_MAX);
  g_autofree char *text = make_dispatch (1, 0);
  g_autoptr(GBytes) message = compress_text (compressor, text);
  /* A block header of the reserved block type 3. */
  static const guint8 bad_block[] = { 0x06, 0x00, 0x00, 'x', 'x', 'x' };

  assert_feed_bytes_payload (inflater, message, text);
  assert_feed_protocol_error (inflater, bad_block, sizeof bad_block);
  assert_stays_broken (inflater, other);
}

/* A payload that inflates past the cap fails, with the stream; payloads
 * under the cap pass before it. */
static void
test_cap (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  const gsize cap = 256 * 1024;
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, cap);
  g_autofree char *under = make_large_payload (cap - 1024);
  g_autofree char *over = make_large_payload (1024 * 1024);
  g_autoptr(GBytes) under_message = compress_text (compressor, under);
  g_autoptr(GBytes) over_message = compress_text (compressor, over);

  g_assert_cmpuint (strlen (under), <, cap);
  /* The cap applies to the inflated size: the compressed message fits. */
  g_assert_cmpuint (g_bytes_get_size (over_message), <, cap);

  assert_feed_bytes_payload (inflater, under_message, under);
  assert_feed_bytes_too_large (inflater, over_message);
  assert_stays_broken (inflater, compressor);
}

/* The cap is the largest payload accepted: one of exactly that size passes,
 * one byte more fails. */
static void
test_cap_exact (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  const gsize cap = 100000;
  g_autofree char *base = make_large_payload (cap + 4096);
  guint extra;

  for (extra = 0; extra <= 1; extra++)
    {
      g_autoptr(Compressor) compressor = compressor_new (compression);
      g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, cap);
      g_autofree char *text = g_strndup (base, cap + extra);
      g_autoptr(GBytes) message = compress_text (compressor, text);

      g_test_message ("payload of %" G_GSIZE_FORMAT " bytes, cap %" G_GSIZE_FORMAT,
                      strlen (text), cap);
      if (extra == 0)
        assert_feed_bytes_payload (inflater, message, text);
      else
        assert_feed_bytes_too_large (inflater, message);
    }
}

/* The smallest cap a client allows is 4096 bytes, under the inflater's
 * initial 16 KiB buffer; the cap must hold there too. */
static void
test_cap_small (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  const gsize cap = 4096;
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, cap);
  g_autofree char *under = make_large_payload (cap - 512);
  g_autofree char *over = make_large_payload (10000);
  g_autoptr(GBytes) under_message = compress_text (compressor, under);
  g_autoptr(GBytes) over_message = compress_text (compressor, over);

  g_assert_cmpuint (strlen (under), <=, cap);
  g_assert_cmpuint (strlen (over), >, cap);
  g_assert_cmpuint (strlen (over), <, 16384);

  assert_feed_bytes_payload (inflater, under_message, under);
  assert_feed_bytes_too_large (inflater, over_message);
}

/* The largest cap a client allows is G_MAXSIZE, "no limit": the output
 * buffer must still grow. */
static void
test_cap_unlimited (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, G_MAXSIZE);
  g_autofree char *large = make_large_payload (100 * 1024);
  g_autoptr(GBytes) message = compress_text (compressor, large);

  assert_feed_bytes_payload (inflater, message, large);
}

/* zstd-stream has no end-of-payload marker: each message is one payload.
 * A message cut short must not crash or hand out anything but a prefix of
 * the payload, and the rest of the bytes, when they follow, give the rest
 * of the text. */
static void
check_zstd_truncated (gsize size)
{
  g_autoptr(Compressor) compressor = compressor_new (DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (DGATEWAY_COMPRESSION_ZSTD_STREAM,
                                                                DEFAULT_MAX);
  g_autofree char *first = make_dispatch (1, 0);
  g_autofree char *text = size ? make_large_payload (size) : make_dispatch (2, 0);
  g_autoptr(GBytes) first_message = compress_text (compressor, first);
  g_autoptr(GBytes) message = compress_text (compressor, text);
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *payload;
  gsize payload_length;
  gsize length;
  const guint8 *bytes = g_bytes_get_data (message, &length);

  assert_feed_bytes_payload (inflater, first_message, first);

  g_assert_true (dgateway_inflater_feed (inflater, bytes, length / 2,
                                         &payload, &payload_length, &error));
  g_assert_no_error (error);
  if (payload != NULL)
    {
      g_assert_cmpuint (payload_length, <, strlen (text));
      g_assert_cmpint (payload[payload_length], ==, '\0');
      g_string_append_len (received, payload, payload_length);
    }
  else
    {
      g_assert_cmpuint (payload_length, ==, 0);
    }
  g_test_message ("%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes after half the message",
                  received->len, strlen (text));
  g_assert_cmpmem (received->str, received->len, text, received->len);

  g_assert_true (dgateway_inflater_feed (inflater, bytes + length / 2, length - length / 2,
                                         &payload, &payload_length, &error));
  g_assert_no_error (error);
  g_assert_nonnull (payload);
  g_assert_cmpint (payload[payload_length], ==, '\0');
  g_string_append_len (received, payload, payload_length);
  g_assert_cmpmem (received->str, received->len, text, strlen (text));
}

static void
test_zstd_truncated (void)
{
  check_zstd_truncated (0);
  check_zstd_truncated (1024 * 1024);
}

/* Adds @func as PREFIX/zlib/NAME and PREFIX/zstd/NAME. */
/* After a payload of many MiB the inflater goes back to a small buffer:
 * an idle shard does not keep the largest payload it ever saw. */
static void
test_memory_returns (gconstpointer data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);
  g_autoptr(Compressor) compressor = compressor_new (compression);
  g_autoptr(DGatewayInflater) inflater = dgateway_inflater_new (compression, 64 * 1024 * 1024);
  g_autofree char *big = make_large_payload (8 * 1024 * 1024);
  g_autoptr(GBytes) big_message = compress_text (compressor, big);
  g_autoptr(GBytes) small_message = compress_text (compressor, "{\"op\":11}");

  assert_feed_bytes_payload (inflater, big_message, big);
  g_assert_cmpuint (dgateway_inflater_get_kept_size (inflater), >, 8 * 1024 * 1024);
  assert_feed_bytes_payload (inflater, small_message, "{\"op\":11}");
  g_assert_cmpuint (dgateway_inflater_get_kept_size (inflater), <=, 1024 * 1024);
}

static void
add_both (const char    *prefix,
          const char    *name,
          GTestDataFunc  func)
{
  g_autofree char *zlib_path = g_strconcat (prefix, "/zlib/", name, NULL);
  g_autofree char *zstd_path = g_strconcat (prefix, "/zstd/", name, NULL);

  g_test_add_data_func (zlib_path, GINT_TO_POINTER (DGATEWAY_COMPRESSION_ZLIB_STREAM), func);
  g_test_add_data_func (zstd_path, GINT_TO_POINTER (DGATEWAY_COMPRESSION_ZSTD_STREAM), func);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_both ("/dgateway/inflater", "sequence", test_sequence);
  add_both ("/dgateway/inflater", "large", test_large);
  add_both ("/dgateway/inflater", "many", test_many);
  g_test_add_func ("/dgateway/inflater/zlib/split", test_zlib_split);
  g_test_add_func ("/dgateway/inflater/zlib/large-split", test_zlib_large_split);
  g_test_add_func ("/dgateway/inflater/zlib/split-suffix", test_zlib_split_suffix);
  g_test_add_func ("/dgateway/inflater/zstd/empty-message", test_zstd_empty_message);
  g_test_add_func ("/dgateway/inflater/zlib/corrupt", test_zlib_corrupt);
  g_test_add_func ("/dgateway/inflater/zlib/corrupt-midstream", test_zlib_corrupt_midstream);
  g_test_add_func ("/dgateway/inflater/zlib/corrupt-split", test_zlib_corrupt_split);
  g_test_add_func ("/dgateway/inflater/zstd/corrupt", test_zstd_corrupt);
  g_test_add_func ("/dgateway/inflater/zstd/corrupt-midstream", test_zstd_corrupt_midstream);
  g_test_add_func ("/dgateway/inflater/zstd/truncated", test_zstd_truncated);
  add_both ("/dgateway/inflater", "cap", test_cap);
  add_both ("/dgateway/inflater", "memory-returns", test_memory_returns);
  /* The edges of the cap: exactly the cap, caps under the initial buffer,
   * and G_MAXSIZE for no cap. */
  add_both ("/dgateway/inflater/cap-bounds", "exact", test_cap_exact);
  add_both ("/dgateway/inflater/cap-bounds", "small", test_cap_small);
  add_both ("/dgateway/inflater/cap-bounds", "unlimited", test_cap_unlimited);

  return g_test_run ();
}
