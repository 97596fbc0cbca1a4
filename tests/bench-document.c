/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench-document: what reading one Gateway payload costs, json-glib
 * against the payload document.
 *
 * Parses the envelope of a realistic MESSAGE_CREATE of about 1 KB (from
 * dgateway_mock_gateway_build_message_create(), 64 different ones in turn) N times
 * and reads three fields of `d`, as a handler would: once the way the
 * library did with json-glib (JsonParser, then JsonObject lookups), once
 * through dgateway_payload_parse() and the DGatewayValue accessors. Also
 * times the extras that the document makes on demand. Prints µs per
 * payload, thread CPU time.
 *
 *   bench-document [ITERATIONS]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>

#include "dgateway-payload-private.h"
#include <dgateway-testing.h>

#define N_MESSAGES 64

static char *payloads[N_MESSAGES];
static gsize lengths[N_MESSAGES];
static volatile gsize sink;

static double
cpu_seconds (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

static void
read_with_json_glib (const char *text,
                     gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *data, *author;

  if (!json_parser_load_from_data (parser, text, length, NULL))
    g_error ("json-glib rejects a payload");
  root = json_parser_steal_root (parser);
  data = json_object_get_object_member (json_node_get_object (root), "d");
  author = json_object_get_object_member (data, "author");
  sink += strlen (json_object_get_string_member (data, "content"))
          + strlen (json_object_get_string_member (author, "username"))
          + strlen (json_object_get_string_member (data, "channel_id"));
}

static void
read_with_document (const char *text,
                    gsize       length)
{
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, length, NULL);
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *author = dgateway_value_get_member (data, "author");

  sink += strlen (dgateway_value_get_member_string (data, "content"))
          + strlen (dgateway_value_get_member_string (author, "username"))
          + strlen (dgateway_value_get_member_string (data, "channel_id"));
}

static void
parse_only (const char *text,
            gsize       length)
{
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, length, NULL);

  sink += dgateway_payload_get_op (payload);
}

static void
parse_and_materialise (const char *text,
                       gsize       length)
{
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, length, NULL);

  sink += json_node_get_node_type (dgateway_payload_get_data_node (payload));
}

static void
parse_and_write (const char *text,
                 gsize       length)
{
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, length, NULL);
  g_autofree char *json = dgateway_payload_dup_data_json (payload);

  sink += strlen (json);
}

/* µs per call: the best of five rounds of @iterations calls, which is the
 * figure least disturbed by the rest of the machine. */
static double
measure (void  (*read) (const char *text, gsize length),
         guint   iterations)
{
  double best = G_MAXDOUBLE;

  for (guint round = 0; round < 5; round++)
    {
      double start = cpu_seconds ();

      for (guint i = 0; i < iterations; i++)
        read (payloads[i % N_MESSAGES], lengths[i % N_MESSAGES]);
      best = MIN (best, (cpu_seconds () - start) * 1e6 / iterations);
    }

  return best;
}

int
main (int   argc,
      char *argv[])
{
  guint iterations = argc > 1 ? (guint) atoi (argv[1]) : 50000;
  gsize total = 0;
  double glib_us, document_us;

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *d = dgateway_mock_gateway_build_message_create (i);

      payloads[i] = g_strdup_printf ("{\"t\":\"MESSAGE_CREATE\",\"s\":%u,\"op\":0,\"d\":%s}", i + 1, d);
      lengths[i] = strlen (payloads[i]);
      total += lengths[i];
    }

  printf ("%u MESSAGE_CREATE payloads of %" G_GSIZE_FORMAT " bytes on average, "
          "%u iterations, thread CPU time, best of 5\n\n",
          N_MESSAGES, total / N_MESSAGES, iterations);

  glib_us = measure (read_with_json_glib, iterations);
  document_us = measure (read_with_document, iterations);
  printf ("| %-44s | %8s |\n|%s|%s|\n", "parse + read 3 fields", "µs/payload",
          "----------------------------------------------", "------------");
  printf ("| %-44s | %10.3f |\n", "json-glib (JsonParser)", glib_us);
  printf ("| %-44s | %10.3f |\n", "payload document", document_us);
  printf ("| %-44s | %9.1f× |\n\n", "speed-up", glib_us / document_us);

  printf ("| %-44s | %10.3f |\n", "document: parse only", measure (parse_only, iterations));
  printf ("| %-44s | %10.3f |\n", "document: parse + get_data_node()",
          measure (parse_and_materialise, iterations / 4 + 1));
  printf ("| %-44s | %10.3f |\n", "document: parse + dup_data_json()",
          measure (parse_and_write, iterations / 4 + 1));
  printf ("\nthroughput of the document: %.0f MB/s, %.0f payloads/s\n",
          total / N_MESSAGES / document_us, 1e6 / document_us);

  for (guint i = 0; i < N_MESSAGES; i++)
    g_free (payloads[i]);
  return sink == 0;
}
