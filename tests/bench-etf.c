/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench-etf: what reading one Gateway payload costs, ETF against JSON.
 *
 * Builds realistic MESSAGE_CREATE (~1.3 KB of JSON, mock-events.c) and
 * GUILD_CREATE payloads (small: 20 members and 10 channels; large: 400
 * members and 200 channels, ~250 KB), and their ETF twins written the way
 * Discord writes them (atom keys, snowflakes as big integers) by
 * dgateway_etf_write_value(). Times dgateway_payload_parse() of the JSON
 * against dgateway_payload_parse_etf() of the ETF, which make the same
 * document (checked first), and prints the bytes of each. Thread CPU
 * time, best of 5 rounds.
 *
 *   bench-etf [ITERATIONS]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dgateway-etf-private.h"
#include <dgateway-testing.h>

#define N_PAYLOADS 16

typedef struct
{
  const char *name;
  char *json[N_PAYLOADS];
  gsize json_length[N_PAYLOADS];
  GBytes *etf[N_PAYLOADS];
  GBytes *etf_binary_keys[N_PAYLOADS];
} Kind;

static volatile gsize sink;

static double
cpu_seconds (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

static GBytes *
to_etf (const char            *json,
        DGatewayEtfWriteFlags  flags)
{
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (json, strlen (json), NULL);
  g_autofree char *copy = g_strdup (json);
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (copy), NULL);
  GByteArray *out = g_byte_array_new ();

  if (payload == NULL || !dgateway_etf_write_value (tape, flags, out, NULL))
    g_error ("cannot write a payload as ETF");
  return g_byte_array_free_to_bytes (out);
}

/* The two readings make the same document. */
static void
check_same (const char *json,
            GBytes     *etf)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) a = dgateway_payload_parse (json, strlen (json), NULL);
  g_autoptr(DGatewayPayload) b = dgateway_payload_parse_etf (g_bytes_get_data (etf, NULL),
                                                             g_bytes_get_size (etf), &error);
  g_autofree char *da = NULL, *db = NULL;

  if (b == NULL)
    g_error ("%s", error->message);
  da = dgateway_payload_dup_data_json (a);
  db = dgateway_payload_dup_data_json (b);
  if (strcmp (da, db) != 0 || g_strcmp0 (dgateway_payload_get_name (a), dgateway_payload_get_name (b)) != 0)
    g_error ("the ETF twin reads differently");
}

static void
kind_init (Kind       *self,
           const char *name,
           char *    (*build) (guint index))
{
  self->name = name;
  for (guint i = 0; i < N_PAYLOADS; i++)
    {
      g_autofree char *d = build (i);

      self->json[i] = g_strdup_printf ("{\"t\":\"%s\",\"s\":%u,\"op\":0,\"d\":%s}",
                                       strchr (name, ' ') ? "GUILD_CREATE" : name, i + 1, d);
      self->json_length[i] = strlen (self->json[i]);
      self->etf[i] = to_etf (self->json[i], DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS
                                            | DGATEWAY_ETF_WRITE_ATOM_KEYS);
      self->etf_binary_keys[i] = to_etf (self->json[i], DGATEWAY_ETF_WRITE_DEFAULT);
      check_same (self->json[i], self->etf[i]);
      check_same (self->json[i], self->etf_binary_keys[i]);
    }
}

static void
kind_clear (Kind *self)
{
  for (guint i = 0; i < N_PAYLOADS; i++)
    {
      g_free (self->json[i]);
      g_bytes_unref (self->etf[i]);
      g_bytes_unref (self->etf_binary_keys[i]);
    }
}

/* µs per payload, best of five rounds. */
static double
measure (Kind     *kind,
         gboolean  etf,
         guint     iterations)
{
  double best = G_MAXDOUBLE;

  for (guint round = 0; round < 5; round++)
    {
      double start = cpu_seconds ();

      for (guint i = 0; i < iterations; i++)
        {
          guint k = i % N_PAYLOADS;
          DGatewayPayload *payload;

          if (etf)
            payload = dgateway_payload_parse_etf (g_bytes_get_data (kind->etf[k], NULL),
                                                  g_bytes_get_size (kind->etf[k]), NULL);
          else
            payload = dgateway_payload_parse (kind->json[k], kind->json_length[k], NULL);
          sink += dgateway_payload_get_op (payload);
          dgateway_payload_unref (payload);
        }
      best = MIN (best, (cpu_seconds () - start) * 1e6 / iterations);
    }

  return best;
}

static char *
build_small_guild (guint index)
{
  return dgateway_mock_gateway_build_guild_create (index, 20, 10);
}

static char *
build_large_guild (guint index)
{
  return dgateway_mock_gateway_build_guild_create (index, 400, 200);
}

static void
report (Kind  *kind,
        guint  iterations)
{
  gsize json = 0, etf = 0, etf_binary = 0;
  double json_us, etf_us;

  for (guint i = 0; i < N_PAYLOADS; i++)
    {
      json += kind->json_length[i];
      etf += g_bytes_get_size (kind->etf[i]);
      etf_binary += g_bytes_get_size (kind->etf_binary_keys[i]);
    }
  json /= N_PAYLOADS;
  etf /= N_PAYLOADS;
  etf_binary /= N_PAYLOADS;

  json_us = measure (kind, FALSE, iterations);
  etf_us = measure (kind, TRUE, iterations);
  printf ("| %-26s | %9" G_GSIZE_FORMAT " | %9" G_GSIZE_FORMAT " (%9" G_GSIZE_FORMAT ") "
          "| %10.3f | %10.3f | %5.0f | %5.0f |\n",
          kind->name, json, etf, etf_binary, json_us, etf_us, json / json_us, etf / etf_us);
}

int
main (int   argc,
      char *argv[])
{
  guint iterations = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  Kind kinds[3] = { { 0 } };

  kind_init (&kinds[0], "MESSAGE_CREATE", dgateway_mock_gateway_build_message_create);
  kind_init (&kinds[1], "GUILD_CREATE 20 members", build_small_guild);
  kind_init (&kinds[2], "GUILD_CREATE 400 members", build_large_guild);

  printf ("payload parse, %u iterations (÷ size for the large guild), thread CPU time, "
          "best of 5; ETF as Discord writes it (atom keys, snowflakes as integers), "
          "in brackets with binary keys and string snowflakes\n\n", iterations);
  printf ("| %-26s | %9s | %23s | %10s | %10s | %5s | %5s |\n",
          "payload", "JSON B", "ETF B", "JSON µs", "ETF µs", "MB/s", "MB/s");
  printf ("|%s|%s|%s|%s|%s|%s|%s|\n", "----------------------------", "-----------",
          "-------------------------", "------------", "------------", "-------", "-------");
  report (&kinds[0], iterations);
  report (&kinds[1], iterations / 10 + 1);
  report (&kinds[2], iterations / 200 + 1);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    kind_clear (&kinds[i]);
  return sink == 0;
}
